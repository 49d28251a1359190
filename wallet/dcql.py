"""The DCQL subset the wallet answers (OpenID4VP 1.0 §6, claims path pointers §7).

Supported: ``credentials`` of format ``dc+sd-jwt`` with ``meta.vct_values``, ``claims`` (``id``,
``path``, ``values``), ``claim_sets`` (the first option the credential satisfies is used, §6.4.1)
and ``multiple``. ``credential_sets`` and ``trusted_authorities`` are ignored: every credential
query is treated as required, and trust is the verifier's to check (§6.1.1 note). Unknown
members are ignored (§6). Value matching (§6.3, §6.4.1): a claim matches when processing its path
selects at least one value and, with ``values``, when some selected value equals one of them in
type and value; only the matching elements are then disclosed.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credentials.encoding import JSONValue
from wallet.claims import ClaimPointer
from wallet.errors import PresentationQueryInvalid

_ID = re.compile(r"\A[A-Za-z0-9_-]{1,64}\Z")
MAX_QUERIES = 20
MAX_CLAIMS = 100
ConcretePath = tuple[str | int, ...]


@dataclass(frozen=True)
class ClaimQuery:
    id: str
    path: ClaimPointer
    values: tuple[JSONValue, ...] | None


@dataclass(frozen=True)
class CredentialQuery:
    id: str
    format: str
    vct_values: tuple[str, ...] | None
    claims: tuple[ClaimQuery, ...] | None
    claim_sets: tuple[tuple[str, ...], ...] | None
    multiple: bool


def _fail(message: str) -> PresentationQueryInvalid:
    return PresentationQueryInvalid(message)


def _pointer(value: Any) -> ClaimPointer:
    if not isinstance(value, list) or not value or len(value) > 32:
        raise _fail("A claims path pointer is a non-empty array.")
    for part in value:
        valid_index = isinstance(part, int) and not isinstance(part, bool) and part >= 0
        if not (part is None or isinstance(part, str) or valid_index):
            raise _fail("A claims path pointer holds strings, null and non-negative integers.")
    return tuple(value)


def _values(value: Any) -> tuple[JSONValue, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise _fail("values is a non-empty array.")
    if any(not isinstance(v, str | int | bool) for v in value):
        raise _fail("values holds strings, integers and booleans.")
    return tuple(value)


def _claims(raw: Any) -> tuple[ClaimQuery, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_CLAIMS:
        raise _fail(f"claims is an array of 1 to {MAX_CLAIMS} claims queries.")
    found: list[ClaimQuery] = []
    for number, item in enumerate(raw):
        if not isinstance(item, dict):
            raise _fail("A claims query is an object.")
        claim_id = item.get("id", f"claim{number}")
        if not isinstance(claim_id, str) or not _ID.match(claim_id):
            raise _fail("A claims query id is 1-64 letters, digits, '_' or '-'.")
        found.append(ClaimQuery(claim_id, _pointer(item.get("path")), _values(item.get("values"))))
    if len({c.id for c in found}) != len(found):
        raise _fail("Claims query ids are unique within a credential query.")
    return tuple(found)


def _claim_sets(
    raw: Any, claims: tuple[ClaimQuery, ...] | None
) -> tuple[tuple[str, ...], ...] | None:
    if raw is None:
        return None
    known = {c.id for c in claims or ()}
    if not claims or not isinstance(raw, list) or not raw:
        raise _fail("claim_sets is a non-empty array and needs claims.")
    options = []
    for option in raw:
        if not isinstance(option, list) or not option or any(i not in known for i in option):
            raise _fail("Each claim_sets option lists ids of the credential query's claims.")
        options.append(tuple(option))
    return tuple(options)


def parse_dcql(query: Mapping[str, Any]) -> tuple[CredentialQuery, ...]:
    """Parse the supported DCQL subset (OpenID4VP 1.0 §6.1-§6.3).

    Raises :class:`PresentationQueryInvalid` (422) for anything malformed.
    """
    raw = query.get("credentials")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_QUERIES:
        raise _fail(f"credentials is an array of 1 to {MAX_QUERIES} credential queries.")
    found: list[CredentialQuery] = []
    for item in raw:
        if not isinstance(item, dict):
            raise _fail("A credential query is an object.")
        query_id = item.get("id")
        if not isinstance(query_id, str) or not _ID.match(query_id):
            raise _fail("A credential query id is 1-64 letters, digits, '_' or '-'.")
        if not isinstance(item.get("format"), str):
            raise _fail("A credential query names its format.")
        meta = item.get("meta", {})
        vct_values = meta.get("vct_values") if isinstance(meta, dict) else None
        if vct_values is not None and (
            not isinstance(vct_values, list)
            or not vct_values
            or any(not isinstance(v, str) for v in vct_values)
        ):
            raise _fail("meta.vct_values is a non-empty array of strings.")
        claims = _claims(item.get("claims"))
        found.append(
            CredentialQuery(
                id=query_id,
                format=item["format"],
                vct_values=tuple(vct_values) if vct_values is not None else None,
                claims=claims,
                claim_sets=_claim_sets(item.get("claim_sets"), claims),
                multiple=item.get("multiple") is True,
            )
        )
    if len({q.id for q in found}) != len(found):
        raise _fail("Credential query ids are unique.")
    return tuple(found)


def select_paths(
    claims: Mapping[str, Any], pointer: ClaimPointer
) -> list[tuple[ConcretePath, Any]]:
    """Process a claims path pointer (OpenID4VP §7.1); an error selects nothing."""
    selected: list[tuple[ConcretePath, Any]] = [((), claims)]
    for part in pointer:
        following: list[tuple[ConcretePath, Any]] = []
        for where, value in selected:
            if isinstance(part, str):
                if not isinstance(value, dict):
                    return []
                if part in value:
                    following.append(((*where, part), value[part]))
            elif not isinstance(value, list):
                return []
            elif part is None:
                following.extend(((*where, i), item) for i, item in enumerate(value))
            elif part < len(value):
                following.append(((*where, part), value[part]))
        selected = following
    return selected


def _same(value: Any, wanted: JSONValue) -> bool:
    return type(value) is type(wanted) and value == wanted


def match_claim(claims: Mapping[str, Any], query: ClaimQuery) -> tuple[ConcretePath, ...] | None:
    """The concrete paths to disclose for ``query``, or ``None`` when the claim does not match."""
    selected = select_paths(claims, query.path)
    if query.values is not None:
        selected = [(p, v) for p, v in selected if any(_same(v, w) for w in query.values)]
    return tuple(path for path, _ in selected) or None


def match_credential(
    claims: Mapping[str, Any], query: CredentialQuery
) -> dict[str, tuple[ConcretePath, ...]] | None:
    """The claims to disclose per claim id if the credential satisfies ``query``, else ``None``.

    OpenID4VP §6.4.1: without ``claims`` nothing selectively disclosable is asked (``{}``);
    with ``claim_sets`` the first satisfiable option counts.
    """
    if query.claims is None:
        return {}
    matched = {c.id: match_claim(claims, c) for c in query.claims}
    options: Sequence[tuple[str, ...]] = query.claim_sets or (tuple(c.id for c in query.claims),)
    for option in options:
        if all(matched[claim_id] is not None for claim_id in option):
            return {claim_id: matched[claim_id] or () for claim_id in option}
    return None
