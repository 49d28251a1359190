"""Multibase base58btc and multicodec-prefixed public keys (the ``z6Mk…``/``zDn…`` encoding).

Used by did:key (W3C CCG "The did:key Method" v0.7, "Format") and by ``Multikey``
verification methods (W3C Controlled Identifiers 1.0, "Multikey"): the value is the
multibase prefix ``z`` (base58btc), then the unsigned-varint multicodec of the key type, then the
raw public key:

- Ed25519: multicodec ``ed25519-pub`` 0xed, varint bytes ``0xed 0x01``, 32-byte key;
- P-256: multicodec ``p256-pub`` 0x1200, varint bytes ``0x80 0x24``, 33-byte *compressed* SEC1
  point (``0x02``/``0x03`` and the x coordinate).

The base58btc codec is written here (no dependency) and is strict: only the Bitcoin alphabet,
no whitespace, a length cap before any big-integer work, and leading ``1`` characters map
one-to-one to leading zero bytes, so every byte string has exactly one accepted encoding.
"""

from cryptography.hazmat.primitives.asymmetric import ec

from credentials.encoding import b64url_decode, b64url_encode
from credentials.errors import InvalidKey, UnsupportedKeyType
from credentials.keys import PublicKey, public_key_from_jwk

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {char: index for index, char in enumerate(BASE58_ALPHABET)}

MAX_MULTIBASE_LENGTH = 128
"""Longest multibase value decoded; our keys need at most 50 characters."""

ED25519_PUB = b"\xed\x01"
P256_PUB = b"\x80\x24"
_P256_COORDINATE = 32


def base58btc_encode(data: bytes) -> str:
    """Encode bytes in base58btc (the Bitcoin alphabet), zero bytes as leading ``1``s."""
    zeros = len(data) - len(data.lstrip(b"\x00"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    """Decode strict base58btc; raise :class:`InvalidKey` for any other character or overlength.

    Multibase (draft-multiformats-multibase §2): base58btc uses the Bitcoin alphabet; it has no
    padding, and ``0``, ``O``, ``I`` and ``l`` are not in it.
    """
    if len(text) > MAX_MULTIBASE_LENGTH:
        raise InvalidKey("the base58btc value is too long")
    number = 0
    for char in text:
        index = _BASE58_INDEX.get(char)
        if index is None:
            raise InvalidKey("the value holds a character outside the base58btc alphabet")
        number = number * 58 + index
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\x00" * zeros + body


def encode_multikey(key: PublicKey) -> str:
    """Return the ``publicKeyMultibase`` value of ``key`` (``z`` + base58btc(codec + key)).

    Controlled Identifiers 1.0, "Multikey"; P-256 keys are compressed as the did:key
    specification requires.
    """
    jwk = key.jwk
    if key.alg == "EdDSA":
        return "z" + base58btc_encode(ED25519_PUB + b64url_decode(jwk["x"]))
    x = b64url_decode(jwk["x"])
    y = b64url_decode(jwk["y"])
    prefix = b"\x03" if y[-1] & 1 else b"\x02"
    return "z" + base58btc_encode(P256_PUB + prefix + x)


def decode_multikey(value: str, *, kid: str) -> PublicKey:
    """Decode a ``publicKeyMultibase`` value into a :class:`PublicKey` named ``kid``.

    Controlled Identifiers 1.0, "Multikey". Raises :class:`InvalidKey` when the value is
    not ``z`` + strict base58btc of a well-formed key, and :class:`UnsupportedKeyType` for a
    well-formed multicodec other than Ed25519 and P-256.
    """
    if not value.startswith("z"):
        raise InvalidKey("the multibase value is not base58btc (prefix z)")
    data = base58btc_decode(value[1:])
    if data.startswith(ED25519_PUB):
        raw = data[len(ED25519_PUB) :]
        if len(raw) != 32:
            raise InvalidKey("an Ed25519 multikey holds 32 bytes")
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    elif data.startswith(P256_PUB):
        jwk = _p256_jwk(data[len(P256_PUB) :])
    elif len(data) > 2:
        raise UnsupportedKeyType("only Ed25519 and P-256 multikeys are supported")
    else:
        raise InvalidKey("the multikey is too short")
    return public_key_from_jwk(jwk, kid=kid)


def _p256_jwk(point: bytes) -> dict[str, str]:
    if len(point) != 1 + _P256_COORDINATE or point[0] not in (2, 3):
        raise InvalidKey("a P-256 multikey holds a 33-byte compressed point")
    try:
        numbers = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), point
        ).public_numbers()
    except ValueError:
        raise InvalidKey("the P-256 multikey is not a point on the curve") from None
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url_encode(numbers.x.to_bytes(_P256_COORDINATE, "big")),
        "y": b64url_encode(numbers.y.to_bytes(_P256_COORDINATE, "big")),
    }
