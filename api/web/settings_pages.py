"""``/wallet/settings``: language, password, export, import, sign-out everywhere and erasure.

Export (it holds the wallet's keys), password change and erasure ask for the password again
(:func:`wallet.accounts.confirm_password`); erasure also asks the person to type a word, so it
never happens by a slip. Each form has its own page of errors.
"""

import json
from datetime import UTC, datetime
from typing import Any, Final

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from api.deps import KEKDep, SessionDep, SettingsDep
from api.routers.verifiers import SourcesDep
from api.routers.wallet_deps import Argon2Dep
from api.web.accounts import field
from api.web.rendering import Page, PageDep
from api.web.service_calls import checker_in
from api.web.sessions import SESSION_COOKIE, CheckedForm, CurrentPerson
from wallet.accounts import change_password, confirm_password
from wallet.errors import AuthenticationFailed, ImportInvalid, LoginThrottled, PasswordRejected
from wallet.portability import erase_wallet, export_wallet, import_wallet

router = APIRouter()
MAX_IMPORT_BYTES: Final = 1024 * 1024


def _settings(
    page: Page, *, status: int = 200, errors: list[tuple[str, str]] | None = None, **context: Any
) -> Response:
    return page.render(
        "settings.html",
        title=page._("Settings"),
        status=status,
        errors=errors or [],
        confirm_word=page._("ERASE"),
        **context,
    )


def _password_error(page: Page, exc: Exception, field_id: str) -> tuple[int, tuple[str, str]]:
    if isinstance(exc, LoginThrottled):
        return 429, (field_id, page._("Too many failed sign-ins. Wait 15 minutes and try again."))
    return 401, (field_id, page._("The password is not correct"))


@router.get("/wallet/settings")
def settings_page(page: PageDep, holder: CurrentPerson) -> Response:
    """All settings on one page, each in its own form."""
    return _settings(page, done=page.request.query_params.get("done", "")[:20])


@router.post("/wallet/settings/password")
def password(
    page: PageDep,
    holder: CurrentPerson,
    form: CheckedForm,
    session: SessionDep,
    kek: KEKDep,
    argon2: Argon2Dep,
) -> Response:
    """Change the password (the current one first)."""
    try:
        change_password(
            session,
            holder_id=holder,
            current=field(form, "current-password"),
            new=field(form, "new-password"),
            kek=kek,
            argon2=argon2,
            now=datetime.now(UTC),
        )
    except (AuthenticationFailed, LoginThrottled) as exc:
        status, error = _password_error(page, exc, "current-password")
        return _settings(page, status=status, errors=[error])
    except PasswordRejected:
        return _settings(
            page,
            status=422,
            errors=[
                (
                    "new-password",
                    page._("Enter a password of at least 10 characters that is not your username"),
                )
            ],
        )
    return _settings(page, done="password")


@router.post("/wallet/settings/export")
def export(
    page: PageDep,
    holder: CurrentPerson,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    argon2: Argon2Dep,
) -> Response:
    """Download the whole wallet (keys included) after the password again."""
    now = datetime.now(UTC)
    try:
        confirm_password(
            session,
            holder_id=holder,
            password=field(form, "export-password"),
            argon2=argon2,
            now=now,
        )
    except (AuthenticationFailed, LoginThrottled) as exc:
        status, error = _password_error(page, exc, "export-password")
        return _settings(page, status=status, errors=[error])
    bundle = export_wallet(session, holder_id=holder, kek=kek, base_url=settings.base_url, now=now)
    return JSONResponse(
        bundle,
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": 'attachment; filename="taito-wallet-export.json"',
        },
    )


@router.post("/wallet/settings/import")
async def import_file(
    page: PageDep,
    holder: CurrentPerson,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    sources: SourcesDep,
) -> Response:
    """Import a Taito export; every credential is verified again before it is stored."""
    upload = form.get("file")
    bundle: Any = None
    if isinstance(upload, UploadFile):
        raw = await upload.read(MAX_IMPORT_BYTES + 1)
        if len(raw) <= MAX_IMPORT_BYTES:
            try:
                bundle = json.loads(raw)
            except ValueError:
                bundle = None
    error = ("file", page._("Choose a wallet export file (.json) made by Taito, at most 1 MB"))
    if not isinstance(bundle, dict):
        return _settings(page, status=422, errors=[error])
    checker = checker_in(session, settings=settings, sources=sources, language=page.language)
    try:
        report = import_wallet(
            session,
            holder_id=holder,
            bundle=bundle,
            verify=checker,
            kek=kek,
            base_url=settings.base_url,
            now=datetime.now(UTC),
        )
    except ImportInvalid:
        return _settings(page, status=422, errors=[error])
    return _settings(page, done="import", report=report)


@router.post("/wallet/settings/erase")
def erase(
    page: PageDep,
    holder: CurrentPerson,
    form: CheckedForm,
    session: SessionDep,
    kek: KEKDep,
    argon2: Argon2Dep,
) -> Response:
    """Erase everything, after the typed word and the password; then a confirmation page."""
    now = datetime.now(UTC)
    errors: list[tuple[str, str]] = []
    word = page._("ERASE")
    if field(form, "confirm").strip().casefold() != word.casefold():
        errors.append(("confirm", page._("Type %(word)s to confirm", word=word)))
    try:
        confirm_password(
            session,
            holder_id=holder,
            password=field(form, "erase-password"),
            argon2=argon2,
            now=now,
        )
    except (AuthenticationFailed, LoginThrottled) as exc:
        status, error = _password_error(page, exc, "erase-password")
        return _settings(page, status=status, errors=[*errors, error])
    if errors:
        return _settings(page, status=422, errors=errors)
    receipt = erase_wallet(session, holder_id=holder, kek=kek, now=now)
    page.holder = None
    response = page.render("erased.html", title=page._("Your wallet is erased"), receipt=receipt)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
