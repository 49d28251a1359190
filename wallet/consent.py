"""Consent texts and consent receipts: what the person agreed to, each time they shared.

Issue 16, "A consent receipt ... is kept for each grant and each share". The texts a person
agrees to are versioned here; a receipt records who received access, to what, for which purpose,
for which period, and the version of the text agreed to (the fields of the Kantara Consent
Receipt specification, in plain JSON). Receipts are sealed under the holder's data key, listed
to the person, exported with the wallet and erased with it.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from sqlmodel import Session, col, select

from credentials.clock import as_utc
from credentials.encoding import JSONValue
from schemas.type_metadata import primary_language
from wallet.tables import WalletConsentReceipt
from wallet.vault import Vault, open_vault

ReceiptKind = Literal["grant", "share"]
_RECEIPT = "consent-receipt"


@dataclass(frozen=True)
class ConsentText:
    """A versioned text a person agrees to, in fi, sv and en."""

    version: str
    texts: Mapping[str, str]

    def text(self, lang: str) -> str:
        return self.texts[primary_language(lang)]


GRANT_CONSENT: Final = ConsentText(
    version="grant-2026-12",
    texts={
        "fi": (
            "Annan valitsemalleni ohjaus- tai työllisyyspalvelulle oikeuden nähdä valitsemani "
            "tiedot kertomaani tarkoitukseen valitsemani ajan. Jokainen katselu näkyy "
            "tapahtumalokissani. Voin perua oikeuden milloin tahansa, ja peruminen tulee "
            "voimaan heti."
        ),
        "sv": (
            "Jag ger den vägledning eller arbetsförmedling jag valt rätt att se de uppgifter "
            "jag valt, för det syfte jag angett och under den tid jag valt. Varje visning syns "
            "i min händelselogg. Jag kan återkalla rätten när som helst, och det gäller genast."
        ),
        "en": (
            "I allow the guidance or employment service I chose to see the information I "
            "chose, for the purpose I gave, for the period I chose. Every view appears in my "
            "activity log. I can withdraw this at any time, and withdrawal takes effect at once."
        ),
    },
)
SHARE_CONSENT: Final = ConsentText(
    version="share-2026-12",
    texts={
        "fi": "Jaan valitsemani tiedot valitsemalleni vastaanottajalle kertomaani tarkoitukseen.",
        "sv": "Jag delar de uppgifter jag valt med den mottagare jag valt, för angivet syfte.",
        "en": "I share the information I chose with the recipient I chose, for the purpose I gave.",
    },
)


@dataclass(frozen=True)
class ConsentReceipt:
    """One receipt as the person sees it (and as it is exported)."""

    id: str
    kind: ReceiptKind
    created_at: datetime
    subject_id: str
    recipient: str
    purpose: str
    what: Mapping[str, JSONValue]
    valid_from: datetime
    valid_until: datetime
    consent_version: str

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "id": self.id,
            "kind": self.kind,
            "created_at": self.created_at.isoformat(),
            "subject_id": self.subject_id,
            "recipient": self.recipient,
            "purpose": self.purpose,
            "what": dict(self.what),
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "consent_version": self.consent_version,
        }


def add_receipt(
    session: Session,
    *,
    vault: Vault,
    kind: ReceiptKind,
    subject_id: str,
    recipient: str,
    purpose: str,
    what: Mapping[str, JSONValue],
    valid_from: datetime,
    valid_until: datetime,
    consent_version: str,
) -> None:
    """Keep a consent receipt, in the caller's transaction (no commit)."""
    row_id = f"rct_{secrets.token_hex(16)}"
    body: dict[str, JSONValue] = {
        "subject_id": subject_id,
        "recipient": recipient,
        "purpose": purpose,
        "what": dict(what),
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat(),
        "consent_version": consent_version,
    }
    session.add(
        WalletConsentReceipt(
            id=row_id,
            holder_id=vault.holder_id,
            kind=kind,
            created_at=valid_from,
            sealed_receipt=vault.seal(body, purpose=_RECEIPT, row_id=row_id),
        )
    )


def _receipt(vault: Vault, row: WalletConsentReceipt) -> ConsentReceipt:
    data: Any = vault.open(row.sealed_receipt, purpose=_RECEIPT, row_id=row.id)
    kind: ReceiptKind = "grant" if row.kind == "grant" else "share"
    return ConsentReceipt(
        id=row.id,
        kind=kind,
        created_at=as_utc(row.created_at),
        subject_id=data["subject_id"],
        recipient=data["recipient"],
        purpose=data["purpose"],
        what=data["what"],
        valid_from=datetime.fromisoformat(data["valid_from"]),
        valid_until=datetime.fromisoformat(data["valid_until"]),
        consent_version=data["consent_version"],
    )


def list_receipts(session: Session, *, holder_id: str, kek: bytes) -> tuple[ConsentReceipt, ...]:
    """Every consent receipt of the person, newest first."""
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    rows = session.exec(
        select(WalletConsentReceipt)
        .where(col(WalletConsentReceipt.holder_id) == holder_id)
        .order_by(col(WalletConsentReceipt.created_at).desc(), col(WalletConsentReceipt.id))
    )
    return tuple(_receipt(vault, row) for row in rows)
