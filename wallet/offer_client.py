"""The wallet as an OpenID4VCI 1.0 client of any issuer: pre-authorized code flow (§3.5).

:func:`resolve_offer` reads an ``openid-credential-offer://`` link (by value or by reference,
§4.1), fetches the Credential Issuer Metadata (§12.2.2, the ``credential_issuer`` must equal the
identifier exactly) and the Authorization Server Metadata (RFC 8414 §3.3, ``issuer`` equal), and
says who offers what and whether a transaction code is needed. :func:`obtain_credential` runs
token (§6) -> nonce (§7) -> ``jwt`` key proof signed with the holder's key (Appendix F.1) ->
credential (§8); when the authorization server lists an algorithm of ours in
``dpop_signing_alg_values_supported`` (RFC 9449 §5.1), the token and credential requests carry
DPoP proofs of a fresh key (RFC 9449 §4, §7.1), else the token is a Bearer token. Only the
pre-authorized code grant and ``dc+sd-jwt`` are taken. Every URL is
https and every fetch goes through the caller's :class:`Transport` (the SSRF-safe fetcher);
sizes are capped here. Raises :class:`~wallet.errors.CredentialOfferInvalid` (422) for a
malformed link, offer, metadata or answer, or an issuer that cannot be reached, and
:class:`~wallet.errors.CredentialOfferRefused` (409) when the issuer refuses (a wrong
transaction code, a used or expired offer).
"""

import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from credentials.dpop import create_dpop_proof
from credentials.encoding import json_dumps
from credentials.errors import FetchFailed
from credentials.jws import sign_compact
from credentials.keys import Algorithm, PrivateKey, generate_key
from wallet.errors import CredentialOfferInvalid, CredentialOfferRefused

OFFER_SCHEME: Final = "openid-credential-offer://"
PRE_AUTHORIZED_GRANT: Final = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
MAX_LINK_LENGTH: Final = 8 * 1024
MAX_OFFERED: Final = 10
MAX_STRING: Final = 4096
DPOP_ALGORITHMS: Final[tuple[Algorithm, ...]] = ("ES256", "EdDSA")
"""The DPoP algorithms the wallet signs with, in order of preference."""


class Transport(Protocol):
    """Outbound HTTP under the SSRF rules: ``(status, body)``; raises ``FetchFailed``."""

    def get(self, url: str) -> bytes: ...

    def post(
        self, url: str, *, body: bytes, content_type: str, headers: Mapping[str, str]
    ) -> tuple[int, bytes]: ...


@dataclass(frozen=True)
class OfferedCredential:
    configuration_id: str
    names: dict[str, str]
    """Display names by locale (``credential_metadata.display``)."""


@dataclass(frozen=True)
class ResolvedOffer:
    """An offer and what the wallet learnt of its issuer."""

    credential_issuer: str
    issuer_names: dict[str, str]
    offered: tuple[OfferedCredential, ...]
    pre_authorized_code: str
    tx_code: dict[str, Any] | None
    token_endpoint: str
    nonce_endpoint: str | None
    credential_endpoint: str
    dpop_alg: Algorithm | None = None
    """The algorithm of the DPoP proofs to send, when the authorization server takes one."""


def _https(value: object, what: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_STRING:
        raise CredentialOfferInvalid(f"the {what} is not a URL")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or parts.fragment:
        raise CredentialOfferInvalid(f"the {what} is not an https URL")
    return value


def _json(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except ValueError:
        raise CredentialOfferInvalid(f"the {what} is not JSON") from None
    if not isinstance(value, dict):
        raise CredentialOfferInvalid(f"the {what} is not a JSON object")
    return value


def _get(transport: Transport, url: str, what: str) -> dict[str, Any]:
    try:
        return _json(transport.get(url), what)
    except FetchFailed:
        raise CredentialOfferInvalid(f"the {what} could not be retrieved") from None


def _well_known(identifier: str, name: str) -> str:
    """RFC 8414 §3.1 / OpenID4VCI §12.2.2: the well-known segment between host and path."""
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, f"/.well-known/{name}{path}", "", ""))


