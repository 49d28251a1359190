"""The error tree of the credential core.

Every failure of parsing, signing or verification raises a subclass of :class:`CredentialError`.
Each class carries a stable machine ``code`` (snake_case, never renamed once published), a short
``title`` and an HTTP-ish ``status`` so that the API can translate it into an RFC 9457 problem
without a lookup table. Messages name the claim or the rule, never echo a claim value, a key or a
token: in a wallet those are personal data.

    TaitoError
    ├── CredentialError                       invalid_credential
    │   ├── MalformedInput                    malformed_input
    │   │   ├── InvalidBase64url              invalid_base64url
    │   │   ├── InvalidJSON                   invalid_json
    │   │   ├── DuplicateMember               duplicate_json_member
    │   │   ├── NonFiniteNumber               non_finite_number
    │   │   ├── InvalidUTF8                   invalid_utf8
    │   │   ├── TooLarge                      input_too_large
    │   │   ├── TooDeep                       nesting_too_deep
    │   │   └── TooManyDisclosures            too_many_disclosures
    │   ├── KeyError_                         invalid_key
    │   ├── UnsupportedAlgorithm              unsupported_algorithm
    │   ├── AlgorithmKeyMismatch              algorithm_key_mismatch
    │   ├── SignatureInvalid                  signature_invalid
    │   ├── HeaderInvalid                     header_invalid
    │   │   ├── TypeMismatch                  typ_mismatch
    │   │   ├── UnknownCritical               crit_unsupported
    │   │   └── UntrustedKeySource            untrusted_key_source
    │   ├── ClaimInvalid                      claim_invalid
    │   │   ├── ClaimMissing                  claim_missing
    │   │   ├── CredentialExpired             credential_expired
    │   │   ├── CredentialNotYetValid         credential_not_yet_valid
    │   │   ├── IssuedInFuture                iat_in_future
    │   │   ├── IssuerMismatch                issuer_mismatch
    │   │   └── ...                           (SD-JWT, KB-JWT, status list specific codes)
    │   ├── JWEInvalid                        jwe_invalid (an encrypted OpenID4VP response)
    │   ├── DPoPProofInvalid                  dpop_proof_invalid (RFC 9449 §4.3)
    │   └── IssuerKeyUnresolved               issuer_key_unresolved
    └── QueryInvalid                          presentation_query_invalid (DCQL, OpenID4VP 1.0 §6)

The SD-JWT, Key Binding and status list modules add their own subclasses in this module so the
whole tree stays in one place and ``test_errors`` can keep codes unique.
"""

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar


class TaitoError(Exception):
    """Root of every error Taito raises on purpose; the API maps it to RFC 9457."""

    code: ClassVar[str] = "taito_error"
    title: ClassVar[str] = "Taito error"
    status: ClassVar[int] = 400

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail or self.title
        super().__init__(self.detail)


class CredentialError(TaitoError):
    code = "invalid_credential"
    title = "The credential or presentation is not valid"
    status = 422


# --- Parsing ------------------------------------------------------------------------------------


class MalformedInput(CredentialError):
    code = "malformed_input"
    title = "The input is not well-formed"


class InvalidBase64url(MalformedInput):
    code = "invalid_base64url"
    title = "Invalid base64url encoding"


class InvalidJSON(MalformedInput):
    code = "invalid_json"
    title = "Invalid JSON"


class DuplicateMember(InvalidJSON):
    code = "duplicate_json_member"
    title = "A JSON object has the same member name twice"


class NonFiniteNumber(InvalidJSON):
    code = "non_finite_number"
    title = "A JSON number is not finite"


class InvalidUTF8(MalformedInput):
    code = "invalid_utf8"
    title = "The input is not valid UTF-8"


class TooLarge(MalformedInput):
    code = "input_too_large"
    title = "The input is larger than allowed"


class TooDeep(MalformedInput):
    code = "nesting_too_deep"
    title = "The JSON is nested deeper than allowed"


class TooManyDisclosures(MalformedInput):
    code = "too_many_disclosures"
    title = "The presentation has more disclosures than allowed"


# --- Keys and algorithms ------------------------------------------------------------------------


class InvalidKey(CredentialError):
    code = "invalid_key"
    title = "The key is not a valid, supported JWK"


class UnsupportedAlgorithm(CredentialError):
    code = "unsupported_algorithm"
    title = "The signing algorithm is not accepted"


class AlgorithmKeyMismatch(CredentialError):
    code = "algorithm_key_mismatch"
    title = "The algorithm does not match the key"


class SignatureInvalid(CredentialError):
    code = "signature_invalid"
    title = "The signature does not verify"


class IssuerKeyUnresolved(CredentialError):
    code = "issuer_key_unresolved"
    title = "No trusted key of the issuer could be found"


