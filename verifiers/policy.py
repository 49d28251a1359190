"""The verification policy: configuration, never input (THREATS.md promise 2).

THREATS.md "Verification policy (defaults)": ES256 and EdDSA only; ``typ`` ``dc+sd-jwt`` only (the
legacy ``vc+sd-jwt`` is not configured); clock tolerance 60 s; a KB-JWT answering a request at
most 5 minutes old; Key Binding always required for presentations.
"""

from datetime import timedelta
from typing import Final

from credentials.keys import ALGORITHMS, Algorithm
from credentials.sd_jwt_vc import PLAIN_CLAIMS, VC_TYP, VCTyp

ACCEPTED_ALGORITHMS: Final[tuple[Algorithm, ...]] = ALGORITHMS
"""ES256 and EdDSA; ``none`` and HMAC never."""
CLOCK_TOLERANCE: Final = timedelta(seconds=60)
"""THREATS.md: clock tolerance 60 s."""
KB_MAX_AGE: Final = timedelta(minutes=5)
"""THREATS.md: a KB-JWT is at most 5 minutes old when it answers a request."""
ACCEPTED_TYP: Final[tuple[VCTyp, ...]] = (VC_TYP,)
REGISTERED_CLAIMS: Final = frozenset(PLAIN_CLAIMS | {"sub"})
"""Claims about the credential rather than its subject; never reported as disclosed claims."""
