"""The pages' calls that cross services, in one place (the integrator re-points these at
``api/flows`` when the flows land; pages call wallet-only functions directly).

Each function here composes exactly what the JSON route of the same action composes today:
pickup (``api/routers/wallet.py``), opening a share link (``api/routers/shares.py``) and a
verifier's request (``api/routers/wallet_deps.py``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from api.flows.pickup_offers import pick_up_credential
from api.routers.wallet_deps import RequestSource, checker_in, presentation_requests
from api.settings import Settings
from verifiers.issuer_trust import Sources
from verifiers.language import Language
from verifiers.organisations import VerifierInfo, list_verifiers
from verifiers.report import VerificationReport
from verifiers.submissions import verify_shared_presentations
from wallet.checker import CredentialChecker
from wallet.credentials import CredentialSummary
from wallet.shares.viewing import open_share, record_share_view

# As in api/routers/shares.py: a share's KB-JWTs are as old as the share.
_KB_SLACK = timedelta(minutes=5)
ANYONE_VIEWER = "anyone with the link"


def pick_up(
    session: Session,
    *,
    holder_id: str,
    code: str,
    settings: Settings,
    kek: bytes,
    checker: CredentialChecker,
    now: datetime,
) -> CredentialSummary:
    """Redeem a pickup or offer code into the wallet (the JSON route's flow)."""
    return pick_up_credential(
        session,
        holder_id=holder_id,
        code=code,
        kek=kek,
        base_url=settings.base_url,
        checker=checker,
        now=now,
    )


@dataclass(frozen=True)
class SharedLinkView:
    """A share link as the browser's viewer sees it."""

    purpose: str
    shared_at: datetime
    expires_at: datetime
    audience: str
    report: VerificationReport | None


def view_share_link(
    session: Session,
    *,
    token: str,
    settings: Settings,
    kek: bytes,
    sources: Sources,
    language: Language,
    now: datetime,
) -> SharedLinkView:
    """Open a share link in a browser: for "anyone with the link", verify it and log the view.

    A share made for a named verifier is not opened here (it needs the verifier's API key):
    the answer has no report and logs no view. Raises the wallet's 404/410 share errors.
    """
    opened = open_share(session, token=token, kek=kek, now=now)
    if opened.audience.startswith(settings.base_url.rstrip("/") + "/verifiers/"):
        return SharedLinkView(
            purpose=opened.purpose,
            shared_at=opened.created_at,
            expires_at=opened.expires_at,
            audience=opened.audience,
            report=None,
        )
    record_share_view(session, share_id=opened.share_id, viewer=ANYONE_VIEWER, kek=kek, now=now)
    report = verify_shared_presentations(
        session,
        presentations=opened.presentations,
        audience=opened.audience,
        nonce=opened.nonce,
        max_kb_age=opened.expires_at - opened.created_at + _KB_SLACK,
        sources=sources,
        language=language,
        base_url=settings.base_url,
        now=now,
    )
    return SharedLinkView(
        purpose=opened.purpose,
        shared_at=opened.created_at,
        expires_at=opened.expires_at,
        audience=opened.audience,
        report=report,
    )


def verifier_requests(*, settings: Settings, sources: Sources, kek: bytes) -> RequestSource:
    """Where the wallet finds a verifier's request and sends the person's answer."""
    return presentation_requests(settings, sources, kek)


__all__ = [
    "SharedLinkView",
    "checker_in",
    "known_verifiers",
    "pick_up",
    "verifier_requests",
    "view_share_link",
]


def known_verifiers(session: Session, *, settings: Settings) -> tuple[VerifierInfo, ...]:
    """The verifiers on this instance a person may share with by name."""
    return list_verifiers(session, base_url=settings.base_url)
