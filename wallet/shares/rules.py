"""The rules a share must meet before anything is built (issue 5, "Share with consent").

Expiry: 6 calendar months by default, at most 1 calendar year, after ``now``. The audience is
``"anyone"`` (anyone with the link) or a verifier's client identifier, an https URL (plain http
only for loopback, as in development). The purpose is plain text the viewer is shown.

Who can open a share follows from its audience alone (:func:`audience_kind`), and the preview
says so in words (:func:`who_can_open`):

- ``anyone``: anyone holding the link sees a verification report of the shared claims;
- ``verifier``: a verifier of this instance (``B/verifiers/{slug}``); the link opens only with
  that verifier's API key;
- ``outside_verifier``: a verifier elsewhere. This instance cannot authenticate it, so the link
  answers only with presentations made afresh for that verifier's client identifier and the
  nonce it supplies (OpenID4VP 1.0 §5.2, §14.1; RFC 9901 §7.3): whoever holds the link can read
  the shared claims, but only that verifier can accept them as proof.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from sqlalchemy import or_
from sqlmodel import col

from credentials.clock import as_utc
from wallet.claims import ClaimPointer
from wallet.errors import ShareInvalid
from wallet.tables import WalletShare
from wallet.vault import Vault

ANYONE = "anyone"
AudienceKind = Literal["anyone", "verifier", "outside_verifier"]
CONTENT_PURPOSE = "share"
DEFAULT_MONTHS = 6
MAX_MONTHS = 12
MAX_ITEMS = 20
MAX_PURPOSE_CHARS = 500
MAX_VIEWS_LIMIT = 100_000
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class ShareItem:
    """One credential in a share and the claims (claims path pointers) it shows."""

    credential_id: str
    claims: tuple[ClaimPointer, ...]


@dataclass(frozen=True)
class ShareSpec:
    """What the person asks to share, with whom, why, until when and how often."""

    items: tuple[ShareItem, ...]
    audience: str
    purpose: str
    expires_at: datetime | None = None
    max_views: int | None = None


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus calendar months, the day clamped to the month's length."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=min(day, moment.day))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def _base(base_url: str) -> str:
    return base_url.rstrip("/")


def audience_kind(audience: str, *, base_url: str) -> AudienceKind:
    """Who a share's audience is: anyone with the link, a verifier here, or one elsewhere.

    ``audience`` is what the person chose (``"anyone"`` or a client identifier) or what a share
    stores (``B/shares/{id}`` for anyone with the link).
    """
    base = _base(base_url)
    if audience == ANYONE or audience.startswith(f"{base}/shares/"):
        return "anyone"
    if audience.startswith(f"{base}/verifiers/"):
        return "verifier"
    return "outside_verifier"


def who_can_open(audience: str, *, base_url: str) -> str:
    """The plain-language sentence a preview shows about who can open the share."""
    kind = audience_kind(audience, base_url=base_url)
    if kind == "anyone":
        return "Anyone who has the link can open it and see the shared claims."
    if kind == "verifier":
        return (
            f"Only the verifier {audience} can open it, signed in to this service; "
            "nobody else, even with the link."
        )
    return (
        f"The verifier {audience} is not on this service, so it cannot sign in here: whoever has "
        "the link can read the shared claims, but only that verifier can accept them as proof. "
        "Give the link to that verifier alone."
    )


def _check_audience(audience: str, base_url: str) -> None:
    if audience == ANYONE:
        return
    if len(audience) > 500 or any(c.isspace() for c in audience):
        raise ShareInvalid("The audience is 'anyone' or a verifier's client identifier.")
    parts = urlsplit(audience)
    secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)
    if not secure or not parts.netloc or parts.query or parts.fragment:
        raise ShareInvalid("The audience is 'anyone' or a verifier's https client identifier.")
    base = _base(base_url)
    if audience.startswith(f"{base}/") or audience == base:
        slug = audience.removeprefix(f"{base}/verifiers/")
        if slug == audience or not slug or "/" in slug:
            raise ShareInvalid("On this service the audience is a verifier's client identifier.")


def check_spec(spec: ShareSpec, *, base_url: str, now: datetime) -> datetime:
    """Check ``spec`` and return its expiry. Raises :class:`ShareInvalid` (422)."""
    if not 1 <= len(spec.items) <= MAX_ITEMS:
        raise ShareInvalid(f"A share holds 1 to {MAX_ITEMS} credentials.")
    ids = [item.credential_id for item in spec.items]
    if len(set(ids)) != len(ids):
        raise ShareInvalid("Each credential appears once in a share.")
    if any(not item.claims for item in spec.items):
        raise ShareInvalid("Choose at least one claim of each credential.")
    _check_audience(spec.audience, base_url)
    if not spec.purpose.strip() or len(spec.purpose) > MAX_PURPOSE_CHARS:
        raise ShareInvalid(f"The purpose is 1 to {MAX_PURPOSE_CHARS} characters.")
    if spec.max_views is not None and not 1 <= spec.max_views <= MAX_VIEWS_LIMIT:
        raise ShareInvalid(f"The maximum number of views is 1 to {MAX_VIEWS_LIMIT}.")
    if spec.expires_at is None:
        return add_months(now, DEFAULT_MONTHS)
    if spec.expires_at.tzinfo is None:
        raise ShareInvalid("The expiry needs a time zone.")
    expires_at = as_utc(spec.expires_at)
    if expires_at <= now:
        raise ShareInvalid("The expiry must be in the future.")
    if expires_at > add_months(now, MAX_MONTHS):
        raise ShareInvalid("A share lasts at most one year.")
    return expires_at


def share_status(
    row: WalletShare, *, now: datetime
) -> Literal["active", "withdrawn", "expired", "used_up"]:
    """Whether a share is live, and if not, why."""
    if row.withdrawn_at is not None:
        return "withdrawn"
    if as_utc(row.expires_at) <= now:
        return "expired"
    if row.max_views is not None and row.view_count >= row.max_views:
        return "used_up"
    return "active"


def active_clauses(now: datetime) -> tuple[Any, ...]:
    """SQL conditions of a live share (not withdrawn, not expired, views left)."""
    return (
        col(WalletShare.withdrawn_at).is_(None),
        col(WalletShare.expires_at) > now,
        or_(
            col(WalletShare.max_views).is_(None),
            col(WalletShare.view_count) < col(WalletShare.max_views),
        ),
    )


def share_content(vault: Vault, row: WalletShare) -> dict[str, Any]:
    """Open the sealed content of a share (audience, purpose, nonce, presentations)."""
    data: Any = vault.open(row.sealed_content, purpose=CONTENT_PURPOSE, row_id=row.id)
    assert isinstance(data, dict)
    return data
