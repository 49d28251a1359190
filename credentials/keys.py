"""Signing keys as JSON Web Keys: Ed25519 (``EdDSA``) and P-256 (``ES256``).

- RFC 7517 (JWK) and RFC 8037 (OKP keys) for import and export.
- RFC 7518 §3.4: ES256 signatures are the 64-byte ``R || S`` concatenation, not DER.
- RFC 7638: JWK thumbprints; a key's ``kid`` is its SHA-256 thumbprint unless given.

A key is bound to exactly one algorithm (docs/security.md, algorithms); a JWK
whose ``alg`` names another one is refused, and :meth:`PublicKey.verify` refuses any algorithm
but the key's own. Randomness for key generation comes from the operating system through
``cryptography``; the caller decides when to generate.
"""

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from credentials.bounded_cache import CacheSlot
from credentials.encoding import b64url_decode, b64url_encode, json_dumps
from credentials.errors import (
    AlgorithmKeyMismatch,
    InvalidKey,
    SignatureInvalid,
    UnsupportedAlgorithm,
)

Algorithm = Literal["EdDSA", "ES256"]
ALGORITHMS: tuple[Algorithm, ...] = ("EdDSA", "ES256")
"""Every algorithm Taito signs or verifies with. ``none`` and HMAC are never among them."""

_P256_COORDINATE = 32
_PUBLIC_MEMBERS = {"OKP": ("crv", "kty", "x"), "EC": ("crv", "kty", "x", "y")}

JWK = dict[str, Any]


def algorithm_of(name: str) -> Algorithm:
    """Return ``name`` as an :data:`Algorithm` or raise :class:`UnsupportedAlgorithm`.

    Comparison is case-sensitive (RFC 7515 §4.1.1), so ``es256`` or ``EDDSA`` are refused.
    """
    if name not in ALGORITHMS:
        raise UnsupportedAlgorithm("the algorithm is not on the allow-list")
    return name


@dataclass(frozen=True)
class PublicKey:
    """A public verification key bound to one algorithm."""

    alg: Algorithm
    kid: str
    _key: ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey = field(repr=False)

    @cached_property
    def _members(self) -> JWK:
        return _public_members(self._key)

    @property
    def jwk(self) -> JWK:
        """The public JWK with ``kid`` and ``alg`` (never any private member); a fresh dict."""
        return {**self._members, "kid": self.kid, "alg": self.alg}

    @cached_property
    def thumbprint(self) -> str:
        """RFC 7638 SHA-256 thumbprint, base64url."""
        return jwk_thumbprint(self._members)

    def verify(self, signature: bytes, data: bytes, *, alg: str) -> None:
        """Check ``signature`` over ``data``; raise :class:`SignatureInvalid` if it fails.

        Raises :class:`AlgorithmKeyMismatch` when ``alg`` is not this key's algorithm.
        """
        if alg != self.alg:
            raise AlgorithmKeyMismatch("the token's algorithm is not the one bound to the key")
        try:
            if isinstance(self._key, ed25519.Ed25519PublicKey):
                if len(signature) != 64:
                    raise SignatureInvalid("an EdDSA signature is 64 bytes")
                self._key.verify(signature, data)
            else:
                if len(signature) != 2 * _P256_COORDINATE:
                    raise SignatureInvalid("an ES256 signature is 64 bytes")
                r = int.from_bytes(signature[:_P256_COORDINATE], "big")
                s = int.from_bytes(signature[_P256_COORDINATE:], "big")
                self._key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise SignatureInvalid("the signature does not verify") from None


