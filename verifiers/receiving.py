"""The wallet's door of the gate: a credential a wallet receives or imports.

RFC 9901 §7.2; VC-JOSE-COSE §5.1. :func:`check_received_credential` runs the one gate
(:func:`verifiers.gate.admit`) under :data:`~verifiers.policy.WALLET_RECEIPT`: format (no
KB-JWT in an issued credential), issuer trusted for the type, issuer signature, validity period,
``holder_binding`` to this wallet's key, status now, and the whole credential against its schema.
Nothing is stored; a failure raises the :class:`~verifiers.errors.CredentialRejected` subclass of
the first failed check, with every failed check in the problem's ``failed_checks``.
"""

from dataclasses import dataclass, fields
from datetime import datetime

from sqlmodel import Session

from credentials.keys import JWK, public_key_from_jwk
from verifiers import errors
from verifiers.admission import AdmittedCredential, Expected
from verifiers.gate import admit
from verifiers.gate_sources import gate_context
from verifiers.issuer_trust import Sources
from verifiers.language import Language
from verifiers.policy import WALLET_RECEIPT
from verifiers.report import CheckName, CheckResult

_REJECTIONS: dict[CheckName, type[errors.CredentialRejected]] = {
    "format": errors.CredentialFormatInvalid,
    "issuer_trusted": errors.CredentialIssuerUntrusted,
    "signature": errors.CredentialSignatureInvalid,
    "validity_period": errors.CredentialNotValidNow,
    "holder_binding": errors.CredentialNotBound,
    "status": errors.CredentialStatusInvalid,
    "schema": errors.CredentialSchemaInvalid,
}


@dataclass(frozen=True)
class ReceivedCredential(AdmittedCredential):
    """A credential that passed every check (the fields of the wallet's ``CheckedCredential``)
    and the checks it passed.

    ``claims`` are all of the holder's claims (every Disclosure applied; for a ``vc+jwt`` the
    subject's claims without ``id``); ``vct`` the SD-JWT VC type or the ``vc+jwt`` type the
    issuer is trusted for.
    """

    checks: tuple[CheckResult, ...] = ()


def _rejection(failures: list[CheckResult]) -> errors.CredentialRejected:
    first = failures[0]
    rejection = _REJECTIONS.get(first.check, errors.CredentialFormatInvalid)
    if first.check == "status" and first.code == "status_unavailable":
        rejection = errors.CredentialStatusUnavailable
    return rejection(
        first.reason or "the credential did not pass verification",
        failed=[
            {"check": c.check, "code": c.code or "", "reason": c.reason or ""} for c in failures
        ],
    )


def check_received_credential(
    session: Session,
    credential: str,
    *,
    holder_jwk: JWK,
    sources: Sources,
    language: Language,
    base_url: str,
    now: datetime,
) -> ReceivedCredential:
    """Verify a credential offered to the wallet whose public key is ``holder_jwk``.

    RFC 9901 §7.2, SD-JWT VC §3.4-3.5, VC-JOSE-COSE §5.1, Token Status List §8.3, Bitstring
    Status List §3.2. Returns the credential's facts when every check passed; raises the
    :class:`~verifiers.errors.CredentialRejected` subclass of the first failed check
    (``credential_status_unavailable`` is 503: the list could not be fetched now).
    """
    if now.tzinfo is None:
        raise TypeError("now must be timezone-aware")
    expected = Expected(holder_thumbprint=public_key_from_jwk(holder_jwk).thumbprint)
    context = gate_context(session, sources=sources, language=language, base_url=base_url, now=now)
    admission = admit(credential, policy=WALLET_RECEIPT, context=context, expected=expected)
    checks = admission.report.checks
    failures = [c for c in checks if c.outcome == "failed"]
    if failures or not admission.credentials:
        raise _rejection(failures or [checks[0]])
    found = admission.credentials[0]
    facts = {field.name: getattr(found, field.name) for field in fields(AdmittedCredential)}
    return ReceivedCredential(**facts, checks=checks)
