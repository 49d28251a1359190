"""Issuing from a spreadsheet: template, upload, the check of every row, issuing, results.

Every page needs the issuer side of the organisation (issuer staff or an organisation admin:
:data:`api.web.org_access.IssuerStaffDep`), and a batch is seen only by the account that
uploaded it.

1. ``/org/{slug}/batch``: choose a type; its columns explained; the template to download
   (``/org/{slug}/batch/template?type=...``); the upload form.
2. The upload (``POST /org/{slug}/batch``) is read (:mod:`api.web.batch_csv`) and every row
   checked (:func:`issuers.batches.stage_batch`); nothing is issued. The checked batch is kept
   on the server, sealed, for a day, so that what is issued is exactly what was checked
   (re-uploading could bring another file), and the preview ``/org/{slug}/batch/{id}`` names
   every problem by row and column.
3. ``POST /org/{slug}/batch/{id}/issue`` issues the good rows as pickup offers in the
   background, in chunks committed one by one; the same page shows how many are done, with a
   link that updates it (no JavaScript; no timed ``<meta http-equiv="refresh">`` either, which
   WCAG 2.2.1 and axe-core's ``meta-refresh`` rule refuse), and when all are, offers the
   results file (``/org/{slug}/batch/{id}/results``). A batch left half done by a stopped
   server can be continued from the page.
"""

import logging
from datetime import UTC, datetime

from fastapi import APIRouter, BackgroundTasks, HTTPException
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.datastructures import UploadFile

from api.deps import EngineDep, KEKDep, SessionDep, SettingsDep
from api.logs import error_type, exception_summary
from api.web.batch_csv import (
    MAX_UPLOAD_BYTES,
    FileProblem,
    read_upload,
    results_file,
    template_file,
)
from api.web.batch_wording import column_label, file_problem_text, list_hint, problem_text
from api.web.org_access import IssuerStaffDep, StaffAt
from api.web.rendering import Page, PageDep
from api.web.sessions import CheckedForm
from issuers.batches import (
    Batch,
    batch_results,
    find_batch,
    issue_batch_rows,
    stage_batch,
    start_issuing,
)
from issuers.organisations import IssuerAccount
from schemas import type_display_name
from schemas.columns import columns, template_row

router = APIRouter()
logger = logging.getLogger("taito.web.batch")


def _issuer(here: StaffAt) -> IssuerAccount:
    if here.organisation.issuer is None:
        raise HTTPException(status_code=404)
    return here.organisation.issuer


def _types(page: Page, issuer: IssuerAccount) -> list[tuple[str, str]]:
    found = [(slug, type_display_name(slug, page.language)) for slug in issuer.types]
    return sorted(found, key=lambda pair: pair[1])


def _chosen(issuer: IssuerAccount, wanted: str | None) -> str | None:
    if wanted in issuer.types:
        return wanted
    return issuer.types[0] if len(issuer.types) == 1 else None


def _start_page(
    page: Page, here: StaffAt, chosen: str | None, *, errors: list[tuple[str, str]], status: int
) -> Response:
    issuer = _issuer(here)
    table = [] if chosen is None else columns(chosen)
    return page.render(
        "org_batch.html",
        title=page._("Issue from a spreadsheet"),
        status=status,
        errors=errors,
        here=here,
        types=_types(page, issuer),
        chosen=chosen,
        chosen_name="" if chosen is None else type_display_name(chosen, page.language),
        columns=[(column, column_label(page, chosen, column)) for column in table]
        if chosen
        else [],
        list_hint=list_hint(page),
        org_nav=True,
    )


@router.get("/org/{slug}/batch")
def batch_start(page: PageDep, here: IssuerStaffDep, type: str | None = None) -> Response:
    """Choose a type; then its columns, its template and the upload form."""
    issuer = _issuer(here)
    return _start_page(page, here, _chosen(issuer, type), errors=[], status=200)


@router.get("/org/{slug}/batch/template")
def template(page: PageDep, here: IssuerStaffDep, type: str) -> Response:
    """The type's CSV template: the header row and an example row to replace."""
    issuer = _issuer(here)
    if type not in issuer.types:
        raise HTTPException(status_code=404)
    table = columns(type)
    body = template_file(table, template_row(type, table), language=page.language)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="taito-{type}.csv"'},
    )


