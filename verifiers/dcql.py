"""The subset of DCQL (OpenID4VP 1.0 §6) that Taito's verifiers ask with, and checking answers.

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

Checking presentations against a query is :mod:`verifiers.dcql_answers`.
"""

import re
from dataclasses import dataclass
from typing import Any

from verifiers.errors import QueryInvalid

FORMAT = "dc+sd-jwt"
MAX_CREDENTIAL_QUERIES = 10
MAX_CLAIMS = 50
MAX_VALUES = 100
MAX_VCT_VALUES = 20
MAX_PATH_LENGTH = 16
_ID = re.compile(r"\A[A-Za-z0-9_-]{1,64}\Z")

PathPart = str | int | None


@dataclass(frozen=True)
class ClaimQuery:
    id: str | None
    path: tuple[PathPart, ...]
    values: tuple[str | int | bool, ...] | None


@dataclass(frozen=True)
class CredentialQuery:
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


@dataclass(frozen=True)
class Query:
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
