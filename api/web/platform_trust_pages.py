"""The trust registry for platform admins: view, add, narrow and remove entries.

Every page under ``/platform/trust`` needs a platform admin
(:data:`api.web.org_access.PlatformAdminDep`): signed out, a redirect to ``/org/login``; any
other staff member, 403. The pages call the same service functions as ``/v1/admin/trust`` and
``taito admin trust`` (:mod:`verifiers.trust`). Removing an entry and narrowing one each ask
once, on a page that says what changes; narrowing only ever drops types. Export and import:
:mod:`api.web.platform_trust_import_pages`.
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse, Response

from api.deps import SessionDep, SettingsDep
from api.flows.trust_registry import read_trust_registry
from api.web.accounts import field
from api.web.org_access import PlatformAdminDep
from api.web.rendering import Page, PageDep
from api.web.sessions import CheckedForm
from schemas import SLUGS, type_display_name
from schemas.registry import vct_for
from verifiers.errors import TrustedIssuerExists, TrustEntryInvalid
from verifiers.trust import (
    add_trusted_issuer,
    get_trusted_issuer,
    narrow_trusted_issuer,
    remove_trusted_issuer,
)
from verifiers.trust_entries import KeySource, TrustEntry, entry_from_json

router = APIRouter()

Identifier = Annotated[str, Query(min_length=1, max_length=500)]


def type_labels(page: Page, base_url: str) -> dict[str, str]:
    """Taito's credential types by ``vct``, named in the page language."""
    return {
        vct_for(slug, base_url=base_url): type_display_name(slug, page.language) for slug in SLUGS
    }


def source_names(page: Page) -> dict[str, str]:
    """Where an issuer's keys come from, in the page language."""
    return {
        KeySource.LOCAL: page._("An issuer of this Taito"),
        KeySource.JWKS_URL: page._("A JWK Set at an address"),
        KeySource.ISSUER_METADATA: page._("The issuer's published metadata"),
        KeySource.DID_WEB: page._("The issuer's did:web document"),
        KeySource.PINNED_JWK: page._("Keys pasted here"),
    }


def field_messages(page: Page) -> dict[str, str]:
    """What to fix in each field of an entry, in the page language."""
    return {
        "identifier": page._(
            "Enter the issuer's identifier: an https address or a DID, without spaces. An issuer "
            "whose metadata is read needs a public https address; a did:web source needs a did:web."
        ),
        "display_name": page._("Enter a name of 1 to 200 characters"),
        "key_source": page._("Choose where the issuer's keys come from"),
        "key_url": page._("Enter the https address of the issuer's JWK Set, on a public host"),
        "jwks": page._(
            "Paste a JWK Set of 1 to 32 public Ed25519 or P-256 keys (only for that source)"
        ),
        "vct_values": page._("Choose 1 to 100 different credential types"),
    }


def field_of(pointer: str) -> str:
    """The entry field a problem's RFC 6901 pointer names ("" for none)."""
    # "/trusted_issuers/3/jwks/keys/0" -> "jwks"; "/vct_values" -> "vct_values"
    parts = pointer.strip("/").split("/")
    if parts[0] == "trusted_issuers" and len(parts) > 2:
        parts = parts[2:]
    return parts[0] if parts and parts[0] in FIELDS else ""


FIELDS: Final = ("identifier", "display_name", "key_source", "key_url", "jwks", "vct_values")


