"""Answering a verifier's presentation request (OpenID4VP 1.0 §6 DCQL, §8.1 ``vp_token``).

The verifiers service owns requests; the API looks one up and hands it here as a
:class:`PresentationRequest`. :func:`match_request` shows the person which of their credentials
can satisfy each credential query, which claims are asked and the verifier's stated purpose (the
"why"), and the values that would be revealed. :func:`answer_request` builds the ``vp_token``
from the person's approval (all, some or none of the asked claims; declining is an empty
answer): one SD-JWT VC presentation per approved credential holding only the approved
Disclosures, each with a KB-JWT whose ``aud`` is the request's audience (the verifier's client
identifier) and whose ``nonce`` is the request's nonce. Both are logged in the activity log.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from credentials.clock import require_aware
from credentials.dcql import (
    ConcretePath,
    CredentialQuery,
    match_credential,
    parse_query,
    select_paths,
)
from credentials.encoding import JSONValue
from wallet.activity import ActivityKind, append_activity
from wallet.claims import ClaimPointer, ClaimRow, label_of, labelled_rows, title_of, type_name
from wallet.claims import type_slug as slug_of
from wallet.errors import ApprovalInvalid, PresentationRequestExpired
from wallet.held import HeldDocument, iter_documents, load_document
from wallet.holder_keys import holder_signing_key
from wallet.presentations import SELECTIVE_FORMAT, present
from wallet.vault import open_vault


@dataclass(frozen=True)
class PresentationRequest:
    """A verifier's request as the verifiers service describes it (via the API)."""

    request_id: str
    audience: str
    nonce: str
    query: Mapping[str, Any]
    purpose: str
    verifier_name: str | None
    expires_at: datetime


@dataclass(frozen=True)
class AskedClaim:
    id: str
    path: ClaimPointer
    label: str | None
    values: tuple[JSONValue, ...] | None


@dataclass(frozen=True)
class CandidateClaim:
    """What approving one asked claim of one credential would reveal."""

    id: str
    revealed: tuple[ClaimRow, ...]


@dataclass(frozen=True)
class Candidate:
    credential_id: str
    type_name: str
    issuer_name: str | None
    title: str | None
    claims: tuple[CandidateClaim, ...]


@dataclass(frozen=True)
class QueryMatch:
    query_id: str
    multiple: bool
    asked: tuple[AskedClaim, ...]
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class RequestMatch:
    request_id: str
    audience: str
    verifier_name: str | None
    purpose: str
    expires_at: datetime
    queries: tuple[QueryMatch, ...]

    @property
    def satisfiable(self) -> bool:
        return all(query.candidates for query in self.queries)


@dataclass(frozen=True)
class Approval:
    """The person's consent for one credential query: which credential, which claim ids."""

    query_id: str
    credential_id: str
    claim_ids: tuple[str, ...]


@dataclass(frozen=True)
class RequestAnswer:
    request_id: str
    declined: bool
    vp_token: dict[str, list[str]]


def _fits(document: HeldDocument, query: CredentialQuery) -> bool:
    return document.format == SELECTIVE_FORMAT and document.vct in query.vct_values


def _revealed(
    document: HeldDocument, paths: Sequence[ConcretePath], lang: str
) -> tuple[ClaimRow, ...]:
    rows: list[ClaimRow] = []
    for path in paths:
        for where, value in select_paths(document.claims, path):
            for row in labelled_rows({"_": value}, None, lang):
                full = (*where, *row.path[1:])
                rows.append(
                    ClaimRow(
                        path=full, label=label_of(document.type_slug, full, lang), value=row.value
                    )
                )
    return tuple(rows)


def _asked(query: CredentialQuery, base_url: str, lang: str) -> tuple[AskedClaim, ...]:
    slug = next((s for v in query.vct_values or () if (s := slug_of(v, base_url=base_url))), None)
    return tuple(
        AskedClaim(id=key, path=c.path, label=label_of(slug, c.path, lang), values=c.values)
        for key, c in zip(query.claim_keys(), query.claims, strict=True)
    )


def match_request(
    session: Session,
    *,
    holder_id: str,
    request: PresentationRequest,
    kek: bytes,
    base_url: str,
    lang: str,
    now: datetime,
) -> RequestMatch:
    """Which held credentials satisfy each credential query, and what each would reveal.

    OpenID4VP 1.0 §6.4. Raises :class:`PresentationRequestExpired` (410) and
    :class:`~credentials.errors.QueryInvalid` (422).
    """
    now = require_aware(now)
    if request.expires_at <= now:
        raise PresentationRequestExpired("The request has expired; ask the verifier for a new one.")
    queries = parse_query(request.query, at="/query").credentials
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    documents = list(iter_documents(session, vault))
    matches = []
    for query in queries:
        candidates = []
        for document in documents:
            matched = match_credential(document.claims, query) if _fits(document, query) else None
            if matched is None:
                continue
            candidates.append(
                Candidate(
                    credential_id=document.id,
                    type_name=type_name(document.type_slug, document.vct, lang),
                    issuer_name=document.issuer_name,
                    title=title_of(document.claims),
                    claims=tuple(
                        CandidateClaim(id=claim_id, revealed=_revealed(document, paths, lang))
                        for claim_id, paths in matched.items()
                    ),
                )
            )
        matches.append(
            QueryMatch(
                query_id=query.id,
                multiple=query.multiple,
                asked=_asked(query, base_url, lang),
                candidates=tuple(candidates),
            )
        )
    return RequestMatch(
        request_id=request.request_id,
        audience=request.audience,
        verifier_name=request.verifier_name,
        purpose=request.purpose,
        expires_at=request.expires_at,
        queries=tuple(matches),
    )


