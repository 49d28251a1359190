"""Batch issuance: up to 1,000 credentials (a graduating class) in one request.

Each item is checked on its own: valid items are issued even when others fail, and the result
lists every item in order with its credential or its problem (``code``, ``title``, ``status``,
``detail`` and, for claims, ``errors`` with JSON pointers into the item). The batch is
idempotent as a whole (one ``Idempotency-Key``), and all its credentials are recorded in one
transaction (see :mod:`issuers.issuance`): an interrupted batch issues nothing, so no item is
ever half-issued, and the retry with the same key issues them all.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlmodel import Session

from credentials.clock import require_aware
from credentials.encoding import JSONValue
from issuers.errors import BatchItemInvalid, BatchTooLarge, IssuerError, Violation
from issuers.idempotency import Replay, begin, check_key, complete, fingerprint, release
from issuers.issuance import IssuedCredential, record_credentials, sign_credentials
from issuers.issuance_input import CredentialRequest, PreparedCredential, prepare_credential
from issuers.organisations import IssuerAccount

MAX_BATCH: Final = 1000


@dataclass(frozen=True)
class InvalidItem:
    """An item the API could not parse into a request: its raw JSON and what is wrong with it."""

    raw: JSONValue
    violations: tuple[Violation, ...]


@dataclass(frozen=True)
class BatchItemResult:
    """One item's outcome: the credential, or the problem that kept it from being issued."""

    index: int
    credential: IssuedCredential | None
    problem: dict[str, Any] | None


@dataclass(frozen=True)
class BatchResult:
    """Every item's outcome, in the order of the request."""

    items: tuple[BatchItemResult, ...]

    @property
    def issued(self) -> int:
        return sum(1 for item in self.items if item.credential is not None)

    @property
    def failed(self) -> int:
        return len(self.items) - self.issued

    def to_json(self) -> dict[str, Any]:
        """The JSON form stored for idempotent replays."""
        return {
            "items": [
                {
                    "index": item.index,
                    "credential": None if item.credential is None else item.credential.to_json(),
                    "problem": item.problem,
                }
                for item in self.items
            ]
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "BatchResult":
        """Rebuild from :meth:`to_json`."""
        return cls(
            tuple(
                BatchItemResult(
                    index=item["index"],
                    credential=None
                    if item["credential"] is None
                    else IssuedCredential.from_json(item["credential"]),
                    problem=item["problem"],
                )
                for item in data["items"]
            )
        )


def issue_batch(
    session: Session,
    *,
    issuer: IssuerAccount,
    requests: Sequence[CredentialRequest | InvalidItem],
    idempotency_key: str | None,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> BatchResult:
    """Issue every valid item of ``requests``; idempotent as a whole per ``idempotency_key``.

    Per-item problems are those of :func:`issuers.issuance_input.prepare_credential`, and
    :class:`BatchItemInvalid` for an :class:`InvalidItem` the API could not parse. Raises
    :class:`BatchTooLarge` (0 or more than 1,000 items) and the Idempotency-Key errors.
    """
    now = require_aware(now)
    if not 0 < len(requests) <= MAX_BATCH:
        raise BatchTooLarge(f"send 1 to {MAX_BATCH} items")
    key = check_key(idempotency_key)
    claim = begin(
        session,
        issuer_id=issuer.id,
        key=key,
        request_fingerprint=fingerprint({"batch": [_item_json(r) for r in requests]}),
        kek=kek,
        now=now,
    )
    if isinstance(claim, Replay):
        return BatchResult.from_json(claim.response)
    try:
        prepared: list[tuple[int, PreparedCredential]] = []
        problems: dict[int, dict[str, Any]] = {}
        for index, request in enumerate(requests):
            try:
                if isinstance(request, InvalidItem):
                    raise BatchItemInvalid(request.violations)
                prepared.append(
                    (index, prepare_credential(issuer, request, base_url=base_url, now=now))
                )
            except IssuerError as error:
                problems[index] = _problem(error)
        signed = sign_credentials(
            session,
            issuer=issuer,
            prepared=[item for _, item in prepared],
            kek=kek,
            base_url=base_url,
            now=now,
        )
        record_credentials(session, signed)
        issued = {index: s.issued for (index, _), s in zip(prepared, signed, strict=True)}
        result = BatchResult(
            tuple(
                BatchItemResult(index, issued.get(index), problems.get(index))
                for index in range(len(requests))
            )
        )
        complete(
            session, started=claim, issuer_id=issuer.id, response=result.to_json(), kek=kek, now=now
        )
        session.commit()
    except BaseException:
        release(session, started=claim)
        raise
    return result


def _item_json(item: CredentialRequest | InvalidItem) -> JSONValue:
    return {"invalid": item.raw} if isinstance(item, InvalidItem) else item.as_json()


def _problem(error: IssuerError) -> dict[str, Any]:
    problem: dict[str, Any] = {
        "type": f"urn:taito:problem:{error.code}",
        "code": error.code,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
    }
    extra = getattr(error, "problem_extra", None)
    if isinstance(extra, dict):
        problem.update(extra)
    return problem
