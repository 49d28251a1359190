"""The wallet API: ``/v1/wallet/...`` for the person holding credentials.

Authorization: ``Authorization: Bearer tat_...`` (an access token from ``/v1/auth``); without a
live token every route answers 401. Every resource belongs to the holder of the token: another
person's credential, share or skill is 404, exactly like one that does not exist. Labels and
type names follow ``?lang=`` or ``Accept-Language`` (fi, sv, en).

This module also gathers the wallet's sub-routers (accounts, shares, requests), so the app
includes one router.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import KEKDep, SessionDep, SettingsDep
from api.edge import StrictRoute
from api.fields import SequenceNumber
from api.flows.pickup import pick_up_credential
from api.flows.receive import receive_credential as receive_flow
from api.flows.wallet_import import import_wallet_export
from api.language import LanguageDep
from api.listings import WALLET_ACTIVITY, WALLET_CREDENTIALS, page_of
from api.routers import (
    wallet_auth,
    wallet_goals,
    wallet_grants,
    wallet_offers,
    wallet_outside_requests,
    wallet_requests,
    wallet_shares,
)
from api.routers.wallet_deps import (
    CheckerDep,
    ClientAddressDep,
    CurrentHolder,
    NowDep,
    PasswordHashingDep,
)
from api.routers.wallet_models import (
    ActivityEntryOut,
    ActivityOut,
    BindingOut,
    CredentialDetailOut,
    CredentialListOut,
    CredentialOut,
    DeclaredSkillListOut,
    DeclaredSkillOut,
    ErasureOut,
    ExportEnvelopeOut,
    ExportIn,
    ImportIn,
    ImportReportOut,
    PasswordConfirmationIn,
    PickupIn,
    ProfileOut,
    ReceiveIn,
    SkillIn,
)
from api.routers.wallet_views import credential_out, detail_out, profile_response
from wallet.activity import list_activity
from wallet.credentials import (
    CredentialFilter,
    credential_detail,
    delete_credential,
    list_credentials_page,
)
from wallet.erasure import erase_wallet
from wallet.holder_keys import holder_binding
from wallet.limits import json_size
from wallet.portability import export_wallet
from wallet.profile import (
    declare_skill,
    list_declared_skills,
    remove_declared_skill,
    skills_profile,
)

router = APIRouter(route_class=StrictRoute, tags=["wallet"])

routers = (
    wallet_auth.router,
    wallet_shares.router,
    wallet_requests.router,
    wallet_offers.router,
    wallet_outside_requests.router,
    wallet_goals.router,
    wallet_grants.router,
    router,
)
"""The wallet's routers in the order the app adds them (listed: :mod:`api.route_table`)."""

Id = Annotated[str, Query(max_length=40)]


@router.get("/v1/wallet/binding")
def get_binding(holder: CurrentHolder, session: SessionDep) -> BindingOut:
    """The public key (JWK and did:jwk) issuers bind this wallet's credentials to."""
    binding = holder_binding(session, holder_id=holder)
    return BindingOut(
        kid=binding.kid,
        alg=binding.alg,
        jwk=binding.jwk,
        did=binding.did,
        verification_method=binding.verification_method,
    )


@router.post("/v1/wallet/credentials", status_code=status.HTTP_201_CREATED)
def receive(
    body: ReceiveIn,
    response: Response,
    holder: CurrentHolder,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    verify: CheckerDep,
    now: NowDep,
) -> CredentialOut:
    """Receive an SD-JWT VC or a ``vc+jwt``: verified first, refused with the failing check."""
    summary = receive_flow(
        session,
        holder_id=holder,
        credential=body.credential,
        verify=verify,
        kek=kek,
        base_url=settings.base_url,
        now=now,
    )
    response.headers["Location"] = f"/v1/wallet/credentials/{summary.id}"
    return credential_out(summary)


@router.post("/v1/wallet/pickup", status_code=status.HTTP_201_CREATED)
def pick_up(
    body: PickupIn,
    holder: CurrentHolder,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    verify: CheckerDep,
    now: NowDep,
) -> CredentialOut:
    """Redeem an issuer's one-time code straight into this wallet (verified as usual).

    An offer code (``ABCD-EFGH-...``) binds the credential to this wallet's key now; a ``tpc_``
    code collects a credential issued to it before.
    """
    summary = pick_up_credential(
        session,
        holder_id=holder,
        code=body.code,
        verify=verify,
        kek=kek,
        base_url=settings.base_url,
        now=now,
    )
    return credential_out(summary)


@router.get("/v1/wallet/credentials")
def list_held(
    holder: CurrentHolder,
    session: SessionDep,
    kek: KEKDep,
    lang: LanguageDep,
    type: Annotated[str | None, Query(max_length=300)] = None,
    issuer: Annotated[str | None, Query(max_length=300)] = None,
    skill: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=WALLET_CREDENTIALS.max_items)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> CredentialListOut:
    """List, filter (type slug or vct, issuer, ESCO skill) and search (``q``) credentials,
    newest first.

    A page holds at most ``limit`` credentials; ``next_cursor`` asks for the rest (pass it as
    ``cursor`` with the same filters). Paging never repeats nor skips a credential, also when
    one is received meanwhile (it comes before the first page).
    """
    page = list_credentials_page(
        session,
        holder_id=holder,
        kek=kek,
        lang=lang,
        filters=CredentialFilter(type=type, issuer=issuer, skill=skill, text=q),
        limit=limit,
        cursor=cursor,
    )
    return CredentialListOut(
        credentials=[credential_out(c) for c in page.items], next_cursor=page.next_cursor
    )