# --- JOSE headers -------------------------------------------------------------------------------


class HeaderInvalid(CredentialError):
    code = "header_invalid"
    title = "The JOSE header is not valid"


class TypeMismatch(HeaderInvalid):
    code = "typ_mismatch"
    title = "The token's typ is not the expected one"


class UnknownCritical(HeaderInvalid):
    code = "crit_unsupported"
    title = "The token requires an extension that is not supported"


class UntrustedKeySource(HeaderInvalid):
    code = "untrusted_key_source"
    title = "The token names a key source that is never trusted"


# --- Claims -------------------------------------------------------------------------------------


class ClaimInvalid(CredentialError):
    code = "claim_invalid"
    title = "A claim is not valid"


class ClaimMissing(ClaimInvalid):
    code = "claim_missing"
    title = "A required claim is missing"


class CredentialExpired(ClaimInvalid):
    code = "credential_expired"
    title = "The credential has expired"


class CredentialNotYetValid(ClaimInvalid):
    code = "credential_not_yet_valid"
    title = "The credential is not valid yet"


class IssuedInFuture(ClaimInvalid):
    code = "iat_in_future"
    title = "The token claims to be issued in the future"


class IssuerMismatch(ClaimInvalid):
    code = "issuer_mismatch"
    title = "The issuer does not match the signing key"


# --- Status lists (credentials/status_list.py, credentials/bitstring_status_list.py) -----------


class StatusListInvalid(ClaimInvalid):
    code = "status_list_invalid"
    title = "The status list is not valid"


class StatusListTooLarge(StatusListInvalid):
    code = "status_list_too_large"
    title = "The status list is larger than allowed"


class StatusListTooShort(StatusListInvalid):
    code = "status_list_too_short"
    title = "The status list has fewer entries than herd privacy requires"


class StatusListSubjectMismatch(ClaimInvalid):
    code = "status_list_sub_mismatch"
    title = "The status list token is not the one the credential references"


class StatusListIdMismatch(ClaimInvalid):
    code = "status_list_id_mismatch"
    title = "The status list credential is not the one the credential references"


class StatusReferenceInvalid(ClaimInvalid):
    code = "status_reference_invalid"
    title = "The credential's reference to a status list is not valid"


class StatusIndexOutOfRange(ClaimInvalid):
    code = "status_index_out_of_range"
    title = "The status index is outside the status list"


class StatusPurposeMismatch(ClaimInvalid):
    code = "status_purpose_mismatch"
    title = "The status entry's purpose is not one of the status list's purposes"


# --- DIDs, JWT VC Issuer Metadata, VC-JOSE (fetch.py, multibase.py, did_*.py, dids.py,
#     issuer_metadata.py, vc_jose.py, vp_jose.py) -----------------------------------------------


class FetchFailed(CredentialError):
    code = "fetch_failed"
    title = "A document needed for verification could not be retrieved"


class CertificateInvalid(CredentialError):
    code = "certificate_invalid"
    title = "The X.509 certificate chain is not valid or not trusted"


class JWEInvalid(CredentialError):
    """An encrypted OpenID4VP response (:mod:`credentials.jwe`) that cannot be accepted."""

    code = "jwe_invalid"
    title = "The encrypted response cannot be decrypted or is not of an accepted kind"


class DPoPProofInvalid(CredentialError):
    """A DPoP proof (:mod:`credentials.dpop`) that fails a check of RFC 9449 §4.3."""

    code = "dpop_proof_invalid"
    title = "The DPoP proof is not valid"


class UnsupportedKeyType(InvalidKey):
    code = "key_type_unsupported"
    title = "The key type is not supported"


class DIDInvalid(MalformedInput):
    code = "did_invalid"
    title = "The DID or DID URL is not valid"


class DIDUnsupported(IssuerKeyUnresolved):
    code = "did_unsupported"
    title = "The DID method or its key type is not supported"


class DIDDocumentInvalid(IssuerKeyUnresolved):
    code = "did_document_invalid"
    title = "The DID document is not valid"


class IssuerMetadataInvalid(IssuerKeyUnresolved):
    code = "issuer_metadata_invalid"
    title = "The JWT VC Issuer Metadata is not valid"


class VCInvalid(ClaimInvalid):
    code = "vc_invalid"
    title = "The verifiable credential does not conform to the VC Data Model"


class VPInvalid(ClaimInvalid):
    code = "vp_invalid"
    title = "The verifiable presentation does not conform to the VC Data Model"


class VPAudienceMismatch(ClaimInvalid):
    code = "vp_aud_mismatch"
    title = "The presentation is not addressed to this verifier"


class VPNonceMismatch(ClaimInvalid):
    code = "vp_nonce_mismatch"
    title = "The presentation's nonce is not the one issued"


