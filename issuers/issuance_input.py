"""Checking an issuance request before anything is signed: type, accreditation, claims, holder.

:func:`prepare_credential` is pure (no database, no signing) and raises the 4xx errors of
:mod:`issuers.errors`; what it returns is ready to sign. The checks, in order:

1. the type is one of this instance's types (SD-JWT VC §3.2.2.1 ``vct``), else 422;
2. the issuer is accredited for it, else 403;
3. the claims pass the type's schema and content rules (``schemas.validate_claims``); every
   violation is reported with its JSON pointer into the request (``/claims/...``); a Finnish
   personal identity code anywhere makes it :class:`PersonalIdentityCode`;
4. the holder binding is a public Ed25519/P-256 JWK, a did:jwk or a did:key (SD-JWT VC §3.2.2.2
   ``cnf``; VC DM 2.0 ``credentialSubject.id``); a credential offer (:mod:`issuers.offers`)
   has none until the person redeems it, so :func:`check_content` checks everything else;
5. the validity (``valid_until`` or ``expires_in``) lies in the future;
6. the selectively disclosable claims (SD-JWT VC type metadata ``sd``; default: the type's
   ``always`` paths present in these claims) name existing claims (RFC 9901 §4.2).
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from credentials.clock import require_aware
from credentials.did_jwk import encode_did_jwk, resolve_did_jwk
from credentials.did_key import resolve_did_key
from credentials.errors import CredentialError
from credentials.keys import PublicKey, public_key_from_jwk
from credentials.sd_jwt import WILDCARD, ClaimPath, parse_claim_path
from credentials.sd_jwt_disclosable import SD, mark_paths
from issuers.errors import (
    ClaimsInvalid,
    CredentialFormatUnsupported,
    CredentialTypeUnknown,
    DisclosableInvalid,
    HolderBindingInvalid,
    PersonalIdentityCode,
    TypeNotAccredited,
    ValidityInvalid,
    Violation,
)
from issuers.organisations import IssuerAccount
from schemas import (
    UnknownCredentialType,
    credential_type,
    default_disclosable_paths,
    select_claims,
    validate_claims,
    vct_for,
)

Format = Literal["dc+sd-jwt", "vc+jwt"]
FORMATS: Final[tuple[Format, ...]] = ("dc+sd-jwt", "vc+jwt")
MAX_LIFETIME: Final = timedelta(days=100 * 365)
_PRIVATE_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})

PathSpec = str | tuple[str | int | None, ...]
"""A claim path: ``"skills[*].uri"`` or SD-JWT VC's array form (``null`` = every element)."""


@dataclass(frozen=True)
class HolderBinding:
    """The holder's key: a public JWK or a did:jwk / did:key (exactly one)."""

    jwk: dict[str, Any] | None = None
    did: str | None = None


@dataclass(frozen=True)
class CredentialRequest:
    """What an issuer asks to issue (the body of ``POST .../credentials``)."""

    type: str
    claims: dict[str, Any]
    holder: HolderBinding | None
    format: str = "dc+sd-jwt"
    valid_until: datetime | None = None
    expires_in: int | None = None
    disclosable: tuple[PathSpec, ...] | None = None

    def as_json(self) -> dict[str, Any]:
        """The request as JSON, for the idempotency fingerprint."""
        return {
            "type": self.type,
            "claims": self.claims,
            "holder": None
            if self.holder is None
            else {"jwk": self.holder.jwk, "did": self.holder.did},
            "format": self.format,
            "valid_until": None if self.valid_until is None else self.valid_until.isoformat(),
            "expires_in": self.expires_in,
            "disclosable": None
            if self.disclosable is None
            else [p if isinstance(p, str) else list(p) for p in self.disclosable],
        }


@dataclass(frozen=True)
class PreparedCredential:
    """A checked request, ready to sign."""

    type: str
    vct: str
    format: Format
    claims: dict[str, Any]
    holder_key: PublicKey
    holder_did: str
    expires_at: datetime | None


def prepare_credential(
    issuer: IssuerAccount, request: CredentialRequest, *, base_url: str, now: datetime
) -> PreparedCredential:
    """Check ``request`` for ``issuer`` (see the module docstring for the rules and errors)."""
    fmt, claims, expires_at = check_content(issuer, request, now=now)
    if request.holder is None:
        raise HolderBindingInvalid("a credential is bound to a holder key: give holder")
    holder_key, holder_did = resolve_holder(request.holder)
    return PreparedCredential(
        type=request.type,
        vct=vct_for(request.type, base_url=base_url),
        format=fmt,
        claims=claims,
        holder_key=holder_key,
        holder_did=holder_did,
        expires_at=expires_at,
    )


def check_content(
    issuer: IssuerAccount, request: CredentialRequest, *, now: datetime
) -> tuple[Format, dict[str, Any], datetime | None]:
    """Checks 1-3, 5 and 6 (everything but the holder): the format, the claims ready to sign
    (disclosable ones marked) and the expiry. Raises the errors of the module docstring."""
    now = require_aware(now)
    try:
        credential_type(request.type)
    except UnknownCredentialType:
        raise CredentialTypeUnknown("the type is not one of this instance's types") from None
    if request.type not in issuer.types:
        raise TypeNotAccredited("the issuer is not accredited for this credential type")
    if request.format not in FORMATS:
        raise CredentialFormatUnsupported("format must be dc+sd-jwt or vc+jwt")
    check_claims(request.type, request.claims)
    expires_at = _expiry(request, now)
    fmt: Format = "vc+jwt" if request.format == "vc+jwt" else "dc+sd-jwt"
    claims = dict(request.claims)
    if fmt == "dc+sd-jwt":
        claims = _mark_disclosable(request.type, claims, request.disclosable)
    elif request.disclosable:
        raise DisclosableInvalid("disclosable applies to dc+sd-jwt credentials only")
    return fmt, claims, expires_at


