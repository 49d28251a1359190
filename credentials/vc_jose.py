"""W3C Verifiable Credentials 2.0 secured with JOSE: ``vc+jwt`` (VC-JOSE-COSE §3.1.1).

The JWS payload *is* the credential (VC-JOSE-COSE §3.1.1): no ``vc`` wrapper, and the claim
names ``vc`` and ``vp`` MUST NOT be present (§3.1.3). The header has ``typ`` ``vc+jwt`` (Taito
requires it; ``application/vc+jwt`` is the same media type, RFC 7515 §4.1.9), ``alg`` from the key
and ``kid``; ``cty`` is optional and not interpreted. JWT claims may appear beside the credential
(§3.1.3): ``iat``/``exp`` are the times of the *signature* and are enforced when present, while
``validFrom``/``validUntil`` are the validity of the data (VC DM 2.0 §4.9) and are enforced too.
An ``iss`` in the header or the claims MUST match the issuer id (§4.1.2).

Verification (§5.1, §6): strict compact JWS, ``typ``, the issuer id read from the payload, its
key from the injected :class:`~credentials.resolvers.IssuerKeyResolver` (so the key is bound to
that issuer), the signature under the caller's algorithm allow-list, then the VC DM 2.0 rules
below, then time. ``credentialStatus`` entries are handed back unchecked: status is the status
list module's job.

VC DM 2.0 rules checked: ``@context`` is the base context or a list starting with it, other
entries URLs or objects (§4.3); ``type`` is a non-empty string or list of them and includes
``VerifiableCredential`` (§4.5); ``issuer`` is a URL or an object with a URL ``id`` (§4.7);
``credentialSubject`` is a non-empty object or a non-empty list of them, any ``id`` a string
(§4.8); ``validFrom``/``validUntil`` are XML Schema ``dateTimeStamp`` strings in order (§4.9,
§5 "Representing Time", a time zone required); ``credentialStatus`` is an object or list of
objects each with a string ``type`` (§4.10); ``id``, if present, is a string (§4.4).
"""

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from credentials.clock import require_aware
from credentials.encoding import json_dumps
from credentials.errors import (
    CredentialExpired,
    CredentialNotYetValid,
    HeaderInvalid,
    IssuerMismatch,
    VCInvalid,
)
from credentials.jws import check_typ, parse_compact, payload_object, sign_compact, verify_signature
from credentials.jwt import check_time_claims
from credentials.keys import PrivateKey
from credentials.resolvers import IssuerKeyResolver

VC_JWT_TYP = "vc+jwt"
ACCEPTED_TYPS = ("vc+jwt", "application/vc+jwt")
CREDENTIALS_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
FORBIDDEN_CLAIMS = ("vc", "vp")