@router.get("/platform/trust")
def registry(
    page: PageDep, member: PlatformAdminDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """Every trusted issuer: for which types, its keys' source, and this instance's issuers."""
    view = read_trust_registry(session, base_url=settings.base_url, now=datetime.now(UTC))
    return page.render(
        "platform_trust.html",
        title=page._("Trust registry"),
        member=member,
        view=view,
        labels=type_labels(page, settings.base_url),
        sources=source_names(page),
    )


def _add_page(
    page: Page,
    member: PlatformAdminDep,
    settings: SettingsDep,
    *,
    values: dict[str, Any],
    errors: list[tuple[str, str]],
    status: int = 200,
) -> Response:
    return page.render(
        "platform_trust_add.html",
        title=page._("Trust an issuer"),
        status=status,
        errors=errors,
        member=member,
        values=values,
        labels=type_labels(page, settings.base_url),
        sources=source_names(page),
    )


@router.get("/platform/trust/add")
def add_form(page: PageDep, member: PlatformAdminDep, settings: SettingsDep) -> Response:
    """The form that adds an issuer to the registry."""
    values = {"key_source": KeySource.ISSUER_METADATA.value, "vct_values": []}
    return _add_page(page, member, settings, values=values, errors=[])


@router.post("/platform/trust/add")
def add(
    page: PageDep,
    member: PlatformAdminDep,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Add the entry; every problem is shown at its field."""
    known = type_labels(page, settings.base_url)
    chosen = [v for v in form.getlist("vct_values") if isinstance(v, str) and v in known]
    others = [line.strip() for line in field(form, "other_types").splitlines() if line.strip()]
    values: dict[str, Any] = {
        "identifier": field(form, "identifier").strip(),
        "display_name": field(form, "display_name"),
        "key_source": field(form, "key_source"),
        "key_url": field(form, "key_url").strip(),
        "jwks": field(form, "jwks"),
        "vct_values": chosen,
        "other_types": field(form, "other_types"),
    }
    messages = field_messages(page)
    item: dict[str, Any] = {
        "identifier": values["identifier"],
        "display_name": values["display_name"],
        "key_source": values["key_source"],
        "vct_values": chosen + others,
    }
    if values["key_url"]:
        item["key_url"] = values["key_url"]
    errors: list[tuple[str, str]] = []
    if values["jwks"].strip():
        try:
            item["jwks"] = json.loads(values["jwks"])
        except ValueError:
            errors.append(("jwks", messages["jwks"]))
    if not errors:
        try:
            entry = entry_from_json(item)
            add_trusted_issuer(session, entry=entry, now=datetime.now(UTC))
            return RedirectResponse("/platform/trust", status_code=303)
        except TrustEntryInvalid as invalid:
            for problem in invalid.errors:
                name = field_of(problem["pointer"])
                if name and name not in dict(errors):
                    errors.append((name, messages[name]))
        except TrustedIssuerExists:
            message = page._("This issuer is already in the registry: narrow or remove its entry")
            errors.append(("identifier", message))
    errors = errors or [("identifier", messages["identifier"])]
    return _add_page(page, member, settings, values=values, errors=errors, status=422)


@router.get("/platform/trust/narrow")
def narrow_form(
    page: PageDep,
    member: PlatformAdminDep,
    identifier: Identifier,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """The entry's types, each with a box: clear the ones to stop trusting it for."""
    stored = get_trusted_issuer(session, identifier=identifier)
    return _narrow_page(page, member, settings, entry=stored.entry, keep=stored.entry.vct_values)


def _narrow_page(
    page: Page,
    member: PlatformAdminDep,
    settings: SettingsDep,
    *,
    entry: TrustEntry,
    keep: Sequence[str],
    errors: list[tuple[str, str]] | None = None,
    confirm: bool = False,
) -> Response:
    title = (
        page._("Trust %(name)s for fewer types?", name=entry.display_name)
        if confirm
        else page._("Narrow the trust in %(name)s", name=entry.display_name)
    )
    return page.render(
        "platform_trust_narrow.html",
        title=title,
        status=422 if errors else 200,
        errors=errors,
        member=member,
        entry=entry,
        keep=list(keep),
        dropped=[vct for vct in entry.vct_values if vct not in keep],
        confirm=confirm,
        labels=type_labels(page, settings.base_url),
    )


@router.post("/platform/trust/narrow")
def narrow(
    page: PageDep,
    member: PlatformAdminDep,
    form: CheckedForm,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """First a confirmation naming the types dropped; once confirmed, narrow the entry."""
    entry = get_trusted_issuer(session, identifier=field(form, "identifier")).entry
    wanted = {v for v in form.getlist("keep") if isinstance(v, str)}
    keep = [vct for vct in entry.vct_values if vct in wanted]
    if not keep or len(keep) == len(entry.vct_values) or not wanted <= set(keep):
        message = page._(
            "Clear the box of at least one type, and keep at least one. "
            "To stop trusting the issuer at all, remove its entry."
        )
        return _narrow_page(
            page, member, settings, entry=entry, keep=keep, errors=[("keep", message)]
        )
    if field(form, "confirmed") != "yes":
        return _narrow_page(page, member, settings, entry=entry, keep=keep, confirm=True)
    narrow_trusted_issuer(
        session, identifier=entry.identifier, vct_values=keep, now=datetime.now(UTC)
    )
    return RedirectResponse("/platform/trust", status_code=303)


@router.get("/platform/trust/remove")
def remove_confirm(
    page: PageDep, member: PlatformAdminDep, identifier: Identifier, session: SessionDep
) -> Response:
    """Ask once before removing an entry."""
    entry = get_trusted_issuer(session, identifier=identifier).entry
    return page.render(
        "platform_trust_remove.html",
        title=page._("Stop trusting %(name)s?", name=entry.display_name),
        member=member,
        entry=entry,
    )


@router.post("/platform/trust/remove")
def remove(
    page: PageDep, member: PlatformAdminDep, form: CheckedForm, session: SessionDep
) -> Response:
    """Remove the entry at once."""
    remove_trusted_issuer(session, identifier=field(form, "identifier"))
    return RedirectResponse("/platform/trust", status_code=303)