def _check_approvals(approvals: Sequence[Approval], queries: Mapping[str, CredentialQuery]) -> None:
    seen: dict[str, int] = {}
    for approval in approvals:
        query = queries.get(approval.query_id)
        if query is None:
            raise ApprovalInvalid("An approval names a credential query the request does not have.")
        seen[approval.query_id] = seen.get(approval.query_id, 0) + 1
        if seen[approval.query_id] > 1 and not query.multiple:
            raise ApprovalInvalid("This credential query accepts one credential only.")
        if len(set(approval.claim_ids)) != len(approval.claim_ids):
            raise ApprovalInvalid("An approval lists a claim twice.")


@dataclass(frozen=True)
class PreparedAnswer:
    """The ``vp_token`` of the approved claims and what it holds, not yet logged."""

    request_id: str
    declined: bool
    vp_token: dict[str, list[str]]
    items: tuple[dict[str, Any], ...]


def prepare_answer(
    session: Session,
    *,
    holder_id: str,
    request: PresentationRequest,
    approvals: Sequence[Approval],
    kek: bytes,
    now: datetime,
) -> PreparedAnswer:
    """Build the ``vp_token`` holding only what the person approved; writes nothing.

    OpenID4VP 1.0 §8.1. Raises as :func:`answer_request`.
    """
    now = require_aware(now)
    if request.expires_at <= now:
        raise PresentationRequestExpired("The request has expired; ask the verifier for a new one.")
    queries = {query.id: query for query in parse_query(request.query, at="/query").credentials}
    _check_approvals(approvals, queries)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    vp_token: dict[str, list[str]] = {}
    items: list[dict[str, Any]] = []
    for approval in approvals:
        query = queries[approval.query_id]
        document = load_document(session, vault, approval.credential_id)
        matched = match_credential(document.claims, query) if _fits(document, query) else None
        if matched is None:
            raise ApprovalInvalid("The chosen credential does not satisfy the credential query.")
        if any(claim_id not in matched for claim_id in approval.claim_ids):
            raise ApprovalInvalid("An approval names a claim the query does not ask for.")
        paths = [path for claim_id in approval.claim_ids for path in matched[claim_id]]
        key = holder_signing_key(
            session, holder_id=holder_id, thumbprint=document.holder_thumbprint, kek=kek
        )
        presented = present(
            document,
            pointers=paths,
            holder_key=key,
            audience=request.audience,
            nonce=request.nonce,
            now=now,
        )
        vp_token.setdefault(query.id, []).append(presented.presentation)
        items.append(
            {
                "query_id": query.id,
                "credential_id": document.id,
                "claims": [list(path) for path in paths],
            }
        )
    return PreparedAnswer(
        request_id=request.request_id,
        declined=not approvals,
        vp_token=vp_token,
        items=tuple(items),
    )


def record_answer(
    session: Session,
    *,
    holder_id: str,
    request: PresentationRequest,
    prepared: PreparedAnswer,
    kek: bytes,
    now: datetime,
) -> None:
    """Log the answer (or the decline) in the activity log, in the caller's transaction."""
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    append_activity(
        session,
        vault=vault,
        kind=ActivityKind.REQUEST_DECLINED if prepared.declined else ActivityKind.REQUEST_ANSWERED,
        details={
            "request_id": request.request_id,
            "audience": request.audience,
            "verifier_name": request.verifier_name,
            "purpose": request.purpose,
            "items": list(prepared.items),
        },
        kek=kek,
        now=now,
    )


def answer_request(
    session: Session,
    *,
    holder_id: str,
    request: PresentationRequest,
    approvals: Sequence[Approval],
    kek: bytes,
    now: datetime,
) -> RequestAnswer:
    """Build the ``vp_token`` holding only what the person approved (OpenID4VP 1.0 §8.1).

    The answer (or the decline) is logged in the caller's transaction (no commit): the flow
    that sends the answer (``api.flows.request_answer``) commits once the verifier took it, so
    a refused delivery logs nothing. No approvals declines the request. Raises
    :class:`PresentationRequestExpired` (410), :class:`ApprovalInvalid` (422: unknown query or
    claim id, a credential that does not satisfy the query, several credentials for a single
    one), :class:`~wallet.errors.CredentialNotFound` (404) and
    :class:`~credentials.errors.QueryInvalid` (422).
    """
    prepared = prepare_answer(
        session, holder_id=holder_id, request=request, approvals=approvals, kek=kek, now=now
    )
    record_answer(
        session, holder_id=holder_id, request=request, prepared=prepared, kek=kek, now=now
    )
    return RequestAnswer(
        request_id=prepared.request_id, declined=prepared.declined, vp_token=prepared.vp_token
    )
