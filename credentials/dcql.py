"""DCQL, the Digital Credentials Query Language (OpenID4VP 1.0 §6): the subset Taito speaks.

One module for both sides: verifiers parse the queries they ask with (:func:`parse_query`), the
wallet parses the same queries and finds which held claims answer them (:func:`match_credential`,
claims path pointers processed as in §7.1 by :func:`select_paths`).

Accepted (everything else that changes meaning is refused, unknown members are ignored, §6):

- ``credentials``: 1-10 Credential Queries (§6.1), each with ``id`` (``[A-Za-z0-9_-]+``,
  unique), ``format`` ``dc+sd-jwt``, ``meta.vct_values`` (§B.3.5, 1-20 values), optional
  ``multiple`` (default false), optional ``require_cryptographic_holder_binding`` that may only be
  true (Taito always requires Key Binding), optional ``claims`` and ``claim_sets``;
- Claims Queries (§6.3): ``path`` a claims path pointer (§7: strings, ``null`` and non-negative
  integers), optional ``id`` (required with ``claim_sets``), optional ``values`` (strings,
  integers, booleans); no two with the same path (§6.1: "MUST NOT point to the same claim more
  than once");
- ``claim_sets`` (§6.4.1): arrays of claim ids, the first being the preferred option;
- ``credential_sets`` is refused: without it every Credential Query is required (§6.4.2).

Value matching (§6.3, §6.4.1): a claim matches when processing its path selects at least one
value and, with ``values``, when some selected value equals one of them in type and value (``True``
is not ``1``); only the matching elements are then disclosed. Checking a verifier's received
answers against a query is the verifiers' :mod:`verifiers.dcql_answers`.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from credentials.errors import QueryInvalid

FORMAT = "dc+sd-jwt"
MAX_CREDENTIAL_QUERIES = 10
MAX_CLAIMS = 50
MAX_VALUES = 100
MAX_VCT_VALUES = 20
MAX_PATH_LENGTH = 16
_ID = re.compile(r"\A[A-Za-z0-9_-]{1,64}\Z")

PathPart = str | int | None
ConcretePath = tuple[str | int, ...]
"""Where a selected value sits: keys and array indices, no wildcard."""


@dataclass(frozen=True)
class ClaimQuery:
    """A Claims Query (§6.3): a claims path pointer, optionally an id and allowed values."""

    id: str | None
    path: tuple[PathPart, ...]
    values: tuple[str | int | bool, ...] | None


@dataclass(frozen=True)
class CredentialQuery:
    """A Credential Query (§6.1) of format ``dc+sd-jwt``."""

    id: str
    vct_values: tuple[str, ...]
    multiple: bool
    claims: tuple[ClaimQuery, ...]
    claim_sets: tuple[tuple[str, ...], ...] | None

    def options(self) -> tuple[tuple[ClaimQuery, ...], ...]:
        """The claim combinations that satisfy this query, preferred first (§6.4.1)."""
        if self.claim_sets is None:
            return (self.claims,)
        by_id = {claim.id: claim for claim in self.claims}
        return tuple(tuple(by_id[i] for i in option) for option in self.claim_sets)

    def claim_keys(self) -> tuple[str, ...]:
        """A name for each claims query: its ``id``, or ``claim<n>`` by position when it has none.

        The wallet's consent screen and the person's approvals name claims by these keys.
        """
        return tuple(claim.id or f"claim{n}" for n, claim in enumerate(self.claims))


@dataclass(frozen=True)
class Query:
    """A DCQL query: the Credential Queries, every one required (no ``credential_sets``)."""

    credentials: tuple[CredentialQuery, ...]

    def to_json(self) -> dict[str, Any]:
        """The canonical DCQL JSON of this query (what is stored and shown to the wallet)."""
        return {"credentials": [_credential_json(c) for c in self.credentials]}


def _credential_json(query: CredentialQuery) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": query.id,
        "format": FORMAT,
        "meta": {"vct_values": list(query.vct_values)},
    }
    if query.multiple:
        document["multiple"] = True
    if query.claims:
        document["claims"] = [_claim_json(claim) for claim in query.claims]
    if query.claim_sets is not None:
        document["claim_sets"] = [list(option) for option in query.claim_sets]
    return document


def _claim_json(claim: ClaimQuery) -> dict[str, Any]:
    document: dict[str, Any] = {}
    if claim.id is not None:
        document["id"] = claim.id
    document["path"] = list(claim.path)
    if claim.values is not None:
        document["values"] = list(claim.values)
    return document


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, pointer: str, message: str) -> None:
        self.items.append({"pointer": pointer, "message": message})


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_path(value: object) -> tuple[PathPart, ...] | None:
    """A claims path pointer (§7) or ``None`` when it is not one."""
    if not isinstance(value, list) or not 0 < len(value) <= MAX_PATH_LENGTH:
        return None
    for part in value:
        if not (part is None or (isinstance(part, str) and part) or (_is_int(part) and part >= 0)):
            return None
    return tuple(value)


def _values(value: object, at: str, errors: _Errors) -> tuple[str | int | bool, ...] | None:
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or not 0 < len(value) <= MAX_VALUES
        or not all(isinstance(v, str | bool) or _is_int(v) for v in value)
    ):
        errors.add(at, f"must be 1-{MAX_VALUES} strings, integers or booleans")
        return None
    return tuple(value)


def _claims(value: object, at: str, errors: _Errors) -> tuple[ClaimQuery, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not 0 < len(value) <= MAX_CLAIMS:
        errors.add(at, f"must be a non-empty array of at most {MAX_CLAIMS} claims queries")
        return ()
    claims: list[ClaimQuery] = []
    for index, item in enumerate(value):
        here = f"{at}/{index}"
        if not isinstance(item, dict):
            errors.add(here, "must be an object")
            continue
        claim_id = item.get("id")
        if claim_id is not None and not (isinstance(claim_id, str) and _ID.match(claim_id)):
            errors.add(f"{here}/id", "must be 1-64 letters, digits, '_' or '-'")
            claim_id = None
        path = parse_path(item.get("path"))
        if path is None:
            errors.add(f"{here}/path", "must be a claims path pointer of strings, null, indices")
            continue
        claims.append(
            ClaimQuery(claim_id, path, _values(item.get("values"), f"{here}/values", errors))
        )
    ids = [c.id for c in claims if c.id is not None]
    if len(set(ids)) != len(ids):
        errors.add(at, "claim ids must be unique")
    if len({c.path for c in claims}) != len(claims):
        errors.add(at, "two claims queries point to the same claim")
    return tuple(claims)


def _claim_sets(
    value: object, claims: tuple[ClaimQuery, ...], at: str, errors: _Errors
) -> tuple[tuple[str, ...], ...] | None:
    if value is None:
        return None
    ids = {claim.id for claim in claims}
    if not claims or any(claim.id is None for claim in claims):
        errors.add(at, "claim_sets needs claims that all have an id")
        return None
    if (
        not isinstance(value, list)
        or not 0 < len(value) <= MAX_CLAIMS
        or not all(
            isinstance(o, list) and o and all(isinstance(i, str) and i in ids for i in o)
            for o in value
        )
    ):
        errors.add(at, "must be a non-empty array of non-empty arrays of claim ids")
        return None
    return tuple(tuple(option) for option in value)


def _credential(item: object, at: str, errors: _Errors) -> CredentialQuery | None:
    if not isinstance(item, dict):
        errors.add(at, "must be an object")
        return None
    query_id = item.get("id")
    if not (isinstance(query_id, str) and _ID.match(query_id)):
        errors.add(f"{at}/id", "must be 1-64 letters, digits, '_' or '-'")
    if item.get("format") != FORMAT:
        errors.add(f"{at}/format", f"must be {FORMAT}")
    meta = item.get("meta")
    vcts = meta.get("vct_values") if isinstance(meta, dict) else None
    if not (isinstance(vcts, list) and 0 < len(vcts) <= MAX_VCT_VALUES) or not all(
        isinstance(v, str) and 0 < len(v) <= 500 for v in vcts
    ):
        errors.add(f"{at}/meta/vct_values", f"must be 1-{MAX_VCT_VALUES} vct values")
        vcts = []
    multiple = item.get("multiple", False)
    if not isinstance(multiple, bool):
        errors.add(f"{at}/multiple", "must be a boolean")
    if item.get("require_cryptographic_holder_binding", True) is not True:
        errors.add(f"{at}/require_cryptographic_holder_binding", "Taito always requires it")
    if "trusted_authorities" in item:
        errors.add(f"{at}/trusted_authorities", "is not supported; use the trust registry")
    claims = _claims(item.get("claims"), f"{at}/claims", errors)
    claim_sets = _claim_sets(item.get("claim_sets"), claims, f"{at}/claim_sets", errors)
    return CredentialQuery(
        id=str(query_id),
        vct_values=tuple(dict.fromkeys(vcts)),
        multiple=multiple is True,
        claims=claims,
        claim_sets=claim_sets,
    )


def parse_query(document: object, *, at: str = "/dcql_query") -> Query:
    """Parse and validate a DCQL query of the subset above (OpenID4VP 1.0 §6).

    Raises :class:`QueryInvalid` listing every problem as ``{pointer, message}``.
    """
    errors = _Errors()
    credentials = document.get("credentials") if isinstance(document, dict) else None
    if isinstance(document, dict) and "credential_sets" in document:
        errors.add(f"{at}/credential_sets", "is not supported: every credential is required")
    if not isinstance(credentials, list) or not 0 < len(credentials) <= MAX_CREDENTIAL_QUERIES:
        errors.add(f"{at}/credentials", f"must be 1-{MAX_CREDENTIAL_QUERIES} credential queries")
        credentials = []
    parsed = [
        _credential(item, f"{at}/credentials/{i}", errors) for i, item in enumerate(credentials)
    ]
    queries = tuple(query for query in parsed if query is not None)
    if len({query.id for query in queries}) != len(queries):
        errors.add(f"{at}/credentials", "credential query ids must be unique")
    if errors.items:
        raise QueryInvalid("the presentation query is not valid", errors=errors.items[:100])
    return Query(queries)


def select_paths(
    claims: Mapping[str, Any], pointer: tuple[PathPart, ...]
) -> list[tuple[ConcretePath, Any]]:
    """The values a claims path pointer selects, with where they sit (OpenID4VP 1.0 §7.1).

    A string selects a key, ``None`` every element of an array, an integer one index. A component
    that meets the wrong JSON type is a processing error (§7.1): it selects nothing.
    """
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


def _same(value: object, wanted: str | int | bool) -> bool:
    # §6.3: "the type and value of the claim both match exactly"; True is not 1.
    return type(value) is type(wanted) and value == wanted


def match_claim(claims: Mapping[str, Any], query: ClaimQuery) -> tuple[ConcretePath, ...] | None:
    """Where ``claims`` answer ``query`` (§6.3, §7.1), or ``None`` when they do not.

    Without ``values`` everything the path selects answers; with them only the selected values
    equal in type and value to one of them.
    """
    selected = select_paths(claims, query.path)
    if query.values is not None:
        allowed = query.values
        selected = [(p, v) for p, v in selected if any(_same(v, w) for w in allowed)]
    return tuple(path for path, _ in selected) or None


def match_credential(
    claims: Mapping[str, Any], query: CredentialQuery
) -> dict[str, tuple[ConcretePath, ...]] | None:
    """The paths to disclose per claim key (:meth:`CredentialQuery.claim_keys`), or ``None``.

    OpenID4VP 1.0 §6.4.1: without ``claims`` nothing selectively disclosable is asked (``{}``);
    with ``claim_sets`` the first option the claims satisfy counts. The caller checks the
    credential's format and ``vct`` against the query.
    """
    if not query.claims:
        return {}
    keys = query.claim_keys()
    matched = {
        key: match_claim(claims, claim) for key, claim in zip(keys, query.claims, strict=True)
    }
    options = query.claim_sets or (keys,)
    for option in options:
        found = {key: matched[key] for key in option}
        if all(paths is not None for paths in found.values()):
            return {key: paths or () for key, paths in found.items()}
    return None
