"""Requests from verifiers anywhere: an ``openid4vp://`` link, authenticated before it is shown.

OpenID4VP 1.0 as a Wallet. The link carries ``client_id`` and ``request_uri`` (§5.10, RFC 9101
§5.2); the flow fetches the Request Object there (the SSRF-safe fetcher) and hands it to
:func:`authenticate_request_object`, which accepts it only when:

- it is a JWT typed ``oauth-authz-req+jwt`` (§5), at most :data:`MAX_REQUEST_OBJECT` bytes;
- its ``x5c`` chain leads to one of the wallet's trust anchors and its leaf key (ES256 or EdDSA)
  signs it (§5.9.3);
- its ``client_id`` equals the link's, prefix included (§5.10.1), and the prefix is authenticated
  by that certificate: ``x509_hash`` (the leaf's SHA-256) or ``x509_san_dns`` (a ``dNSName`` SAN
  and the ``response_uri``'s host). Other prefixes are refused (``invalid_request``, §8.5);
- it asks for ``vp_token`` by ``direct_post`` to an https ``response_uri`` (loopback http only
  outside production), with a ``nonce``, a DCQL query and no ``transaction_data``; a
  ``wallet_nonce`` sent is returned; ``exp``, if any, has not passed;
- or by ``direct_post.jwt`` (§8.3.1, HAIP 1.0's choice), when its signed ``client_metadata``
  offers a P-256 key with ``alg`` ``ECDH-ES`` (``use`` ``enc`` or none) and an ``enc`` this
  wallet makes (``A128GCM``, the default, or ``A256GCM``): :func:`response_fields` then
  encrypts the answer to that key (:mod:`credentials.jwe`).

The result is a :class:`~wallet.request_answers.PresentationRequest` (the audience is the
Client Identifier with its prefix), so the person sees and answers it like any request
(:func:`~wallet.request_answers.match_request`, :func:`~wallet.request_answers.answer_request`).
"""

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from cryptography import x509

from credentials.clock import require_aware
from credentials.dcql import parse_query
from credentials.encoding import json_dumps
from credentials.errors import CertificateInvalid, CredentialError, QueryInvalid
from credentials.jwe import ALG, Encryption, encrypt_compact, p256_public_key
from credentials.jws import check_typ, parse_compact, payload_object, verify_signature
from credentials.x509 import verify_x5c
from wallet.errors import OutsideRequestInvalid
from wallet.request_answers import PresentationRequest

MAX_LINK: Final = 4096
MAX_REQUEST_OBJECT: Final = 64 * 1024
REQUEST_OBJECT_TYP: Final = "oauth-authz-req+jwt"
ALGORITHMS: Final = ("ES256", "EdDSA")
SUPPORTED_PREFIXES: Final = ("x509_hash", "x509_san_dns")
ENCRYPTIONS: Final[tuple[Encryption, ...]] = ("A128GCM", "A256GCM")
"""The ``enc`` values this wallet makes, in its order of preference (HAIP's ``A128GCM`` first)."""
MAX_KEYS: Final = 10
"""The most ``client_metadata.jwks`` keys looked at for one to encrypt to."""
DEFAULT_LIFETIME: Final = timedelta(minutes=10)
"""How long a request without ``exp`` may be answered after it was fetched."""


@dataclass(frozen=True)
class AuthorizationLink:
    """The parameters of an ``openid4vp://`` link (OpenID4VP 1.0 §5.10)."""

    client_id: str
    request_uri: str
    request_uri_method: str


@dataclass(frozen=True)
class ResponseEncryption:
    """The verifier's key and content encryption for a ``direct_post.jwt`` answer (§8.3)."""

    jwk: dict[str, str]
    """The public members (``kty``, ``crv``, ``x``, ``y``) and the ``kid`` if it has one."""
    enc: Encryption


