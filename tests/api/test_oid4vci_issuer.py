"""Each issuer as an OpenID4VCI 1.0 Credential Issuer: metadata, offer, token, nonce, credential."""

import time
from typing import Any

from credentials.keys import generate_key
from credentials.sd_jwt_holder import open_sd_jwt
from tests.api import test_end_to_end
from tests.api.oid4vci_support import (
    ISSUER,
    PRE_AUTH,
    access_token,
    c_nonce,
    credential_request,
    make_offer,
    proof,
    register_size,
    resolve,
    token_request,
    unsigned,
)
from tests.api.test_end_to_end import World, bearer, checks_of, ok, present
from tests.api.test_foundation import assert_problem

world = test_end_to_end.world  # the fixture of the end-to-end tests


def oauth_error(response: Any, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["error"] == error


def test_the_issuer_publishes_credential_issuer_and_authorization_server_metadata(
    world: World,
) -> None:
    metadata = ok(world.client.get("/.well-known/openid-credential-issuer/issuers/college"))
    assert metadata["credential_issuer"] == ISSUER
    assert metadata["credential_endpoint"] == f"{ISSUER}/oid4vci/credential"
    assert metadata["nonce_endpoint"] == f"{ISSUER}/oid4vci/nonce"
    configurations = metadata["credential_configurations_supported"]
    assert set(configurations) == {"qualification", "competence"}
    qualification = configurations["qualification"]
    assert qualification["format"] == "dc+sd-jwt"
    assert qualification["vct"] == test_end_to_end.QUALIFICATION_VCT
    assert qualification["proof_types_supported"] == {
        "jwt": {"proof_signing_alg_values_supported": ["ES256", "EdDSA"]}
    }
    display = qualification["credential_metadata"]["display"]
    assert {d["locale"]: d["name"] for d in display} == {
        "fi": "Tutkinto",
        "sv": "Examen",
        "en": "Qualification",
    }
    (given,) = [
        c for c in qualification["credential_metadata"]["claims"] if c["path"] == ["given_name"]
    ]
    assert {d["locale"]: d["name"] for d in given["display"]}["sv"] == "Förnamn"
    server = ok(world.client.get("/.well-known/oauth-authorization-server/issuers/college"))
    assert server["issuer"] == ISSUER
    assert server["token_endpoint"] == f"{ISSUER}/oid4vci/token"
    assert server["pre-authorized_grant_anonymous_access_supported"] is True
    assert PRE_AUTH in server["grant_types_supported"]
    assert_problem(
        world.client.get("/.well-known/openid-credential-issuer/issuers/nobody"),
        404,
        "issuer_not_found",
    )


def test_a_wallet_takes_the_offer_by_reference_and_gets_a_credential_bound_to_its_key(
    world: World,
) -> None:
    offer = make_offer(world, "oid4vci-1")
    assert len(offer["tx_code"]) == 6 and offer["tx_code"].isdigit()
    assert offer["offer_qr_svg"].startswith("<svg")
    document = resolve(world, offer)
    assert document == offer["credential_offer"]
    grant = document["grants"][PRE_AUTH]
    assert grant["tx_code"]["input_mode"] == "numeric" and grant["tx_code"]["length"] == 6
    assert document["credential_configuration_ids"] == ["qualification"]
    token = access_token(world, offer)
    holder = generate_key("EdDSA")
    answer = ok(credential_request(world, token, proof(holder, nonce=c_nonce(world))))
    (item,) = answer["credentials"]
    held = open_sd_jwt(item["credential"])
    assert held.claims["cnf"]["jwk"]["x"] == holder.public.jwk["x"]
    assert held.claims["iss"] == ISSUER
    assert register_size(world) == 1
    # A Taito verifier accepts it, presented with the proven key.
    nonce = world.nonce()
    made = present(item["credential"], holder, ["title"], world.verifier_client_id, nonce)
    report = ok(world.verify({"nonce": nonce, "presentations": [made]}))
    assert report["verified"] is True, checks_of(report)
    # Redeemed once: the offer by reference, the token and the pickup code are spent.
    uri = offer["credential_offer_uri"].removeprefix("https://taito.test")
    assert_problem(world.client.get(uri), 404, "credential_offer_not_found")
    oauth_error(
        credential_request(world, token, proof(holder, nonce=c_nonce(world))), 401, "invalid_token"
    )
    assert_problem(
        world.client.post(
            "/v1/wallet/pickup", json={"code": offer["pickup_code"]}, headers=world.person
        ),
        410,
        "pickup_code_used",
    )
    assert register_size(world) == 1


def test_a_reused_pre_authorized_code_is_an_invalid_grant(world: World) -> None:
    offer = make_offer(world, "oid4vci-reuse")
    code = resolve(world, offer)["grants"][PRE_AUTH]["pre-authorized_code"]
    assert ok(token_request(world, code, offer["tx_code"]))["token_type"] == "Bearer"
    oauth_error(token_request(world, code, offer["tx_code"]), 400, "invalid_grant")
    oauth_error(token_request(world, "not-a-code", offer["tx_code"]), 400, "invalid_grant")


def test_a_wrong_tx_code_is_refused_and_five_wrong_ones_kill_the_offer(world: World) -> None:
    offer = make_offer(world, "oid4vci-tx")
    code = offer["credential_offer"]["grants"][PRE_AUTH]["pre-authorized_code"]
    oauth_error(token_request(world, code, None), 400, "invalid_request")
    wrong = "000000" if offer["tx_code"] != "000000" else "111111"
    for _ in range(5):
        oauth_error(token_request(world, code, wrong), 400, "invalid_grant")
    oauth_error(token_request(world, code, offer["tx_code"]), 400, "invalid_grant")
    assert register_size(world) == 0


def test_the_token_endpoint_accepts_what_wallets_send_and_refuses_another_resource(
    world: World,
) -> None:
    offer = make_offer(world, "oid4vci-params")
    code = offer["credential_offer"]["grants"][PRE_AUTH]["pre-authorized_code"]
    oauth_error(
        token_request(world, code, offer["tx_code"], resource="https://elsewhere.example"),
        400,
        "invalid_target",
    )
    answer = token_request(world, code, offer["tx_code"], client_id="wallet", resource=ISSUER)
    assert ok(answer)["expires_in"] == 600 and answer.headers["cache-control"] == "no-store"
    oauth_error(
        world.client.post("/issuers/college/oid4vci/token", json={"grant_type": PRE_AUTH}),
        400,
        "invalid_request",
    )
    oauth_error(
        world.client.post("/issuers/college/oid4vci/token", data={"grant_type": "password"}),
        400,
        "unsupported_grant_type",
    )


def test_bad_key_proofs_are_refused_with_the_specs_errors_and_nothing_is_issued(
    world: World,
) -> None:
    offer = make_offer(world, "oid4vci-proofs")
    token = access_token(world, offer)
    holder, other = generate_key("ES256"), generate_key("ES256")
    used = c_nonce(world)
    now = time.time()
    cases = {
        "wrong aud": (
            proof(holder, nonce=c_nonce(world), aud="https://other.example"),
            "invalid_proof",
        ),
        "no nonce": (proof(holder, nonce=None), "invalid_proof"),
        "unknown nonce": (proof(holder, nonce="made-up-nonce"), "invalid_nonce"),
        "stale iat": (proof(holder, nonce=c_nonce(world), iat=now - 3600), "invalid_proof"),
        "future iat": (proof(holder, nonce=c_nonce(world), iat=now + 3600), "invalid_proof"),
        "alg none": (
            unsigned_proof(holder, {"alg": "none"}, c_nonce(world)),
            "invalid_proof",
        ),
        "HS256": (
            unsigned_proof(holder, {"alg": "HS256"}, c_nonce(world), b"x" * 32),
            "invalid_proof",
        ),
        "another key's signature": (
            proof(other, nonce=c_nonce(world), header={"jwk": public_of(holder)}),
            "invalid_proof",
        ),
        "wrong typ": (proof(holder, nonce=c_nonce(world), header={"typ": "JWT"}), "invalid_proof"),
    }
    for name, (jwt, error) in cases.items():
        response = credential_request(world, token, jwt)
        assert response.status_code == 400, name
        assert response.json()["error"] == error, name
    oauth_error(
        credential_request(world, token, proof(holder, nonce=c_nonce(world)), "competence"),
        400,
        "unknown_credential_configuration",
    )
    oauth_error(
        credential_request(world, token, proof(holder, nonce=c_nonce(world)), "no-such-type"),
        400,
        "unknown_credential_configuration",
    )
    assert register_size(world) == 0
    # The nonce is single use: the first proof with it wins, a second is refused.
    assert ok(credential_request(world, token, proof(holder, nonce=used)))["credentials"]
    second = access_token(world, make_offer(world, "oid4vci-proofs-2"))
    oauth_error(credential_request(world, second, proof(holder, nonce=used)), 400, "invalid_nonce")
    assert register_size(world) == 1


def public_of(key: Any) -> dict[str, Any]:
    return {k: v for k, v in key.public.jwk.items() if k in ("kty", "crv", "x", "y")}


def unsigned_proof(key: Any, header: dict[str, Any], nonce: str, signature: bytes = b"") -> str:
    head = {"typ": "openid4vci-proof+jwt", "jwk": public_of(key), **header}
    return unsigned(head, {"aud": ISSUER, "iat": int(time.time()), "nonce": nonce}, signature)


def test_the_credential_endpoint_needs_a_live_access_token_of_this_issuer(world: World) -> None:
    holder = generate_key("ES256")
    jwt = proof(holder, nonce=c_nonce(world))
    response = world.client.post(
        "/issuers/college/oid4vci/credential",
        json={"credential_configuration_id": "qualification", "proofs": {"jwt": [jwt]}},
    )
    oauth_error(response, 401, "invalid_token")
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    oauth_error(credential_request(world, "not-a-token", jwt), 401, "invalid_token")
    oauth_error(credential_request(world, world.issuer_key, jwt), 401, "invalid_token")


def test_an_offer_picked_up_with_its_code_cannot_also_be_taken_by_openid4vci(world: World) -> None:
    offer = make_offer(world, "oid4vci-either")
    token = access_token(world, offer)
    ok(
        world.client.post(
            "/v1/wallet/pickup", json={"code": offer["pickup_code"]}, headers=world.person
        ),
        201,
    )
    holder = generate_key("ES256")
    oauth_error(
        credential_request(world, token, proof(holder, nonce=c_nonce(world))),
        400,
        "credential_request_denied",
    )
    assert register_size(world) == 1
    other = make_offer(world, "oid4vci-either-2")
    ok(
        world.client.post(
            "/v1/wallet/pickup", json={"code": other["pickup_code"]}, headers=world.person
        ),
        201,
    )
    code = other["credential_offer"]["grants"][PRE_AUTH]["pre-authorized_code"]
    oauth_error(token_request(world, code, other["tx_code"]), 400, "invalid_grant")


def test_making_an_offer_needs_the_issuers_own_key(world: World) -> None:
    body = {"type": "qualification", "claims": test_end_to_end.qualification()}
    assert_problem(
        world.client.post(
            "/v1/issuers/college/offers", json=body, headers={"Idempotency-Key": "a"}
        ),
        401,
        "unauthenticated",
    )
    assert_problem(
        world.client.post(
            "/v1/issuers/college/offers",
            json=body,
            headers={**bearer(world.verifier_key), "Idempotency-Key": "a"},
        ),
        401,
        "issuer_api_key_invalid",
    )
    assert_problem(
        world.client.post(
            "/v1/issuers/university/offers",
            json=body,
            headers={**bearer(world.issuer_key), "Idempotency-Key": "a"},
        ),
        404,
        "issuer_not_found",
    )
    refused = world.client.post(
        "/v1/issuers/college/offers",
        json={**body, "holder": {"did": "did:key:z6Mk"}},
        headers={**bearer(world.issuer_key), "Idempotency-Key": "b"},
    )
    assert refused.status_code == 422
    assert register_size(world) == 0
