"""Viewing a share by its link: authenticate the audience, present afresh, verify, log the view.

``GET /v1/shares/{token}``, issue 12. One flow composes the wallet (find the share, present it,
count the view) and the verifiers (authenticate, nonce, the one gate). What a share's audience
gets, and why (RFC 9901 §7.3: the verifier checks the KB-JWT's ``aud``, its own fresh ``nonce``
and the ``iat`` against its freshness window; OpenID4VP 1.0 §5.2 client identifiers, §14.1
nonces):

- **a verifier of this instance**: the link opens only with that verifier's API key (401 without
  one, 404 for any other verifier, so no one else learns that the share exists, even after it
  ended; only then 410 for an ended share). Each view issues a nonce to that verifier, the
  wallet presents afresh for it (KB-JWT ``aud`` the verifier's client identifier, that nonce,
  ``iat`` now), and the gate verifies with the normal 5-minute KB-JWT age and consumes the
  nonce, exactly as for ``POST /v1/verifications``. The verifier gets the report.
- **anyone with the link**: the wallet presents afresh for the share's own identifier
  (``B/shares/{id}``) with a nonce made for this view alone, and the gate verifies it with the
  normal 5-minute age. The viewer gets the report, not the presentation.
- **a verifier elsewhere**: this instance cannot authenticate it, and a verification report
  from us would be a plain page anyone holding the link could read and pass on. So the link
  answers only with presentations, made afresh for that verifier's client identifier and the
  nonce it supplies (``?nonce=``, 16 to 128 unreserved characters; 400 without one), for it to
  verify with its own key-binding check. A copy is useless elsewhere: another verifier's
  audience check fails, and the outside verifier accepts only the nonce it issued once. Whoever
  holds the link can read the shared claims, and the preview says so; keeping them from the
  link's other holders would need the response encrypted to the verifier's key (OpenID4VP 1.0
  §8.3, ``direct_post.jwt``), not implemented.

Every view is counted and logged for the person, with who viewed (the verifier's name, "anyone
with the link", or the outside verifier's identifier as claimed) and when.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from api.auth import Unauthenticated
from api.flows.transaction import transaction
from verifiers.issuer_trust import Sources
from verifiers.language import Language
from verifiers.nonces import NONCE_LIFETIME, add_nonce, new_nonce
from verifiers.organisations import VerifierInfo, authenticate_verifier
from verifiers.report import VerificationReport
from verifiers.submissions import submit_presentations, verify_shared_presentations
from wallet.errors import ShareNonceRequired, ShareNotFound
from wallet.shares.viewing import FoundShare, find_share, present_share, record_share_view

ANYONE_VIEWER = "anyone with the link"


@dataclass(frozen=True)
class SharedReport:
    """What a verifier of this instance, or anyone with an "anyone" link, gets: the report."""

    purpose: str
    shared_at: datetime
    expires_at: datetime
    views: int
    report: VerificationReport


@dataclass(frozen=True)
class SharedPresentations:
    """What a verifier elsewhere gets: presentations for its client identifier and its nonce."""

    purpose: str
    expires_at: datetime
    views: int
    audience: str
    nonce: str
    presentations: tuple[str, ...]


def view_share(
    session: Session,
    *,
    token: str,
    api_key: str | None,
    outside_nonce: str | None,
    sources: Sources,
    kek: bytes,
    language: Language,
    base_url: str,
    now: datetime,
) -> SharedReport | SharedPresentations:
    """Open the share at ``token`` for the audience it was made for (module docstring).

    RFC 9901 §7.3; OpenID4VP 1.0 §5.2, §14.1. Raises :class:`ShareNotFound` (404: unknown link,
    or a verifier other than the audience), :class:`Unauthenticated` (401: a verifier share
    without an API key), ``VerifierKeyInvalid`` (401), :class:`ShareNonceRequired` (400: an
    outside verifier's share without its nonce), the 410 share errors (ended) and the gate's
    errors.
    """
    with transaction(session):
        found = find_share(session, token=token, kek=kek, base_url=base_url)
        if found.audience_kind == "verifier":
            return _for_local_verifier(
                session, found, api_key, sources, kek, language, base_url, now
            )
        if found.audience_kind == "outside_verifier":
            return _for_outside_verifier(session, found, outside_nonce, kek, now)
        return _for_anyone(session, found, sources, kek, language, base_url, now)


def _for_anyone(
    session: Session,
    found: FoundShare,
    sources: Sources,
    kek: bytes,
    language: Language,
    base_url: str,
    now: datetime,
) -> SharedReport:
    made = present_share(session, share_id=found.share_id, nonce=new_nonce(), kek=kek, now=now)
    views = record_share_view(
        session, share_id=found.share_id, viewer=ANYONE_VIEWER, kek=kek, now=now
    )
    report = verify_shared_presentations(
        session,
        presentations=made.presentations,
        audience=made.audience,
        nonce=made.nonce,
        sources=sources,
        language=language,
        base_url=base_url,
        now=now,
    )
    return _report(found, views, report)


def _report(found: FoundShare, views: int, report: VerificationReport) -> SharedReport:
    return SharedReport(
        purpose=found.purpose,
        shared_at=found.created_at,
        expires_at=found.expires_at,
        views=views,
        report=report,
    )


def _for_local_verifier(
    session: Session,
    found: FoundShare,
    api_key: str | None,
    sources: Sources,
    kek: bytes,
    language: Language,
    base_url: str,
    now: datetime,
) -> SharedReport:
    if api_key is None:
        raise Unauthenticated("This share opens only with its verifier's API key.")
    verifier = authenticate_verifier(session, api_key=api_key, slug=None, base_url=base_url)
    return _for_verifier(session, found, verifier, sources, kek, language, base_url, now)


def _for_verifier(
    session: Session,
    found: FoundShare,
    verifier: VerifierInfo,
    sources: Sources,
    kek: bytes,
    language: Language,
    base_url: str,
    now: datetime,
) -> SharedReport:
    if verifier.client_id != found.audience:
        # Another verifier learns nothing, not even that the share exists or has ended.
        raise ShareNotFound("There is no such share.")
    nonce = new_nonce()
    made = present_share(session, share_id=found.share_id, nonce=nonce, kek=kek, now=now)
    add_nonce(
        session,
        verifier_id=verifier.id,
        nonce=nonce,
        request_id=None,
        now=now,
        expires_at=now + NONCE_LIFETIME,
    )
    # One transaction (view_share): the nonce, the view and its consumption land together.
    views = record_share_view(
        session, share_id=found.share_id, viewer=verifier.name, kek=kek, now=now
    )
    report = submit_presentations(
        session,
        verifier=verifier,
        request_id=None,
        nonce=nonce,
        audience=verifier.client_id,
        vp_token=None,
        presentations=list(made.presentations),
        sources=sources,
        kek=kek,
        language=language,
        base_url=base_url,
        now=now,
    )
    return _report(found, views, report)


def view_share_as_verifier(
    session: Session,
    *,
    token: str,
    verifier: VerifierInfo,
    sources: Sources,
    kek: bytes,
    language: Language,
    base_url: str,
    now: datetime,
) -> SharedReport:
    """Open the share at ``token`` for ``verifier``, whose staff pasted the link in its pages.

    The same as :func:`view_share` for that verifier's API key: a share made for it is presented
    afresh for a nonce issued to it and verified through the one gate (one transaction); an
    "anyone" share as for anyone. A share made for another verifier, here or elsewhere, raises
    :class:`ShareNotFound` (404) whether or not it exists; an ended one the 410 share errors.
    """
    with transaction(session):
        found = find_share(session, token=token, kek=kek, base_url=base_url)
        if found.audience_kind == "verifier":
            return _for_verifier(session, found, verifier, sources, kek, language, base_url, now)
        if found.audience_kind == "anyone":
            return _for_anyone(session, found, sources, kek, language, base_url, now)
        raise ShareNotFound("There is no such share.")


def _for_outside_verifier(
    session: Session, found: FoundShare, outside_nonce: str | None, kek: bytes, now: datetime
) -> SharedPresentations:
    if outside_nonce is None:
        raise ShareNonceRequired(
            "Send the nonce your verifier issued for this presentation as ?nonce=."
        )
    made = present_share(session, share_id=found.share_id, nonce=outside_nonce, kek=kek, now=now)
    viewer = f"{found.audience} (as claimed by whoever held the link)"
    views = record_share_view(session, share_id=found.share_id, viewer=viewer, kek=kek, now=now)
    return SharedPresentations(
        purpose=found.purpose,
        expires_at=found.expires_at,
        views=views,
        audience=made.audience,
        nonce=made.nonce,
        presentations=made.presentations,
    )
