"""DPoP (RFC 9449) at the OpenID4VCI doors: offered, not required; one test per MUST-reject rule.

A wallet sending a DPoP proof to the token endpoint gets a DPoP-bound token (§5), which the
credential endpoint takes only as ``Authorization: DPoP`` with a proof of the same key (§7.1);
without a proof the token is a Bearer token as before.
"""

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from httpx import Response

from credentials.dpop import access_token_hash
from credentials.encoding import b64url_encode
from credentials.jws import sign_compact
from credentials.keys import PrivateKey, generate_key
from credentials.sd_jwt_holder import open_sd_jwt
from tests.api import test_end_to_end
from tests.api.oid4vci_support import (
    ISSUER,
    PRE_AUTH,
    c_nonce,
    make_offer,
    proof,
    register_size,
    resolve,
    unsigned,
)
from tests.api.test_end_to_end import World, ok

world = test_end_to_end.world  # the fixture of the end-to-end tests

TOKEN_URI = f"{ISSUER}/oid4vci/token"
CREDENTIAL_URI = f"{ISSUER}/oid4vci/credential"


def public(key: PrivateKey) -> dict[str, Any]:
    return {k: v for k, v in key.public.jwk.items() if k in ("kty", "crv", "x", "y")}


def dpop(
    key: PrivateKey,
    *,
    htu: str,
    token: str | None = None,
    header: dict[str, Any] | None = None,
    **claims: Any,
) -> str:
    payload: dict[str, Any] = {
        "jti": secrets.token_urlsafe(12),
        "htm": "POST",
        "htu": htu,
        "iat": int(time.time()),
    }
    if token is not None:
        payload["ath"] = access_token_hash(token)
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    head = {"typ": "dpop+jwt", "jwk": public(key), **(header or {})}
    return sign_compact(head, json.dumps(payload).encode(), key)


def token_request(world: World, offer: dict[str, Any], headers: Any, tx_code: str = "") -> Response:
    code = resolve(world, offer)["grants"][PRE_AUTH]["pre-authorized_code"]
    form = {"grant_type": PRE_AUTH, "pre-authorized_code": code}
    form["tx_code"] = tx_code or str(offer["tx_code"])
    response: Response = world.client.post(
        "/issuers/college/oid4vci/token", data=form, headers=headers
    )
    return response


def credential_request(world: World, authorization: str, headers: Any = ()) -> Response:
    holder = generate_key("EdDSA")
    response: Response = world.client.post(
        "/issuers/college/oid4vci/credential",
        json={
            "credential_configuration_id": "qualification",
            "proofs": {"jwt": [proof(holder, nonce=c_nonce(world))]},
        },
        headers=[("Authorization", authorization), *headers],
    )
    return response


def bound_token(world: World, key: PrivateKey, name: str) -> str:
    answer = ok(token_request(world, make_offer(world, name), {"DPoP": dpop(key, htu=TOKEN_URI)}))
    assert answer["token_type"] == "DPoP"
    token: str = answer["access_token"]
    return token


