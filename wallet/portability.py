"""Portability: export a wallet, encrypted, and import it on another Taito (GDPR Art. 20).

Issue 5, "Portability and erasure"; issues 12 and 16. The export is one JSON document: the
credentials exactly as issued with their metadata, the holder keys (so credentials bound to them
can still be presented elsewhere), self-declared skills, shares, goal occupations, grants to
guidance organisations, the consent receipt of every grant and share, and the activity log.
Because it holds private keys it leaves only encrypted under a passphrase the person chooses
(:mod:`wallet.export_encryption`), and exporting and erasing each take the password again
(:func:`wallet.reauthentication.confirm_password`); erasure is :mod:`wallet.erasure`.
Import on another instance verifies
every credential again through the same gate as receiving (:class:`~wallet.checker.
CredentialChecker`); what does not verify is reported with its failing check and not stored.
Self-declared skills and goal occupations are restored. Grants and shares are not: each is a
consent to someone at one Taito, so the person gives it afresh where they now keep their wallet;
the old grants, shares and consent receipts stay in the export file as the record of what was
agreed.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from credentials.clock import require_aware
from credentials.encoding import JSONValue
from credentials.errors import TaitoError
from credentials.keys import private_key_from_jwk
from schemas.vocabulary import OCCUPATION_PREFIX
from wallet.activity import ActivityKind, all_activity, append_activity
from wallet.checker import CredentialChecker
from wallet.consent import list_receipts
from wallet.credentials import store_received
from wallet.errors import CredentialDuplicate, ImportInvalid, PassphraseRejected
from wallet.export_encryption import ExportKDF, check_passphrase, decrypt_export, encrypt_export
from wallet.goals import MAX_GOALS, MAX_OCCUPATION_ID_CHARS, choose_goal, list_goals
from wallet.grants import list_grants
from wallet.held import document_json, iter_documents
from wallet.holder_keys import holder_private_jwks, holder_public_keys, store_holder_key
from wallet.limits import (
    CREDENTIALS_MAX,
    IMPORTED_ACTIVITY_MAX_BYTES,
    check_holder_key_room,
    newest_that_fit,
)
from wallet.passwords import PasswordHashing
from wallet.profile import declare_skill, list_declared_skills
from wallet.reauthentication import confirm_password
from wallet.shares.records import list_shares
from wallet.vault import open_vault

EXPORT_FORMAT = "taito-wallet-export"
EXPORT_VERSION = 1
MAX_IMPORT_CREDENTIALS = CREDENTIALS_MAX
"""An import file lists at most what a wallet can hold; a longer list is refused before any work."""


@dataclass(frozen=True)
class ImportRejection:
    index: int
    code: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    imported: int
    duplicates: int
    keys_added: int
    rejected: tuple[ImportRejection, ...]


def export_wallet(
    session: Session,
    *,
    holder_id: str,
    password: str,
    passphrase: str,
    kek: bytes,
    hashing: PasswordHashing,
    client: str,
    base_url: str,
    now: datetime,
) -> dict[str, JSONValue]:
    """The person's whole wallet, encrypted under ``passphrase``, after the password again.

    GDPR Art. 20. The envelope is :mod:`wallet.export_encryption`'s (Argon2id at the cost of
    ``hashing``, AES-256-GCM); the export itself is logged first. Raises
    :class:`~wallet.errors.ReauthenticationFailed` (403),
    :class:`~wallet.errors.LoginThrottled` (429) and
    :class:`~wallet.errors.PassphraseRejected` (422); nothing is logged then.
    """
    now = require_aware(now)
    check_passphrase(passphrase)
    if passphrase == password:
        raise PassphraseRejected("Choose a passphrase other than your password.")
    confirm_password(
        session,
        holder_id=holder_id,
        password=password,
        kek=kek,
        hashing=hashing,
        client=client,
        now=now,
    )
    document = _export_document(session, holder_id=holder_id, kek=kek, base_url=base_url, now=now)
    hasher = hashing.hasher
    kdf = ExportKDF(
        iterations=hasher.time_cost, lanes=hasher.parallelism, memory_kib=hasher.memory_cost
    )
    return encrypt_export(document, passphrase=passphrase, kdf=kdf)


def _export_document(
    session: Session, *, holder_id: str, kek: bytes, base_url: str, now: datetime
) -> dict[str, JSONValue]:
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    append_activity(
        session, vault=vault, kind=ActivityKind.WALLET_EXPORTED, details={}, kek=kek, now=now
    )
    session.commit()
    credentials = []
    for document in iter_documents(session, vault):
        entry = document_json(document)
        entry["id"] = document.id
        entry["received_at"] = document.received_at.isoformat()
        credentials.append(entry)
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": now.isoformat(),
        "source": base_url,
        "holder_keys": list(holder_private_jwks(session, holder_id=holder_id, kek=kek)),
        "credentials": credentials,
        "self_declared_skills": [
            {"uri": s.uri, "level": s.level, "declared_at": s.declared_at.isoformat()}
            for s in list_declared_skills(session, holder_id=holder_id, kek=kek)
        ],
        "shares": [
            {
                "id": s.id,
                "status": s.status,
                "audience": s.audience,
                "purpose": s.purpose,
                "created_at": s.created_at.isoformat(),
                "expires_at": s.expires_at.isoformat(),
                "withdrawn_at": s.withdrawn_at.isoformat() if s.withdrawn_at else None,
                "max_views": s.max_views,
                "view_count": s.view_count,
                "items": [
                    {"credential_id": i.credential_id, "claims": [list(p) for p in i.claims]}
                    for i in s.items
                ],
            }
            for s in list_shares(session, holder_id=holder_id, kek=kek, base_url=base_url, now=now)
        ],
        "goals": [
            {"occupation": g.occupation_uri, "chosen_at": g.chosen_at.isoformat()}
            for g in list_goals(session, holder_id=holder_id, kek=kek)
        ],
        "grants": [
            {
                "id": g.id,
                "organisation": g.grantee.name,
                "purpose": g.purpose,
                "profile": g.profile,
                "credential_ids": list(g.credential_ids),
                "created_at": g.created_at.isoformat(),
                "expires_at": g.expires_at.isoformat(),
                "withdrawn_at": g.withdrawn_at.isoformat() if g.withdrawn_at else None,
                "consent_version": g.consent_version,
                "label": g.label,
            }
            for g in list_grants(session, holder_id=holder_id, kek=kek, now=now)
        ],
        "consent_receipts": [
            r.to_json() for r in list_receipts(session, holder_id=holder_id, kek=kek)
        ],
        "activity": [
            {
                "seq": e.seq,
                "kind": e.kind.value,
                "occurred_at": e.occurred_at.isoformat(),
                "details": dict(e.details),
            }
            for e in all_activity(session, vault=vault)
        ],
    }


def _list(bundle: Mapping[str, Any], name: str, limit: int) -> list[Any]:
    value = bundle.get(name, [])
    if not isinstance(value, list) or len(value) > limit:
        raise ImportInvalid(f"'{name}' must be an array of at most {limit} items.")
    return value


def import_wallet(
    session: Session,
    *,
    holder_id: str,
    export: Mapping[str, Any],
    passphrase: str,
    verify: CredentialChecker,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> ImportReport:
    """Import an encrypted export of a Taito into this wallet, verifying every credential again.

    The export is opened with ``passphrase`` first (:func:`~wallet.export_encryption.
    decrypt_export`). Holder keys come next (so credentials bound to them verify), then each
    credential goes through ``verify`` like a new receipt; rejected ones are listed with their
    failing check, duplicates are skipped. Raises :class:`~wallet.errors.ExportPassphraseWrong`
    (422) for a wrong passphrase and :class:`ImportInvalid` (422) for a malformed export; nothing
    is changed then.
    """
    now = require_aware(now)
    bundle = decrypt_export(export, passphrase=passphrase)
    if bundle.get("format") != EXPORT_FORMAT or bundle.get("version") != EXPORT_VERSION:
        raise ImportInvalid(f"Only {EXPORT_FORMAT} version {EXPORT_VERSION} can be imported.")
    keys = _list(bundle, "holder_keys", 20)
    credentials = _list(bundle, "credentials", MAX_IMPORT_CREDENTIALS)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    known = {key.thumbprint for key in holder_public_keys(session, holder_id=holder_id)}
    new_keys = {}
    for jwk in keys:
        try:
            key = private_key_from_jwk(jwk) if isinstance(jwk, dict) else None
        except TaitoError:
            key = None
        if key is None:
            raise ImportInvalid("A holder key in the export is not a valid private JWK.")
        if key.public.thumbprint not in known:
            new_keys[key.public.thumbprint] = key
    check_holder_key_room(session, holder_id=holder_id, adding=len(new_keys))
    for key in new_keys.values():
        store_holder_key(session, holder_id=holder_id, key=key, kek=kek, now=now, primary=False)
    added = len(new_keys)
    session.commit()
    imported = duplicates = 0
    rejected: list[ImportRejection] = []
    for number, entry in enumerate(credentials):
        text = entry.get("credential") if isinstance(entry, dict) else None
        if not isinstance(text, str):
            rejected.append(ImportRejection(number, "import_invalid", "not a credential"))
            continue
        # One transaction per credential: a rejected one leaves the others imported.
        try:
            store_received(
                session,
                vault=vault,
                credential=text,
                verify=verify,
                kek=kek,
                base_url=base_url,
                now=now,
            )
            session.commit()
            imported += 1
        except CredentialDuplicate:
            session.rollback()
            duplicates += 1
        except TaitoError as error:
            session.rollback()
            rejected.append(ImportRejection(number, error.code, error.title))
    previous_activity = _list(bundle, "activity", 100_000)
    for skill in _list(bundle, "self_declared_skills", 1000):
        _import_skill(session, holder_id=holder_id, skill=skill, kek=kek, now=now)
    for number, goal in enumerate(_list(bundle, "goals", MAX_GOALS)):
        # A microsecond apart, so that the goals keep the order the person chose them in.
        moment = now + timedelta(microseconds=number)
        _import_goal(session, holder_id=holder_id, goal=goal, kek=kek, now=moment)
    append_activity(
        session,
        vault=vault,
        kind=ActivityKind.WALLET_IMPORTED,
        details={
            "source": str(bundle.get("source", ""))[:500],
            "exported_at": str(bundle.get("exported_at", ""))[:64],
            "imported": imported,
            "duplicates": duplicates,
            "rejected": len(rejected),
            # The previous log's length and its newest entries, within the entry bound.
            "previous_activity_entries": len(previous_activity),
            "previous_activity": newest_that_fit(
                previous_activity, max_bytes=IMPORTED_ACTIVITY_MAX_BYTES
            ),
        },
        kek=kek,
        now=now,
    )
    session.commit()
    return ImportReport(
        imported=imported, duplicates=duplicates, keys_added=added, rejected=tuple(rejected)
    )


def _import_goal(session: Session, *, holder_id: str, goal: Any, kek: bytes, now: datetime) -> None:
    """Choose the exported goal occupation again, when this Taito knows it."""
    uri = goal.get("occupation") if isinstance(goal, dict) else None
    if not isinstance(uri, str) or not uri.startswith(OCCUPATION_PREFIX):
        return
    occupation_id = uri.removeprefix(OCCUPATION_PREFIX)[:MAX_OCCUPATION_ID_CHARS]
    try:
        choose_goal(session, holder_id=holder_id, occupation_id=occupation_id, kek=kek, now=now)
    except TaitoError:
        session.rollback()


def _import_skill(
    session: Session, *, holder_id: str, skill: Any, kek: bytes, now: datetime
) -> None:
    if not isinstance(skill, dict) or not isinstance(skill.get("uri"), str):
        return
    level = skill.get("level") if isinstance(skill.get("level"), str) else None
    try:
        declare_skill(session, holder_id=holder_id, uri=skill["uri"], level=level, kek=kek, now=now)
    except TaitoError:
        session.rollback()
