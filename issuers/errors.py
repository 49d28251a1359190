"""Errors of the issuers service; ``status`` is the HTTP status the API answers with.

    TaitoError
    └── IssuerError                         issuer_error
        ├── IssuerAPIKeyInvalid        401  issuer_api_key_invalid
        ├── TypeNotAccredited          403  type_not_accredited
        ├── NotAnEducator              403  not_an_educator
        ├── IssuerNotFound             404  issuer_not_found
        ├── IssuerApiKeyNotFound       404  issuer_api_key_not_found
        ├── IssuedCredentialNotFound   404  issued_credential_not_found
        ├── StatusListNotFound         404  status_list_not_found
        ├── CredentialTypeNotFound     404  credential_type_not_found
        ├── PickupCodeUnknown          404  pickup_code_unknown
        ├── OpportunityNotFound        404  opportunity_not_found
        ├── BatchNotFound              404  batch_not_found
        ├── OpportunityLimitReached    409  opportunity_limit_reached
        ├── OfferLimitReached          409  offer_limit_reached
        ├── OpportunityInvalid         422  opportunity_invalid
        ├── IssuerSlugTaken            409  issuer_slug_taken
        ├── StatusChangeRefused        409  credential_revoked
        ├── IdempotencyInProgress      409  idempotency_in_progress
        ├── PickupCodeUsed             410  pickup_code_used
        ├── PickupCodeExpired          410  pickup_code_expired
        ├── IdempotencyKeyMissing      400  idempotency_key_missing
        ├── PageInvalid                400  page_invalid
        ├── IdempotencyKeyReused       422  idempotency_key_reused
        ├── IssuerInvalid              422  issuer_invalid
        ├── CredentialTypeUnknown      422  credential_type_unknown
        ├── CredentialFormatUnsupported 422 credential_format_unsupported
        ├── ClaimsInvalid              422  claims_invalid   (``errors``: pointer + message)
        │   ├── PersonalIdentityCode   422  personal_identity_code_refused
        │   └── BatchItemInvalid       422  batch_item_invalid
        ├── HolderBindingInvalid       422  holder_binding_invalid
        ├── DisclosableInvalid         422  disclosable_invalid
        ├── ValidityInvalid            422  validity_invalid
        └── BatchTooLarge              422  batch_too_large

The OpenID4VCI doors answer :class:`OAuthError` and its subclasses as the spec's JSON
``{"error", "error_description"}`` instead: ``invalid_request``, ``unsupported_grant_type``,
``invalid_grant``, ``invalid_target``, ``invalid_token`` (401; ``DPoPTokenRefused`` with a
``DPoP`` challenge), ``invalid_credential_request``, ``unknown_credential_configuration``,
``invalid_proof``, ``invalid_nonce``, ``credential_request_denied`` and ``invalid_dpop_proof``
(400 at the token endpoint, 401 with a ``DPoP`` challenge at the credential endpoint).

Messages name the field or rule, never a claim value, key or token.
"""

from collections.abc import Iterable
from typing import Any, ClassVar, Final

from credentials.errors import TaitoError


class IssuerError(TaitoError):
    code = "issuer_error"
    title = "The issuing request cannot be carried out"
    status = 400


class IssuerAPIKeyInvalid(IssuerError):
    code = "issuer_api_key_invalid"
    title = "The issuer API key is not valid"
    status = 401
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": "Bearer"}


class TypeNotAccredited(IssuerError):
    code = "type_not_accredited"
    title = "The issuer is not accredited for this credential type"
    status = 403


class NotAnEducator(IssuerError):
    code = "not_an_educator"
    title = "Only educators (accredited for qualifications or study attainments) publish learning"
    status = 403


class OpportunityNotFound(IssuerError):
    """Also the answer for another issuer's opportunity."""

    code = "opportunity_not_found"
    title = "There is no such learning opportunity"
    status = 404


class OpportunityLimitReached(IssuerError):
    code = "opportunity_limit_reached"
    title = "The issuer has published as many learning opportunities as it may"
    status = 409


class OfferLimitReached(IssuerError):
    code = "offer_limit_reached"
    title = "The issuer has as many unredeemed credential offers as it may"
    status = 409


class OpportunityInvalid(IssuerError):
    code = "opportunity_invalid"
    title = "The learning opportunity is not valid"
    status = 422


class IssuerNotFound(IssuerError):
    """Also the answer to an API key of another issuer: existence is not revealed."""

    code = "issuer_not_found"
    title = "There is no such issuer"
    status = 404


