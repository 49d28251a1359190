"""The reference SD-JWT implementation (``sd-jwt`` on PyPI, Daniel Fett), driven on our inputs.

Two adaptations, both so that it does the same work as Taito on the same inputs:

- decoys: the reference adds 2 to 5 random decoys per object; a subclass fixes it at 3, the
  number of the benchmark;
- Key Binding with EdDSA: ``SDJWTVerifier._verify_key_binding_jwt`` verifies the KB-JWT with
  ``alg="ES256"`` whatever the holder key is (``sd_jwt/verifier.py``, ``DEFAULT_SIGNING_ALG``),
  so an EdDSA KB-JWT always fails; a subclass passes the holder's algorithm instead.

The reference does less than Taito while verifying (no ``exp``/``nbf``/``iat`` checks, no
``typ``, no strict base64url or duplicate-member checks, no size caps), so the comparison
flatters it.
"""

from typing import Any

from sd_jwt.common import SDObj  # type: ignore[import-untyped]
from sd_jwt.holder import SDJWTHolder  # type: ignore[import-untyped]
from sd_jwt.issuer import SDJWTIssuer  # type: ignore[import-untyped]
from sd_jwt.verifier import SDJWTVerifier  # type: ignore[import-untyped]

from bench.inputs import AUDIENCE, ISSUER, NONCE, VCT, BenchKey

VC_TYP = "dc+sd-jwt"


class _ThreeDecoys(SDJWTIssuer):  # type: ignore[misc]
    DECOY_MIN_ELEMENTS = 3
    DECOY_MAX_ELEMENTS = 3


def _verifier_for(alg: str) -> type[Any]:
    class Verifier(SDJWTVerifier):  # type: ignore[misc]
        def _verify_key_binding_jwt(
            self,
            expected_aud: str | None = None,
            expected_nonce: str | None = None,
            sign_alg: str | None = None,
        ) -> None:
            super()._verify_key_binding_jwt(expected_aud, expected_nonce, sign_alg=alg)

    return Verifier


def reference_claims(claims: dict[str, Any], *, plain: tuple[str, ...], iat: int) -> dict[str, Any]:
    """The same claims, marked the reference's way (``SDObj`` keys), with iss, iat and vct."""
    marked: dict[Any, Any] = {"iss": ISSUER, "iat": iat, "vct": VCT}
    for name, value in claims.items():
        marked[name if name in plain else SDObj(name)] = value
    return marked


def issue(marked_claims: dict[str, Any], issuer: BenchKey, holder: BenchKey) -> str:
    """Issue an SD-JWT VC with the reference; returns ``<JWT>~<D1>~...~``."""
    made = _ThreeDecoys(
        marked_claims,
        issuer.reference,
        holder.reference_public,
        sign_alg=issuer.alg,
        add_decoy_claims=True,
        extra_header_parameters={"typ": VC_TYP, "kid": issuer.taito.kid},
    )
    return str(made.sd_jwt_issuance)


def present(issuance: str, disclose: tuple[str, ...], holder: BenchKey) -> str:
    """Parse the issuance and present ``disclose`` with a KB-JWT for our audience and nonce."""
    made = SDJWTHolder(issuance)
    made.create_presentation(
        {name: True for name in disclose},
        nonce=NONCE,
        aud=AUDIENCE,
        holder_key=holder.reference,
        sign_alg=holder.alg,
    )
    return str(made.sd_jwt_presentation)


def verifier(issuer: BenchKey, holder_alg: str) -> Any:
    """A function verifying a presentation with Key Binding; returns the disclosed claims."""
    verifier_class = _verifier_for(holder_alg)
    public = issuer.reference_public

    def verify(presentation: str) -> dict[str, Any]:
        checked = verifier_class(
            presentation,
            lambda _issuer, _header: public,
            expected_aud=AUDIENCE,
            expected_nonce=NONCE,
        )
        payload: dict[str, Any] = checked.get_verified_payload()
        return payload

    return verify
