"""The issuer's register in the browser: what it issued, one credential's status and history,
and revoking, suspending or reinstating it after a confirmation.

``/org/{slug}/credentials`` filters by type, status and issue date (in Finland's time) and finds
a credential by its id, 25 to a page (the service's keyset cursor). The register keeps no claims
(:mod:`issuers.register`), only a sealed summary of whom a credential is about ("A. Korhonen",
:mod:`issuers.register_subject`), shown so that staff revoke the right one. A status change
asks once, on a page of its own with a reason field and the consequence spelled out, and then
calls the service function the API calls (:func:`issuers.status.change_credential_status`); the
reason and the staff member's name go into the credential's sealed status history.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException
from fastapi.responses import RedirectResponse, Response

from api.deps import KEKDep, SessionDep
from api.web.accounts import field
from api.web.language import DISPLAY_TIME_ZONE, N_
from api.web.org_access import IssuerStaffDep, StaffAt
from api.web.org_issue_pages import issuer_of, type_names
from api.web.rendering import Page, PageDep
from api.web.sessions import CheckedForm
from issuers.errors import IssuedCredentialNotFound, PageInvalid
from issuers.register import RegisterEntry, get_issued_credential, list_issued_credentials
from issuers.register_subject import subject_summaries
from issuers.status import change_credential_status
from issuers.status_history import MAX_REASON_LENGTH, StatusNote, status_history

router = APIRouter()

PAGE_SIZE: Final = 25
STATUSES: Final = ("valid", "suspended", "revoked")
STATUS_NAMES: Final[dict[str, str]] = {
    "valid": N_("Valid"),
    "suspended": N_("Suspended"),
    "revoked": N_("Revoked"),
}
ACTIONS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "revoke": ("revoked", ("valid", "suspended")),
    "suspend": ("suspended", ("valid",)),
    "reinstate": ("valid", ("suspended",)),
}
"""Each action: the status it sets and the statuses it may start from."""


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(DISPLAY_TIME_ZONE)).astimezone(UTC)


def _status_names(page: Page) -> dict[str, str]:
    return {status: page._(name) for status, name in STATUS_NAMES.items()}


@router.get("/org/{slug}/credentials")
def register(
    page: PageDep,
    here: IssuerStaffDep,
    session: SessionDep,
    kek: KEKDep,
    type: str = "",
    status: str = "",
    issued_from: str = "",
    issued_to: str = "",
    q: str = "",
    cursor: str = "",
) -> Response:
    """The issued credentials, newest first, filtered; or the one whose id was searched."""
    issuer = issuer_of(here)
    names = type_names(page, issuer)
    errors: list[tuple[str, str]] = []
    wanted = q.strip()[:100]
    if wanted:
        try:
            found = get_issued_credential(session, issuer_id=issuer.id, credential_id=wanted)
        except IssuedCredentialNotFound:
            errors.append(("q", page._("No credential has this id. Check it and try again.")))
        else:
            return RedirectResponse(f"/org/{issuer.slug}/credentials/{found.id}", status_code=303)
    first, last = _day(issued_from), _day(issued_to)
    if issued_from and first is None:
        errors.append(("issued_from", page._("Enter a real date, such as 31.5.2024")))
    if issued_to and last is None:
        errors.append(("issued_to", page._("Enter a real date, such as 31.5.2024")))
    if first and last and last < first:
        errors.append(("issued_to", page._("The end date must not be before the start date")))
        last = None
    try:
        listing = list_issued_credentials(
            session,
            issuer_id=issuer.id,
            type=type if type in names else None,
            status=status if status in STATUSES else None,
            issued_after=_start_of(first) if first else None,
            issued_before=_start_of(last + timedelta(days=1)) if last else None,
            limit=PAGE_SIZE,
            cursor=cursor[:200] or None,
        )
    except PageInvalid:
        raise HTTPException(status_code=400) from None
    filters = {
        "type": type if type in names else "",
        "status": status if status in STATUSES else "",
        "issued_from": issued_from[:10] if first else issued_from[:20],
        "issued_to": issued_to[:10] if last else issued_to[:20],
        "q": wanted,
    }
    later = None
    if listing.next_cursor is not None:
        later = {**{k: v for k, v in filters.items() if v and k != "q"}}
        later["cursor"] = listing.next_cursor
    return page.render(
        "org_register.html",
        title=page._("Issued credentials"),
        status=422 if errors else 200,
        errors=errors,
        here=here,
        entries=listing.items,
        subjects=subject_summaries(
            session,
            issuer_id=issuer.id,
            credential_ids=[entry.id for entry in listing.items],
            kek=kek,
        ),
        types=names,
        statuses=_status_names(page),
        filters=filters,
        filtered=any(v for k, v in filters.items() if k != "q"),
        later=later,
        paged=bool(cursor),
        org_nav=True,
    )


def _entry(session: SessionDep, here: StaffAt, credential_id: str) -> RegisterEntry:
    issuer = issuer_of(here)
    return get_issued_credential(session, issuer_id=issuer.id, credential_id=credential_id[:100])


@router.get("/org/{slug}/credentials/{credential_id}")
def credential(
    page: PageDep, here: IssuerStaffDep, credential_id: str, session: SessionDep, kek: KEKDep
) -> Response:
    """One credential: what it is, its status and its status history."""
    entry = _entry(session, here, credential_id)
    history = status_history(session, issuer_id=issuer_of(here).id, credential_id=entry.id, kek=kek)
    actions = [name for name, (_, starts) in ACTIONS.items() if entry.status in starts]
    return page.render(
        "org_credential.html",
        title=type_names(page, issuer_of(here)).get(entry.type, entry.type),
        here=here,
        entry=entry,
        subject=_subject(session, here, entry, kek),
        history=history,
        statuses=_status_names(page),
        actions=actions,
        org_nav=True,
    )


def _subject(session: SessionDep, here: StaffAt, entry: RegisterEntry, kek: bytes) -> str | None:
    found = subject_summaries(
        session, issuer_id=issuer_of(here).id, credential_ids=[entry.id], kek=kek
    )
    return found.get(entry.id)


def _action(entry: RegisterEntry, action: str) -> str:
    if action not in ACTIONS or entry.status not in ACTIONS[action][1]:
        raise HTTPException(status_code=404)
    return action


def _confirm_page(
    page: Page,
    here: StaffAt,
    entry: RegisterEntry,
    action: str,
    *,
    subject: str | None,
    reason: str = "",
    errors: list[tuple[str, str]],
) -> Response:
    titles = {
        "revoke": page._("Revoke this credential?"),
        "suspend": page._("Suspend this credential?"),
        "reinstate": page._("Reinstate this credential?"),
    }
    return page.render(
        "org_status_confirm.html",
        title=titles[action],
        status=422 if errors else 200,
        errors=errors,
        here=here,
        entry=entry,
        subject=subject,
        action=action,
        type_name=type_names(page, issuer_of(here)).get(entry.type, entry.type),
        reason=reason,
        max_reason=MAX_REASON_LENGTH,
        org_nav=True,
    )


@router.get("/org/{slug}/credentials/{credential_id}/{action}")
def status_confirm(
    page: PageDep,
    here: IssuerStaffDep,
    credential_id: str,
    action: str,
    session: SessionDep,
    kek: KEKDep,
) -> Response:
    """Ask once, with the reason and the consequence, before changing the status."""
    entry = _entry(session, here, credential_id)
    chosen = _action(entry, action)
    subject = _subject(session, here, entry, kek)
    return _confirm_page(page, here, entry, chosen, subject=subject, errors=[])


@router.post("/org/{slug}/credentials/{credential_id}/{action}")
def change_status(
    page: PageDep,
    here: IssuerStaffDep,
    credential_id: str,
    action: str,
    form: CheckedForm,
    session: SessionDep,
    kek: KEKDep,
) -> Response:
    """Change the status at once (published with the next status list) and record why."""
    entry = _entry(session, here, credential_id)
    back = RedirectResponse(f"/org/{here.organisation.slug}/credentials/{entry.id}", 303)
    if action in ACTIONS and entry.status == ACTIONS[action][0]:
        return back  # the same form sent twice: already done
    chosen = _action(entry, action)
    reason = field(form, "reason").strip()
    if not reason or len(reason) > MAX_REASON_LENGTH:
        message = page._("Write the reason in 1 to 500 characters")
        subject = _subject(session, here, entry, kek)
        return _confirm_page(
            page,
            here,
            entry,
            chosen,
            subject=subject,
            reason=reason[:2000],
            errors=[("reason", message)],
        )
    change_credential_status(
        session,
        issuer_id=issuer_of(here).id,
        credential_id=entry.id,
        status="revoked" if chosen == "revoke" else "suspended" if chosen == "suspend" else "valid",
        now=datetime.now(UTC),
        note=StatusNote(reason=reason, changed_by=here.member.name),
        kek=kek,
    )
    return back
