"""Export and import of the trust registry for platform admins.

The export is the document ``taito admin trust export`` writes. An import is read (a file or
pasted text, at most :data:`MAX_IMPORT_BYTES`), validated and previewed (added, changed,
unchanged, removed) before anything is written; a document with problems lists each by entry
and field, and nothing changes. Applying is a second form, the confirmation, which imports the
same document in one transaction (:func:`verifiers.trust.import_trust_registry`).
"""

import json
from datetime import UTC, datetime
from functools import partial
from typing import Final

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import SessionDep
from api.web.accounts import field
from api.web.org_access import PlatformAdminDep
from api.web.platform_trust_pages import field_messages, field_of
from api.web.rendering import Page, PageDep
from api.web.sessions import CheckedForm
from verifiers.errors import TrustEntryInvalid
from verifiers.trust import export_trust_registry, import_trust_registry, preview_trust_import

router = APIRouter()

MAX_IMPORT_BYTES: Final = 64 * 1024
"""The largest registry document the page imports (a form field's limit); larger ones go
through ``taito admin trust import``."""


@router.get("/platform/trust/export")
def export(member: PlatformAdminDep, session: SessionDep) -> Response:
    """The registry as one JSON document, the same as ``taito admin trust export``."""
    document = export_trust_registry(session)
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n",
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="taito-trust-registry.json"'},
    )


def _import_page(
    page: Page,
    member: PlatformAdminDep,
    *,
    errors: list[tuple[str, str]],
    problems: list[tuple[str, str, str]] | None = None,
    status: int = 200,
    replace: bool = False,
    text: str = "",
) -> Response:
    return page.render(
        "platform_trust_import.html",
        title=page._("Import a trust registry"),
        status=status,
        errors=errors,
        member=member,
        problems=problems or [],
        replace=replace,
        text=text,
    )


@router.get("/platform/trust/import")
def import_form(page: PageDep, member: PlatformAdminDep) -> Response:
    """The form that reads a registry document for a preview."""
    return _import_page(page, member, errors=[])


async def _document_text(form: CheckedForm) -> str | None:
    """The document from the file or the text box, or None when too large or not text."""
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(MAX_IMPORT_BYTES + 1)
    else:
        pasted = form.get("document")
        raw = pasted.encode() if isinstance(pasted, str) else b""
    if len(raw) > MAX_IMPORT_BYTES:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _problems(
    page: Page, document: object, invalid: TrustEntryInvalid
) -> list[tuple[str, str, str]]:
    """Each problem as (which entry, which field, what to fix), in the page language."""
    items = document.get("trusted_issuers") if isinstance(document, dict) else None
    messages = field_messages(page)
    found: list[tuple[str, str, str]] = []
    for problem in invalid.errors:
        parts = problem["pointer"].strip("/").split("/")
        if parts[0] == "trusted_issuers" and len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            item = items[index] if isinstance(items, list) and index < len(items) else None
            name = item.get("identifier") if isinstance(item, dict) else None
            where = page._("Entry %(number)s", number=index + 1)
            if isinstance(name, str) and name:
                where = f"{where} ({name[:200]})"
            name_of_field = field_of(problem["pointer"])
            what = messages.get(name_of_field) or page._("Entry is not an object")
            found.append((where, name_of_field, what))
        elif parts[0] == "trusted_issuers":
            what = page._("The list of issuers is missing, or names the same issuer twice")
            found.append((page._("The whole file"), "trusted_issuers", what))
        else:
            what = page._('The file is not a Taito trust registry (its "version" must be 1)')
            found.append((page._("The whole file"), "version", what))
    return found


def _problems_page(
    page: Page,
    member: PlatformAdminDep,
    document: object,
    invalid: TrustEntryInvalid,
    *,
    replace: bool,
    text: str,
) -> Response:
    message = page._("The file has problems: nothing was imported. See the list below.")
    return _import_page(
        page,
        member,
        errors=[("file", message)],
        problems=_problems(page, document, invalid),
        status=422,
        replace=replace,
        text=text,
    )


@router.post("/platform/trust/import")
async def import_preview(
    page: PageDep, member: PlatformAdminDep, form: CheckedForm, session: SessionDep
) -> Response:
    """Validate the document and show what importing it would change; nothing is written."""
    replace = field(form, "replace") == "yes"
    text = await _document_text(form)
    document: object = None
    if text is not None and text.strip():
        try:
            document = json.loads(text)
        except ValueError:
            document = None
    if not isinstance(document, dict):
        message = page._(
            "Choose or paste a trust registry JSON file exported from Taito, at most 64 KB"
        )
        return _import_page(
            page, member, errors=[("file", message)], status=422, replace=replace, text=text or ""
        )
    try:
        preview = await run_in_threadpool(
            partial(preview_trust_import, session, document=document, replace=replace)
        )
    except TrustEntryInvalid as invalid:
        return _problems_page(page, member, document, invalid, replace=replace, text=text or "")
    return page.render(
        "platform_trust_preview.html",
        title=page._("Import these changes?"),
        member=member,
        preview=preview,
        document=json.dumps(document, ensure_ascii=False, separators=(",", ":")),
        replace=replace,
    )


@router.post("/platform/trust/import/apply")
def import_apply(
    page: PageDep, member: PlatformAdminDep, form: CheckedForm, session: SessionDep
) -> Response:
    """Import the previewed document in one transaction (all of it or nothing)."""
    replace = field(form, "replace") == "yes"
    document: object = None
    text = form.get("document")
    if isinstance(text, str) and len(text.encode()) <= MAX_IMPORT_BYTES:
        try:
            document = json.loads(text)
        except ValueError:
            document = None
    try:
        import_trust_registry(session, document=document, replace=replace, now=datetime.now(UTC))
    except TrustEntryInvalid as invalid:
        pasted = text if isinstance(text, str) else ""
        return _problems_page(page, member, document, invalid, replace=replace, text=pasted)
    return RedirectResponse("/platform/trust", status_code=303)
