"""Spreadsheet batches: check every row first, keep the good ones, then issue them as offers.

A staff member uploads one row per person (:mod:`schemas.columns` turns rows into claims).
:func:`stage_batch` checks every row exactly as an offer is checked
(:func:`issuers.issuance_input.check_content`, after :func:`schemas.validate_claims` for the
wording of each violation) and keeps the result, sealed under the KEK, for :data:`BATCH_LIFETIME`:
nothing is issued yet, and the staff member sees every problem by row and column first.

:func:`start_issuing` moves a staged batch to issuing once (a second click does nothing), and
:func:`issue_batch_rows` makes one pickup offer per good row (:func:`issuers.offers.create_offer`,
the same offer ``POST /v1/issuers/{slug}/credentials`` without a holder makes), in chunks of
:data:`CHUNK`: after each chunk the results so far and the count done are committed, so a
progress page can show them. Each row's offer has the Idempotency-Key ``batch|<id>|<row>``: a
batch interrupted by a stopped process is resumed with the same call, and a row already offered
is replayed (same offer, same code), never offered twice. Bad rows are never issued.

Only the account that uploaded a batch (``owner``) finds it; an unknown, expired or another
account's batch is the same :class:`BatchNotFound`. Expired batches are purged
(:func:`purge_expired_batches`, listed in :mod:`api.purge`).
"""

import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from credentials.clock import as_utc, require_aware
from issuers.errors import (
    BatchNotFound,
    BatchTooLarge,
    ClaimsInvalid,
    IssuerError,
    TypeNotAccredited,
)
from issuers.issuance_input import CredentialRequest, check_content
from issuers.offers import create_offer
from issuers.organisations import IssuerAccount
from issuers.tables import IssuerBatch
from schemas import validate_claims
from schemas.columns import column_of, columns, row_claims
from sealing.aead import open_sealed, seal

BATCH_LIFETIME: Final = timedelta(hours=24)
"""How long a batch (its rows and its results with the pickup codes) is kept; the offers
themselves live as long as any offer. Within the Idempotency-Key retention, so a resumed batch
replays the offers already made."""
MAX_ROWS: Final = 1000
"""As many rows as the API's batch issuance takes items (a graduating class or several)."""
CHUNK: Final = 25
LEASE: Final = timedelta(minutes=2)
"""How long a chunk may take before another process may take the batch over."""

BatchState = Literal["staged", "issuing", "done"]


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong in one row: the column (``None``: the row as a whole), the item in a
    list cell (1 = first), a stable ``code`` and the rule in plain English (never the value)."""

    row: int
    column: str | None
    item: int | None
    code: str
    message: str


@dataclass(frozen=True)
class RowResult:
    """One row after issuing: its offer and pickup code, or the code of what stopped it."""

    row: int
    offer_id: str | None
    pickup_code: str | None
    expires_at: datetime | None
    error: str | None


@dataclass(frozen=True)
class Batch:
    """A batch as its owner sees it."""

    id: str
    type: str
    state: BatchState
    rows_total: int
    rows_good: int
    rows_done: int
    problems: tuple[RowProblem, ...]
    names: Mapping[int, tuple[str, str]]
    """Each row's given and family name (to recognise the person in the results)."""
    created_at: datetime
    expires_at: datetime
    stalled: bool
    """Issuing, but no process holds it (a stopped server): it can be continued."""


def _context(batch_id: str, part: str) -> bytes:
    return f"issuer-batch|{batch_id}|{part}".encode()


def _seal(kek: bytes, batch_id: str, part: str, data: object) -> bytes:
    plaintext = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return seal(kek, plaintext, context=_context(batch_id, part), nonce=secrets.token_bytes(12))


def _open(kek: bytes, batch_id: str, part: str, sealed: bytes) -> Any:
    return json.loads(open_sealed(kek, sealed, context=_context(batch_id, part)))


def _check_row(
    issuer: IssuerAccount, slug: str, number: int, claims: dict[str, Any], now: datetime
) -> list[RowProblem]:
    table = columns(slug)
    found = validate_claims(slug, claims)
    if found:
        problems = []
        for violation in found:
            column, item = column_of(violation.pointer, table)
            problems.append(RowProblem(number, column, item, violation.code, violation.message))
        return problems
    try:
        check_content(issuer, CredentialRequest(type=slug, claims=claims, holder=None), now=now)
    except ClaimsInvalid as error:  # the same rules: reached only if the two ever disagree
        return [RowProblem(number, None, None, error.code, v.message) for v in error.violations]
    except IssuerError as error:
        return [RowProblem(number, None, None, error.code, error.title)]
    return []


