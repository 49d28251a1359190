"""JWS Compact Serialization (RFC 7515 §3.1, §5.2) under Taito's verification policy.

Why not PyJWT here: PyJWT's parser accepts padded base64url and duplicate header members and
lets a token pick its own key through headers in some call patterns. The policy in docs/security.md
needs strict parsing and a key chosen by the verifier alone, so the compact format (three
base64url parts) is parsed here and signatures are checked with ``cryptography`` via
:mod:`credentials.keys`.

Rules enforced by :func:`parse_compact` and :func:`verify_signature`:

- exactly three strict base64url parts, a JSON object header, the token no larger than a cap;
- ``alg`` is a string on the caller's allow-list and equal to the key's bound algorithm
  (``none`` and HMAC can never pass: they are not algorithms a key can be bound to);
- ``crit`` (RFC 7515 §4.1.11): every listed extension must be understood; Taito understands none,
  so any ``crit`` rejects;
- header members ``jwk``, ``jku``, ``x5u``, ``x5c`` never select a key (the verifier's resolver
  does).
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from credentials.encoding import (
    JSONSerializer,
    b64url_decode,
    b64url_encode,
    json_dumps,
    json_object,
)
from credentials.errors import (
    HeaderInvalid,
    MalformedInput,
    TooLarge,
    TypeMismatch,
    UnknownCritical,
    UnsupportedAlgorithm,
)
from credentials.keys import PrivateKey, PublicKey

MAX_TOKEN_BYTES = 256 * 1024
"""Largest compact JWS accepted (docs/security.md, size caps: presentation ≤ 256 KiB)."""


@dataclass(frozen=True)
class ParsedJWS:
    """A compact JWS split into its parts; the signature is *not* checked yet."""

    header: dict[str, Any]
    payload: bytes
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> str:
        return str(self.header["alg"])


def sign_compact(
    header: Mapping[str, Any],
    payload: bytes,
    key: PrivateKey,
    *,
    serialize: JSONSerializer = json_dumps,
) -> str:
    """Sign ``payload`` and return ``header.payload.signature`` (RFC 7515 §5.1).

    ``alg`` is set from the key (a key has one algorithm), overriding nothing: a header that
    names another algorithm is a programming error and raises ``ValueError``.
    """
    if "alg" in header and header["alg"] != key.alg:
        raise ValueError("header alg differs from the key's algorithm")
    protected = {"alg": key.alg, **header}
    signing_input = (
        b64url_encode(serialize(protected).encode("utf-8")) + "." + b64url_encode(payload)
    )
    signature = key.sign(signing_input.encode("ascii"))
    return signing_input + "." + b64url_encode(signature)


def parse_compact(token: str, *, max_bytes: int = MAX_TOKEN_BYTES, what: str = "JWT") -> ParsedJWS:
    """Split and decode a compact JWS strictly; raise a :class:`MalformedInput` subclass."""
    if len(token) > max_bytes:
        raise TooLarge(f"the {what} is larger than {max_bytes} bytes")
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedInput(f"the {what} is not a compact JWS of three parts")
    encoded_header, encoded_payload, encoded_signature = parts
    header = json_object(
        b64url_decode(encoded_header, what=f"{what} header"), what=f"{what} header"
    )
    payload = b64url_decode(encoded_payload, what=f"{what} payload")
    signature = b64url_decode(encoded_signature, what=f"{what} signature")
    if not isinstance(header.get("alg"), str):
        raise HeaderInvalid(f"the {what} header has no alg")
    if "crit" in header:
        raise UnknownCritical(f"the {what} requires extensions that are not supported")
    return ParsedJWS(
        header=header,
        payload=payload,
        signing_input=(encoded_header + "." + encoded_payload).encode("ascii"),
        signature=signature,
    )


def check_typ(parsed: ParsedJWS, accepted: Collection[str], *, what: str = "JWT") -> str:
    """Require the header ``typ`` to be one of ``accepted`` (explicit typing, RFC 8725 §3.11)."""
    typ = parsed.header.get("typ")
    if not isinstance(typ, str) or typ not in accepted:
        raise TypeMismatch(f"the {what} typ is not one of the accepted types")
    return typ


def verify_signature(parsed: ParsedJWS, key: PublicKey, *, algorithms: Collection[str]) -> None:
    """Verify the signature with ``key`` under the caller's algorithm allow-list.

    Raises :class:`UnsupportedAlgorithm`, :class:`AlgorithmKeyMismatch` or
    :class:`SignatureInvalid`.
    """
    if parsed.alg not in algorithms:
        raise UnsupportedAlgorithm("the token's algorithm is not on the verifier's allow-list")
    key.verify(parsed.signature, parsed.signing_input, alg=parsed.alg)


def payload_object(parsed: ParsedJWS, *, what: str = "JWT") -> dict[str, Any]:
    """Decode the payload as a strict JSON object."""
    return json_object(parsed.payload, what=f"{what} payload")