def check_claims(slug: str, claims: Any) -> None:
    """Raise :class:`ClaimsInvalid` (or :class:`PersonalIdentityCode`) listing every violation."""
    found = validate_claims(slug, claims)
    if not found:
        return
    violations = [Violation("/claims" + v.pointer, v.message) for v in found]
    if any(v.code == "personal_identity_code" for v in found):
        raise PersonalIdentityCode(violations)
    raise ClaimsInvalid(violations)


def resolve_holder(holder: HolderBinding) -> tuple[PublicKey, str]:
    """The holder's public key and DID (a did:jwk for a bare JWK).

    Raises :class:`HolderBindingInvalid` for anything but exactly one public Ed25519/P-256 JWK,
    did:jwk or did:key, and for a JWK with private members.
    """
    if (holder.jwk is None) == (holder.did is None):
        raise HolderBindingInvalid("give exactly one of holder.jwk and holder.did")
    try:
        if holder.jwk is not None:
            if not isinstance(holder.jwk, dict) or _PRIVATE_MEMBERS & holder.jwk.keys():
                raise HolderBindingInvalid("holder.jwk must be a public JWK, never a private one")
            key = public_key_from_jwk(holder.jwk)
            return key, encode_did_jwk(key)
        did = str(holder.did)
        if did.startswith("did:jwk:"):
            return resolve_did_jwk(did), did
        if did.startswith("did:key:"):
            return resolve_did_key(did), did
    except CredentialError:
        raise HolderBindingInvalid("the holder key is not a valid Ed25519 or P-256 key") from None
    raise HolderBindingInvalid("holder.did must be a did:jwk or a did:key")


def _expiry(request: CredentialRequest, now: datetime) -> datetime | None:
    if request.valid_until is not None and request.expires_in is not None:
        raise ValidityInvalid("give valid_until or expires_in, not both")
    if request.expires_in is not None:
        if isinstance(request.expires_in, bool) or request.expires_in <= 0:
            raise ValidityInvalid("expires_in must be a positive number of seconds")
        if request.expires_in > MAX_LIFETIME.total_seconds():
            raise ValidityInvalid("expires_in must be at most 100 years")
        return now + timedelta(seconds=request.expires_in)
    if request.valid_until is not None:
        if request.valid_until.tzinfo is None:
            raise ValidityInvalid("valid_until must carry a time zone")
        if request.valid_until <= now:
            raise ValidityInvalid("valid_until must be in the future")
        if request.valid_until - now > MAX_LIFETIME:
            raise ValidityInvalid("valid_until must be within 100 years")
        return request.valid_until
    return None


def _credentials_path(spec: PathSpec) -> ClaimPath:
    if isinstance(spec, str):
        return parse_claim_path(spec)
    return parse_claim_path(WILDCARD if part is None else part for part in spec)


def _schemas_path(path: ClaimPath) -> tuple[str | int | None, ...]:
    return tuple(None if part == WILDCARD else part for part in path)


def _mark_disclosable(
    slug: str, claims: dict[str, Any], requested: Sequence[PathSpec] | None
) -> dict[str, Any]:
    if requested is None:
        return _mark_defaults(slug, claims)
    paths = []
    for spec in requested:
        try:
            path = _credentials_path(spec)
        except (ValueError, TypeError):
            raise DisclosableInvalid("a disclosable path is malformed") from None
        if not _present(claims, _schemas_path(path)):
            raise DisclosableInvalid("a disclosable path names no claim in these claims")
        paths.append(path)
    try:
        return mark_paths(claims, paths)
    except (ValueError, TypeError):
        raise DisclosableInvalid("the disclosable paths do not fit these claims") from None


@functools.cache
def _default_plan(slug: str) -> tuple[frozenset[str], frozenset[str], tuple[ClaimPath, ...]]:
    """The type's default paths as (whole top-level claims, their array elements, the rest)."""
    whole: set[str] = set()
    elements: set[str] = set()
    rest: list[ClaimPath] = []
    for path in default_disclosable_paths(slug):
        if len(path) == 1 and isinstance(path[0], str):
            whole.add(path[0])
        elif len(path) == 2 and isinstance(path[0], str) and path[1] is None:
            elements.add(path[0])
        else:
            rest.append(_credentials_path(path))
    return frozenset(whole), frozenset(elements), tuple(rest)


def _mark_defaults(slug: str, claims: dict[str, Any]) -> dict[str, Any]:
    # The common shapes (a top-level claim, each element of a top-level array) are marked
    # directly; anything deeper goes through mark_paths, which keeps these markers.
    whole, elements, rest = _default_plan(slug)
    marked: dict[str, Any] = {}
    for name, value in claims.items():
        if name in elements and isinstance(value, list):
            value = [SD(item) for item in value]
        marked[name] = SD(value) if name in whole else value
    present = [path for path in rest if _present(claims, _schemas_path(path))]
    return mark_paths(marked, present) if present else marked


def _present(claims: dict[str, Any], path: Sequence[str | int | None]) -> bool:
    try:
        return bool(select_claims(claims, path))
    except ValueError:
        return False
