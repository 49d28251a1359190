"""Public, unauthenticated endpoints: issuer metadata, did:web, status lists, types, ESCO."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from credentials.did_web import parse_did_document
from credentials.issuer_metadata import parse_issuer_metadata
from issuers.organisations import CreatedIssuer
from schemas import SLUGS
from tests.api.test_foundation import assert_problem
from tests.service.test_issuers_support import PYTHON, make_issuer


@pytest.fixture
def issuer(client: TestClient, clean_engine: Engine) -> CreatedIssuer:
    kek = client.app.state.kek  # type: ignore[attr-defined]
    with Session(clean_engine, expire_on_commit=False) as session:
        return make_issuer(session, kek)


def test_issuer_metadata_is_public_json_with_cache_headers(
    client: TestClient, issuer: CreatedIssuer
) -> None:
    slug = issuer.account.slug
    response = client.get(f"/.well-known/jwt-vc-issuer/issuers/{slug}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "public, max-age=300"
    metadata = parse_issuer_metadata(response.content, issuer=f"https://taito.test/issuers/{slug}")
    assert metadata.keys is not None and metadata.keys[0].kid == issuer.key.kid


def test_the_did_web_document_is_public(client: TestClient, issuer: CreatedIssuer) -> None:
    slug = issuer.account.slug
    response = client.get(f"/issuers/{slug}/did.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/did+json"
    did = f"did:web:taito.test:issuers:{slug}"
    document = parse_did_document(response.content, did=did)
    assert [k.kid for k in document.assertion_keys] == [f"{did}#{issuer.key.kid}"]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/.well-known/jwt-vc-issuer/issuers/nobody", "issuer_not_found"),
        ("/issuers/nobody/did.json", "issuer_not_found"),
        ("/status/0123456789abcdef01234567", "status_list_not_found"),
        ("/status/w3c/0123456789abcdef01234567-revocation", "status_list_not_found"),
        ("/status/w3c/nothing", "status_list_not_found"),
        ("/types/diploma/v1", "credential_type_not_found"),
        ("/types/qualification/v9", "credential_type_not_found"),
    ],
)
def test_unknown_public_documents_are_404_problems(
    client: TestClient, path: str, code: str
) -> None:
    assert_problem(client.get(path), 404, code)


@pytest.mark.parametrize("slug", SLUGS)
def test_type_metadata_is_served_at_the_vct_url(client: TestClient, slug: str) -> None:
    response = client.get(f"/types/{slug}/v1")
    assert response.status_code == 200
    assert response.json()["vct"] == f"https://taito.test/types/{slug}/v1"
    assert {d["locale"] for d in response.json()["display"]} >= {"fi", "sv", "en"}


def test_esco_skills_are_found_by_label_words(client: TestClient) -> None:
    response = client.get("/v1/vocab/skills", params={"q": "python", "limit": 5})
    assert response.status_code == 200
    found = response.json()
    assert 0 < len(found) <= 5
    assert found[0]["uri"] == PYTHON
    assert set(found[0]) == {"uri", "label", "skill_type"}


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "python", "limit": 0}])
def test_esco_search_validates_its_query(client: TestClient, params: dict[str, object]) -> None:
    assert_problem(client.get("/v1/vocab/skills", params=params), 422, "validation_failed")
