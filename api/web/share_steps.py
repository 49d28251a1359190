"""Sharing in steps: ``/wallet/shares/new``.

The steps, one question each (GOV.UK "one thing per page"): which credentials, which claims of
them, who and why and until when, then a preview of exactly what the recipient will see (the
wallet's own :func:`preview_share`), then the link with a copy button and a QR code. The
choices travel in hidden fields of the next step's form; nothing is stored before the last step.
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Query
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session

from api.deps import KEKDep, SessionDep, SettingsDep
from api.settings import Settings
from api.web.rendering import Page, PageDep
from api.web.service_calls import known_verifiers
from api.web.sessions import CheckedForm, CurrentPerson
from wallet.credentials import (
    CredentialFilter,
    CredentialSummary,
    credential_detail,
    list_credentials,
)
from wallet.errors import ShareInvalid
from wallet.shares.creation import ShareItem, ShareSpec, create_share, preview_share
from wallet.shares.rules import ANYONE, DEFAULT_MONTHS, MAX_ITEMS, MAX_MONTHS, add_months

router = APIRouter()
STEPS = 5
MAX_CLAIMS = 200


@dataclass(frozen=True)
class Choices:
    """What the person has chosen so far (read from the posted form)."""

    credentials: list[str]
    claims: list[str]
    audience: str
    purpose: str
    expires: str


def _choices(form: Any) -> Choices:
    def texts(name: str, limit: int) -> list[str]:
        values = [v for v in form.getlist(name) if isinstance(v, str)]
        return [v[:1000] for v in values[:limit]]

    def text(name: str) -> str:
        value = form.get(name)
        return value[:1000] if isinstance(value, str) else ""

    return Choices(
        credentials=list(dict.fromkeys(texts("credential", MAX_ITEMS + 1))),
        claims=list(dict.fromkeys(texts("claim", MAX_CLAIMS + 1))),
        audience=text("audience"),
        purpose=text("purpose").strip(),
        expires=text("expires"),
    )


def _claim_value(credential_id: str, path: tuple[str | int, ...]) -> str:
    return credential_id + "|" + json.dumps(list(path), separators=(",", ":"))


def _spec(choices: Choices, expires_at: datetime | None) -> ShareSpec:
    paths: dict[str, list[tuple[str | int, ...]]] = {c: [] for c in choices.credentials}
    for value in choices.claims:
        credential_id, _, raw = value.partition("|")
        try:
            path = json.loads(raw)
        except ValueError:
            raise ShareInvalid("A claim is not valid.") from None
        if credential_id not in paths or not isinstance(path, list) or not path:
            raise ShareInvalid("A claim is not valid.")
        if not all(isinstance(p, str | int) and not isinstance(p, bool) for p in path):
            raise ShareInvalid("A claim is not valid.")
        paths[credential_id].append(tuple(path))
    return ShareSpec(
        items=tuple(ShareItem(c, tuple(p)) for c, p in paths.items()),
        audience=choices.audience,
        purpose=choices.purpose,
        expires_at=expires_at,
        max_views=None,
    )


def _held(page: Page, session: Session, holder: str, kek: bytes) -> list[CredentialSummary]:
    return list(
        list_credentials(
            session, holder_id=holder, kek=kek, lang=page.language, filters=CredentialFilter()
        )
    )


def audiences(page: Page, session: Session, settings: Settings) -> list[tuple[str, str]]:
    named = [(v.client_id, v.name) for v in known_verifiers(session, settings=settings)]
    return [(ANYONE, page._("Anyone who has the link")), *named]


def _audience_name(page: Page, session: Session, settings: Settings, audience: str) -> str:
    return dict(audiences(page, session, settings)).get(audience, audience)


def _render_step(page: Page, step: int, template: str, title: str, **context: Any) -> Response:
    return page.render(template, title=title, step=step, steps=STEPS, **context)


@router.get("/wallet/shares/new")
def share_start(
    page: PageDep,
    holder: CurrentPerson,
    session: SessionDep,
    kek: KEKDep,
    credential: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """Step 1: which credentials to share."""
    return _render_step(
        page,
        1,
        "share_credentials.html",
        page._("Which credentials do you want to share?"),
        held=_held(page, session, holder, kek),
        chosen=[credential],
    )


@router.post("/wallet/shares/new")
def share_step(
    page: PageDep,
    holder: CurrentPerson,
    form: CheckedForm,
    session: SessionDep,
    kek: KEKDep,
    settings: SettingsDep,
) -> Response:
    """Steps 2 to 5, chosen by the ``step`` field; each checks the answers of the one before."""
    step = form.get("step")
    choices = _choices(form)
    now = datetime.now(UTC)
    held = _held(page, session, holder, kek)
    held_ids = {c.id for c in held}
    if step == "claims" or not choices.credentials:
        chosen = [c for c in choices.credentials if c in held_ids]
        if not chosen or len(chosen) > MAX_ITEMS:
            return _render_step(
                page,
                1,
                "share_credentials.html",
                page._("Which credentials do you want to share?"),
                status=422,
                errors=[("credential-0", page._("Choose at least one credential"))],
                held=held,
                chosen=[],
            )
        return _claims_step(page, session, holder, kek, chosen, choices, errors=[])
    if step == "who":
        if not choices.claims:
            return _claims_step(
                page,
                session,
                holder,
                kek,
                choices.credentials,
                choices,
                errors=[("claims", page._("Choose at least one detail to share"))],
            )
        return _who_step(page, session, settings, choices, now, errors=[])
    expires_at, errors = _read_who(page, session, settings, choices, now)
    if errors or expires_at is None:
        return _who_step(page, session, settings, choices, now, errors=errors)
    try:
        spec = _spec(choices, expires_at)
        if step == "create":
            created = create_share(
                session,
                holder_id=holder,
                spec=spec,
                kek=kek,
                base_url=settings.base_url,
                lang=page.language,
                now=now,
            )
            qr = segno.make(created.url, error="m")
            svg = qr.svg_inline(scale=4, title=page._("QR code of the share link"), border=2)
            return _render_step(
                page,
                5,
                "share_done.html",
                page._("Your share is ready"),
                created=created,
                qr=Markup(svg),  # noqa: S704 - segno's own SVG markup of our URL
                audience_name=_audience_name(page, session, settings, choices.audience),
            )
        preview = preview_share(
            session,
            holder_id=holder,
            spec=spec,
            kek=kek,
            lang=page.language,
            base_url=settings.base_url,
            now=now,
        )
    except ShareInvalid:
        return _who_step(
            page,
            session,
            settings,
            choices,
            now,
            errors=[("purpose", page._("The share could not be made. Check your choices."))],
        )
    claim_count = sum(len(item.claims) for item in preview.items)
    return _render_step(
        page,
        4,
        "share_preview.html",
        page._("Check what you are sharing"),
        preview=preview,
        choices=choices,
        claim_count=claim_count,
        audience_name=_audience_name(page, session, settings, choices.audience),
    )


def _claims_step(
    page: Page,
    session: Session,
    holder: str,
    kek: bytes,
    chosen: list[str],
    choices: Choices,
    *,
    errors: list[tuple[str, str]],
) -> Response:
    details = [
        credential_detail(
            session,
            holder_id=holder,
            credential_id=credential_id,
            kek=kek,
            lang=page.language,
            now=datetime.now(UTC),
            verify=None,
        )
        for credential_id in chosen
    ]
    options = [
        (
            detail,
            [(_claim_value(detail.summary.id, row.path), row) for row in detail.claims],
        )
        for detail in details
    ]
    return _render_step(
        page,
        2,
        "share_claims.html",
        page._("Which details do you want to share?"),
        status=422 if errors else 200,
        errors=errors,
        options=options,
        choices=Choices(chosen, choices.claims, "", "", ""),
    )


def _who_step(
    page: Page,
    session: Session,
    settings: Settings,
    choices: Choices,
    now: datetime,
    *,
    errors: list[tuple[str, str]],
) -> Response:
    default = add_months(now, DEFAULT_MONTHS).date().isoformat()
    return _render_step(
        page,
        3,
        "share_who.html",
        page._("Who is it for, and for how long?"),
        status=422 if errors else 200,
        errors=errors,
        choices=choices,
        audiences=audiences(page, session, settings),
        expires=choices.expires or default,
        latest=add_months(now, MAX_MONTHS).date(),
        today=now.date(),
    )


def _read_who(
    page: Page, session: Session, settings: Settings, choices: Choices, now: datetime
) -> tuple[datetime | None, list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    if choices.audience not in dict(audiences(page, session, settings)):
        errors.append(("audience-0", page._("Choose who can open the share")))
    if not choices.purpose:
        errors.append(
            ("purpose", page._("Say why you are sharing, for example the job you are applying for"))
        )
    elif len(choices.purpose) > 500:
        errors.append(("purpose", page._("Write at most 500 characters")))
    expires_at: datetime | None = None
    latest = add_months(now, MAX_MONTHS)
    try:
        day = date.fromisoformat(choices.expires)
        expires_at = datetime.combine(day, now.timetz())
    except ValueError:
        errors.append(
            ("expires", page._("Enter the date as year-month-day, for example 2027-06-30"))
        )
    if expires_at is not None and not now < expires_at <= latest:
        errors.append(
            (
                "expires",
                page._(
                    "Choose a date after today and at most one year from today (%(latest)s)",
                    latest=page.t.date(latest),
                ),
            )
        )
        expires_at = None
    return expires_at, errors
