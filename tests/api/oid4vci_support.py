"""A minimal OpenID4VCI wallet for the API tests: offer, token, nonce, key proof, credential."""

import json
import time
from typing import Any
from urllib.parse import unquote, urlsplit

from httpx import Response

from credentials.encoding import b64url_encode
from credentials.jws import sign_compact
from credentials.keys import PrivateKey
from tests.api.test_end_to_end import World, bearer, ok, qualification

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
ISSUER = "https://taito.test/issuers/college"


def make_offer(world: World, key: str, claims: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = ok(
        world.client.post(
            "/v1/issuers/college/offers",
            json={"type": "qualification", "claims": claims or qualification()},
            headers={**bearer(world.issuer_key), "Idempotency-Key": key},
        ),
        201,
    )
    return answer


def local_path(url: str) -> str:
    """The path of one of this instance's https URLs (the test client answers for its host)."""
    parts = urlsplit(url)
    assert parts.scheme == "https" and parts.netloc == "taito.test", url
    return parts.path


def resolve(world: World, offer: dict[str, Any]) -> dict[str, Any]:
    """Follow ``offer_link`` to its ``credential_offer_uri`` and fetch the offer."""
    link = str(offer["offer_link"])
    assert link.startswith("openid-credential-offer://?credential_offer_uri=")
    uri = unquote(link.split("=", 1)[1])
    document: dict[str, Any] = ok(world.client.get(local_path(uri)))
    return document


def token_request(world: World, code: str, tx_code: str | None, **extra: str) -> Response:
    form = {"grant_type": PRE_AUTH, "pre-authorized_code": code, **extra}
    if tx_code is not None:
        form["tx_code"] = tx_code
    response: Response = world.client.post("/issuers/college/oid4vci/token", data=form)
    return response


def access_token(world: World, offer: dict[str, Any]) -> str:
    code = resolve(world, offer)["grants"][PRE_AUTH]["pre-authorized_code"]
    token: str = ok(token_request(world, code, str(offer["tx_code"])))["access_token"]
    return token


def c_nonce(world: World) -> str:
    nonce: str = ok(world.client.post("/issuers/college/oid4vci/nonce"))["c_nonce"]
    return nonce


def proof(
    key: PrivateKey,
    *,
    nonce: str | None,
    aud: str = ISSUER,
    iat: float | None = None,
    header: dict[str, Any] | None = None,
) -> str:
    payload: dict[str, Any] = {"aud": aud, "iat": int(iat if iat is not None else time.time())}
    if nonce is not None:
        payload["nonce"] = nonce
    public = {k: v for k, v in key.public.jwk.items() if k in ("kty", "crv", "x", "y")}
    head = {"typ": "openid4vci-proof+jwt", "jwk": public, **(header or {})}
    return sign_compact(head, json.dumps(payload).encode(), key)


def unsigned(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    """A token with any header (``none``, ``HS256``), which no key of ours would sign."""
    parts = (json.dumps(header).encode(), json.dumps(payload).encode(), signature)
    return ".".join(b64url_encode(part) for part in parts)


def credential_request(
    world: World,
    token: str,
    jwt: str,
    configuration: str = "qualification",
) -> Response:
    response: Response = world.client.post(
        "/issuers/college/oid4vci/credential",
        json={"credential_configuration_id": configuration, "proofs": {"jwt": [jwt]}},
        headers=bearer(token),
    )
    return response


def register_size(world: World) -> int:
    register = ok(
        world.client.get("/v1/issuers/college/credentials", headers=bearer(world.issuer_key))
    )
    return len(register["items"])
