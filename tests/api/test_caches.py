"""Caches belong to the application that create_app built: two apps never share an entry."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from api.caches import AppCaches
from api.settings import Settings
from tests.service.test_issuers_support import SAMPLE_CLAIMS, holder_key, make_issuer


def _caches(client: TestClient) -> AppCaches:
    caches = client.app.state.caches  # type: ignore[attr-defined]
    assert isinstance(caches, AppCaches)
    return caches


def test_two_apps_in_one_process_keep_their_own_keys_and_status_lists(
    settings: Settings, clean_engine: Engine
) -> None:
    first = TestClient(create_app(settings, engine=clean_engine), base_url="https://taito.test")
    second = TestClient(create_app(settings, engine=clean_engine), base_url="https://taito.test")
    kek = first.app.state.kek  # type: ignore[attr-defined]
    with Session(clean_engine, expire_on_commit=False) as session:
        issuer = make_issuer(session, kek, types=["competence"])
    body = {
        "type": "competence",
        "claims": SAMPLE_CLAIMS["competence"],
        "holder": {"jwk": holder_key().public.jwk},
    }
    headers = {"Authorization": f"Bearer {issuer.api_key}", "Idempotency-Key": "cache-1"}
    issued = first.post(
        f"/v1/issuers/{issuer.account.slug}/credentials", json=body, headers=headers
    )
    assert issued.status_code == 201, issued.text
    status_url = issued.json()["status"]["uri"]
    assert first.get(status_url).status_code == 200

    one, two = _caches(first), _caches(second)
    assert len(one.private_keys) == 1 and len(one.status_lists) == 1
    assert len(two.private_keys) == 0 and len(two.status_lists) == 0 and len(two.public_keys) == 0

    assert second.get(status_url).status_code == 200
    assert len(two.status_lists) == 1 and len(two.private_keys) == 1
    assert one.status_lists is not two.status_lists


def test_a_revocation_is_published_at_once_despite_the_cached_list(
    settings: Settings, clean_engine: Engine
) -> None:
    client = TestClient(create_app(settings, engine=clean_engine), base_url="https://taito.test")
    kek = client.app.state.kek  # type: ignore[attr-defined]
    with Session(clean_engine, expire_on_commit=False) as session:
        issuer = make_issuer(session, kek, types=["competence"])
    auth = {"Authorization": f"Bearer {issuer.api_key}"}
    body = {
        "type": "competence",
        "claims": SAMPLE_CLAIMS["competence"],
        "holder": {"jwk": holder_key().public.jwk},
    }
    issued = client.post(
        f"/v1/issuers/{issuer.account.slug}/credentials",
        json=body,
        headers={**auth, "Idempotency-Key": "cache-2"},
    ).json()
    before = client.get(issued["status"]["uri"]).text
    assert client.get(issued["status"]["uri"]).text == before
    revoked = client.post(
        f"/v1/issuers/{issuer.account.slug}/credentials/{issued['id']}/status",
        json={"status": "revoked"},
        headers=auth,
    )
    assert revoked.status_code == 200, revoked.text
    assert client.get(issued["status"]["uri"]).text != before
