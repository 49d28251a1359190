"""The verification gate as the wallet sees it: a function handed in by the API.

The wallet never verifies credentials itself and never imports the verifiers service; the API
passes a :class:`CredentialChecker` (backed by the one verification gate, docs/security.md)
into :func:`wallet.credentials.receive_credential`, :func:`wallet.portability.import_wallet` and
the credential detail (live status). A checker verifies everything that makes a credential
acceptable for this holder: format and signature (issuer keys through issuer metadata, DIDs or
the trust registry), validity period, status as of ``now``, and binding to ``holder_jwk`` (SD-JWT
VC ``cnf``, or a VC's subject id). It returns a :class:`CheckedCredential` or raises a
:class:`~credentials.errors.TaitoError` whose ``code`` names the failing check; it never returns
a "not valid" result.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from credentials.encoding import JSONValue
from credentials.keys import JWK

CredentialFormat = Literal["dc+sd-jwt", "vc+jwt"]
FORMATS: tuple[CredentialFormat, ...] = ("dc+sd-jwt", "vc+jwt")


@dataclass(frozen=True)
class CheckedCredential:
    """What the gate established about a credential the holder received.

    ``claims`` are all of the holder's claims (every Disclosure applied; for a ``vc+jwt`` the
    credential subject's claims). ``vct`` is the SD-JWT VC type, or for a ``vc+jwt`` its most
    specific ``type``. ``status`` is ``"valid"`` or ``"none"`` (the credential has no status
    entry); any other status is a rejection, raised.
    """

    format: CredentialFormat
    issuer: str
    issuer_name: str | None
    vct: str
    claims: Mapping[str, JSONValue]
    valid_from: datetime | None
    valid_until: datetime | None
    status: Literal["valid", "none"]


class CredentialChecker(Protocol):
    """Verify ``credential`` (an SD-JWT VC or a ``vc+jwt``) for the holder whose key is given.

    Raises a :class:`~credentials.errors.TaitoError` naming the failing check.
    """

    def __call__(self, credential: str, *, holder_jwk: JWK, now: datetime) -> CheckedCredential: ...
