"""Whether presentations satisfy a DCQL query (OpenID4VP 1.0 §6.4, §7.1, §14.1).

The verifier's own check ("MUST NOT rely on the Wallet to enforce these constraints", §14.1):
every Credential Query is answered, by the right number of presentations of an accepted ``vct``,
and one option of claims (§6.4.1) is disclosed with values among those allowed (type and value
equal, §6.3). Claims are selected by claims path pointers (§7.1).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credentials.dcql import ClaimQuery, CredentialQuery, PathPart, Query, match_claim, select_paths


@dataclass(frozen=True)
class PresentedCredential:
    """What the answer check needs of one verified presentation: its type and disclosed claims."""

    vct: str
    claims: Mapping[str, Any]


@dataclass(frozen=True)
class Shortfall:
    """Why an answer does not satisfy its query: a stable code, the query, the claim path."""

    code: str
    query_id: str
    path: tuple[PathPart, ...] | None = None


def claim_present(claims: Mapping[str, Any], claim: ClaimQuery) -> bool:
    """Whether the disclosed ``claims`` hold anything at ``claim.path`` (§7.1 processing)."""
    return bool(select_paths(claims, claim.path))


def claim_matches(claims: Mapping[str, Any], claim: ClaimQuery) -> bool:
    """Whether the disclosed ``claims`` hold ``claim`` (§7.1 processing) with an allowed value."""
    return match_claim(claims, claim) is not None


def _credential_shortfalls(query: CredentialQuery, answer: PresentedCredential) -> list[Shortfall]:
    if answer.vct not in query.vct_values:
        return [Shortfall("request_type_mismatch", query.id)]
    options = query.options()
    if any(all(claim_matches(answer.claims, claim) for claim in option) for option in options):
        return []
    # Report against the least demanding option: what is missing from it.
    smallest = min(options, key=len)
    return [
        Shortfall(
            "request_value_not_allowed"
            if claim_present(answer.claims, claim)
            else "request_claim_missing",
            query.id,
            claim.path,
        )
        for claim in smallest
        if not claim_matches(answer.claims, claim)
    ]


def check_answer(
    query: Query, answers: Mapping[str, Sequence[PresentedCredential]]
) -> tuple[Shortfall, ...]:
    """Every way ``answers`` (query id → presented credentials) falls short of ``query``.

    OpenID4VP 1.0 §6.4 and §14.1. An empty result means the query is satisfied.
    """
    shortfalls: list[Shortfall] = []
    known = {credential.id for credential in query.credentials}
    shortfalls.extend(
        Shortfall("request_unexpected_answer", key) for key in answers if key not in known
    )
    for credential in query.credentials:
        answered = answers.get(credential.id, ())
        if not answered:
            shortfalls.append(Shortfall("request_credential_missing", credential.id))
            continue
        if len(answered) > 1 and not credential.multiple:
            shortfalls.append(Shortfall("request_too_many", credential.id))
        for answer in answered:
            shortfalls.extend(_credential_shortfalls(credential, answer))
    return tuple(shortfalls)


def query_for_vct(query: Query, vct: str) -> str | None:
    """The id of the first Credential Query that accepts ``vct`` (to place a bare presentation)."""
    for credential in query.credentials:
        if vct in credential.vct_values:
            return credential.id
    return None
