"""The issuer API without a holder key: a credential offer the person's wallet binds at pickup."""

from fastapi.testclient import TestClient

from tests.api import test_end_to_end
from tests.api.test_end_to_end import World, bearer, ok, qualification
from tests.api.test_foundation import assert_problem

world = test_end_to_end.world  # the fixture of the end-to-end tests


def _offer(world: World, key: str = "offer-api-1") -> dict[str, object]:
    answer: dict[str, object] = ok(
        world.client.post(
            "/v1/issuers/college/credentials",
            json={"type": "qualification", "claims": qualification()},
            headers={**bearer(world.issuer_key), "Idempotency-Key": key},
        ),
        201,
    )
    return answer


def test_an_issuer_makes_an_offer_without_the_persons_key_and_the_wallet_binds_it(
    world: World,
) -> None:
    offer = _offer(world)
    assert offer["offer"] is True and "credential" not in offer
    code = str(offer["pickup_code"])
    assert str(offer["pickup_url"]).endswith(f"/wallet/receive?code={code}")
    typed = code.lower().replace("-", " ")
    received = ok(
        world.client.post("/v1/wallet/pickup", json={"code": typed}, headers=world.person), 201
    )
    assert received["type"] == "qualification"
    assert received["issuer_name"] == "Esimerkkikaupungin ammattiopisto"
    register = ok(
        world.client.get("/v1/issuers/college/credentials", headers=bearer(world.issuer_key))
    )
    assert len(register["items"]) == 1
    assert_problem(
        world.client.post("/v1/wallet/pickup", json={"code": code}, headers=world.person),
        410,
        "pickup_code_used",
    )


def test_an_offer_needs_the_issuers_key_and_the_wallet_needs_a_person(world: World) -> None:
    client: TestClient = world.client
    assert_problem(
        client.post(
            "/v1/issuers/college/credentials",
            json={"type": "qualification", "claims": qualification()},
            headers={"Idempotency-Key": "no-key"},
        ),
        401,
        "unauthenticated",
    )
    code = str(_offer(world)["pickup_code"])
    assert_problem(client.post("/v1/wallet/pickup", json={"code": code}), 401, "unauthenticated")
    assert ok(client.post("/v1/wallet/pickup", json={"code": code}, headers=world.person), 201)


def test_an_offer_with_invalid_claims_is_refused_before_any_code_exists(world: World) -> None:
    response = world.client.post(
        "/v1/issuers/college/credentials",
        json={"type": "qualification", "claims": {"title": 3}},
        headers={**bearer(world.issuer_key), "Idempotency-Key": "bad-offer"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "claims_invalid"