@dataclass(frozen=True)
class OutsideRequest:
    """An authenticated request: who asks (the certificate's name), where the answer goes."""

    client_id: str
    verifier_name: str
    response_uri: str
    state: str | None
    request: PresentationRequest
    encryption: ResponseEncryption | None = None
    """How to encrypt the answer (``direct_post.jwt``), or ``None`` (``direct_post``)."""


def _refuse(detail: str) -> OutsideRequestInvalid:
    return OutsideRequestInvalid(detail)


def parse_link(link: str) -> AuthorizationLink:
    """The ``client_id``, ``request_uri`` and method of an ``openid4vp://`` link.

    Only requests by reference are taken (HAIP 1.0 §5: ``request_uri``). Raises
    :class:`OutsideRequestInvalid`.
    """
    if len(link) > MAX_LINK:
        raise _refuse("The link is too long.")
    parts = urlsplit(link.strip())
    if parts.scheme not in ("openid4vp", "haip"):
        raise _refuse("This is not an openid4vp:// link.")
    params = parse_qs(parts.query, keep_blank_values=True)
    if any(len(values) != 1 for values in params.values()):
        raise _refuse("The link repeats a parameter.")
    values = {name: v[0] for name, v in params.items()}
    client_id, request_uri = values.get("client_id"), values.get("request_uri")
    if not client_id or not request_uri:
        raise _refuse("The link names no client_id or request_uri.")
    method = values.get("request_uri_method", "get")
    if method not in ("get", "post"):
        raise _refuse("The link's request_uri_method is neither get nor post.")
    return AuthorizationLink(
        client_id=client_id, request_uri=request_uri, request_uri_method=method
    )


def _https_or_loopback(url: object, *, allow_loopback_http: bool) -> str:
    if not isinstance(url, str) or len(url) > MAX_LINK:
        raise _refuse("The response_uri is missing.")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and allow_loopback_http and parts.hostname:
        try:
            if ipaddress.ip_address(parts.hostname).is_loopback:
                return url
        except ValueError:
            pass
    raise _refuse("The response_uri is not an https URL.")


