"""What one wallet may hold: a bound on every stored item and on each account's storage.

Each bound is checked where the item is stored, before anything is written, and answers a 4xx
problem that changes nothing (docs/security.md, "Limits"):

- a credential is at most :data:`CREDENTIAL_MAX_CHARS`; a wallet holds at most
  :data:`CREDENTIALS_MAX` credentials and :data:`CREDENTIAL_STORAGE_MAX_BYTES` of sealed
  credentials (413 ``credential_too_large``, 409 ``wallet_full``);
- at most :data:`HOLDER_KEYS_MAX` holder keys and :data:`DECLARED_SKILLS_MAX` declared skills
  (409 ``wallet_full``);
- an activity entry's details are at most :data:`ACTIVITY_DETAILS_MAX_BYTES` of JSON; an import
  keeps of the previous instance's log only its length and the newest entries that fit
  :data:`IMPORTED_ACTIVITY_MAX_BYTES`.

A credential's title, as lists show it, is at most :data:`TITLE_MAX_CHARS`; its issuer and type
identifiers at most :data:`IDENTIFIER_MAX_CHARS` (413 ``stored_item_too_large``). Active shares are
bounded in :mod:`wallet.shares.creation`.
"""

import json
from collections.abc import Sequence
from typing import Any, Final

from sqlmodel import Session, col, func, select

from wallet.errors import CredentialTooLarge, StoredItemTooLarge, WalletFull
from wallet.tables import WalletCredential, WalletDeclaredSkill, WalletHolderKey

CREDENTIAL_MAX_CHARS: Final = 256 * 1024
CREDENTIALS_MAX: Final = 1000
CREDENTIAL_STORAGE_MAX_BYTES: Final = 64 * 1024 * 1024
HOLDER_KEYS_MAX: Final = 20
DECLARED_SKILLS_MAX: Final = 200
ACTIVITY_DETAILS_MAX_BYTES: Final = 16 * 1024
IMPORTED_ACTIVITY_MAX_BYTES: Final = 12 * 1024
TITLE_MAX_CHARS: Final = 200
IDENTIFIER_MAX_CHARS: Final = 1000


def check_credential_room(session: Session, *, holder_id: str, credential: str) -> None:
    """Raise unless ``credential`` fits one more stored credential of the holder.

    Raises :class:`CredentialTooLarge` (413) and :class:`WalletFull` (409).
    """
    if len(credential) > CREDENTIAL_MAX_CHARS:
        raise CredentialTooLarge(f"A credential is at most {CREDENTIAL_MAX_CHARS} characters.")
    table = WalletCredential
    stored = func.length(col(table.sealed_document)) + func.length(col(table.sealed_index))
    count, size = session.exec(
        select(func.count(), func.coalesce(func.sum(stored), 0)).where(
            col(table.holder_id) == holder_id
        )
    ).one()
    if count >= CREDENTIALS_MAX:
        raise WalletFull(f"A wallet holds at most {CREDENTIALS_MAX} credentials.")
    # The sealed document holds the credential and its decoded claims: about twice its length.
    if size + 2 * len(credential.encode("utf-8")) > CREDENTIAL_STORAGE_MAX_BYTES:
        raise WalletFull("The wallet's storage for credentials is full.")


def check_listed_identifiers(*identifiers: str) -> None:
    """Raise :class:`StoredItemTooLarge` (413) for an issuer or type identifier too long to list."""
    if any(len(identifier) > IDENTIFIER_MAX_CHARS for identifier in identifiers):
        raise StoredItemTooLarge(
            f"Issuer and type identifiers are at most {IDENTIFIER_MAX_CHARS} characters."
        )


def check_holder_key_room(session: Session, *, holder_id: str, adding: int) -> None:
    """Raise :class:`WalletFull` (409) unless ``adding`` more holder keys fit."""
    count = session.exec(
        select(func.count()).where(col(WalletHolderKey.holder_id) == holder_id)
    ).one()
    if count + adding > HOLDER_KEYS_MAX:
        raise WalletFull(f"A wallet holds at most {HOLDER_KEYS_MAX} holder keys.")


def check_declared_skill_room(session: Session, *, holder_id: str) -> None:
    """Raise :class:`WalletFull` (409) unless one more declared skill fits."""
    count = session.exec(
        select(func.count()).where(col(WalletDeclaredSkill.holder_id) == holder_id)
    ).one()
    if count >= DECLARED_SKILLS_MAX:
        raise WalletFull(f"A wallet holds at most {DECLARED_SKILLS_MAX} declared skills.")


def json_size(value: Any) -> int:
    """An upper bound of ``value``'s size as UTF-8 JSON (non-ASCII counted as escapes)."""
    return len(json.dumps(value, separators=(",", ":"), default=str))


def check_activity_details(details: Any) -> None:
    """Raise :class:`StoredItemTooLarge` (413) for details above the entry bound."""
    if json_size(details) > ACTIVITY_DETAILS_MAX_BYTES:
        raise StoredItemTooLarge("An activity entry's details are too large to keep.")


def newest_that_fit(entries: Sequence[Any], *, max_bytes: int) -> list[Any]:
    """The newest (last) entries whose JSON fits in ``max_bytes`` together, oldest first."""
    kept: list[Any] = []
    used = 2
    for entry in reversed(entries):
        size = json_size(entry) + 1
        if used + size > max_bytes:
            break
        kept.append(entry)
        used += size
    return kept[::-1]
