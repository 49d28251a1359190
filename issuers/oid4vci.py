"""Each issuer on this instance as an OpenID4VCI 1.0 Credential Issuer (pre-authorized code flow).

With ``B`` the base URL and ``I = B/issuers/{slug}`` the credential issuer identifier (§12.2.1):

- Credential Issuer Metadata at ``B/.well-known/openid-credential-issuer/issuers/{slug}``
  (§12.2.2), one ``dc+sd-jwt`` configuration per accredited type, named by the type's slug, with
  ``credential_metadata`` (§12.2.4) from the type metadata in fi, sv and en;
- OAuth Authorization Server Metadata (RFC 8414 §3) at
  ``B/.well-known/oauth-authorization-server/issuers/{slug}``: the issuer is its own
  authorization server, with only the pre-authorized code grant, anonymous;
- ``I/oid4vci/offers/{reference}`` (a Credential Offer by reference, §4.1.3), ``I/oid4vci/token``
  (§6), ``I/oid4vci/nonce`` (§7), ``I/oid4vci/credential`` (§8).

:func:`issue_with_access_token` is the credential endpoint: access token (with its DPoP proof
when the token is DPoP-bound, RFC 9449 §7), request, key proof, nonce (consumed once), then the
offer is redeemed through :func:`issuers.offers.sign_offered`, the same checks, signing and
register as every issuance, bound to the proven key.
"""

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal
from urllib.parse import quote

from sqlmodel import Session, col, select

from credentials.clock import as_utc, require_aware
from issuers.access_tokens import (
    PRE_AUTHORIZED_GRANT,
    authorize,
    consume_nonce,
    spend_access_token,
)
from issuers.custody import published_keys
from issuers.dpop import DPOP_ALGORITHMS, check_proof, remember_proof
from issuers.errors import (
    CredentialOfferNotFound,
    CredentialRequestDenied,
    DPoPProofRefused,
    DPoPTokenRefused,
    InvalidCredentialRequest,
    InvalidProof,
    IssuerError,
    UnknownCredentialConfiguration,
)
from issuers.identifiers import issuer_identifier
from issuers.key_proofs import PROOF_ALGORITHMS, check_jwt_proof
from issuers.offers import CredentialOffer, sign_offered
from issuers.organisations import IssuerAccount
from issuers.pre_authorized import (
    MAX_SECRET_LENGTH,
    TX_CODE_LENGTH,
    pre_authorized_code,
    reference_hash,
)
from issuers.tables import IssuerOffer
from schemas import LANGUAGES, credential_type, type_metadata, vct_for

OFFER_SCHEME: Final = "openid-credential-offer://"
TX_CODE_DESCRIPTION: Final = (
    f"Syötä {TX_CODE_LENGTH}-numeroinen koodi, jonka myöntäjä lähetti sinulle. / "
    f"Ange den {TX_CODE_LENGTH}-siffriga koden som utfärdaren skickade dig. / "
    f"Enter the {TX_CODE_LENGTH}-digit code the issuer sent you."
)
"""The ``tx_code`` description (§4.1.1: at most 300 characters; one string for all languages)."""


def endpoint(base_url: str, slug: str, name: str) -> str:
    """The URL of the OpenID4VCI endpoint ``name`` (token, nonce, credential, offers/...)."""
    return f"{issuer_identifier(base_url, slug)}/oid4vci/{name}"


def _credential_metadata(type_slug: str, *, base_url: str) -> dict[str, Any]:
    metadata = type_metadata(type_slug, base_url=base_url)
    display = []
    for item in metadata["display"]:
        entry: dict[str, Any] = {"name": item["name"], "locale": item["locale"]}
        if "description" in item:
            entry["description"] = item["description"]
        simple = item.get("rendering", {}).get("simple", {})
        for member in ("background_color", "text_color"):
            if member in simple:
                entry[member] = simple[member]
        display.append(entry)
    claims = [
        {
            "path": claim["path"],
            "display": [{"name": d["label"], "locale": d["locale"]} for d in claim["display"]],
            **({"mandatory": True} if claim.get("mandatory") else {}),
        }
        for claim in metadata["claims"]
    ]
    return {"display": display, "claims": claims}