def _names(display: object) -> dict[str, str]:
    names: dict[str, str] = {}
    if isinstance(display, list):
        for item in display[:20]:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                names[str(item.get("locale", ""))[:35]] = item["name"][:200]
    return names


def _offer(link: str, transport: Transport) -> dict[str, Any]:
    if len(link) > MAX_LINK_LENGTH or not link.startswith(OFFER_SCHEME):
        raise CredentialOfferInvalid("the link is not an openid-credential-offer:// link")
    try:
        params = dict(parse_qsl(urlsplit(link).query, strict_parsing=True, max_num_fields=4))
    except ValueError:
        raise CredentialOfferInvalid("the link's parameters are malformed") from None
    if ("credential_offer" in params) == ("credential_offer_uri" in params):
        raise CredentialOfferInvalid("the link has neither or both offer parameters")
    if "credential_offer" in params:
        return _json(params["credential_offer"].encode(), "credential offer")
    return _get(transport, _https(params["credential_offer_uri"], "offer URI"), "credential offer")


def resolve_offer(link: str, *, transport: Transport) -> ResolvedOffer:
    """Read the offer ``link`` and its issuer's metadata (OpenID4VCI 1.0 §4.1, §12.2, §12.3)."""
    offer = _offer(link.strip(), transport)
    issuer = _https(offer.get("credential_issuer"), "credential issuer")
    ids = offer.get("credential_configuration_ids")
    if (
        not isinstance(ids, list)
        or not 0 < len(ids) <= MAX_OFFERED
        or not all(isinstance(i, str) and len(i) <= 200 for i in ids)
    ):
        raise CredentialOfferInvalid("the offer names no credential configurations")
    grant = (offer.get("grants") or {}).get(PRE_AUTHORIZED_GRANT)
    if not isinstance(grant, dict) or not isinstance(grant.get("pre-authorized_code"), str):
        raise CredentialOfferInvalid("the offer has no pre-authorized code grant")
    code = grant["pre-authorized_code"]
    tx_code = grant.get("tx_code")
    if tx_code is not None and not isinstance(tx_code, dict):
        raise CredentialOfferInvalid("the offer's tx_code is malformed")
    metadata = _get(transport, _well_known(issuer, "openid-credential-issuer"), "issuer metadata")
    if metadata.get("credential_issuer") != issuer:
        raise CredentialOfferInvalid("the issuer metadata is for another credential issuer")
    configurations = metadata.get("credential_configurations_supported")
    if not isinstance(configurations, dict):
        raise CredentialOfferInvalid("the issuer metadata lists no credential configurations")
    offered = []
    for configuration_id in ids:
        configuration = configurations.get(configuration_id)
        if not isinstance(configuration, dict) or configuration.get("format") != "dc+sd-jwt":
            raise CredentialOfferInvalid(
                "an offered credential is not an SD-JWT VC this wallet takes"
            )
        shown = configuration.get("credential_metadata") or {}
        names = _names(shown.get("display") if isinstance(shown, dict) else None)
        offered.append(OfferedCredential(configuration_id=configuration_id, names=names))
    servers = metadata.get("authorization_servers")
    server = issuer
    if servers is not None:
        if not isinstance(servers, list) or not servers:
            raise CredentialOfferInvalid(
                "the issuer metadata's authorization servers are malformed"
            )
        server = _https(servers[0], "authorization server")
    authorization = _get(
        transport, _well_known(server, "oauth-authorization-server"), "authorization server"
    )
    if authorization.get("issuer") != server:
        raise CredentialOfferInvalid("the authorization server metadata names another issuer")
    nonce = metadata.get("nonce_endpoint")
    dpop_algs = authorization.get("dpop_signing_alg_values_supported")
    if dpop_algs is not None and not isinstance(dpop_algs, list):
        raise CredentialOfferInvalid("the authorization server's DPoP algorithms are malformed")
    dpop_alg = next((alg for alg in DPOP_ALGORITHMS if alg in (dpop_algs or [])), None)
    return ResolvedOffer(
        credential_issuer=issuer,
        issuer_names=_names(metadata.get("display")),
        offered=tuple(offered),
        pre_authorized_code=code[:MAX_STRING],
        tx_code=tx_code,
        token_endpoint=_https(authorization.get("token_endpoint"), "token endpoint"),
        nonce_endpoint=None if nonce is None else _https(nonce, "nonce endpoint"),
        credential_endpoint=_https(metadata.get("credential_endpoint"), "credential endpoint"),
        dpop_alg=dpop_alg,
    )