class IssuerApiKeyNotFound(IssuerError):
    code = "issuer_api_key_not_found"
    title = "The issuer has no such API key"
    status = 404


class IssuedCredentialNotFound(IssuerError):
    code = "issued_credential_not_found"
    title = "The issuer has issued no credential with this id"
    status = 404


class StatusListNotFound(IssuerError):
    code = "status_list_not_found"
    title = "There is no such status list"
    status = 404


class CredentialTypeNotFound(IssuerError):
    code = "credential_type_not_found"
    title = "There is no such credential type"
    status = 404


class PickupCodeUnknown(IssuerError):
    code = "pickup_code_unknown"
    title = "The pickup code is not valid"
    status = 404


class IssuerSlugTaken(IssuerError):
    code = "issuer_slug_taken"
    title = "An issuer with this slug exists already"
    status = 409


class StatusChangeRefused(IssuerError):
    code = "credential_revoked"
    title = "The credential is revoked, which is final"
    status = 409


class IdempotencyInProgress(IssuerError):
    code = "idempotency_in_progress"
    title = "A request with this Idempotency-Key is still being processed"
    status = 409


class PickupCodeUsed(IssuerError):
    code = "pickup_code_used"
    title = "The pickup code has been used already"
    status = 410


class PickupCodeExpired(IssuerError):
    code = "pickup_code_expired"
    title = "The pickup code has expired"
    status = 410


class IdempotencyKeyMissing(IssuerError):
    code = "idempotency_key_missing"
    title = "An Idempotency-Key header of 1 to 255 visible characters is required"
    status = 400


class IdempotencyKeyReused(IssuerError):
    code = "idempotency_key_reused"
    title = "The Idempotency-Key was used for a different request"
    status = 422


class PageInvalid(IssuerError):
    code = "page_invalid"
    title = "The page size or cursor is not valid"
    status = 400


class IssuerInvalid(IssuerError):
    code = "issuer_invalid"
    title = "The issuer's details are not valid"
    status = 422


class CredentialTypeUnknown(IssuerError):
    code = "credential_type_unknown"
    title = "The credential type is not known"
    status = 422


class CredentialFormatUnsupported(IssuerError):
    code = "credential_format_unsupported"
    title = "The credential format is not one Taito issues (dc+sd-jwt, vc+jwt)"
    status = 422


class Violation:
    """One invalid field: an RFC 6901 JSON pointer into the request and a message."""

    __slots__ = ("message", "pointer")

    def __init__(self, pointer: str, message: str) -> None:
        self.pointer = pointer
        self.message = message

    def as_json(self) -> dict[str, str]:
        return {"pointer": self.pointer, "message": self.message}


class ClaimsInvalid(IssuerError):
    """The claims break the type's schema; ``errors`` lists every violation."""

    code = "claims_invalid"
    title = "The claims do not match the credential type"
    status = 422

    def __init__(self, violations: Iterable[Violation], *, detail: str | None = None) -> None:
        self.violations = tuple(violations)
        super().__init__(detail or f"{len(self.violations)} claim(s) are invalid; see 'errors'.")
        self.problem_extra: dict[str, Any] = {"errors": [v.as_json() for v in self.violations]}


class PersonalIdentityCode(ClaimsInvalid):
    code = "personal_identity_code_refused"
    title = "A Finnish personal identity code is never put in a credential"


class BatchItemInvalid(ClaimsInvalid):
    """A batch item that is not even a well-formed issuance request (its fields are listed)."""

    code = "batch_item_invalid"
    title = "The item is not a valid issuance request"


class HolderBindingInvalid(IssuerError):
    code = "holder_binding_invalid"
    title = "The holder binding is not a public Ed25519 or P-256 key, did:jwk or did:key"
    status = 422


class DisclosableInvalid(IssuerError):
    code = "disclosable_invalid"
    title = "A selectively disclosable claim path is not valid for these claims"
    status = 422


class ValidityInvalid(IssuerError):
    code = "validity_invalid"
    title = "The validity period is not valid"
    status = 422


class BatchTooLarge(IssuerError):
    code = "batch_too_large"
    title = "A batch holds 1 to 1,000 items"
    status = 422


class BatchNotFound(IssuerError):
    """A spreadsheet batch that is unknown, expired or another staff member's: one answer."""

    code = "batch_not_found"
    title = "There is no such batch, or it has expired"
    status = 404


