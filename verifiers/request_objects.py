"""Signed Request Objects: a presentation request as an OpenID4VP 1.0 Authorization Request.

Any conformant wallet fetches the Request Object by reference (``request_uri``, RFC 9101 §5.2;
OpenID4VP 1.0 §5.10 for ``request_uri_method`` ``post``). It is a JWT typed
``oauth-authz-req+jwt`` (§5), signed with the key of the leaf certificate in its ``x5c`` header,
and carries ``client_id``, ``response_type`` ``vp_token``, ``response_mode`` ``direct_post``
(or ``direct_post.jwt`` with the request's encryption key in ``client_metadata``, §8.3.1),
``response_uri``, the DCQL query, ``nonce`` and ``state`` (§5.1, §8.2).

The Client Identifier uses the ``x509_hash`` prefix (§5.9.3): HAIP 1.0 §5 requires Verifiers to
use it, and wallets authenticate it by the certificate alone. The certificate also names the base
URL's host as a ``dNSName`` SAN, so a wallet reads who signed. The Client Identifier, prefix
included, is the audience every KB-JWT of the response must name
(:data:`verifiers.policy.OPENID4VP_RESPONSE`, docs/security.md).
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from urllib.parse import quote, urlencode

from credentials.jws import sign_compact
from credentials.keys import PrivateKey
from credentials.x509 import certificate_hash, x5c_header

REQUEST_OBJECT_TYP: Final = "oauth-authz-req+jwt"
"""RFC 9101 §10.8; OpenID4VP 1.0 §5."""
STATIC_AUDIENCE: Final = "https://self-issued.me/v2"
"""The Request Object's ``aud`` under static discovery (OpenID4VP 1.0 §5.8)."""
MAX_WALLET_NONCE = 128


@dataclass(frozen=True)
class RequestSigner:
    """The key that signs Request Objects and its certificate chain (DER, leaf first)."""

    key: PrivateKey
    chain: tuple[bytes, ...]

    @property
    def client_id(self) -> str:
        """``x509_hash:<base64url SHA-256 of the DER leaf>`` (OpenID4VP 1.0 §5.9.3)."""
        return "x509_hash:" + certificate_hash(self.chain[0])


def request_uri_for(slug: str, request_id: str, *, base_url: str) -> str:
    """Where a wallet fetches a request's Request Object (RFC 9101 §5.2)."""
    return f"{base_url.rstrip('/')}/v1/verifiers/{slug}/openid4vp/requests/{request_id}"


def response_uri_for(slug: str, *, base_url: str) -> str:
    """Where a wallet posts a response to one of ``slug``'s requests (OpenID4VP 1.0 §8.2)."""
    return f"{base_url.rstrip('/')}/v1/verifiers/{slug}/openid4vp/response"


def authorization_request_uri(*, client_id: str, request_uri: str) -> str:
    """The ``openid4vp://`` link (and QR code) that opens the request in a wallet (§5.10, §13.1)."""
    query = urlencode(
        {"client_id": client_id, "request_uri": request_uri, "request_uri_method": "post"},
        quote_via=quote,
    )
    return "openid4vp://?" + query


def vp_formats_supported(algorithms: Sequence[str]) -> dict[str, Any]:
    """The ``client_metadata`` ``vp_formats_supported`` for SD-JWT VC (OpenID4VP 1.0 B.3.4)."""
    return {
        "dc+sd-jwt": {
            "sd-jwt_alg_values": list(algorithms),
            "kb-jwt_alg_values": list(algorithms),
        }
    }


def sign_request_object(
    signer: RequestSigner,
    *,
    response_uri: str,
    dcql_query: dict[str, Any],
    nonce: str,
    state: str,
    algorithms: Sequence[str],
    wallet_nonce: str | None,
    now: datetime,
    expires_at: datetime,
    encryption: Mapping[str, Any] | None,
) -> str:
    """The signed Request Object (OpenID4VP 1.0 §5, §5.10.1; RFC 9101 §4).

    ``wallet_nonce``, sent by a wallet with ``request_uri_method`` ``post``, is returned as given
    (§5.10); raises ``ValueError`` when it is not a short URL-safe string. ``encryption``, the
    ``client_metadata`` members of an encrypted response (``jwks`` and
    ``encrypted_response_enc_values_supported``), makes the response mode ``direct_post.jwt``
    (§8.3.1); ``None`` keeps ``direct_post``.
    """
    if wallet_nonce is not None and (
        not 0 < len(wallet_nonce) <= MAX_WALLET_NONCE or not wallet_nonce.isascii()
    ):
        raise ValueError("wallet_nonce must be a short ASCII string")
    payload: dict[str, Any] = {
        "iss": signer.client_id,
        "aud": STATIC_AUDIENCE,
        "client_id": signer.client_id,
        "response_type": "vp_token",
        "response_mode": "direct_post" if encryption is None else "direct_post.jwt",
        "response_uri": response_uri,
        "dcql_query": dcql_query,
        "nonce": nonce,
        "state": state,
        "client_metadata": {
            "vp_formats_supported": vp_formats_supported(algorithms),
            **(encryption or {}),
        },
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    if wallet_nonce is not None:
        payload["wallet_nonce"] = wallet_nonce
    header = {"typ": REQUEST_OBJECT_TYP, "x5c": x5c_header(signer.chain)}
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return sign_compact(header, body, signer.key)
