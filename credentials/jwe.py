"""Compact JWE with ``ECDH-ES`` on P-256: encrypted OpenID4VP responses.

OpenID4VP 1.0 §8.3 (an unsigned, encrypted JWT whose payload is the response's parameters) as
HAIP 1.0 profiles it: ``alg`` ``ECDH-ES`` (RFC 7518 §4.6, Direct Key Agreement, so the JWE
Encrypted Key is empty) with P-256 keys, ``enc`` ``A128GCM`` (mandatory) or ``A256GCM``
(RFC 7518 §5.3). The Content Encryption Key is Concat KDF (NIST SP 800-56A §5.8.1, RFC 7518
§4.6.2) over the ECDH shared secret with ``AlgorithmID`` the ``enc`` value, ``apu`` and ``apv``
from the header; the AAD is the ASCII of the encoded protected header (RFC 7516 §5.1, step 14).

Only that is accepted: any other ``alg`` or ``enc``, a non-empty Encrypted Key, ``zip``
(compression before encryption, and a decompression bomb), ``crit``, an ephemeral key not on
P-256 or a ``kid`` other than the recipient's is refused before anything is decrypted. Every
failure raises :class:`~credentials.errors.JWEInvalid` naming the rule, never the content.
"""

import os
from collections.abc import Collection
from typing import Any, Final, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash

from credentials.encoding import b64url_decode, b64url_encode, json_dumps, json_object
from credentials.errors import CredentialError, JWEInvalid

Encryption = Literal["A128GCM", "A256GCM"]
ALG: Final = "ECDH-ES"
ENCRYPTIONS: Final[dict[str, int]] = {"A128GCM": 16, "A256GCM": 32}
"""The content encryption algorithms and their key sizes in bytes."""
MAX_JWE_BYTES: Final = 2 * 1024 * 1024
MAX_HEADER_BYTES: Final = 4096
_COORDINATE = 32
_IV = 12
_TAG = 16


def _other_info(enc: str, apu: bytes, apv: bytes, key_bits: int) -> bytes:
    # RFC 7518 §4.6.2: AlgorithmID, PartyUInfo, PartyVInfo (each length-prefixed), SuppPubInfo.
    def counted(data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + data

    return counted(enc.encode("ascii")) + counted(apu) + counted(apv) + key_bits.to_bytes(4, "big")


def _content_key(shared: bytes, enc: str, apu: bytes, apv: bytes) -> bytes:
    size = ENCRYPTIONS[enc]
    kdf = ConcatKDFHash(
        algorithm=hashes.SHA256(), length=size, otherinfo=_other_info(enc, apu, apv, size * 8)
    )
    return kdf.derive(shared)


def p256_public_key(jwk: object, what: str) -> ec.EllipticCurvePublicKey:
    """The P-256 public key of ``jwk``; raises :class:`JWEInvalid` naming ``what`` otherwise."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise JWEInvalid(f"the {what} is not a P-256 EC key")
    if "d" in jwk:
        raise JWEInvalid(f"the {what} carries a private member")
    try:
        x, y = (b64url_decode(str(jwk.get(n, "")), what=f"{what} {n}") for n in ("x", "y"))
    except CredentialError:
        raise JWEInvalid(f"the {what} coordinates are not base64url") from None
    if len(x) != _COORDINATE or len(y) != _COORDINATE:
        raise JWEInvalid(f"the {what} coordinates have the wrong length")
    numbers = ec.EllipticCurvePublicNumbers(
        int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
    )
    try:
        return numbers.public_key()  # checks that the point is on the curve
    except ValueError:
        raise JWEInvalid(f"the {what} is not a point on P-256") from None


def public_jwk(key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The public members of a P-256 key as a JWK (RFC 7518 §6.2.1)."""
    numbers = key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url_encode(numbers.x.to_bytes(_COORDINATE, "big")),
        "y": b64url_encode(numbers.y.to_bytes(_COORDINATE, "big")),
    }


