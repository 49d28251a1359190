"""Encrypted OpenID4VP responses (``response_mode`` ``direct_post.jwt``, OpenID4VP 1.0 §8.3,
§8.3.1; HAIP 1.0 §5: ``ECDH-ES`` on P-256, ``A128GCM``).

A request created with ``direct_post.jwt`` carries, in its signed Request Object, one public key
for the wallet to encrypt its response to (``client_metadata.jwks``, ``kid`` the request's id,
``use`` ``enc``, ``alg`` ``ECDH-ES``) and the accepted ``enc`` values. The key is the request's
own (§5.1 lets a verifier pass "ephemeral keys specific to this Authorization Request"): derived
from the KEK and the request id with HKDF-SHA256 (RFC 5869) under a label of its own, so it is
never stored, a response encrypted for one request is unreadable for any other, and the key is
as well protected as everything else the KEK seals.

:func:`open_encrypted_response` takes the form's ``response``: the JWE header's ``kid`` names the
request (of this verifier, asking for an encrypted response), the JWE is decrypted with that
request's key (:mod:`credentials.jwe`), and the payload's ``state`` must be that same request.
What it returns goes on to the gate exactly as a ``direct_post`` response does.
"""

from dataclasses import dataclass
from typing import Any, Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlmodel import Session

from credentials.encoding import json_dumps, json_object
from credentials.errors import CredentialError, JWEInvalid
from credentials.jwe import ALG, Encryption, decrypt_compact, jwe_header, public_jwk
from verifiers.errors import RequestNotFound, ResponseMalformed, ResponseModeMismatch, StateUnknown
from verifiers.organisations import VerifierInfo
from verifiers.presentation_requests import ResponseMode, load_request

ENCRYPTED: Final[ResponseMode] = "direct_post.jwt"
ENCRYPTIONS: Final[tuple[Encryption, ...]] = ("A128GCM", "A256GCM")
"""``encrypted_response_enc_values_supported``: HAIP's mandatory ``A128GCM`` first."""
_LABEL: Final = b"taito openid4vp response encryption key v1\x00"
_P256_ORDER: Final = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)
MAX_RESPONSE_CHARS: Final = 2 * 1024 * 1024


def response_key(kek: bytes, *, request_id: str) -> ec.EllipticCurvePrivateKey:
    """The P-256 key of ``request_id``'s encrypted responses, derived from the KEK.

    HKDF-SHA256 gives 48 bytes (64 bits more than the order, so reducing them is unbiased for
    any practical purpose, as in FIPS 186-5 A.2.1); the scalar is that number mod (n - 1) + 1.
    """
    okm = HKDF(algorithm=hashes.SHA256(), length=48, salt=None, info=_LABEL + request_id.encode())
    scalar = int.from_bytes(okm.derive(kek), "big") % (_P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def response_client_metadata(kek: bytes, *, request_id: str) -> dict[str, Any]:
    """The ``client_metadata`` members asking for a response encrypted to the request's key."""
    jwk: dict[str, Any] = public_jwk(response_key(kek, request_id=request_id).public_key())
    jwk.update({"kid": request_id, "use": "enc", "alg": ALG})
    return {"jwks": {"keys": [jwk]}, "encrypted_response_enc_values_supported": list(ENCRYPTIONS)}


@dataclass(frozen=True)
class OpenedResponse:
    """The parameters of a decrypted response: ``vp_token`` (JSON text) or a wallet ``error``."""

    state: str
    vp_token: str | None
    error: str | None


def open_encrypted_response(
    session: Session, *, verifier: VerifierInfo, response: str, kek: bytes
) -> OpenedResponse:
    """Decrypt a ``direct_post.jwt`` response for one of ``verifier``'s requests (§8.3.1).

    Raises :class:`~verifiers.errors.StateUnknown` when the JWE names no request of this
    verifier, :class:`~verifiers.errors.ResponseModeMismatch` when that request did not ask for
    an encrypted response, and :class:`~verifiers.errors.ResponseMalformed` when it does not
    decrypt (altered, or encrypted to another key) or its payload is not the request's
    response. Nothing is stored and nothing consumed.
    """
    if len(response) > MAX_RESPONSE_CHARS:
        raise ResponseMalformed("the encrypted response is too large")
    try:
        kid = jwe_header(response).get("kid")
    except JWEInvalid:
        raise ResponseMalformed("the response is not a compact JWE") from None
    if not isinstance(kid, str):
        raise StateUnknown("the encrypted response names no request (kid)")
    try:
        row = load_request(session, request_id=kid, verifier_id=verifier.id)
    except RequestNotFound:
        raise StateUnknown("the encrypted response names no request of this verifier") from None
    if row.response_mode != ENCRYPTED:
        raise ResponseModeMismatch("this request asked for a direct_post response")
    try:
        plaintext = decrypt_compact(
            response, key=response_key(kek, request_id=row.id), kid=row.id, encryptions=ENCRYPTIONS
        )
        payload = json_object(plaintext, what="the decrypted response")
    except CredentialError:
        raise ResponseMalformed("the encrypted response does not decrypt to a response") from None
    if payload.get("state") != row.id:
        raise ResponseMalformed("the encrypted response's state is not its request's")
    vp_token, error = payload.get("vp_token"), payload.get("error")
    if vp_token is not None and not isinstance(vp_token, dict):
        raise ResponseMalformed("the vp_token is not a JSON object")
    if error is not None and not isinstance(error, str):
        raise ResponseMalformed("the error is not a string")
    return OpenedResponse(
        state=row.id,
        vp_token=None if vp_token is None else json_dumps(vp_token),
        error=error,
    )
