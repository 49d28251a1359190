"""JWT claim checks shared by every token type (RFC 7519 §4.1, RFC 8725).

Time is never read from the wall clock here: the caller hands ``now`` in (docs/architecture.md,
"The credential core": PyJWT checks against the wall clock, so the core checks the injected one).
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from credentials.clock import require_aware
from credentials.errors import (
    ClaimInvalid,
    ClaimMissing,
    CredentialExpired,
    CredentialNotYetValid,
    IssuedInFuture,
)

DEFAULT_CLOCK_TOLERANCE = timedelta(seconds=60)
"""Clock tolerance 60 s (docs/security.md, clock tolerance)."""

MAX_TIMESTAMP = 253402300799
"""9999-12-31T23:59:59Z; a larger NumericDate is not a sane time."""


def numeric_date(payload: Mapping[str, Any], name: str, *, required: bool = False) -> int | None:
    """Return the NumericDate claim ``name`` as whole seconds, or ``None`` when absent.

    RFC 7519 §2: a JSON number of seconds since the epoch. Booleans, strings, negative numbers
    and values past year 9999 are refused with :class:`ClaimInvalid`.
    """
    if name not in payload:
        if required:
            raise ClaimMissing(f"the {name} claim is required")
        return None
    value = payload[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ClaimInvalid(f"the {name} claim must be a number")
    if not 0 <= value <= MAX_TIMESTAMP:
        raise ClaimInvalid(f"the {name} claim is out of range")
    return int(value)


def check_time_claims(
    payload: Mapping[str, Any],
    *,
    now: datetime,
    tolerance: timedelta = DEFAULT_CLOCK_TOLERANCE,
    require_iat: bool = False,
) -> None:
    """Enforce ``exp``, ``nbf`` and ``iat`` against ``now`` with ``tolerance`` either way.

    Raises :class:`CredentialExpired`, :class:`CredentialNotYetValid`, :class:`IssuedInFuture`,
    :class:`ClaimMissing` or :class:`ClaimInvalid`.
    """
    require_aware(now)
    current = now.timestamp()
    slack = tolerance.total_seconds()
    exp = numeric_date(payload, "exp")
    nbf = numeric_date(payload, "nbf")
    iat = numeric_date(payload, "iat", required=require_iat)
    if exp is not None and current - slack >= exp:
        raise CredentialExpired("the exp time has passed")
    if nbf is not None and current + slack < nbf:
        raise CredentialNotYetValid("the nbf time has not come")
    if iat is not None and current + slack < iat:
        raise IssuedInFuture("the iat time is in the future")