def stage_batch(
    session: Session,
    *,
    issuer: IssuerAccount,
    owner: str,
    type_slug: str,
    rows: Sequence[tuple[int, Mapping[str, str]]],
    kek: bytes,
    now: datetime,
) -> Batch:
    """Check every row (``(row number, cells by column name)``) and keep the batch; commits.

    Nothing is issued. Raises :class:`TypeNotAccredited` (403) for a type the issuer may not
    issue and :class:`BatchTooLarge` (422) for no rows or more than :data:`MAX_ROWS`.
    """
    now = require_aware(now)
    if type_slug not in issuer.types:
        raise TypeNotAccredited("the issuer is not accredited for this credential type")
    if not 0 < len(rows) <= MAX_ROWS:
        raise BatchTooLarge(f"a batch holds 1 to {MAX_ROWS} rows")
    table = columns(type_slug)
    good: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    names: dict[int, tuple[str, str]] = {}
    for number, cells in rows:
        claims = row_claims(cells, table)
        names[number] = (cells.get("given_name", "").strip(), cells.get("family_name", "").strip())
        found = _check_row(issuer, type_slug, number, claims, now)
        if found:
            problems.extend(found)
        else:
            good.append({"row": number, "claims": claims})
    batch_id = f"bat_{secrets.token_hex(16)}"
    content = {
        "good": good,
        "problems": [vars(problem) for problem in problems],
        "names": [[number, *name] for number, name in names.items()],
    }
    session.add(
        IssuerBatch(
            id=batch_id,
            issuer_id=issuer.id,
            owner=owner,
            type_slug=type_slug,
            state="staged",
            rows_total=len(rows),
            rows_good=len(good),
            sealed_rows=_seal(kek, batch_id, "rows", content),
            created_at=now,
            updated_at=now,
            expires_at=now + BATCH_LIFETIME,
        )
    )
    session.commit()
    return _batch(session.get_one(IssuerBatch, batch_id), content, now)


def _row(session: Session, *, issuer_id: str, owner: str, batch_id: str, now: datetime) -> Any:
    row = session.exec(
        select(IssuerBatch).where(
            col(IssuerBatch.id) == batch_id,
            col(IssuerBatch.issuer_id) == issuer_id,
            col(IssuerBatch.owner) == owner,
        )
    ).first()
    if row is None or as_utc(row.expires_at) <= require_aware(now):
        raise BatchNotFound("there is no such batch, or it has expired")
    return row


def _batch(row: IssuerBatch, content: Mapping[str, Any], now: datetime) -> Batch:
    state: BatchState = (
        "done" if row.state == "done" else ("issuing" if row.state == "issuing" else "staged")
    )
    return Batch(
        id=row.id,
        type=row.type_slug,
        state=state,
        rows_total=row.rows_total,
        rows_good=row.rows_good,
        rows_done=row.rows_done,
        problems=tuple(RowProblem(**problem) for problem in content["problems"]),
        names={number: (given, family) for number, given, family in content["names"]},
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        stalled=state == "issuing" and (row.lease_until is None or as_utc(row.lease_until) <= now),
    )


def find_batch(
    session: Session, *, issuer_id: str, owner: str, batch_id: str, kek: bytes, now: datetime
) -> Batch:
    """The batch ``batch_id`` of ``owner`` at ``issuer_id``; raises :class:`BatchNotFound`."""
    row = _row(session, issuer_id=issuer_id, owner=owner, batch_id=batch_id, now=now)
    return _batch(row, _open(kek, row.id, "rows", row.sealed_rows), now)


def start_issuing(
    session: Session, *, issuer_id: str, owner: str, batch_id: str, now: datetime
) -> bool:
    """Move a staged batch to issuing; commits. False when it was started already (a second
    click, another tab): the caller then only shows the progress. Raises :class:`BatchNotFound`.
    """
    _row(session, issuer_id=issuer_id, owner=owner, batch_id=batch_id, now=now)
    started = session.exec(
        update(IssuerBatch)
        .where(col(IssuerBatch.id) == batch_id, col(IssuerBatch.state) == "staged")
        .values(state="issuing", updated_at=require_aware(now))
    )
    session.commit()
    return int(started.rowcount) == 1