class CredentialOfferNotFound(IssuerError):
    """Unknown, spent or expired ``credential_offer_uri`` (OpenID4VCI 1.0 §4.1.3): one answer."""

    code = "credential_offer_not_found"
    title = "There is no such credential offer, or it is no longer available"
    status = 404


class NonceLimitReached(IssuerError):
    """Too many live ``c_nonce`` values for one issuer (the nonce endpoint is public)."""

    code = "nonce_limit_reached"
    title = "Too many nonces were requested; try again in a few minutes"
    status = 429


class DPoPProofLimitReached(IssuerError):
    """Too many DPoP proofs remembered for one issuer within their window (RFC 9449 §11.1)."""

    code = "dpop_proof_limit_reached"
    title = "Too many requests with DPoP proofs; try again in a few minutes"
    status = 429


class OAuthError(IssuerError):
    """An error of the OpenID4VCI doors, answered as ``{"error", "error_description"}``.

    RFC 6749 §5.2 (token endpoint), RFC 6750 §3 (access token) and OpenID4VCI 1.0 §8.3.1.2
    (credential endpoint); ``error`` is the spec's code, ``code`` Taito's stable name of it.
    """

    error: ClassVar[str] = "invalid_request"
    code = "oid4vci_invalid_request"
    title = "The request is missing a parameter or is otherwise malformed"
    status = 400
    headers: ClassVar[dict[str, str]] = {}


class TokenRequestInvalid(OAuthError):
    pass


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"
    code = "oid4vci_unsupported_grant_type"
    title = "Only the pre-authorized code grant is supported"


class InvalidGrant(OAuthError):
    """Unknown, used or expired pre-authorized code, or a wrong transaction code."""

    error = "invalid_grant"
    code = "oid4vci_invalid_grant"
    title = "The pre-authorized code or the transaction code is not valid"


class InvalidTarget(OAuthError):
    error = "invalid_target"
    code = "oid4vci_invalid_target"
    title = "The resource is not this credential issuer"


class InvalidAccessToken(OAuthError):
    error = "invalid_token"
    code = "oid4vci_invalid_token"
    title = "The access token is missing, unknown, used or expired"
    status = 401
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class InvalidCredentialRequest(OAuthError):
    error = "invalid_credential_request"
    code = "oid4vci_invalid_credential_request"
    title = "The credential request is missing a parameter or is malformed"


class UnknownCredentialConfiguration(OAuthError):
    error = "unknown_credential_configuration"
    code = "oid4vci_unknown_credential_configuration"
    title = "The credential configuration is unknown to this access token"


class InvalidProof(OAuthError):
    error = "invalid_proof"
    code = "oid4vci_invalid_proof"
    title = "The key proof is missing or not valid"


class InvalidNonce(OAuthError):
    error = "invalid_nonce"
    code = "oid4vci_invalid_nonce"
    title = "The key proof's nonce is unknown, used or expired; get a new c_nonce"


class CredentialRequestDenied(OAuthError):
    error = "credential_request_denied"
    code = "oid4vci_credential_request_denied"
    title = "The credential cannot be issued"


_DPOP_ALGS: Final = "ES256 EdDSA"
"""The ``algs`` of a DPoP challenge (RFC 9449 §7.1): :data:`issuers.dpop.DPOP_ALGORITHMS`."""


class InvalidDPoPProof(OAuthError):
    """The token endpoint's answer to a DPoP proof failing RFC 9449 §4.3 (§5)."""

    error = "invalid_dpop_proof"
    code = "oid4vci_invalid_dpop_proof"
    title = "The DPoP proof is not valid"


class DPoPProofRefused(OAuthError):
    """The credential endpoint's answer to a missing or failing DPoP proof (RFC 9449 §7.1)."""

    error = "invalid_dpop_proof"
    code = "oid4vci_dpop_proof_refused"
    title = "The DPoP proof is missing or not valid"
    status = 401
    headers: ClassVar[dict[str, str]] = {
        "WWW-Authenticate": f'DPoP error="invalid_dpop_proof", algs="{_DPOP_ALGS}"'
    }


class DPoPTokenRefused(InvalidAccessToken):
    """A DPoP-bound token sent as a Bearer token, or a token not bound to the proof's key
    (RFC 9449 §7.1, §7.2)."""

    code = "oid4vci_dpop_token_refused"
    title = "The access token is bound to a DPoP key and needs a DPoP proof of that key"
    headers: ClassVar[dict[str, str]] = {
        "WWW-Authenticate": f'DPoP error="invalid_token", algs="{_DPOP_ALGS}"'
    }
