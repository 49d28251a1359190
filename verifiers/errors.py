"""The verifiers service's errors; each carries the HTTP status the API answers with (RFC 9457).

    TaitoError
    └── VerifierError                       verifier_error                400
        ├── VerifierKeyInvalid              verifier_key_invalid          401
        ├── VerifierNotFound                verifier_not_found            404
        ├── GuidanceOrganisationNotFound    guidance_organisation_not_found 404
        ├── VerifierApiKeyNotFound          verifier_api_key_not_found    404
        ├── VerifierSlugTaken               verifier_slug_taken           409
        ├── VerifierInvalid                 verifier_invalid              422
        ├── RequestNotFound                 verifier_request_not_found    404
        ├── RequestExpired                  verifier_request_expired      410
        ├── RequestAnswered                 verifier_request_answered     409
        ├── RequestLimitReached             verifier_request_limit_reached 409
        ├── NonceUnknown                    nonce_unknown                 422
        ├── NonceExpired                    nonce_expired                 410
        ├── NonceReused                     nonce_reused                  409
        ├── AudienceNotOwn                  audience_not_own              422
        ├── SubmissionInvalid               vp_token_invalid              422
        ├── AuthorizationResponseRefused    openid4vp_response_refused    400
        │   ├── StateUnknown                openid4vp_state_unknown       400
        │   ├── ResponseForExpiredRequest   openid4vp_request_expired     400
        │   ├── ResponseReplayed            openid4vp_response_replayed   400
        │   ├── ResponseMalformed           openid4vp_response_malformed  400
        │   └── ResponseRejected            openid4vp_response_rejected   400
        ├── TrustedIssuerNotFound           trusted_issuer_not_found      404
        ├── TrustedIssuerExists             trusted_issuer_exists         409
        ├── TrustEntryInvalid               trust_entry_invalid           422
        └── CredentialRejected              credential_rejected           422
            ├── CredentialFormatInvalid     credential_format_invalid     422
            ├── CredentialSignatureInvalid  credential_signature_invalid  422
            ├── CredentialIssuerUntrusted   credential_issuer_untrusted   422
            ├── CredentialNotValidNow       credential_not_valid_now      422
            ├── CredentialNotBound          credential_not_bound_to_holder 422
            ├── CredentialStatusInvalid     credential_status_invalid     422
            ├── CredentialStatusUnavailable credential_status_unavailable 503
            └── CredentialSchemaInvalid     credential_schema_invalid     422

A verifier using its key on another verifier's path, or asking for another verifier's request,
gets 404 (``verifier_not_found`` / ``verifier_request_not_found``): it cannot learn that the other
verifier's resources exist. Messages never echo a claim value, a key, a nonce or a token.
"""

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from credentials.errors import TaitoError


class VerifierError(TaitoError):
    code = "verifier_error"
    title = "The verification request cannot be handled"
    status = 400


class VerifierKeyInvalid(VerifierError):
    code = "verifier_key_invalid"
    title = "The verifier API key is missing or not valid"
    status = 401
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": "Bearer"}


class VerifierNotFound(VerifierError):
    code = "verifier_not_found"
    title = "There is no such verifier"
    status = 404


class GuidanceOrganisationNotFound(VerifierError):
    code = "guidance_organisation_not_found"
    title = "There is no such guidance or employment service"
    status = 404


class VerifierApiKeyNotFound(VerifierError):
    code = "verifier_api_key_not_found"
    title = "The verifier has no such API key"
    status = 404


class VerifierSlugTaken(VerifierError):
    code = "verifier_slug_taken"
    title = "A verifier with this slug already exists"
    status = 409


class RequestLimitReached(VerifierError):
    code = "verifier_request_limit_reached"
    title = "The verifier has as many open presentation requests as it may"
    status = 409


class VerifierInvalid(VerifierError):
    code = "verifier_invalid"
    title = "The verifier's details are not valid"
    status = 422


class RequestNotFound(VerifierError):
    code = "verifier_request_not_found"
    title = "There is no such presentation request"
    status = 404


class RequestExpired(VerifierError):
    code = "verifier_request_expired"
    title = "The presentation request has expired"
    status = 410


class RequestAnswered(VerifierError):
    code = "verifier_request_answered"
    title = "The presentation request has already been answered"
    status = 409


class AnswerNotKept(VerifierError):
    code = "verifier_answer_not_kept"
    title = "The request has no kept answer to verify again"
    status = 409


class RequestPageInvalid(VerifierError):
    code = "page_invalid"
    title = "The page size or cursor is not valid"
    status = 400


