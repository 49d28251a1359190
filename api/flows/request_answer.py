"""Answer a request: only the approved claims, presented to the verifier, the answer logged."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from api.flows.ports import RequestSource
from api.flows.transaction import transaction
from wallet.request_answers import Approval, answer_request


@dataclass(frozen=True)
class DeliveredAnswer:
    """What the person sees after answering: declined or not, and the verifier's report."""

    request_id: str
    declined: bool
    outcome: dict[str, Any] | None


def answer_presentation_request(
    session: Session,
    *,
    holder_id: str,
    request_id: str,
    approvals: Sequence[Approval],
    requests: RequestSource,
    kek: bytes,
    now: datetime,
) -> DeliveredAnswer:
    """Find (verifiers), present and log (wallet), deliver (verifiers' gate); one transaction.

    OpenID4VP 1.0 §8.1. No approvals declines: nothing is delivered, the decline is logged.
    A delivery the verifier refuses (a replayed or expired request) rolls the wallet's log entry
    back. Raises :class:`~wallet.errors.PresentationRequestNotFound` (404),
    :class:`~wallet.errors.ApprovalInvalid` (422), what the wallet's
    :func:`~wallet.request_answers.answer_request` raises and the verifiers' submission errors.
    """
    with transaction(session):
        request = requests.find(session, request_id=request_id, now=now)
        answered = answer_request(
            session, holder_id=holder_id, request=request, approvals=approvals, kek=kek, now=now
        )
        outcome = None
        if not answered.declined:
            outcome = requests.submit(
                session, request_id=request_id, vp_token=answered.vp_token, now=now
            )
    return DeliveredAnswer(
        request_id=answered.request_id, declined=answered.declined, outcome=outcome
    )
