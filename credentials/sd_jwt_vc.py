"""SD-JWT VC: SD-JWTs as verifiable digital credentials (draft-ietf-oauth-sd-jwt-vc §3).

- ``typ`` is ``dc+sd-jwt`` (§3.2.1); the legacy ``vc+sd-jwt`` is accepted only when the verifier
  lists it in ``accepted_typ``. Issuance always uses ``dc+sd-jwt``.
- ``iss`` and ``vct`` are required strings (§3.2.2.1, §3.2.2.2); Taito also issues ``iat``
  always. ``exp``, ``nbf``, ``cnf``, ``status``, ``sub`` are optional.
- The claims in :data:`PLAIN_CLAIMS` never go into a Disclosure, nor do their sub-claims
  (§3.2.2.2). Taito is stricter than the draft on ``iat``, which it may disclose: our policy keeps
  every validity-controlling claim plain (docs/security.md). Issuing them as disclosable is a
  programming error (``ValueError``); receiving them disclosed is ``plain_claim_disclosed``.
- Verification is RFC 9901 §7 through :mod:`credentials.sd_jwt_verifier`, with the issuer's key
  from the injected resolver (§3.5), then the VC claim rules above.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from credentials.encoding import JSONSerializer, JSONValue, json_dumps
from credentials.errors import ClaimInvalid, VCTMissing
from credentials.kb_jwt import KeyBindingPolicy
from credentials.keys import PrivateKey, PublicKey
from credentials.resolvers import IssuerKeyResolver
from credentials.sd_jwt import DEFAULT_SD_ALG, SDAlg
from credentials.sd_jwt_issuer import DecoySource, IssuedSDJWT, SaltSource, issue_sd_jwt
from credentials.sd_jwt_processing import DisclosedClaim, DisclosedClaimsView
from credentials.sd_jwt_verifier import VerifiedSDJWT, verify_sd_jwt, verify_sd_jwt_issuance

VC_TYP: Final = "dc+sd-jwt"
LEGACY_VC_TYP: Final = "vc+sd-jwt"
VCTyp = Literal["dc+sd-jwt", "vc+sd-jwt"]

PLAIN_CLAIMS: Final = frozenset(
    {"iss", "vct", "vct#integrity", "aka_vcts", "iat", "exp", "nbf", "cnf", "status", "_sd_alg"}
)
"""Claims of an SD-JWT VC that are never selectively disclosable, with all their sub-claims."""

_PARAMETER_CLAIMS: Final = frozenset({"iss", "vct", "iat", "exp", "nbf", "cnf", "status"})


@dataclass(frozen=True)
class VerifiedCredential(DisclosedClaimsView):
    """A verified SD-JWT VC: processed claims and everything the verification established.

    ``status`` is the ``status`` claim as given (a reference to check against a status list);
    ``holder_jwk`` the ``cnf`` JWK as given; ``disclosures`` which Disclosure revealed which claim.
    """

    claims: dict[str, Any]
    header: dict[str, Any]
    typ: str
    issuer: str
    vct: str
    kid: str | None
    status: dict[str, Any] | None
    holder_jwk: dict[str, Any] | None
    key_binding_verified: bool
    disclosures: tuple[DisclosedClaim, ...]
    sd_alg: SDAlg


def issue_sd_jwt_vc(
    claims: Mapping[str, Any],
    *,
    issuer: str,
    vct: str,
    issued_at: datetime,
    issuer_key: PrivateKey,
    salt: SaltSource,
    holder_key: PublicKey | None = None,
    expires_at: datetime | None = None,
    not_before: datetime | None = None,
    status: Mapping[str, JSONValue] | None = None,
    decoys: DecoySource | None = None,
    sd_alg: SDAlg = DEFAULT_SD_ALG,
    header: Mapping[str, JSONValue] | None = None,
    serialize: JSONSerializer = json_dumps,
) -> IssuedSDJWT:
    """Issue an SD-JWT VC (draft-ietf-oauth-sd-jwt-vc §3.2) with ``typ`` ``dc+sd-jwt``.

    ``claims`` carry :class:`~credentials.sd_jwt_disclosable.SD` markers (or come from
    :func:`~credentials.sd_jwt_disclosable.mark_paths` / ``mark_all(claims, plain=PLAIN_CLAIMS)``).
    The payload starts ``iss``, ``iat``, ``exp``, ``nbf``, ``vct``, ``status``, then ``claims``;
    ``cnf`` comes from ``holder_key``. Raises ``ValueError``/``TypeError`` for misuse: ``iss``,
    ``vct``, ``iat``, ``exp``, ``nbf``, ``cnf`` or ``status`` inside ``claims`` (they are
    parameters), a plain claim marked disclosable, an invalid ``aka_vcts``, naive datetimes.
    """
    if not isinstance(issuer, str) or not issuer:
        raise TypeError("issuer must be a non-empty string")
    if not isinstance(vct, str) or not vct:
        raise TypeError("vct must be a non-empty string")
    reserved = _PARAMETER_CLAIMS & claims.keys()
    if reserved:
        raise ValueError(f"pass {', '.join(sorted(reserved))} as parameters, not as claims")
    if "aka_vcts" in claims:
        _check_aka_vcts(claims["aka_vcts"], vct, error=ValueError)
    base: dict[str, Any] = {"iss": issuer, "iat": _numeric_date(issued_at)}
    if expires_at is not None:
        base["exp"] = _numeric_date(expires_at)
    if not_before is not None:
        base["nbf"] = _numeric_date(not_before)
    base["vct"] = vct
    if status is not None:
        base["status"] = dict(status)
    return issue_sd_jwt(
        {**base, **claims},
        issuer_key=issuer_key,
        typ=VC_TYP,
        salt=salt,
        holder_key=holder_key,
        sd_alg=sd_alg,
        decoys=decoys,
        plain_claims=PLAIN_CLAIMS,
        header=header,
        serialize=serialize,
    )


def verify_sd_jwt_vc(
    presentation: str,
    *,
    resolve_issuer_key: IssuerKeyResolver,
    algorithms: Collection[str],
    accepted_typ: Collection[VCTyp],
    now: datetime,
    clock_tolerance: timedelta,
    key_binding: KeyBindingPolicy,
) -> VerifiedCredential:
    """Verify an SD-JWT VC presentation (draft-ietf-oauth-sd-jwt-vc §3.4, RFC 9901 §7.1, §7.3).

    Raises everything :func:`~credentials.sd_jwt_verifier.verify_sd_jwt` raises, plus
    ``typ_mismatch`` for a ``typ`` not in ``accepted_typ``, ``plain_claim_disclosed``,
    ``vct_missing`` and ``claim_invalid`` (``vct``, ``status`` or ``aka_vcts`` malformed).
    """
    verified = verify_sd_jwt(
        presentation,
        resolve_issuer_key=resolve_issuer_key,
        algorithms=algorithms,
        accepted_typ=_accepted(accepted_typ),
        now=now,
        clock_tolerance=clock_tolerance,
        key_binding=key_binding,
        plain_claims=PLAIN_CLAIMS,
    )
    return _credential(verified)


def verify_sd_jwt_vc_issuance(
    issuance: str,
    *,
    resolve_issuer_key: IssuerKeyResolver,
    algorithms: Collection[str],
    accepted_typ: Collection[VCTyp],
    now: datetime,
    clock_tolerance: timedelta,
) -> VerifiedCredential:
    """The holder's verification of an issued SD-JWT VC (RFC 9901 §7.2; a KB-JWT is refused).

    Raises as :func:`verify_sd_jwt_vc`, and ``kb_unexpected`` for an SD-JWT+KB.
    """
    verified = verify_sd_jwt_issuance(
        issuance,
        resolve_issuer_key=resolve_issuer_key,
        algorithms=algorithms,
        accepted_typ=_accepted(accepted_typ),
        now=now,
        clock_tolerance=clock_tolerance,
        plain_claims=PLAIN_CLAIMS,
    )
    return _credential(verified)


def _accepted(accepted_typ: Collection[VCTyp]) -> frozenset[str]:
    if isinstance(accepted_typ, str) or not accepted_typ:
        raise TypeError("accepted_typ is a non-empty collection of typ values")
    accepted = frozenset(accepted_typ)
    if not accepted <= {VC_TYP, LEGACY_VC_TYP}:
        raise ValueError("an SD-JWT VC typ is dc+sd-jwt (or the legacy vc+sd-jwt)")
    return accepted


def _credential(verified: VerifiedSDJWT) -> VerifiedCredential:
    claims = verified.claims
    if "vct" not in claims:
        raise VCTMissing("the vct claim is required")
    vct = claims["vct"]
    if not isinstance(vct, str) or not vct:
        raise ClaimInvalid("the vct claim must be a non-empty string")
    status = claims.get("status")
    if status is not None and not isinstance(status, dict):
        raise ClaimInvalid("the status claim must be a JSON object")
    if "aka_vcts" in claims:
        _check_aka_vcts(claims["aka_vcts"], vct, error=ClaimInvalid)
    return VerifiedCredential(
        claims=claims,
        header=verified.header,
        typ=verified.typ,
        issuer=verified.issuer,
        vct=vct,
        kid=verified.kid,
        status=status,
        holder_jwk=verified.holder_jwk,
        key_binding_verified=verified.key_binding_verified,
        disclosures=verified.disclosures,
        sd_alg=verified.sd_alg,
    )


def _check_aka_vcts(value: object, vct: str, *, error: type[Exception]) -> None:
    # §3.2.2.1.1: a non-empty array of strings that does not repeat vct.
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(item, str) and item for item in value)
        or vct in value
    ):
        raise error("aka_vcts must be a non-empty array of other type strings")


def _numeric_date(moment: datetime) -> int:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise TypeError("times must be timezone-aware datetimes")
    return int(moment.timestamp())