def credential_issuer_metadata(
    session: Session, *, issuer: IssuerAccount, base_url: str, now: datetime
) -> dict[str, Any]:
    """The Credential Issuer Metadata of ``issuer`` (OpenID4VCI 1.0 §12.2.4)."""
    identifier = issuer_identifier(base_url, issuer.slug)
    signing_algs = sorted(
        {key.alg for key in published_keys(session, issuer_id=issuer.id, now=now)}
    )
    configurations = {
        type_slug: {
            "format": "dc+sd-jwt",
            "vct": vct_for(type_slug, base_url=base_url),
            "cryptographic_binding_methods_supported": ["jwk", "did:jwk", "did:key"],
            "credential_signing_alg_values_supported": signing_algs,
            "proof_types_supported": {
                "jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGORITHMS)}
            },
            "credential_metadata": _credential_metadata(type_slug, base_url=base_url),
        }
        for type_slug in issuer.types
    }
    return {
        "credential_issuer": identifier,
        "credential_endpoint": endpoint(base_url, issuer.slug, "credential"),
        "nonce_endpoint": endpoint(base_url, issuer.slug, "nonce"),
        "display": [{"name": issuer.name, "locale": lang} for lang in LANGUAGES],
        "credential_configurations_supported": configurations,
    }


def authorization_server_metadata(*, issuer: IssuerAccount, base_url: str) -> dict[str, Any]:
    """RFC 8414 §2 metadata of the issuer as its own authorization server (OpenID4VCI §12.3).

    ``dpop_signing_alg_values_supported`` (RFC 9449 §5.1): DPoP is offered, not required.
    """
    return {
        "issuer": issuer_identifier(base_url, issuer.slug),
        "token_endpoint": endpoint(base_url, issuer.slug, "token"),
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
        "dpop_signing_alg_values_supported": list(DPOP_ALGORITHMS),
    }


def offer_document(*, slug: str, type_slug: str, reference: str, base_url: str) -> dict[str, Any]:
    """The Credential Offer (§4.1.1) with the pre-authorized code grant and its ``tx_code``."""
    return {
        "credential_issuer": issuer_identifier(base_url, slug),
        "credential_configuration_ids": [type_slug],
        "grants": {
            PRE_AUTHORIZED_GRANT: {
                "pre-authorized_code": pre_authorized_code(reference),
                "tx_code": {
                    "input_mode": "numeric",
                    "length": TX_CODE_LENGTH,
                    "description": TX_CODE_DESCRIPTION,
                },
            }
        },
    }


@dataclass(frozen=True)
class OfferLinks:
    """Where a wallet finds an offer: by reference (``credential_offer_uri``) and its link."""

    credential_offer_uri: str
    offer_link: str
    credential_offer: dict[str, Any]


def offer_links(offer: CredentialOffer, *, slug: str, base_url: str) -> OfferLinks:
    """The ``credential_offer_uri``, its ``openid-credential-offer://`` link, the offer (§4.1)."""
    if offer.reference is None:
        raise ValueError("the offer has no pre-authorized code grant")
    uri = endpoint(base_url, slug, f"offers/{offer.reference}")
    return OfferLinks(
        credential_offer_uri=uri,
        offer_link=f"{OFFER_SCHEME}?credential_offer_uri={quote(uri, safe='')}",
        credential_offer=offer_document(
            slug=slug, type_slug=offer.type, reference=offer.reference, base_url=base_url
        ),
    )


def offer_by_reference(
    session: Session, *, issuer: IssuerAccount, reference: str, base_url: str, now: datetime
) -> dict[str, Any]:
    """The offer a ``credential_offer_uri`` names, while its code is unused and unexpired (§4.1.3).

    Raises :class:`CredentialOfferNotFound` (404) otherwise, for any issuer's offer alike.
    """
    now = require_aware(now)
    if not reference or len(reference) > MAX_SECRET_LENGTH:
        raise CredentialOfferNotFound("there is no such credential offer")
    row = session.exec(
        select(IssuerOffer).where(col(IssuerOffer.ref_hash) == reference_hash(reference))
    ).first()
    if (
        row is None
        or row.issuer_id != issuer.id
        or row.redeemed_at is not None
        or row.pre_authorized_used_at is not None
        or as_utc(row.expires_at) <= now
    ):
        raise CredentialOfferNotFound("there is no such credential offer")
    return offer_document(
        slug=issuer.slug, type_slug=row.type_slug, reference=reference, base_url=base_url
    )