def refused(response: Response, status: int, error: str, challenge: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["error"] == error
    if challenge is not None:
        assert response.headers["www-authenticate"].startswith(challenge)
        assert 'algs="ES256 EdDSA"' in response.headers["www-authenticate"]


def test_the_authorization_server_advertises_its_dpop_algorithms(world: World) -> None:
    server = ok(world.client.get("/.well-known/oauth-authorization-server/issuers/college"))
    assert server["dpop_signing_alg_values_supported"] == ["ES256", "EdDSA"]


def test_without_a_dpop_proof_the_token_is_a_bearer_token(world: World) -> None:
    answer = ok(token_request(world, make_offer(world, "dpop-bearer"), {}))
    assert answer["token_type"] == "Bearer"
    # A DPoP header beside a token bound to no key is not looked at (RFC 9449 §7.2).
    stray = {"DPoP": "not-a-proof"}
    issued = ok(credential_request(world, f"Bearer {answer['access_token']}", stray.items()))
    assert issued["credentials"]


def test_a_wallet_using_dpop_gets_a_bound_token_and_its_credential(world: World) -> None:
    key = generate_key("ES256")
    token = bound_token(world, key, "dpop-happy")
    headers = {"DPoP": dpop(key, htu=CREDENTIAL_URI, token=token)}
    answer = ok(credential_request(world, f"DPoP {token}", headers.items()))
    (item,) = answer["credentials"]
    assert open_sd_jwt(item["credential"]).claims["iss"] == ISSUER
    assert register_size(world) == 1


def test_the_token_endpoint_refuses_every_bad_dpop_proof_and_changes_nothing(
    world: World,
) -> None:
    key = generate_key("EdDSA")
    offer = make_offer(world, "dpop-token-bad")
    now = int(time.time())
    claims = {"jti": "j1", "htm": "POST", "htu": TOKEN_URI, "iat": now}
    signing_input = unsigned({"typ": "dpop+jwt", "alg": "HS256", "jwk": public(key)}, claims)
    mac = hmac.new(b"secret", signing_input.rstrip(".").encode(), hashlib.sha256).digest()
    bad = {
        "wrong typ": dpop(key, htu=TOKEN_URI, header={"typ": "JWT"}),
        "alg none": unsigned({"typ": "dpop+jwt", "alg": "none", "jwk": public(key)}, claims),
        "HS256": signing_input.rstrip(".") + "." + b64url_encode(mac),
        "private key in jwk": dpop(key, htu=TOKEN_URI, header={"jwk": key.private_jwk}),
        "another key's jwk": dpop(
            key, htu=TOKEN_URI, header={"jwk": public(generate_key("EdDSA"))}
        ),
        "wrong htm": dpop(key, htu=TOKEN_URI, htm="GET"),
        "wrong htu": dpop(key, htu=CREDENTIAL_URI),
        "another host": dpop(key, htu="https://elsewhere.test/issuers/college/oid4vci/token"),
        "stale iat": dpop(key, htu=TOKEN_URI, iat=now - 600),
        "future iat": dpop(key, htu=TOKEN_URI, iat=now + 600),
        "no jti": dpop(key, htu=TOKEN_URI, jti=None),
    }
    for name, value in bad.items():
        response = token_request(world, offer, {"DPoP": value})
        assert response.status_code == 400, name
        refused(response, 400, "invalid_dpop_proof")
    two = [("DPoP", dpop(key, htu=TOKEN_URI)), ("DPoP", dpop(key, htu=TOKEN_URI))]
    refused(token_request(world, offer, two), 400, "invalid_dpop_proof")
    # Nothing was spent: the offer still gives a token, and no try of its tx_code was counted.
    assert ok(token_request(world, offer, {"DPoP": dpop(key, htu=TOKEN_URI)}))["access_token"]


def test_a_dpop_proof_is_used_once_at_the_token_endpoint(world: World) -> None:
    key = generate_key("ES256")
    offer = make_offer(world, "dpop-token-replay")
    once = {"DPoP": dpop(key, htu=TOKEN_URI)}
    wrong = "000000" if offer["tx_code"] != "000000" else "111111"
    refused(token_request(world, offer, once, tx_code=wrong), 400, "invalid_grant")
    refused(token_request(world, offer, once), 400, "invalid_dpop_proof")
    fresh = {"DPoP": dpop(key, htu=TOKEN_URI)}
    assert ok(token_request(world, offer, fresh))["token_type"] == "DPoP"


def test_a_bound_token_sent_as_a_bearer_token_is_refused(world: World) -> None:
    key = generate_key("ES256")
    token = bound_token(world, key, "dpop-downgrade")
    headers = {"DPoP": dpop(key, htu=CREDENTIAL_URI, token=token)}
    refused(
        credential_request(world, f"Bearer {token}", headers.items()), 401, "invalid_token", "DPoP"
    )
    refused(credential_request(world, f"Bearer {token}"), 401, "invalid_token", "DPoP")
    assert register_size(world) == 0


def test_the_credential_endpoint_refuses_a_missing_or_mismatched_dpop_proof(world: World) -> None:
    key = generate_key("ES256")
    token = bound_token(world, key, "dpop-resource-bad")
    other = generate_key("ES256")
    bad = {
        "no proof": None,
        "no ath": dpop(key, htu=CREDENTIAL_URI),
        "ath of another token": dpop(key, htu=CREDENTIAL_URI, token=token + "x"),
        "another key": dpop(other, htu=CREDENTIAL_URI, token=token),
        "token endpoint's htu": dpop(key, htu=TOKEN_URI, token=token),
        "wrong htm": dpop(key, htu=CREDENTIAL_URI, token=token, htm="PUT"),
        "stale iat": dpop(key, htu=CREDENTIAL_URI, token=token, iat=int(time.time()) - 600),
        "wrong typ": dpop(key, htu=CREDENTIAL_URI, token=token, header={"typ": "JWT"}),
    }
    for name, value in bad.items():
        headers = [] if value is None else [("DPoP", value)]
        response = credential_request(world, f"DPoP {token}", headers)
        assert response.status_code == 401, name
        refused(response, 401, "invalid_dpop_proof", "DPoP")
    assert register_size(world) == 0
    # The token was not spent by any of them.
    good = [("DPoP", dpop(key, htu=CREDENTIAL_URI, token=token))]
    assert ok(credential_request(world, f"DPoP {token}", good))["credentials"]


def test_a_dpop_proof_is_used_once_at_the_credential_endpoint(world: World) -> None:
    key = generate_key("EdDSA")
    token = bound_token(world, key, "dpop-resource-replay")
    once = [("DPoP", dpop(key, htu=CREDENTIAL_URI, token=token))]
    first = world.client.post(
        "/issuers/college/oid4vci/credential",
        json={"credential_configuration_id": "qualification", "proofs": {"jwt": ["x.y.z"]}},
        headers=[("Authorization", f"DPoP {token}"), *once],
    )
    refused(first, 400, "invalid_proof")
    refused(credential_request(world, f"DPoP {token}", once), 401, "invalid_dpop_proof", "DPoP")
    fresh = [("DPoP", dpop(key, htu=CREDENTIAL_URI, token=token))]
    assert ok(credential_request(world, f"DPoP {token}", fresh))["credentials"]


def test_a_bearer_token_sent_with_the_dpop_scheme_is_refused(world: World) -> None:
    answer = ok(token_request(world, make_offer(world, "dpop-unbound"), {}))
    token = answer["access_token"]
    key = generate_key("ES256")
    headers = [("DPoP", dpop(key, htu=CREDENTIAL_URI, token=token))]
    refused(credential_request(world, f"DPoP {token}", headers), 401, "invalid_token", "DPoP")
    assert register_size(world) == 0
