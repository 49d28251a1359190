"""Verify: presentations sent to ``POST /v1/verifications``, checked by the verifiers' gate."""

from datetime import datetime

from sqlmodel import Session

from verifiers.issuer_trust import Sources
from verifiers.language import Language
from verifiers.organisations import VerifierInfo
from verifiers.report import VerificationReport
from verifiers.submissions import verify_submission


def verify_presentations(
    session: Session,
    *,
    verifier: VerifierInfo,
    request_id: str | None,
    nonce: str | None,
    audience: str | None,
    vp_token: object,
    presentations: object,
    sources: Sources,
    kek: bytes,
    language: Language,
    base_url: str,
    now: datetime,
    confirm_api_key: str | None = None,
) -> VerificationReport:
    """The verifiers' gate, reading issuers' documents through ``sources`` (this instance's own
    in-process, from ``issuers.publishing``; others over HTTP).

    Only the verifiers write (the consumed nonce, the request's outcome), so
    :func:`~verifiers.submissions.verify_submission` owns that transaction. RFC 9901 §7.3;
    OpenID4VP 1.0 §8.1, §14.1. ``confirm_api_key``: ``verifier`` was remembered for this key,
    which the nonce's own statement confirms. Raises as
    :func:`~verifiers.submissions.verify_submission`.
    """
    return verify_submission(
        session,
        verifier=verifier,
        request_id=request_id,
        nonce=nonce,
        audience=audience,
        vp_token=vp_token,
        presentations=presentations,
        sources=sources,
        kek=kek,
        language=language,
        base_url=base_url,
        now=now,
        confirm_api_key=confirm_api_key,
    )