class _WithErrors(VerifierError):
    """An error that lists what is wrong as ``errors`` of ``{pointer, message}`` (RFC 9457)."""

    def __init__(self, detail: str, *, errors: Sequence[Mapping[str, str]] = ()) -> None:
        super().__init__(detail)
        self.errors = tuple(dict(error) for error in errors)
        self.problem_extra: dict[str, Any] = {"errors": list(self.errors)} if errors else {}


class NonceUnknown(VerifierError):
    code = "nonce_unknown"
    title = "The nonce was not issued to this verifier"
    status = 422


class NonceExpired(VerifierError):
    code = "nonce_expired"
    title = "The nonce has expired; ask for a new one"
    status = 410


class NonceReused(VerifierError):
    code = "nonce_reused"
    title = "The nonce has already been used: this is a replay"
    status = 409


class AudienceNotOwn(VerifierError):
    code = "audience_not_own"
    title = "The audience is not this verifier's client identifier"
    status = 422


class SubmissionInvalid(_WithErrors):
    code = "vp_token_invalid"
    title = "The presentations are not in the expected shape"
    status = 422


class AuthorizationResponseRefused(VerifierError):
    """An OpenID4VP response refused at the Response URI (OpenID4VP 1.0 §8.2, §8.6): 400 with
    the OAuth ``error`` ``invalid_request`` (RFC 6749 §4.1.2.1) that wallets read."""

    code = "openid4vp_response_refused"
    title = "The authorization response is refused"
    status = 400

    def __init__(self, detail: str, *, errors: Sequence[Mapping[str, str]] = ()) -> None:
        super().__init__(detail)
        self.problem_extra: dict[str, Any] = {
            "error": "invalid_request",
            "error_description": detail,
        }
        if errors:
            self.problem_extra["errors"] = [dict(error) for error in errors]


class StateUnknown(AuthorizationResponseRefused):
    code = "openid4vp_state_unknown"
    title = "The state names no open request of this verifier"


class ResponseForExpiredRequest(AuthorizationResponseRefused):
    code = "openid4vp_request_expired"
    title = "The request has expired"


class ResponseReplayed(AuthorizationResponseRefused):
    code = "openid4vp_response_replayed"
    title = "The request has already been answered: this is a replay"


class ResponseMalformed(AuthorizationResponseRefused):
    code = "openid4vp_response_malformed"
    title = "The response is not a form with a vp_token and a state"


class ResponseModeMismatch(AuthorizationResponseRefused):
    code = "openid4vp_response_mode_mismatch"
    title = "The response is not in the response mode the request asked for"


class ResponseRejected(AuthorizationResponseRefused):
    code = "openid4vp_response_rejected"
    title = "The presentations are not verified or do not satisfy the request"


class TrustedIssuerNotFound(VerifierError):
    code = "trusted_issuer_not_found"
    title = "The issuer is not in the trust registry"
    status = 404


class TrustedIssuerExists(VerifierError):
    code = "trusted_issuer_exists"
    title = "The issuer is already in the trust registry"
    status = 409


class TrustEntryInvalid(_WithErrors):
    code = "trust_entry_invalid"
    title = "The trust registry entry is not valid"
    status = 422


class CredentialRejected(VerifierError):
    """A credential offered to a wallet failed verification; ``failed`` lists the checks."""

    code = "credential_rejected"
    title = "The credential did not pass verification"
    status = 422

    def __init__(self, detail: str, *, failed: Sequence[Mapping[str, str]]) -> None:
        super().__init__(detail)
        self.failed = tuple(dict(item) for item in failed)
        self.problem_extra: dict[str, Any] = {"failed_checks": list(self.failed)}


class CredentialFormatInvalid(CredentialRejected):
    code = "credential_format_invalid"
    title = "The credential is not a well-formed SD-JWT VC or vc+jwt"


class CredentialSignatureInvalid(CredentialRejected):
    code = "credential_signature_invalid"
    title = "The issuer's signature on the credential does not verify"


class CredentialIssuerUntrusted(CredentialRejected):
    code = "credential_issuer_untrusted"
    title = "The issuer is not trusted for this type of credential"


class CredentialNotValidNow(CredentialRejected):
    code = "credential_not_valid_now"
    title = "The credential is not valid at this time"


class CredentialNotBound(CredentialRejected):
    code = "credential_not_bound_to_holder"
    title = "The credential is not bound to this wallet's key"


class CredentialStatusInvalid(CredentialRejected):
    code = "credential_status_invalid"
    title = "The issuer has revoked or suspended the credential"


class CredentialStatusUnavailable(CredentialRejected):
    code = "credential_status_unavailable"
    title = "The credential's status cannot be checked right now"
    status = 503


class CredentialSchemaInvalid(CredentialRejected):
    code = "credential_schema_invalid"
    title = "The credential's claims do not fit its type"