@dataclass(frozen=True)
class PrivateKey:
    """A private signing key bound to one algorithm; :attr:`public` is its verification key."""

    public: PublicKey
    _key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey = field(repr=False)

    @property
    def alg(self) -> Algorithm:
        return self.public.alg

    @property
    def kid(self) -> str:
        return self.public.kid

    @property
    def private_jwk(self) -> JWK:
        """The private JWK. Handle as a secret: it must never reach a log, error or API response."""
        if isinstance(self._key, ed25519.Ed25519PrivateKey):
            d = self._key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
        else:
            d = self._key.private_numbers().private_value.to_bytes(_P256_COORDINATE, "big")
        return {**self.public.jwk, "d": b64url_encode(d)}

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` with the key's algorithm; ES256 returns ``R || S`` (RFC 7518 §3.4)."""
        if isinstance(self._key, ed25519.Ed25519PrivateKey):
            return self._key.sign(data)
        r, s = decode_dss_signature(self._key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(_P256_COORDINATE, "big") + s.to_bytes(_P256_COORDINATE, "big")

    def __repr__(self) -> str:
        return f"PrivateKey(alg={self.alg!r}, kid={self.kid!r})"


def generate_key(alg: Algorithm, *, kid: str | None = None) -> PrivateKey:
    """Generate a new private key for ``alg`` (``EdDSA`` → Ed25519, ``ES256`` → P-256)."""
    algorithm_of(alg)
    private: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
    if alg == "EdDSA":
        private = ed25519.Ed25519PrivateKey.generate()
    else:
        private = ec.generate_private_key(ec.SECP256R1())
    return _private_key(private, kid)


def _private_key(
    private: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey, kid: str | None
) -> PrivateKey:
    public_key = private.public_key()
    alg: Algorithm = "EdDSA" if isinstance(public_key, ed25519.Ed25519PublicKey) else "ES256"
    public = PublicKey(alg, kid or jwk_thumbprint(_public_members(public_key)), public_key)
    return PrivateKey(public, private)


def _public_members(key: ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey) -> JWK:
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    numbers = key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url_encode(numbers.x.to_bytes(_P256_COORDINATE, "big")),
        "y": b64url_encode(numbers.y.to_bytes(_P256_COORDINATE, "big")),
    }


def jwk_thumbprint(jwk: JWK) -> str:
    """RFC 7638 §3: SHA-256 over the required members, sorted, without whitespace."""
    kty = jwk.get("kty")
    members = _PUBLIC_MEMBERS.get(kty) if isinstance(kty, str) else None
    if members is None or any(not isinstance(jwk.get(m), str) for m in members):
        raise InvalidKey("the JWK lacks the members its key type requires")
    canonical = json_dumps({m: jwk[m] for m in members})
    return b64url_encode(hashlib.sha256(canonical.encode("utf-8")).digest())


def _check_alg_member(jwk: JWK, alg: Algorithm) -> None:
    declared = jwk.get("alg")
    if declared is not None and declared != alg:
        raise AlgorithmKeyMismatch("the JWK's alg does not fit its key type")
    use = jwk.get("use")
    if use is not None and use != "sig":
        raise InvalidKey("the JWK is not a signing key")


def _coordinate(jwk: JWK, name: str, size: int) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise InvalidKey(f"the JWK member {name} is missing")
    data = b64url_decode(value, what=f"JWK member {name}")
    if len(data) != size:
        raise InvalidKey(f"the JWK member {name} has the wrong length")
    return data


def public_key_from_jwk(jwk: JWK, *, kid: str | None = None) -> PublicKey:
    """Import a public JWK (private members, if any, are ignored).

    The algorithm follows from the key type: OKP/Ed25519 → EdDSA, EC/P-256 → ES256. Raises
    :class:`InvalidKey` for anything else, including points not on the curve. Within an
    application's request, imports are cached in the application's :data:`PUBLIC_KEY_CACHE`
    (keys are immutable), because checking that a point is on the curve costs more than a
    signature check and the same issuer and holder keys recur on every verification.
    """
    if not isinstance(jwk, dict):
        raise InvalidKey("a JWK must be a JSON object")
    members = tuple(jwk.get(name) for name in _CACHE_MEMBERS)
    cache = PUBLIC_KEY_CACHE.current()
    if cache is None or not all(m is None or isinstance(m, str) for m in members):
        return _import_public_key(jwk, kid=kid)
    cache_key: PublicKeyCacheKey = (members, kid)
    found = cache.get(cache_key)
    if found is None:
        kept = {n: v for n, v in zip(_CACHE_MEMBERS, members, strict=True) if v is not None}
        found = _import_public_key(kept, kid=kid)
        cache.put(cache_key, found)
    return found


_CACHE_MEMBERS = ("kty", "crv", "x", "y", "alg", "use", "kid")
PublicKeyCacheKey = tuple[tuple[str | None, ...], str | None]
PUBLIC_KEY_OVERHEAD = 1024
"""Bytes charged per imported key beyond its JWK members (the key object itself)."""


def public_key_cost(cache_key: PublicKeyCacheKey, _key: PublicKey) -> int:
    """What a cached import is charged: its JWK members and kid, plus the key object."""
    members, kid = cache_key
    return PUBLIC_KEY_OVERHEAD + sum(len(m) for m in members if m) + len(kid or "")


PUBLIC_KEY_CACHE: CacheSlot[PublicKeyCacheKey, PublicKey] = CacheSlot("taito.public_keys")
"""Where :func:`public_key_from_jwk` finds its application's cache of imported keys."""


def _import_public_key(jwk: JWK, *, kid: str | None) -> PublicKey:
    kty, crv = jwk.get("kty"), jwk.get("crv")
    key: ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
    try:
        if kty == "OKP" and crv == "Ed25519":
            alg: Algorithm = "EdDSA"
            key = ed25519.Ed25519PublicKey.from_public_bytes(_coordinate(jwk, "x", 32))
        elif kty == "EC" and crv == "P-256":
            alg = "ES256"
            x = int.from_bytes(_coordinate(jwk, "x", _P256_COORDINATE), "big")
            y = int.from_bytes(_coordinate(jwk, "y", _P256_COORDINATE), "big")
            key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        else:
            raise InvalidKey("only Ed25519 (OKP) and P-256 (EC) keys are supported")
    except ValueError:
        raise InvalidKey("the JWK does not describe a valid public key") from None
    _check_alg_member(jwk, alg)
    given_kid = jwk.get("kid")
    if given_kid is not None and not isinstance(given_kid, str):
        raise InvalidKey("the JWK kid must be a string")
    return PublicKey(alg, kid or given_kid or jwk_thumbprint(jwk), key)


def private_key_from_jwk(jwk: JWK, *, kid: str | None = None) -> PrivateKey:
    """Import a private JWK; the public members must match the private scalar."""
    public = public_key_from_jwk(jwk, kid=kid)
    private: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
    try:
        if public.alg == "EdDSA":
            private = ed25519.Ed25519PrivateKey.from_private_bytes(_coordinate(jwk, "d", 32))
        else:
            d = int.from_bytes(_coordinate(jwk, "d", _P256_COORDINATE), "big")
            private = ec.derive_private_key(d, ec.SECP256R1())
    except ValueError:
        raise InvalidKey("the JWK does not describe a valid private key") from None
    if _public_members(private.public_key()) != _public_members(public._key):
        raise InvalidKey("the JWK's public members do not belong to its private key")
    return PrivateKey(public, private)


def private_key_from_pem(data: bytes) -> PrivateKey:
    """Import a PKCS#8 or SEC 1 PEM private key (Ed25519 or P-256), unencrypted.

    Raises :class:`InvalidKey` for anything else.
    """
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise InvalidKey("the PEM does not hold an unencrypted private key") from None
    if isinstance(private, ec.EllipticCurvePrivateKey) and isinstance(private.curve, ec.SECP256R1):
        return _private_key(private, None)
    if isinstance(private, ed25519.Ed25519PrivateKey):
        return _private_key(private, None)
    raise InvalidKey("only Ed25519 and P-256 private keys are supported")


def public_key_of(key: object, *, kid: str) -> PublicKey:
    """A ``cryptography`` public key (from an X.509 certificate) as a :class:`PublicKey`.

    Raises :class:`InvalidKey` unless it is Ed25519 or P-256.
    """
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return PublicKey("ES256", kid, key)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return PublicKey("EdDSA", kid, key)
    raise InvalidKey("only Ed25519 and P-256 keys are supported")