def _one_proof(body: Mapping[str, Any]) -> object:
    if "credential_identifier" in body:
        raise InvalidCredentialRequest("credential_identifier is not used by this issuer")
    proofs = body.get("proofs")
    if proofs is None:
        raise InvalidProof("the request has no proofs")
    if not isinstance(proofs, dict) or set(proofs) != {"jwt"}:
        raise InvalidProof("proofs must hold exactly the jwt proof type")
    jwts = proofs["jwt"]
    if not isinstance(jwts, list) or len(jwts) != 1:
        raise InvalidCredentialRequest("proofs.jwt must hold exactly one proof (no batches)")
    return jwts[0]


def _check_sender(
    session: Session,
    *,
    issuer: IssuerAccount,
    token: str,
    bound_to: str | None,
    scheme: Literal["Bearer", "DPoP"],
    dpop_proof: str | None,
    base_url: str,
    now: datetime,
) -> None:
    """RFC 9449 §7: a DPoP-bound token only with the DPoP scheme and a proof of its key.

    A Bearer token stays a Bearer token: a ``DPoP`` header beside it is not looked at (the token
    is bound to no key the proof could match; RFC 9449 §7.2 asks only that bound tokens are
    refused as Bearer tokens), and the DPoP scheme with it is refused.
    """
    if bound_to is None:
        if scheme == "DPoP":
            raise DPoPTokenRefused("the access token is not bound to a DPoP key")
        return
    if scheme != "DPoP":
        raise DPoPTokenRefused("a DPoP-bound access token must be sent with the DPoP scheme")
    if dpop_proof is None:
        raise DPoPProofRefused("the request has no DPoP proof")
    proven = check_proof(
        dpop_proof,
        method="POST",
        uri=endpoint(base_url, issuer.slug, "credential"),
        now=now,
        access_token=token,
        refuse=DPoPProofRefused,
    )
    if not hmac.compare_digest(proven.jkt, bound_to):
        raise DPoPProofRefused("the DPoP proof's key is not the key the token is bound to")
    remember_proof(session, issuer_id=issuer.id, proof=proven, now=now, refuse=DPoPProofRefused)


def issue_with_access_token(
    session: Session,
    *,
    issuer: IssuerAccount,
    token: str,
    scheme: Literal["Bearer", "DPoP"],
    dpop_proof: str | None,
    body: Mapping[str, Any],
    kek: bytes,
    base_url: str,
    now: datetime,
) -> str:
    """Answer a Credential Request (§8.2) with the credential bound to the proven key; commits.

    ``token`` came with the authorization ``scheme``; ``dpop_proof`` is the ``DPoP`` header.
    Raises :class:`~issuers.errors.InvalidAccessToken` (401), :class:`DPoPTokenRefused` and
    :class:`DPoPProofRefused` (401, RFC 9449 §7.1),
    :class:`UnknownCredentialConfiguration`, :class:`InvalidCredentialRequest`,
    :class:`InvalidProof`, :class:`~issuers.errors.InvalidNonce` and
    :class:`CredentialRequestDenied` (the offer was redeemed by its pickup code, or no longer
    passes the issuance checks); nothing is issued then.
    """
    now = require_aware(now)
    authorized = authorize(session, issuer=issuer, token=token, now=now)
    _check_sender(
        session,
        issuer=issuer,
        token=token,
        bound_to=authorized.dpop_jkt,
        scheme=scheme,
        dpop_proof=dpop_proof,
        base_url=base_url,
        now=now,
    )
    configuration = body.get("credential_configuration_id")
    if not isinstance(configuration, str):
        raise InvalidCredentialRequest("credential_configuration_id is missing")
    offered = str(authorized.request["type"])
    if configuration != offered:
        try:
            credential_type(configuration)
        except LookupError:
            raise UnknownCredentialConfiguration(
                "the credential configuration is unknown"
            ) from None
        raise UnknownCredentialConfiguration("this access token is for another configuration")
    proven = check_jwt_proof(
        _one_proof(body), audience=issuer_identifier(base_url, issuer.slug), now=now
    )
    try:
        consume_nonce(session, issuer=issuer, nonce=proven.nonce, now=now)
        spend_access_token(session, token_hash=authorized.token_hash, now=now)
        try:
            issued = sign_offered(
                session,
                offer_id=authorized.offer_id,
                issuer_id=authorized.issuer_id,
                request=authorized.request,
                holder=proven.holder,
                kek=kek,
                base_url=base_url,
                now=now,
            )
        except IssuerError as error:
            raise CredentialRequestDenied(
                f"the credential cannot be issued: {error.title}"
            ) from None
    except BaseException:
        session.rollback()
        raise
    session.commit()
    return issued.credential
