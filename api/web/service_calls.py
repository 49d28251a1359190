"""The pages' calls that cross services, in one place (the integrator re-points these at
``api/flows`` when the flows land; pages call wallet-only functions directly).

Each function here composes exactly what the JSON route of the same action composes today:
pickup (``api/routers/wallet.py``), opening a share link (``api/routers/shares.py``) and a
verifier's request (``api/routers/wallet_deps.py``).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from api.flows.pickup import pick_up_credential
from api.flows.ports import RequestSource, credential_checker
from api.flows.share_view import SharedReport, view_share
from api.routers.wallet_deps import presentation_requests
from api.settings import Settings
from verifiers.issuer_trust import Sources
from verifiers.language import Language
from verifiers.organisations import VerifierInfo, list_verifiers
from verifiers.report import VerificationReport
from wallet.checker import CredentialChecker
from wallet.credentials import CredentialSummary
from wallet.shares.viewing import find_share


def checker_in(
    session: Session, *, settings: Settings, sources: Sources, language: Language
) -> CredentialChecker:
    """The one gate for receipts and imports, its reasons in ``language`` (pages show them)."""
    return credential_checker(
        session, sources=sources, base_url=settings.base_url, language=language
    )


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
        verify=checker,
        kek=kek,
        base_url=settings.base_url,
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
    """Open a share link in a browser: for "anyone with the link", the share-view flow.

    A share made for a named verifier, here or elsewhere, is not opened in a browser (it needs
    the verifier's API key, or is a presentation for the verifier's own software): the answer
    has no report and logs no view. Raises the wallet's 404/410 share errors.
    """
    found = find_share(session, token=token, kek=kek, base_url=settings.base_url)
    if found.audience_kind != "anyone":
        return SharedLinkView(
            purpose=found.purpose,
            shared_at=found.created_at,
            expires_at=found.expires_at,
            audience=found.audience,
            report=None,
        )
    shared = view_share(
        session,
        token=token,
        api_key=None,
        outside_nonce=None,
        sources=sources,
        kek=kek,
        language=language,
        base_url=settings.base_url,
        now=now,
    )
    assert isinstance(shared, SharedReport)
    return SharedLinkView(
        purpose=shared.purpose,
        shared_at=shared.shared_at,
        expires_at=shared.expires_at,
        audience=found.audience,
        report=shared.report,
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