# VC DM 2.0 §5 "Representing Time" (from XML Schema 1.1 Part 2); the time zone is mandatory.
_DATE_TIME_STAMP = re.compile(
    r"(-?(?:[1-9][0-9]{3,}|0[0-9]{3}))-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T(?:([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(?:\.([0-9]+))?|(24:00:00(?:\.0+)?))"
    r"(Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)
_MAX_DATE_TIME_LENGTH = 64
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+")


@dataclass(frozen=True)
class VerifiedCredential:
    """A verified ``vc+jwt``: the credential and the facts a verifier acts on."""

    credential: dict[str, Any]
    issuer: str
    types: tuple[str, ...]
    subject_ids: tuple[str, ...]
    credential_status: tuple[dict[str, Any], ...]
    valid_from: datetime | None
    valid_until: datetime | None

    @property
    def subject_id(self) -> str | None:
        """The subject's ``id`` when the credential has exactly one subject and it has an id."""
        subjects = self.credential["credentialSubject"]
        single = isinstance(subjects, dict) or len(subjects) == 1
        return self.subject_ids[0] if single and self.subject_ids else None


def issue_vc_jwt(
    credential: Mapping[str, Any], *, key: PrivateKey, issued_at: datetime | None = None
) -> str:
    """Secure ``credential`` as a ``vc+jwt`` signed with ``key`` (VC-JOSE-COSE §3.1.1).

    The credential must pass the same VC DM 2.0 checks as on verification and, as Taito's
    issuance policy, carry ``validFrom``. ``issued_at`` adds the JWT ``iat`` of the signature.
    For a DID issuer, ``key.kid`` must be a DID URL of that DID (§4.1.1). Raises
    :class:`VCInvalid` for a non-conforming credential and ``ValueError`` for a key whose
    ``kid`` does not belong to a DID issuer.
    """
    payload = dict(credential)
    if issued_at is not None:
        payload["iat"] = int(issued_at.timestamp())
    facts = check_credential(payload)
    if facts.valid_from is None:
        raise VCInvalid("Taito issues credentials with a validFrom")
    if facts.issuer.startswith("did:") and not key.kid.startswith(facts.issuer + "#"):
        raise ValueError("the key's kid is not a DID URL of the DID issuer")
    header = {"typ": VC_JWT_TYP, "kid": key.kid}
    return sign_compact(header, json_dumps(payload).encode("utf-8"), key)


def verify_vc_jwt(
    token: str,
    *,
    resolve_issuer_key: IssuerKeyResolver,
    now: datetime,
    clock_tolerance: timedelta,
    algorithms: Collection[str],
) -> VerifiedCredential:
    """Verify a ``vc+jwt`` (VC-JOSE-COSE §5.1 and §6; VC DM 2.0 §4) and return its facts.

    Raises :class:`~credentials.errors.MalformedInput` subclasses, :class:`HeaderInvalid` and
    :class:`~credentials.errors.TypeMismatch`, :class:`IssuerMismatch`, whatever the resolver
    raises (:class:`~credentials.errors.IssuerKeyUnresolved` and subclasses), signature errors,
    :class:`VCInvalid`, :class:`CredentialExpired`, :class:`CredentialNotYetValid` and
    :class:`~credentials.errors.IssuedInFuture`.
    """
    parsed = parse_compact(token, what="vc+jwt")
    check_typ(parsed, ACCEPTED_TYPS, what="vc+jwt")
    payload = payload_object(parsed, what="vc+jwt")
    issuer = issuer_id(payload)
    if "iss" in parsed.header and parsed.header["iss"] != issuer:
        raise IssuerMismatch("the header iss does not match the credential's issuer")
    kid = parsed.header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise HeaderInvalid("the vc+jwt header kid is not a string")
    key = resolve_issuer_key(issuer=issuer, kid=kid)
    verify_signature(parsed, key, algorithms=algorithms)
    facts = check_credential(payload)
    check_time_claims(payload, now=now, tolerance=clock_tolerance)
    check_validity_period(facts, now=now, clock_tolerance=clock_tolerance)
    return facts


def check_credential(credential: Mapping[str, Any]) -> VerifiedCredential:
    """Check a credential against the VC DM 2.0 rules of the module docstring; return its facts.

    Does not check signature or time. Raises :class:`VCInvalid` or :class:`IssuerMismatch`.
    """
    for name in FORBIDDEN_CLAIMS:
        if name in credential:
            raise VCInvalid(f"the JWT claim {name} must not be present (VC-JOSE-COSE §3.1.3)")
    if not has_base_context(credential):
        raise VCInvalid("@context must start with the VC 2.0 base context")
    types = type_values(credential)
    if "VerifiableCredential" not in types:
        raise VCInvalid("type must include VerifiableCredential")
    issuer = issuer_id(credential)
    if "iss" in credential and credential["iss"] != issuer:
        raise IssuerMismatch("the iss claim does not match the credential's issuer")
    if "id" in credential and not isinstance(credential["id"], str):
        raise VCInvalid("id must be a string")
    subjects = _objects(credential.get("credentialSubject"), what="credentialSubject")
    if any(not subject for subject in subjects):
        raise VCInvalid("each credentialSubject must make at least one claim")
    if any("id" in subject and not isinstance(subject["id"], str) for subject in subjects):
        raise VCInvalid("a credentialSubject id must be a string")
    statuses = (
        _objects(credential["credentialStatus"], what="credentialStatus")
        if "credentialStatus" in credential
        else ()
    )
    if any(not isinstance(status.get("type"), str) for status in statuses):
        raise VCInvalid("each credentialStatus must have a string type")
    valid_from = _optional_time(credential, "validFrom")
    valid_until = _optional_time(credential, "validUntil")
    if valid_from and valid_until and valid_from > valid_until:
        raise VCInvalid("validFrom must not be later than validUntil")
    return VerifiedCredential(
        credential=dict(credential),
        issuer=issuer,
        types=types,
        subject_ids=tuple(s["id"] for s in subjects if "id" in s),
        credential_status=statuses,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def check_validity_period(
    facts: VerifiedCredential, *, now: datetime, clock_tolerance: timedelta
) -> None:
    """Enforce ``validFrom``/``validUntil`` against ``now`` (VC DM 2.0 §4.9), with tolerance.

    Raises :class:`CredentialNotYetValid` or :class:`CredentialExpired`.
    """
    require_aware(now)
    if facts.valid_from is not None and now + clock_tolerance < facts.valid_from:
        raise CredentialNotYetValid("the validFrom time has not come")
    if facts.valid_until is not None and now - clock_tolerance > facts.valid_until:
        raise CredentialExpired("the validUntil time has passed")


def parse_date_time_stamp(value: Any, *, name: str) -> datetime:
    """Parse an XML Schema ``dateTimeStamp`` (VC DM 2.0 §4.9, §5) into an aware UTC datetime.

    The offset is mandatory: §5 asks to read a value without one as UTC, but §4.9 requires a
    ``dateTimeStamp`` and a conforming verifier reports non-conforming documents, so such a
    value is refused. ``24:00:00`` is the next midnight; fractions beyond microseconds are
    truncated. Raises :class:`VCInvalid` for anything else, including dates that do not
    exist and years outside 0001–9999.
    """
    if not isinstance(value, str) or len(value) > _MAX_DATE_TIME_LENGTH:
        raise VCInvalid(f"{name} is not a dateTimeStamp string")
    match = _DATE_TIME_STAMP.fullmatch(value)
    if match is None:
        raise VCInvalid(f"{name} is not a dateTimeStamp with a time zone")
    year, month, day, hour, minute, second, fraction, midnight, zone = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            0 if midnight else int(hour),
            0 if midnight else int(minute),
            0 if midnight else int(second),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=UTC,
        )
        if midnight:
            moment += timedelta(days=1)
        if zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            moment -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    except (ValueError, OverflowError):
        raise VCInvalid(f"{name} is not a date and time Taito can represent") from None
    return moment


def has_base_context(document: Mapping[str, Any]) -> bool:
    """Whether ``@context`` is the VC 2.0 base context or a list of URLs and objects led by it."""
    context = document.get("@context")
    if context == CREDENTIALS_V2_CONTEXT:
        return True
    return (
        isinstance(context, list)
        and bool(context)
        and context[0] == CREDENTIALS_V2_CONTEXT
        and all(isinstance(entry, dict) or is_url(entry) for entry in context)
    )


def type_values(document: Mapping[str, Any]) -> tuple[str, ...]:
    """The ``type`` values (VC DM 2.0 §4.5), or ``()`` when ``type`` is not well-formed."""
    value = document.get("type")
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values:
        return ()
    if not all(isinstance(item, str) and item for item in values):
        return ()
    return tuple(values)


def issuer_id(credential: Mapping[str, Any]) -> str:
    """The issuer URL: ``issuer`` or ``issuer.id`` (VC DM 2.0 §4.7); raises :class:`VCInvalid`."""
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    if not is_url(issuer):
        raise VCInvalid("issuer must be a URL or an object with a URL id")
    return str(issuer)


def is_url(value: Any) -> bool:
    """Whether ``value`` is a string of the form ``scheme:rest`` without whitespace (RFC 3986)."""
    return isinstance(value, str) and _URL.fullmatch(value) is not None


def _objects(value: Any, *, what: str) -> tuple[dict[str, Any], ...]:
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise VCInvalid(f"{what} must be an object or a non-empty list of objects")
    return tuple(items)


def _optional_time(credential: Mapping[str, Any], name: str) -> datetime | None:
    if name not in credential:
        return None
    return parse_date_time_stamp(credential[name], name=name)