def _string(payload: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= 512:
        raise _refuse(f"The request's {name} is missing or not valid.")
    return value


def authenticate_request_object(
    token: str,
    *,
    link: AuthorizationLink,
    anchors: Sequence[x509.Certificate],
    wallet_nonce: str | None,
    allow_loopback_http: bool,
    now: datetime,
) -> OutsideRequest:
    """Authenticate a fetched Request Object (module docstring; OpenID4VP 1.0 §5, §5.9.3,
    §5.10.1, §8.2). Raises :class:`OutsideRequestInvalid` naming what failed, never a value."""
    now = require_aware(now)
    try:
        parsed = parse_compact(token, max_bytes=MAX_REQUEST_OBJECT, what="Request Object")
        check_typ(parsed, (REQUEST_OBJECT_TYP,), what="Request Object")
        chain = verify_x5c(parsed.header.get("x5c"), anchors=anchors, now=now)
        verify_signature(parsed, chain.public_key, algorithms=ALGORITHMS)
        payload = payload_object(parsed, what="Request Object")
    except CertificateInvalid:
        raise _refuse("The verifier's certificate is not trusted.") from None
    except CredentialError:
        raise _refuse("The verifier's request is not validly signed.") from None
    client_id = _string(payload, "client_id")
    if client_id != link.client_id:
        raise _refuse("The request's client_id is not the link's.")
    prefix, _, name = link.client_id.partition(":")
    response_uri = _https_or_loopback(
        payload.get("response_uri"), allow_loopback_http=allow_loopback_http
    )
    if prefix == "x509_hash":
        if name != chain.leaf_hash:
            raise _refuse("The client_id is not the hash of the verifier's certificate.")
    elif prefix == "x509_san_dns":
        if name.lower() not in chain.dns_names:
            raise _refuse("The client_id is not a name in the verifier's certificate.")
        if (urlsplit(response_uri).hostname or "").lower() != name.lower():
            raise _refuse("The response_uri is not on the verifier's host.")
    else:
        raise _refuse("The client_id prefix is not supported (x509_hash or x509_san_dns).")
    if payload.get("response_type") != "vp_token" or payload.get("response_mode") not in (
        "direct_post",
        "direct_post.jwt",
    ):
        raise _refuse("Only vp_token responses by direct_post or direct_post.jwt are supported.")
    encryption = _encryption(payload) if payload["response_mode"] == "direct_post.jwt" else None
    if "transaction_data" in payload or "redirect_uri" in payload:
        raise _refuse("The request has parameters this wallet does not accept.")
    if wallet_nonce is not None and payload.get("wallet_nonce") != wallet_nonce:
        raise _refuse("The request does not carry this wallet's nonce.")
    exp = payload.get("exp")
    if exp is not None and (not isinstance(exp, int) or exp <= now.timestamp()):
        raise _refuse("The request has expired.")
    nonce = _string(payload, "nonce")
    state = _string(payload, "state", required=False)
    try:
        query = parse_query(payload.get("dcql_query"), at="/dcql_query")
    except QueryInvalid:
        raise _refuse("The request's DCQL query is not valid.") from None
    expires_at = (
        datetime.fromtimestamp(exp, UTC) if isinstance(exp, int) else now + DEFAULT_LIFETIME
    )
    verifier_name = chain.dns_names[0] if chain.dns_names else client_id
    assert client_id is not None and nonce is not None
    return OutsideRequest(
        client_id=client_id,
        verifier_name=verifier_name,
        response_uri=response_uri,
        state=state,
        request=PresentationRequest(
            request_id=(state or nonce)[:64],
            audience=client_id,
            nonce=nonce,
            query=query.to_json(),
            purpose="",
            verifier_name=verifier_name,
            expires_at=expires_at,
        ),
        encryption=encryption,
    )


def _encryption(payload: dict[str, Any]) -> ResponseEncryption:
    """The key and ``enc`` of a ``direct_post.jwt`` request (OpenID4VP 1.0 §5.1, §8.3)."""
    metadata = payload.get("client_metadata")
    jwks = metadata.get("jwks") if isinstance(metadata, dict) else None
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    chosen = None
    for key in keys[:MAX_KEYS] if isinstance(keys, list) else ():
        if not isinstance(key, dict) or key.get("alg") != ALG or key.get("use", "enc") != "enc":
            continue
        try:
            p256_public_key(key, "verifier's key")
        except CredentialError:
            continue
        chosen = {name: str(key[name]) for name in ("kty", "crv", "x", "y")}
        if isinstance(key.get("kid"), str):
            chosen["kid"] = key["kid"]
        break
    if chosen is None:
        raise _refuse("The verifier offers no key this wallet can encrypt to (ECDH-ES, P-256).")
    assert isinstance(metadata, dict)
    offered = metadata.get("encrypted_response_enc_values_supported", ["A128GCM"])
    enc = next((e for e in ENCRYPTIONS if isinstance(offered, list) and e in offered), None)
    if enc is None:
        raise _refuse("The verifier asks for a response encryption this wallet does not make.")
    return ResponseEncryption(jwk=chosen, enc=enc)


def response_fields(
    outside: OutsideRequest, *, vp_token: dict[str, list[str]] | None
) -> dict[str, str]:
    """The form posted to the ``response_uri`` (OpenID4VP 1.0 §8.2): ``vp_token`` (``None``:
    the person declined, ``error`` ``access_denied``, §8.5) and ``state``; for
    ``direct_post.jwt`` one ``response``, those parameters encrypted to the verifier's key
    (§8.3.1)."""
    params: dict[str, Any] = (
        {"error": "access_denied"} if vp_token is None else {"vp_token": vp_token}
    )
    if outside.state is not None:
        params["state"] = outside.state
    if outside.encryption is None:
        return {name: json_dumps(v) if name == "vp_token" else v for name, v in params.items()}
    key = outside.encryption
    jwe = encrypt_compact(
        json_dumps(params).encode("utf-8"), recipient=key.jwk, enc=key.enc, kid=key.jwk.get("kid")
    )
    return {"response": jwe}
