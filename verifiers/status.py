"""Checking a credential's status now: IETF Token Status List and W3C Bitstring Status List.

- SD-JWT VC ``status.status_list`` (Token Status List §6.2): the Status List Token at ``uri`` is
  fetched, verified with the *credential issuer's* trusted keys (§8.3: signature, ``sub`` equal to
  ``uri``, ``iat``, ``exp``, ``ttl``) and the entry at ``idx`` read: VALID passes, INVALID is
  revoked, SUSPENDED suspended, any other value fails (§7.1).
- ``vc+jwt`` ``credentialStatus`` entries (Bitstring Status List §2.1, §3.2): each status list
  credential is a ``vc+jwt`` of the same issuer; any set bit of a ``revocation`` or
  ``suspension`` entry fails. Every entry must be checked (an unknown type is a failure).

Lists of this instance's own issuers are not fetched: the API hands in a
:data:`LocalStatusLookup` that reads the list's current state straight from the issuers service
(nothing signed, no private key loaded, a revocation visible at once); the entry is read only
when the list belongs to the credential's issuer.

Fail closed: an unreachable list (``status_unavailable``) or one that does not verify
(``status_list_invalid``) fails the check. Bodies are cached by URL for the shortest lifetime
stated by the response (``Cache-Control: max-age``) and the list (``ttl``, never past its ``exp``
or ``validUntil``); an expiry alone grants no caching. A cached list that no longer verifies is
fetched again once.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from credentials.bitstring_status_list import (
    parse_bitstring_status_list_credential,
    parse_credential_status,
    resolve_bitstring_status,
)
from credentials.errors import (
    CredentialError,
    FetchFailed,
    StatusPurposeMismatch,
    StatusReferenceInvalid,
)
from credentials.resolvers import IssuerKeyResolver
from credentials.status_list import (
    StatusList,
    StatusType,
    parse_status_reference,
    resolve_status,
    status_type,
    verify_status_list_token,
)
from credentials.vc_jose import verify_vc_jwt
from verifiers.fetching import DocumentCache, Fetcher, fetch_fresh, host_of, shortest
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
_log = logging.getLogger("taito.verifiers")

W3CPurpose = Literal["revocation", "suspension"]
_W3C_VALUE: dict[W3CPurpose, int] = {
    "revocation": StatusType.INVALID,
    "suspension": StatusType.SUSPENDED,
}


@dataclass(frozen=True)
class LocalStatusList:
    """A status list of an issuer of this instance, as its issuers service holds it now.

    ``issuers`` are the identifiers the list belongs to (the issuer's URL and its did:web);
    ``statuses`` the 2-bit values (Token Status List §4: 0 valid, 1 revoked, 2 suspended);
    ``purpose`` ``None`` for the IETF list, else the W3C list's purpose (its bit is set when the
    entry's value is revoked, respectively suspended).
    """

    issuers: frozenset[str]
    statuses: StatusList
    purpose: W3CPurpose | None


LocalStatusLookup = Callable[[str], LocalStatusList | None]
"""``local(url)``: the list of this instance at ``url``, ``None`` when ``url`` is not ours.

Raises :class:`FetchFailed` for a URL of ours that names no list (as a 404 would)."""


def no_local_status(url: str) -> LocalStatusList | None:
    """The :data:`LocalStatusLookup` of a verifier without issuers of its own (the CLI)."""
    return None


@dataclass(frozen=True)
class StatusContext:
    """What a status check needs: the issuer's trusted keys, the fetcher, the cache and time."""

    issuer: str
    resolve_key: IssuerKeyResolver
    fetch: Fetcher
    cache: DocumentCache
    now: datetime
    local: LocalStatusLookup = no_local_status


def _local_entry(
    found: LocalStatusList, context: StatusContext, idx: int, purpose: W3CPurpose | None
) -> int:
    """The 2-bit value at ``idx`` of a list of this instance, if it is the issuer's own."""
    if context.issuer not in found.issuers:
        raise StatusReferenceInvalid("the status list is not the credential issuer's")
    if found.purpose != purpose:
        raise StatusPurposeMismatch("the entry's purpose is not the list's")
    return found.statuses.get(idx)


def _unavailable(url: str, error: FetchFailed) -> StatusOutcome:
    _log.warning("status list unavailable (%s): %s", host_of(url), error.detail)
    return StatusOutcome("status_unavailable")


def _invalid(url: str, error: CredentialError) -> StatusOutcome:
    _log.warning("status list invalid (%s): %s", host_of(url), error.code)
    return StatusOutcome("status_list_invalid")


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
        local = context.local(reference.uri)
        if local is not None:
            value = status_type(_local_entry(local, context, reference.idx, None))
        else:
            value = resolve_status(_load(reference.uri, context, verify), reference)
    except FetchFailed as error:
        return _unavailable(reference.uri, error)
    except CredentialError as error:
        return _invalid(reference.uri, error)
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

        url = entry.status_list_credential
        try:
            local = context.local(url)
            if local is not None:
                if entry.status_purpose not in _W3C_VALUE or entry.status_size != 1:
                    raise StatusPurposeMismatch("this instance publishes no such list")
                purpose: W3CPurpose = (
                    "revocation" if entry.status_purpose == "revocation" else "suspension"
                )
                value = _local_entry(local, context, entry.status_list_index, purpose)
                valid = value != _W3C_VALUE[purpose]
            else:
                valid = resolve_bitstring_status(_load(url, context, verify), entry).valid
        except FetchFailed as error:
            return _unavailable(url, error)
        except CredentialError as error:
            return _invalid(url, error)
        if entry.status_purpose not in _PURPOSES:
            return StatusOutcome("status_list_invalid")
        if valid or entry.status_purpose in ("refresh", "message"):
            continue
        if entry.status_purpose == "revocation":
            return StatusOutcome("credential_revoked")
        outcome = StatusOutcome("credential_suspended")
    return outcome