class VPStale(ClaimInvalid):
    code = "vp_stale"
    title = "The presentation is older than allowed"


class HolderBindingMismatch(ClaimInvalid):
    code = "holder_binding_mismatch"
    title = "A presented credential is not about the presentation's holder"


# --- SD-JWT, Key Binding JWT, SD-JWT VC (sd_jwt.py, sd_jwt_processing.py, sd_jwt_issuer.py,
#     sd_jwt_holder.py, sd_jwt_verifier.py, kb_jwt.py, sd_jwt_vc.py) ---------------------------


class SDJWTMalformed(MalformedInput):
    code = "sd_jwt_malformed"
    title = "The SD-JWT is not a well-formed compact serialization"


class DisclosureMalformed(MalformedInput):
    code = "disclosure_malformed"
    title = "A Disclosure is not a well-formed salted claim array"


class SDJWTInvalid(CredentialError):
    code = "sd_jwt_invalid"
    title = "The SD-JWT's Disclosures do not fit its digests"


class DisclosureUnreferenced(SDJWTInvalid):
    code = "disclosure_unreferenced"
    title = "A Disclosure is not referenced by any digest"


class DisclosureDuplicate(SDJWTInvalid):
    code = "disclosure_duplicate"
    title = "The same Disclosure is presented more than once"


class DigestDuplicate(SDJWTInvalid):
    code = "digest_duplicate"
    title = "The same digest appears more than once"


class SDClaimMalformed(SDJWTInvalid):
    code = "sd_claim_malformed"
    title = "An _sd array or a ... array element is not well-formed"


class DisclosureNameInvalid(SDJWTInvalid):
    code = "disclosure_name_invalid"
    title = "A Disclosure names a reserved claim (_sd or ...)"


class DisclosureNameConflict(SDJWTInvalid):
    code = "disclosure_name_conflict"
    title = "A disclosed claim name already exists in its object"


class DisclosureKindMismatch(SDJWTInvalid):
    code = "disclosure_kind_mismatch"
    title = "An array-element Disclosure is used for an object property or vice versa"


class SDClaimLeft(SDJWTInvalid):
    code = "sd_claim_left"
    title = "An _sd, ... or _sd_alg member is left where it is not allowed"


class PlainClaimDisclosed(SDJWTInvalid):
    code = "plain_claim_disclosed"
    title = "A claim that must stay plain is selectively disclosable"


class SDAlgUnsupported(SDJWTInvalid):
    code = "sd_alg_unsupported"
    title = "The _sd_alg digest algorithm is not supported"


class ClaimPathNotFound(CredentialError):
    code = "claim_path_not_found"
    title = "The credential has no claim at the requested path"
    status = 400


class KeyBindingInvalid(CredentialError):
    code = "kb_invalid"
    title = "The Key Binding JWT is not valid"


class KeyBindingRequired(KeyBindingInvalid):
    code = "key_binding_required"
    title = "Key Binding is required but the presentation has no Key Binding JWT"


class KeyBindingUnexpected(KeyBindingInvalid):
    code = "kb_unexpected"
    title = "A Key Binding JWT is present where none may be"


class HolderKeyMissing(KeyBindingInvalid):
    code = "holder_key_missing"
    title = "The SD-JWT has no usable holder key (cnf.jwk)"


class KBAudienceMismatch(KeyBindingInvalid):
    code = "kb_aud_mismatch"
    title = "The Key Binding JWT is not addressed to this verifier"


class KBNonceMismatch(KeyBindingInvalid):
    code = "kb_nonce_mismatch"
    title = "The Key Binding JWT's nonce is not the one issued"


class KBExpired(KeyBindingInvalid):
    code = "kb_expired"
    title = "The Key Binding JWT is older than allowed"


class KBIssuedAtInvalid(KeyBindingInvalid):
    code = "kb_iat_invalid"
    title = "The Key Binding JWT's iat is missing, malformed or in the future"


class KBSDHashMismatch(KeyBindingInvalid):
    code = "kb_sd_hash_mismatch"
    title = "The Key Binding JWT's sd_hash does not match the presentation"


class VCTMissing(ClaimMissing):
    code = "vct_missing"
    title = "The SD-JWT VC has no vct claim"


# --- Presentation queries (DCQL, OpenID4VP 1.0 §6) ----------------------------------------------


class QueryInvalid(TaitoError):
    """A DCQL query is outside the supported subset; ``errors`` lists ``{pointer, message}``."""

    code = "presentation_query_invalid"
    title = "The presentation query is not valid"
    status = 422

    def __init__(self, detail: str, *, errors: Sequence[Mapping[str, str]] = ()) -> None:
        super().__init__(detail)
        self.errors = tuple(dict(error) for error in errors)
        self.problem_extra: dict[str, Any] = {"errors": list(self.errors)} if errors else {}
