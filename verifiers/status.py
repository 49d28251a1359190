"""Checking a credential's status now: IETF Token Status List and W3C Bitstring Status List.

- SD-JWT VC ``status.status_list`` (Token Status List §6.2): the Status List Token at ``uri`` is
  fetched, verified with the *credential issuer's* trusted keys (§8.3: signature, ``sub`` equal to
  ``uri``, ``iat``, ``exp``, ``ttl``) and the entry at ``idx`` read: VALID passes, INVALID is
  revoked, SUSPENDED suspended, any other value fails (§7.1).
- ``vc+jwt`` ``credentialStatus`` entries (Bitstring Status List §2.1, §3.2): each status list
  credential is a ``vc+jwt`` of the same issuer; any set bit of a ``revocation`` or
  ``suspension`` entry fails. Every entry must be checked (an unknown type is a failure).

Fail closed: an unreachable list (``status_unavailable``) or one that does not verify
(``status_list_invalid``) fails the check. Bodies are cached by URL for the shortest lifetime
stated by the response (``Cache-Control: max-age``) and the list (``ttl``, never past its ``exp``
or ``validUntil``); an expiry alone grants no caching. A cached list that no longer verifies is
fetched again once.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from credentials.bitstring_status_list import (
    parse_bitstring_status_list_credential,
    parse_credential_status,
    resolve_bitstring_status,
)
from credentials.errors import CredentialError, FetchFailed, StatusReferenceInvalid
from credentials.resolvers import IssuerKeyResolver
from credentials.status_list import (
    StatusType,
    parse_status_reference,
    resolve_status,
    verify_status_list_token,
)
from credentials.vc_jose import verify_vc_jwt
from verifiers.fetching import DocumentCache, Fetcher, fetch_fresh, shortest
from verifiers.policy import ACCEPTED_ALGORITHMS, CLOCK_TOLERANCE

StatusCode = Literal[
    "credential_revoked", "credential_suspended", "status_unavailable", "status_list_invalid"
]


@dataclass(frozen=True)
class StatusOutcome:
    """``None`` code: the status is valid now; else why the check failed (a stable code)."""

    code: StatusCode | None


VALID = StatusOutcome(None)
_PURPOSES = ("revocation", "suspension", "refresh", "message")
"""Bitstring Status List §2.1 purposes; a set ``refresh`` or ``message`` bit is not a failure."""
_T = TypeVar("_T")


@dataclass(frozen=True)
class StatusContext:
    """What a status check needs: the issuer's trusted keys, the fetcher, the cache and time."""

    issuer: str
    resolve_key: IssuerKeyResolver
    fetch: Fetcher
    cache: DocumentCache
    now: datetime


def _text(body: bytes) -> str:
    try:
        return body.decode("ascii").strip()
    except UnicodeDecodeError:
        raise StatusReferenceInvalid("the status list is not a compact JWT") from None


def _load(
    url: str, context: StatusContext, verify: Callable[[str], tuple[_T, timedelta | None]]
) -> _T:
    """Fetch (or take from the cache) and verify the list at ``url``; cache it when allowed.

    ``verify`` returns the verified list and the lifetime the list itself states.
    """
    body, max_age, cached = fetch_fresh(context.fetch, url, cache=context.cache, now=context.now)
    try:
        verified, lifetime = verify(_text(body))
    except CredentialError:
        if not cached:
            raise
        context.cache.put(url, b"", lifetime=timedelta(0), now=context.now)
        body, max_age, _ = fetch_fresh(context.fetch, url, cache=context.cache, now=context.now)
        verified, lifetime = verify(_text(body))
        cached = False
    if not cached:
        context.cache.put(url, body, lifetime=shortest(max_age, lifetime), now=context.now)
    return verified


def _stated(*lifetimes: timedelta | None) -> timedelta | None:
    """The shortest of the lifetimes given (``ttl`` bounded by the list's own expiry)."""
    stated = [lifetime for lifetime in lifetimes if lifetime is not None]
    return min(stated) if stated else None


def _until(moment: datetime | None, now: datetime) -> timedelta | None:
    return None if moment is None else moment - now


def check_token_status(status_claim: dict[str, Any], context: StatusContext) -> StatusOutcome:
    """Check an SD-JWT VC ``status`` claim against its Token Status List (§6.2, §8.3)."""
    try:
        reference = parse_status_reference(status_claim)
    except CredentialError:
        return StatusOutcome("status_list_invalid")

    def verify(token: str) -> tuple[Any, timedelta | None]:
        verified = verify_status_list_token(
            token,
            key=context.resolve_key,
            issuer=context.issuer,
            algorithms=ACCEPTED_ALGORITHMS,
            expected_sub=reference.uri,
            now=context.now,
            clock_tolerance=CLOCK_TOLERANCE,
        )
        if verified.ttl is None:
            return verified, None
        return verified, _stated(timedelta(seconds=verified.ttl), _until(verified.exp, context.now))

    try:
        token = _load(reference.uri, context, verify)
        value = resolve_status(token, reference)
    except FetchFailed:
        return StatusOutcome("status_unavailable")
    except CredentialError:
        return StatusOutcome("status_list_invalid")
    if value == StatusType.VALID:
        return VALID
    if value == StatusType.SUSPENDED:
        return StatusOutcome("credential_suspended")
    return StatusOutcome("credential_revoked")


def check_bitstring_status(
    entries: Sequence[dict[str, Any]], context: StatusContext
) -> StatusOutcome:
    """Check every ``credentialStatus`` entry of a ``vc+jwt`` (Bitstring Status List §3.2)."""
    try:
        parsed = parse_credential_status(list(entries))
    except CredentialError:
        return StatusOutcome("status_list_invalid")
    outcome = VALID
    for entry in parsed:

        def verify(token: str) -> tuple[Any, timedelta | None]:
            facts = verify_vc_jwt(
                token,
                resolve_issuer_key=context.resolve_key,
                now=context.now,
                clock_tolerance=CLOCK_TOLERANCE,
                algorithms=ACCEPTED_ALGORITHMS,
            )
            if facts.issuer != context.issuer:
                raise StatusReferenceInvalid("the status list is not the credential issuer's")
            credential = parse_bitstring_status_list_credential(facts.credential)
            if credential.ttl is None:
                return credential, None
            ttl = timedelta(milliseconds=credential.ttl)
            return credential, _stated(ttl, _until(facts.valid_until, context.now))

        try:
            credential = _load(entry.status_list_credential, context, verify)
            found = resolve_bitstring_status(credential, entry)
        except FetchFailed:
            return StatusOutcome("status_unavailable")
        except CredentialError:
            return StatusOutcome("status_list_invalid")
        if entry.status_purpose not in _PURPOSES:
            return StatusOutcome("status_list_invalid")
        if found.valid or entry.status_purpose in ("refresh", "message"):
            continue
        if entry.status_purpose == "revocation":
            return StatusOutcome("credential_revoked")
        outcome = StatusOutcome("credential_suspended")
    return outcome