@router.post("/org/{slug}/batch")
def upload(
    page: PageDep,
    here: IssuerStaffDep,
    form: CheckedForm,
    session: SessionDep,
    kek: KEKDep,
) -> Response:
    """Check every row of the uploaded file; nothing is issued yet.

    A plain function, so that reading and checking up to 1,000 rows (about 1.6 s) runs in the
    thread pool, not on the event loop; the form, file included, is parsed before it runs.
    """
    issuer = _issuer(here)
    chosen = form.get("type")
    if not isinstance(chosen, str) or chosen not in issuer.types:
        message = page._("Choose the type of the credentials")
        return _start_page(page, here, None, errors=[("type", message)], status=422)
    file = form.get("file")
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise FileProblem("no_file")
        data = file.file.read(MAX_UPLOAD_BYTES + 1)
        rows = read_upload(data, columns(chosen)).rows
    except FileProblem as problem:
        message = file_problem_text(page, problem.reason, problem.names, MAX_UPLOAD_BYTES >> 20)
        return _start_page(page, here, chosen, errors=[("file", message)], status=422)
    batch = stage_batch(
        session,
        issuer=issuer,
        owner=here.member.id,
        type_slug=chosen,
        rows=rows,
        kek=kek,
        now=datetime.now(UTC),
    )
    return RedirectResponse(f"/org/{issuer.slug}/batch/{batch.id}", status_code=303)


def _problems(page: Page, batch: Batch) -> list[tuple[int, str, str, str]]:
    table = {column.name: column for column in columns(batch.type)}
    shown = []
    for problem in batch.problems:
        column = table.get(problem.column or "")
        if column is None:
            shown.append((problem.row, page._("The whole row"), "", problem_text(page, problem)))
        else:
            label = column_label(page, batch.type, column)
            shown.append((problem.row, label, column.name, problem_text(page, problem)))
    return shown


@router.get("/org/{slug}/batch/{batch_id}")
def batch_page(
    page: PageDep, here: IssuerStaffDep, batch_id: str, session: SessionDep, kek: KEKDep
) -> Response:
    """The check of every row before issuing; then the progress; then the results."""
    issuer = _issuer(here)
    batch = find_batch(
        session,
        issuer_id=issuer.id,
        owner=here.member.id,
        batch_id=batch_id,
        kek=kek,
        now=datetime.now(UTC),
    )
    titles = {
        "staged": page._("Check before issuing"),
        "issuing": page._("Issuing…"),
        "done": page._("Issued"),
    }
    return page.render(
        "org_batch_batch.html",
        title=titles[batch.state],
        here=here,
        batch=batch,
        type_name=type_display_name(batch.type, page.language),
        bad_rows=len({problem.row for problem in batch.problems}),
        problems=_problems(page, batch),
        org_nav=True,
    )


def _issue_in_background(
    engine: Engine, *, issuer: IssuerAccount, owner: str, batch_id: str, kek: bytes, base_url: str
) -> None:
    """Issue the batch after the answer has gone (its own session: the request's is closed)."""
    try:
        with Session(engine, expire_on_commit=False) as session:
            issue_batch_rows(
                session,
                issuer=issuer,
                owner=owner,
                batch_id=batch_id,
                kek=kek,
                base_url=base_url,
                clock=lambda: datetime.now(UTC),
            )
    except Exception as error:  # logged (its type only); the page then offers to continue
        logger.error(
            "batch issuing stopped: %s",
            error_type(error),
            extra={"error_type": error_type(error), "traceback": exception_summary(error)},
        )


@router.post("/org/{slug}/batch/{batch_id}/issue")
def issue(
    here: IssuerStaffDep,
    batch_id: str,
    form: CheckedForm,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    kek: KEKDep,
    background: BackgroundTasks,
) -> Response:
    """Issue the good rows (or continue a stopped batch) and show the progress."""
    issuer = _issuer(here)
    start_issuing(
        session, issuer_id=issuer.id, owner=here.member.id, batch_id=batch_id, now=datetime.now(UTC)
    )
    background.add_task(
        _issue_in_background,
        engine,
        issuer=issuer,
        owner=here.member.id,
        batch_id=batch_id,
        kek=kek,
        base_url=settings.base_url,
    )
    return RedirectResponse(f"/org/{issuer.slug}/batch/{batch_id}", status_code=303)


@router.get("/org/{slug}/batch/{batch_id}/results")
def results(
    page: PageDep, here: IssuerStaffDep, batch_id: str, session: SessionDep, kek: KEKDep
) -> Response:
    """Every row's offer and pickup code, or why it was not issued, as CSV."""
    issuer = _issuer(here)
    now = datetime.now(UTC)
    owner = here.member.id
    batch = find_batch(
        session, issuer_id=issuer.id, owner=owner, batch_id=batch_id, kek=kek, now=now
    )
    found = batch_results(
        session, issuer_id=issuer.id, owner=owner, batch_id=batch_id, kek=kek, now=now
    )
    _ = page._
    header = [
        _("row"),
        "given_name",
        "family_name",
        _("offer id"),
        _("pickup code"),
        _("can be picked up until"),
        _("error"),
    ]
    errors = {"row_invalid": _("The row has errors; see the check page. Not issued.")}
    body = results_file(
        found,
        dict(batch.names),
        errors,
        other=_("Not issued; issue this person's credential on its own."),
        header=header,
        language=page.language,
    )
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="taito-results-{batch_id}.csv"',
            "Cache-Control": "no-store",
        },
    )