def issue_batch_rows(
    session: Session,
    *,
    issuer: IssuerAccount,
    owner: str,
    batch_id: str,
    kek: bytes,
    base_url: str,
    clock: Callable[[], datetime],
) -> bool:
    """Offer every good row not yet offered of an issuing batch, committing after each chunk.

    First takes the batch's lease (:data:`LEASE`), renewed with each chunk, so that one process
    at a time issues it; returns False when another holds it or the batch is not issuing. A
    row whose offer is refused gets the refusal's code as its result; the others go on. Safe to
    call again for the same batch (see the module docstring). Raises :class:`BatchNotFound`.
    """
    now = require_aware(clock())
    row = _row(session, issuer_id=issuer.id, owner=owner, batch_id=batch_id, now=now)
    if not _take_lease(session, batch_id, now):
        return False
    slug = row.type_slug
    good = _open(kek, row.id, "rows", row.sealed_rows)["good"]
    results: list[dict[str, Any]] = (
        [] if row.sealed_results is None else _open(kek, row.id, "results", row.sealed_results)
    )
    while True:
        now = require_aware(clock())
        for item in good[len(results) : len(results) + CHUNK]:
            results.append(_offer(session, issuer, slug, batch_id, item, kek, base_url, now))
        finished = len(results) >= len(good)
        session.exec(
            update(IssuerBatch)
            .where(col(IssuerBatch.id) == batch_id)
            .values(
                rows_done=len(results),
                sealed_results=_seal(kek, batch_id, "results", results),
                updated_at=now,
                state="done" if finished else "issuing",
                lease_until=None if finished else now + LEASE,
            )
        )
        session.commit()
        if finished:
            return True


def _take_lease(session: Session, batch_id: str, now: datetime) -> bool:
    taken = session.exec(
        update(IssuerBatch)
        .where(
            col(IssuerBatch.id) == batch_id,
            col(IssuerBatch.state) == "issuing",
            or_(col(IssuerBatch.lease_until).is_(None), col(IssuerBatch.lease_until) <= now),
        )
        .values(lease_until=now + LEASE)
        # SQLite hands back naive times: compare in the database, not in loaded objects.
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(taken.rowcount) == 1


def _offer(
    session: Session,
    issuer: IssuerAccount,
    slug: str,
    batch_id: str,
    item: Mapping[str, Any],
    kek: bytes,
    base_url: str,
    now: datetime,
) -> dict[str, Any]:
    number = int(item["row"])
    try:
        offer = create_offer(
            session,
            issuer=issuer,
            request=CredentialRequest(type=slug, claims=item["claims"], holder=None),
            idempotency_key=f"batch|{batch_id}|{number}",
            kek=kek,
            base_url=base_url,
            now=now,
        )
    except IssuerError as error:
        return {"row": number, "error": error.code}
    return {
        "row": number,
        "offer_id": offer.id,
        "pickup_code": offer.pickup_code,
        "expires_at": offer.expires_at.isoformat(),
    }


def batch_results(
    session: Session, *, issuer_id: str, owner: str, batch_id: str, kek: bytes, now: datetime
) -> list[RowResult]:
    """Every row's result so far, by row number (bad rows have the error ``row_invalid``)."""
    row = _row(session, issuer_id=issuer_id, owner=owner, batch_id=batch_id, now=now)
    content = _open(kek, row.id, "rows", row.sealed_rows)
    made = [] if row.sealed_results is None else _open(kek, row.id, "results", row.sealed_results)
    found = {
        int(result["row"]): RowResult(
            row=int(result["row"]),
            offer_id=result.get("offer_id"),
            pickup_code=result.get("pickup_code"),
            expires_at=None
            if result.get("expires_at") is None
            else datetime.fromisoformat(result["expires_at"]),
            error=result.get("error"),
        )
        for result in made
    }
    for problem in content["problems"]:
        found.setdefault(
            int(problem["row"]), RowResult(problem["row"], None, None, None, "row_invalid")
        )
    return [found[number] for number in sorted(found)]


def purge_expired_batches(session: Session, *, now: datetime) -> int:
    """Delete batches that expired before ``now`` (their sealed rows and results with them);
    commits; returns how many. The offers they made stay, with their own expiry."""
    result = session.exec(
        delete(IssuerBatch).where(col(IssuerBatch.expires_at) <= require_aware(now))
    )
    session.commit()
    return int(result.rowcount)