def _post(
    transport: Transport, url: str, body: bytes, content_type: str, headers: Mapping[str, str]
) -> dict[str, Any]:
    try:
        status, answer = transport.post(url, body=body, content_type=content_type, headers=headers)
    except FetchFailed:
        raise CredentialOfferInvalid("the issuer could not be reached") from None
    if status != 200:
        raise CredentialOfferRefused("the issuer refused the request")
    return _json(answer, "issuer's answer")


def obtain_credential(
    offer: ResolvedOffer, *, tx_code: str | None, key: PrivateKey, transport: Transport
) -> str:
    """Token, nonce, key proof and credential for the offer's first configuration (§6-§8)."""
    if offer.tx_code is not None and not tx_code:
        raise CredentialOfferInvalid("this offer needs the transaction code the issuer sent")
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": offer.pre_authorized_code}
    if offer.tx_code is not None and tx_code:
        form["tx_code"] = tx_code[:64]
    dpop_key = None if offer.dpop_alg is None else generate_key(offer.dpop_alg)

    def dpop(url: str, access_token: str | None) -> dict[str, str]:
        if dpop_key is None:
            return {}
        proof = create_dpop_proof(
            dpop_key,
            method="POST",
            uri=url,
            jti=secrets.token_urlsafe(16),
            iat=int(time.time()),
            access_token=access_token,
        )
        return {"DPoP": proof}

    token = _post(
        transport,
        offer.token_endpoint,
        urlencode(form).encode(),
        "application/x-www-form-urlencoded",
        dpop(offer.token_endpoint, None),
    )
    access = token.get("access_token")
    if not isinstance(access, str) or not 0 < len(access) <= MAX_STRING:
        raise CredentialOfferInvalid("the token response has no access token")
    scheme = str(token.get("token_type", "")).lower()
    if scheme == "dpop" and dpop_key is not None:
        authorization = {"Authorization": f"DPoP {access}"}
    elif scheme == "bearer":  # the server may decline to bind it (RFC 9449 §5)
        authorization = {"Authorization": f"Bearer {access}"}
        dpop_key = None
    else:
        raise CredentialOfferInvalid("the token is neither a bearer nor a DPoP token it asked for")
    payload: dict[str, Any] = {"aud": offer.credential_issuer, "iat": int(time.time())}
    if offer.nonce_endpoint is not None:
        nonce = _post(transport, offer.nonce_endpoint, b"", "application/json", {})
        if not isinstance(nonce.get("c_nonce"), str):
            raise CredentialOfferInvalid("the nonce response has no c_nonce")
        payload["nonce"] = nonce["c_nonce"][:MAX_STRING]
    public = {k: v for k, v in key.public.jwk.items() if k in ("kty", "crv", "x", "y")}
    proof = sign_compact(
        {"typ": "openid4vci-proof+jwt", "jwk": public}, json_dumps(payload).encode(), key
    )
    request = {
        "credential_configuration_id": offer.offered[0].configuration_id,
        "proofs": {"jwt": [proof]},
    }
    answer = _post(
        transport,
        offer.credential_endpoint,
        json_dumps(request).encode(),
        "application/json",
        {**authorization, **dpop(offer.credential_endpoint, access)},
    )
    credentials = answer.get("credentials")
    if (
        not isinstance(credentials, list)
        or len(credentials) != 1
        or not isinstance(credentials[0], dict)
        or not isinstance(credentials[0].get("credential"), str)
    ):
        raise CredentialOfferInvalid("the credential response holds no single credential")
    credential: str = credentials[0]["credential"]
    return credential