@router.get("/v1/wallet/credentials/{credential_id}")
def get_credential(
    credential_id: str,
    holder: CurrentHolder,
    session: SessionDep,
    kek: KEKDep,
    lang: LanguageDep,
    verify: CheckerDep,
    now: NowDep,
) -> CredentialDetailOut:
    """One credential: labelled claims, issuer, validity and live status."""
    detail = credential_detail(
        session,
        holder_id=holder,
        credential_id=credential_id,
        kek=kek,
        lang=lang,
        now=now,
        verify=verify,
    )
    return detail_out(detail)


@router.delete("/v1/wallet/credentials/{credential_id}", status_code=204)
def remove_credential(
    credential_id: str, holder: CurrentHolder, session: SessionDep, kek: KEKDep, now: NowDep
) -> None:
    """Delete a credential; shares presenting it are withdrawn at once."""
    delete_credential(session, holder_id=holder, credential_id=credential_id, kek=kek, now=now)


@router.get("/v1/wallet/profile", response_model=ProfileOut)
def get_profile(
    holder: CurrentHolder, session: SessionDep, kek: KEKDep, lang: LanguageDep
) -> Response:
    """The skills profile: every skill, best level, attesting credentials, self-declared ones."""
    profile = skills_profile(session, holder_id=holder, kek=kek, lang=lang)
    return profile_response(profile)


@router.get("/v1/wallet/skills")
def get_declared_skills(
    holder: CurrentHolder, session: SessionDep, kek: KEKDep
) -> DeclaredSkillListOut:
    """The skills the person declares themselves (never verified)."""
    skills = list_declared_skills(session, holder_id=holder, kek=kek)
    return DeclaredSkillListOut(
        skills=[DeclaredSkillOut.model_validate(s, from_attributes=True) for s in skills]
    )


@router.post("/v1/wallet/skills", status_code=status.HTTP_201_CREATED)
def add_declared_skill(
    body: SkillIn, holder: CurrentHolder, session: SessionDep, kek: KEKDep, now: NowDep
) -> DeclaredSkillOut:
    """Declare an ESCO skill (optionally with a level); it stays marked self-declared."""
    skill = declare_skill(
        session, holder_id=holder, uri=body.uri, level=body.level, kek=kek, now=now
    )
    return DeclaredSkillOut.model_validate(skill, from_attributes=True)


@router.delete("/v1/wallet/skills/{skill_id}", status_code=204)
def delete_declared_skill(
    skill_id: str, holder: CurrentHolder, session: SessionDep, kek: KEKDep, now: NowDep
) -> None:
    """Remove a self-declared skill."""
    remove_declared_skill(session, holder_id=holder, skill_id=skill_id, kek=kek, now=now)


@router.get("/v1/wallet/activity")
def get_activity(
    holder: CurrentHolder,
    session: SessionDep,
    kek: KEKDep,
    limit: Annotated[int, Query(ge=1, le=WALLET_ACTIVITY.max_items)] = 100,
    before: Annotated[SequenceNumber | None, Query()] = None,
) -> ActivityOut:
    """The activity log, newest first (``before``: entries older than that sequence number).

    A page stops at ``limit`` entries or 1 MiB; ``next_before`` asks for the rest.
    """
    entries = list_activity(session, holder_id=holder, kek=kek, limit=limit, before=before)
    page, more = page_of(entries, WALLET_ACTIVITY, limit=limit, size=lambda e: json_size(e.details))
    return ActivityOut(
        entries=[
            ActivityEntryOut(
                seq=e.seq, kind=e.kind.value, occurred_at=e.occurred_at, details=dict(e.details)
            )
            for e in page
        ],
        next_before=page[-1].seq if more else None,
    )


@router.post("/v1/wallet/export")
def export(
    body: ExportIn,
    response: Response,
    holder: CurrentHolder,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    hashing: PasswordHashingDep,
    client: ClientAddressDep,
    now: NowDep,
) -> ExportEnvelopeOut:
    """The whole wallet, holder keys included, encrypted under your passphrase (password again)."""
    envelope = export_wallet(
        session,
        holder_id=holder,
        password=body.password,
        passphrase=body.passphrase,
        kek=kek,
        hashing=hashing,
        client=client,
        base_url=settings.base_url,
        now=now,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = 'attachment; filename="taito-wallet-export.json"'
    return ExportEnvelopeOut.model_validate(envelope)


@router.post("/v1/wallet/import")
def import_export(
    body: ImportIn,
    holder: CurrentHolder,
    session: SessionDep,
    settings: SettingsDep,
    kek: KEKDep,
    verify: CheckerDep,
    now: NowDep,
) -> ImportReportOut:
    """Import an encrypted Taito wallet export with its passphrase; every credential is verified."""
    report = import_wallet_export(
        session,
        holder_id=holder,
        export=body.export,
        passphrase=body.passphrase,
        verify=verify,
        kek=kek,
        base_url=settings.base_url,
        now=now,
    )
    return ImportReportOut.model_validate(report, from_attributes=True)


@router.post("/v1/wallet/erase")
def erase(
    body: PasswordConfirmationIn,
    holder: CurrentHolder,
    session: SessionDep,
    kek: KEKDep,
    hashing: PasswordHashingDep,
    client: ClientAddressDep,
    now: NowDep,
) -> ErasureOut:
    """Erase the whole wallet (password again): every credential, share, skill, key and entry."""
    receipt = erase_wallet(
        session,
        holder_id=holder,
        password=body.password,
        kek=kek,
        hashing=hashing,
        client=client,
        now=now,
    )
    return ErasureOut.model_validate(receipt, from_attributes=True)
