"""Taito as an OpenID4VP 1.0 Verifier with ``response_mode`` ``direct_post.jwt`` (§8.3.1, HAIP 1.0):
the Request Object carries the request's own encryption key, a wallet encrypts its response to it
(here with joserfc, an independent JOSE implementation), and anything else is refused with
nothing stored."""

import json
from typing import Any

import pytest
from httpx import Response
from joserfc import jwe
from joserfc.jwk import ECKey

from credentials.encoding import b64url_decode, b64url_encode
from credentials.jws import payload_object
from tests.api.test_openid4vp_verifier import (
    _pending,
    _refused,
    fetch_request_object,
    post_response,
)
from tests.api.test_verifiers_api import FORM, Harness, Verifier, presentation_for
from tests.api.test_verifiers_api import harness as harness  # the fixture


def ask(h: Harness, mode: str = "direct_post.jwt", who: Verifier | None = None) -> dict[str, Any]:
    verifier = who or h.acme
    body = {"credentials": FORM, "purpose": "To check your degree.", "response_mode": mode}
    response = h.client.post(
        f"/v1/verifiers/{verifier.slug}/requests", json=body, headers=verifier.auth
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    assert created["response_mode"] == mode
    return created


def request_payload(h: Harness, request: dict[str, Any]) -> dict[str, Any]:
    _, parsed = fetch_request_object(h, request)
    payload: dict[str, Any] = payload_object(parsed)
    return payload


def encryption_key(h: Harness, request: dict[str, Any]) -> dict[str, Any]:
    (key,) = request_payload(h, request)["client_metadata"]["jwks"]["keys"]
    jwk: dict[str, Any] = key
    return jwk


def encrypt(jwk: dict[str, Any], payload: dict[str, Any], enc: str = "A128GCM") -> str:
    """What a wallet does (OpenID4VP 1.0 §8.3): an unsigned JWT encrypted to the verifier's key."""
    key = ECKey.import_key({name: jwk[name] for name in ("kty", "crv", "x", "y")})
    header = {"alg": jwk["alg"], "enc": enc, "kid": jwk["kid"]}
    token: str = jwe.encrypt_compact(header, json.dumps(payload).encode(), key)
    return token


def vp_token(h: Harness, request: dict[str, Any]) -> dict[str, list[str]]:
    presentation, _ = presentation_for(
        h, request["client_id"], request["nonce"], ["title", "eqf_level"]
    )
    return {"q1": [presentation]}


def state_of(h: Harness, request: dict[str, Any]) -> dict[str, Any]:
    state: dict[str, Any] = h.client.get(
        f"/v1/verifiers/{h.acme.slug}/requests/{request['id']}", headers=h.acme.auth
    ).json()
    return state


def test_a_request_asking_for_direct_post_jwt_carries_its_own_encryption_key(
    harness: Harness,
) -> None:
    request = ask(harness)
    payload = request_payload(harness, request)
    assert payload["response_mode"] == "direct_post.jwt"
    assert payload["response_uri"] == request["response_uri"]
    metadata = payload["client_metadata"]
    assert metadata["encrypted_response_enc_values_supported"] == ["A128GCM", "A256GCM"]
    assert "dc+sd-jwt" in metadata["vp_formats_supported"]
    (key,) = metadata["jwks"]["keys"]
    assert set(key) == {"kty", "crv", "x", "y", "kid", "use", "alg"}
    assert (key["kty"], key["crv"], key["use"], key["alg"]) == ("EC", "P-256", "enc", "ECDH-ES")
    assert key["kid"] == request["id"]
    # Each request its own key; a plain request carries none.
    assert encryption_key(harness, ask(harness))["x"] != key["x"]
    plain = request_payload(harness, ask(harness, "direct_post"))
    assert plain["response_mode"] == "direct_post" and "jwks" not in plain["client_metadata"]


@pytest.mark.parametrize("enc", ["A128GCM", "A256GCM"])
def test_an_encrypted_response_is_decrypted_verified_and_stored(harness: Harness, enc: str) -> None:
    request = ask(harness)
    token = vp_token(harness, request)
    sealed = encrypt(
        encryption_key(harness, request), {"vp_token": token, "state": request["id"]}, enc
    )
    response = post_response(harness, request, response=sealed)
    assert response.status_code == 200, response.text
    assert response.json() == {}
    state = state_of(harness, request)
    assert state["status"] == "verified"
    (shown,) = state["outcome"]["presentations"]
    assert set(shown["claims"]) == {"title", "eqf_level"}


def test_a_plain_vp_token_is_refused_when_an_encrypted_response_was_asked_for(
    harness: Harness,
) -> None:
    request = ask(harness)
    token = vp_token(harness, request)
    plain = post_response(harness, request, vp_token=json.dumps(token), state=request["id"])
    _refused(plain, "openid4vp_response_mode_mismatch")
    _pending(harness, request)
    # Nothing was consumed: the same presentation, encrypted, is then accepted.
    sealed = encrypt(encryption_key(harness, request), {"vp_token": token, "state": request["id"]})
    assert post_response(harness, request, response=sealed).status_code == 200


def _flip(token: str, part: int) -> str:
    parts = token.split(".")
    data = bytearray(b64url_decode(parts[part]))
    data[len(data) // 2] ^= 0x01
    parts[part] = b64url_encode(bytes(data))
    return ".".join(parts)


@pytest.mark.parametrize("part", [2, 3, 4])
def test_a_tampered_encrypted_response_is_refused_and_stores_nothing(
    harness: Harness, part: int
) -> None:
    request = ask(harness)
    payload = {"vp_token": vp_token(harness, request), "state": request["id"]}
    sealed = encrypt(encryption_key(harness, request), payload)
    _refused(
        post_response(harness, request, response=_flip(sealed, part)),
        "openid4vp_response_malformed",
    )
    _pending(harness, request)


def test_a_response_encrypted_to_another_requests_key_or_naming_another_state_is_refused(
    harness: Harness,
) -> None:
    ours, other = ask(harness), ask(harness)
    payload = {"vp_token": vp_token(harness, ours), "state": ours["id"]}
    # Encrypted to the other request's key but naming ours: it does not decrypt with ours.
    wrong_key = {**encryption_key(harness, other), "kid": ours["id"]}
    _refused(
        post_response(harness, ours, response=encrypt(wrong_key, payload)),
        "openid4vp_response_malformed",
    )
    # Encrypted properly to the other request, but carrying our state inside.
    crossed = encrypt(encryption_key(harness, other), payload)
    _refused(post_response(harness, ours, response=crossed), "openid4vp_response_malformed")
    _pending(harness, ours)
    _pending(harness, other)


def test_an_encrypted_response_to_a_plain_request_or_another_verifiers_is_refused(
    harness: Harness,
) -> None:
    plain = ask(harness, "direct_post")
    key = {**encryption_key(harness, ask(harness)), "kid": plain["id"]}
    payload = {"vp_token": vp_token(harness, plain), "state": plain["id"]}
    _refused(
        post_response(harness, plain, response=encrypt(key, payload)),
        "openid4vp_response_mode_mismatch",
    )
    _pending(harness, plain)
    theirs = ask(harness, who=harness.other)
    sealed = encrypt(encryption_key(harness, theirs), {"state": theirs["id"], "vp_token": {}})
    # Posted to our Response URI: their request is no request of ours.
    _refused(post_response(harness, plain, response=sealed), "openid4vp_state_unknown")


@pytest.mark.parametrize(
    "form",
    [
        {"response": "not-a-jwe"},
        {"response": "a.b.c.d.e", "state": "x"},
        {"response": "a.b.c.d.e", "vp_token": "{}"},
    ],
)
def test_a_malformed_or_mixed_encrypted_response_is_refused(
    harness: Harness, form: dict[str, str]
) -> None:
    request = ask(harness)
    response: Response = post_response(harness, request, **form)
    _refused(response, "openid4vp_response_malformed")


def test_a_wallet_error_may_come_unencrypted_and_stores_nothing(harness: Harness) -> None:
    request = ask(harness)
    response = post_response(harness, request, error="access_denied", state=request["id"])
    assert response.status_code == 200 and response.json() == {}
    _pending(harness, request)
    sealed = encrypt(
        encryption_key(harness, request), {"error": "access_denied", "state": request["id"]}
    )
    assert post_response(harness, request, response=sealed).status_code == 200
    _pending(harness, request)
