"""Browser-based verifiers can read the public documents (status lists, issuer metadata, type
metadata, DID documents): ``Access-Control-Allow-Origin: *`` there, and on no authenticated route
(draft-ietf-oauth-status-list §8.1)."""

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.api.demo_world import DemoWorld, demo_world
from tests.service.test_wallet_support import competence_claims

ORIGIN = {"Origin": "https://verifier.example"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    with demo_world(tmp_path_factory.mktemp("cors")) as built:
        yield built


def _public_documents(world: DemoWorld) -> list[str]:
    binding = world.client.get("/v1/wallet/binding", headers=world.person).json()
    issued = world.client.post(
        f"/v1/issuers/{world.issuer_slug}/credentials",
        json={
            "type": "competence",
            "format": "vc+jwt",
            "claims": competence_claims(),
            "holder": {"did": binding["did"]},
        },
        headers={**world.issuer, "Idempotency-Key": "cors-w3c"},
    )
    assert issued.status_code == 201, issued.text
    w3c_list = urlsplit(issued.json()["credentialStatus"][0]["statusListCredential"]).path
    register = world.client.get(
        f"/v1/issuers/{world.issuer_slug}/credentials", headers=world.issuer
    ).json()
    token_list = next(
        f"/status/{e['status_list_id']}" for e in register["items"] if e["format"] == "dc+sd-jwt"
    )
    return [
        f"/.well-known/jwt-vc-issuer/issuers/{world.issuer_slug}",
        f"/issuers/{world.issuer_slug}/did.json",
        "/types/competence/v1",
        token_list,
        w3c_list,
    ]


def test_public_documents_allow_any_origin(world: DemoWorld) -> None:
    for path in _public_documents(world):
        response = world.client.get(path, headers=ORIGIN)
        assert response.status_code == 200, path
        assert response.headers["access-control-allow-origin"] == "*", path


def test_authenticated_routes_allow_no_other_origin(world: DemoWorld) -> None:
    for path, headers in [
        ("/v1/wallet/binding", world.person),
        (f"/v1/issuers/{world.issuer_slug}", world.issuer),
        ("/v1/admin/trust", world.admin),
        ("/v1/wallet/activity", world.person),
    ]:
        response = world.client.get(path, headers={**headers, **ORIGIN})
        assert response.status_code == 200, path
        assert "access-control-allow-origin" not in response.headers, path
