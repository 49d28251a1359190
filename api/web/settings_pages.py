"""``/wallet/settings``: language, password, export, import, sign-out everywhere and erasure.

Export (it holds the wallet's keys), password change and erasure ask for the password again
(:mod:`wallet.reauthentication`); the export is encrypted under a passphrase the person chooses
and import asks for it; erasure also asks the person to type a word, so it never happens by a
slip. A password change ends every session, this browser's included, so the page opens a new
one for this browser. Each form has its own page of errors.
"""

import json
from datetime import UTC, datetime
from functools import partial
from typing import Any, Final

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import KEKDep, SessionDep, SettingsDep
from api.flows.wallet_import import import_wallet_export
from api.routers.verifiers import SourcesDep
from api.routers.wallet_deps import ClientAddressDep, PasswordHashingDep
from api.web.accounts import field
from api.web.rendering import Page, PageDep
from api.web.service_calls import checker_in
from api.web.sessions import SESSION_COOKIE, CheckedForm, CurrentPerson, set_cookie
from wallet.erasure import erase_wallet
from wallet.errors import (
    AuthenticationBusy,
    ExportPassphraseWrong,
    ImportInvalid,
    LoginThrottled,
    PassphraseRejected,
    PasswordRejected,
    ReauthenticationFailed,
)
from wallet.portability import export_wallet
from wallet.reauthentication import change_password
from wallet.web_sessions import open_web_session

router = APIRouter()
MAX_IMPORT_BYTES: Final = 1024 * 1024
_PASSWORD_ERRORS: Final = (ReauthenticationFailed, LoginThrottled, AuthenticationBusy)


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
        return 429, (field_id, page._("Too many failed sign-ins. Wait a minute and try again."))
    if isinstance(exc, AuthenticationBusy):
        return 503, (
            field_id,
            page._("Many people are signing in right now. Try again in a moment."),
        )
    return 403, (field_id, page._("The password is not correct"))


def _passphrase_error(page: Page, field_id: str) -> tuple[str, str]:
    return (
        field_id,
        page._("Choose a passphrase of at least 12 characters that is not your password"),
    )


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
    settings: SettingsDep,
    kek: KEKDep,
    hashing: PasswordHashingDep,
    client: ClientAddressDep,
) -> Response:
    """Change the password (the current one first); every other session ends."""
    now = datetime.now(UTC)
    try:
        change_password(
            session,
            holder_id=holder,
            current_password=field(form, "current-password"),
            new_password=field(form, "new-password"),
            kek=kek,
            hashing=hashing,
            client=client,
            now=now,
        )
    except _PASSWORD_ERRORS as exc:
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
    # The change ended every session, this one too: this browser gets a new one.
    token = open_web_session(session, holder_id=holder, now=now)
    response = _settings(page, done="password")
    set_cookie(response, page.request, settings, name=SESSION_COOKIE, value=token)
    return response


@router.post("/wallet/settings/export")
def export(
    page: PageDep,
    holder: CurrentPerson,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    hashing: PasswordHashingDep,
    client: ClientAddressDep,
) -> Response:
    """Download the whole wallet (keys included), encrypted, after the password again."""
    try:
        envelope = export_wallet(
            session,
            holder_id=holder,
            password=field(form, "export-password"),
            passphrase=field(form, "export-passphrase"),
            kek=kek,
            hashing=hashing,
            client=client,
            base_url=settings.base_url,
            now=datetime.now(UTC),
        )
    except _PASSWORD_ERRORS as exc:
        status, error = _password_error(page, exc, "export-password")
        return _settings(page, status=status, errors=[error])
    except PassphraseRejected:
        return _settings(page, status=422, errors=[_passphrase_error(page, "export-passphrase")])
    return JSONResponse(
        envelope,
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
    """Import an encrypted Taito export; every credential is verified again before it is stored."""
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
        report = await run_in_threadpool(
            partial(
                import_wallet_export,
                session,
                holder_id=holder,
                export=bundle,
                passphrase=field(form, "import-passphrase"),
                verify=checker,
                kek=kek,
                base_url=settings.base_url,
                now=datetime.now(UTC),
            )
        )
    except ExportPassphraseWrong:
        wrong = ("import-passphrase", page._("The file does not open with this passphrase"))
        return _settings(page, status=422, errors=[wrong])
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
    hashing: PasswordHashingDep,
    client: ClientAddressDep,
) -> Response:
    """Erase everything, after the typed word and the password; then a confirmation page."""
    word = page._("ERASE")
    if field(form, "confirm").strip().casefold() != word.casefold():
        typed = ("confirm", page._("Type %(word)s to confirm", word=word))
        return _settings(page, status=422, errors=[typed])
    try:
        receipt = erase_wallet(
            session,
            holder_id=holder,
            password=field(form, "erase-password"),
            kek=kek,
            hashing=hashing,
            client=client,
            now=datetime.now(UTC),
        )
    except _PASSWORD_ERRORS as exc:
        status, error = _password_error(page, exc, "erase-password")
        return _settings(page, status=status, errors=[error])
    page.holder = None
    response = page.render("erased.html", title=page._("Your wallet is erased"), receipt=receipt)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
