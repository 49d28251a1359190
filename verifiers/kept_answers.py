"""A request's answer kept, and verified again later through the gate.

When a person's answer binds the request's nonce (RFC 9901 §7.3; OpenID4VP 1.0 §14.1), the
presentations as they arrived and the audience they were verified for are sealed under the KEK
beside the report (``verifier_request.sealed_answer``, bound to the request's id). Staff may
verify them again at any time: :func:`verify_answer_again` admits them under
:data:`~verifiers.policy.KEPT_ANSWER`, so the issuer's signature, validity, status and trust are
those of now, and a credential revoked after the answer fails with the reason in the language
asked for. Nothing is consumed or stored.
"""

import json
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from credentials.clock import require_aware
from credentials.dcql import parse_query
from sealing.aead import open_sealed, seal
from verifiers.admission import Expected
from verifiers.errors import AnswerNotKept
from verifiers.gate_sources import gate_context
from verifiers.issuer_trust import Sources
from verifiers.language import Language
from verifiers.organisations import VerifierInfo
from verifiers.policy import KEPT_ANSWER
from verifiers.presentation_requests import load_request
from verifiers.report import VerificationReport
from verifiers.tables import VerifierRequest
from verifiers.vp_token import Placed, run_gate


def _context(request_id: str) -> bytes:
    return b"verifier-request-answer|" + request_id.encode("ascii")


def seal_answer(
    row: VerifierRequest, items: Sequence[Placed], *, audience: str, kek: bytes
) -> bytes:
    """The presentations (each with its Credential Query id) and their audience, sealed."""
    kept = {"audience": audience, "items": [[query_id, token] for query_id, token in items]}
    plaintext = json.dumps(kept, separators=(",", ":")).encode("utf-8")
    return seal(kek, plaintext, context=_context(row.id), nonce=secrets.token_bytes(12))


def _opened(row: VerifierRequest, kek: bytes) -> tuple[str, list[Placed]]:
    if row.sealed_answer is None:
        raise AnswerNotKept("the request has no kept answer")
    kept = json.loads(open_sealed(kek, row.sealed_answer, context=_context(row.id)))
    return kept["audience"], [(query_id, token) for query_id, token in kept["items"]]


def verify_answer_again(
    session: Session,
    *,
    verifier: VerifierInfo,
    request_id: str,
    sources: Sources,
    kek: bytes,
    language: Language,
    base_url: str,
    now: datetime,
) -> VerificationReport:
    """The request's kept answer admitted again under :data:`~verifiers.policy.KEPT_ANSWER`.

    RFC 9901 §7.3; Token Status List §8.3. The report is in ``language``; nothing changes.
    Raises :class:`~verifiers.errors.RequestNotFound` (also for another verifier's request) and
    :class:`AnswerNotKept` (409: unanswered, or answered before answers were kept).
    """
    now = require_aware(now)
    row = load_request(session, request_id=request_id, verifier_id=verifier.id)
    audience, items = _opened(row, kek)
    context = gate_context(session, sources=sources, language=language, base_url=base_url, now=now)
    report, _ = run_gate(
        items,
        policy=KEPT_ANSWER,
        context=context,
        expected=Expected(audience=audience, nonce=row.nonce),
        query=parse_query(row.query),
        request_id=row.id,
    )
    return report