def encrypt_compact(
    plaintext: bytes,
    *,
    recipient: dict[str, Any],
    enc: Encryption,
    kid: str | None,
    apu: bytes = b"",
    apv: bytes = b"",
    ephemeral: ec.EllipticCurvePrivateKey | None = None,
    iv: bytes | None = None,
) -> str:
    """Encrypt ``plaintext`` to the P-256 ``recipient`` JWK (RFC 7516 §5.1; RFC 7518 §4.6).

    A fresh ephemeral key and IV per message: the caller's (tests, known-answer vectors) or,
    when not handed, from the OS CSPRNG. ``kid`` goes into the header when the recipient's key
    has one (OpenID4VP 1.0 §8.3). Raises :class:`JWEInvalid` for a recipient that is not a
    public P-256 key and ``TypeError`` for an unsupported ``enc``, an ephemeral key not on
    P-256 or an IV that is not 96 bits.
    """
    if enc not in ENCRYPTIONS:
        raise TypeError("enc must be A128GCM or A256GCM")
    static = p256_public_key(recipient, "recipient key")
    if ephemeral is None:
        ephemeral = ec.generate_private_key(ec.SECP256R1())
    elif not isinstance(ephemeral.curve, ec.SECP256R1):
        raise TypeError("the ephemeral key must be a P-256 key")
    if iv is None:
        iv = os.urandom(_IV)
    elif len(iv) != _IV:
        raise TypeError("the IV is 96 bits")
    header: dict[str, Any] = {"alg": ALG, "enc": enc, "epk": public_jwk(ephemeral.public_key())}
    if kid is not None:
        header["kid"] = kid
    if apu:
        header["apu"] = b64url_encode(apu)
    if apv:
        header["apv"] = b64url_encode(apv)
    protected = b64url_encode(json_dumps(header).encode("utf-8"))
    key = _content_key(ephemeral.exchange(ec.ECDH(), static), enc, apu, apv)
    sealed = AESGCM(key).encrypt(iv, plaintext, protected.encode("ascii"))
    ciphertext, tag = sealed[:-_TAG], sealed[-_TAG:]
    return ".".join(
        (protected, "", b64url_encode(iv), b64url_encode(ciphertext), b64url_encode(tag))
    )


def jwe_header(token: str) -> dict[str, Any]:
    """The protected header of a compact JWE, unverified (to find the recipient's key by
    ``kid``). Raises :class:`JWEInvalid` when it is not a five-part compact JWE."""
    if not isinstance(token, str) or len(token) > MAX_JWE_BYTES:
        raise JWEInvalid("the JWE is not a string of acceptable size")
    parts = token.split(".")
    if len(parts) != 5:
        raise JWEInvalid("a compact JWE has five parts")
    try:
        raw = b64url_decode(parts[0], what="JWE header")
        return json_object(raw, what="JWE header", max_bytes=MAX_HEADER_BYTES)
    except CredentialError:
        raise JWEInvalid("the JWE header is not a base64url JSON object") from None


def decrypt_compact(
    token: str,
    *,
    key: ec.EllipticCurvePrivateKey,
    kid: str,
    encryptions: Collection[Encryption],
) -> bytes:
    """Decrypt a compact JWE made for ``key`` (whose ``kid`` is ``kid``); the plaintext.

    RFC 7516 §5.2; RFC 7518 §4.6, §5.3; OpenID4VP 1.0 §8.3. Raises :class:`JWEInvalid` for
    anything but ``ECDH-ES`` with an ``enc`` of ``encryptions``, for a header naming another
    ``kid``, and when the authentication tag does not verify (tampered or for another key).
    """
    if not isinstance(key.curve, ec.SECP256R1):
        raise TypeError("the recipient key must be a P-256 key")
    header = jwe_header(token)
    protected, encrypted_key, iv_text, ciphertext_text, tag_text = token.split(".")
    if header.get("alg") != ALG:
        raise JWEInvalid("the JWE alg is not ECDH-ES")
    enc = header.get("enc")
    if enc not in ENCRYPTIONS or enc not in encryptions:
        raise JWEInvalid("the JWE enc is not an accepted content encryption")
    if "zip" in header or "crit" in header:
        raise JWEInvalid("the JWE header asks for compression or critical extensions")
    if header.get("kid", kid) != kid:
        raise JWEInvalid("the JWE is for another key")
    if encrypted_key:
        raise JWEInvalid("ECDH-ES (direct key agreement) has an empty encrypted key")
    ephemeral = p256_public_key(header.get("epk"), "ephemeral key")
    try:
        apu = b64url_decode(str(header.get("apu", "")), what="apu")
        apv = b64url_decode(str(header.get("apv", "")), what="apv")
        iv = b64url_decode(iv_text, what="JWE iv")
        ciphertext = b64url_decode(ciphertext_text, what="JWE ciphertext")
        tag = b64url_decode(tag_text, what="JWE tag")
    except CredentialError:
        raise JWEInvalid("a JWE part is not base64url") from None
    if len(iv) != _IV or len(tag) != _TAG:
        raise JWEInvalid("the JWE iv or tag has the wrong length")
    content_key = _content_key(key.exchange(ec.ECDH(), ephemeral), str(enc), apu, apv)
    try:
        return AESGCM(content_key).decrypt(iv, ciphertext + tag, protected.encode("ascii"))
    except InvalidTag:
        raise JWEInvalid("the JWE does not decrypt: altered, or made for another key") from None
