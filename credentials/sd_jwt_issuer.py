"""Issuing SD-JWTs (RFC 9901 §4, §4.2.4 embedding, §4.2.5 decoys).

The core takes its randomness as parameters: a :data:`SaltSource` for the salts and an optional
:class:`DecoySource` for the decoy digests, so tests (and the official examples) inject fixed
values. :func:`random_salt` and :func:`random_decoys` draw from the operating system's CSPRNG
(``secrets``); callers pass them explicitly at the outer edge.

What is disclosable comes from :class:`~credentials.sd_jwt_disclosable.SD` markers in the claims
(see :mod:`credentials.sd_jwt_disclosable` for claim paths and the "everything" mode). Digests in
every ``_sd`` array are sorted, which hides the original claim order (§4.2.4.1). A JSON
serializer can be injected so that the examples of the RFC, made with Python's ``json.dumps``
defaults, are reproduced byte for byte.
"""

import math
import secrets
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from credentials.encoding import JSONSerializer, JSONValue, b64url_encode, json_dumps
from credentials.jws import sign_compact
from credentials.keys import PrivateKey, PublicKey
from credentials.sd_jwt import (
    ARRAY_KEY,
    DEFAULT_SD_ALG,
    MAX_DISCLOSURES,
    MAX_PRESENTATION_BYTES,
    SD_ALG_KEY,
    SD_KEY,
    ClaimPath,
    Disclosure,
    SDAlg,
    check_sd_alg,
    digest,
    is_digest,
    join_sd_jwt,
    make_disclosure,
)
from credentials.sd_jwt_disclosable import SD

SaltSource = Callable[[], str]
"""Returns a new salt for each Disclosure (RFC 9901 §9.3: ≥ 128 bits of CSPRNG output)."""

MIN_SALT_LENGTH: Final = 16
"""Shortest salt accepted; 22 base64url characters carry the recommended 128 bits (§9.3)."""

SECURITY_CRITICAL_CLAIMS: Final = frozenset({"iss", "aud", "exp", "nbf", "cnf"})
"""Registered claims RFC 9901 §9.7 says should never be selectively disclosable."""

_JWK_PUBLIC_MEMBERS: Final = ("kty", "crv", "x", "y")


class DecoySource(Protocol):
    """Returns the decoy digests to add to the object or array at ``path`` (§4.2.5)."""

    def __call__(self, path: ClaimPath, *, in_array: bool) -> Sequence[str]: ...


def random_salt() -> str:
    """128 bits from the OS CSPRNG, base64url (RFC 9901 §9.3). Pass as ``salt=random_salt``."""
    return b64url_encode(secrets.token_bytes(16))


def random_decoys(
    *, sd_alg: SDAlg = DEFAULT_SD_ALG, minimum: int = 1, maximum: int = 4, arrays: bool = False
) -> DecoySource:
    """A :class:`DecoySource` adding ``minimum``..``maximum`` decoys to every object (and array).

    Each decoy is the digest of a fresh random salt (RFC 9901 §4.2.5). Array decoys are appended
    at the end of the array; they are off unless ``arrays`` is true.
    """
    if not 0 <= minimum <= maximum:
        raise ValueError("decoy bounds must satisfy 0 <= minimum <= maximum")

    def decoys(path: ClaimPath, *, in_array: bool) -> Sequence[str]:
        if in_array and not arrays:
            return ()
        count = minimum + secrets.randbelow(maximum - minimum + 1)
        return tuple(digest(random_salt(), sd_alg) for _ in range(count))

    return decoys


@dataclass(frozen=True)
class IssuedSDJWT:
    """An issued SD-JWT: the issuer-signed JWT, every Disclosure, and what went into it."""

    issuer_jwt: str
    disclosures: tuple[Disclosure, ...]
    header: dict[str, Any]
    payload: dict[str, Any]
    decoy_digests: tuple[str, ...]
    sd_alg: SDAlg

    @property
    def serialized(self) -> str:
        """``<Issuer-signed JWT>~<D1>~...~<Dn>~`` (RFC 9901 §4), for the holder."""
        return join_sd_jwt(self.issuer_jwt, (d.encoded for d in self.disclosures))


def issue_sd_jwt(
    claims: Mapping[str, Any],
    *,
    issuer_key: PrivateKey,
    typ: str,
    salt: SaltSource,
    holder_key: PublicKey | None = None,
    sd_alg: SDAlg = DEFAULT_SD_ALG,
    decoys: DecoySource | None = None,
    plain_claims: Collection[str] = SECURITY_CRITICAL_CLAIMS,
    header: Mapping[str, JSONValue] | None = None,
    serialize: JSONSerializer = json_dumps,
) -> IssuedSDJWT:
    """Create and sign an SD-JWT from ``claims`` carrying :class:`SD` markers (RFC 9901 §4).

    The payload is ``{"_sd": [...], <plain claims in order>, "_sd_alg": ..., "cnf": ...}``;
    ``cnf`` holds ``holder_key`` as a JWK (§4.1.2) when given. ``header`` adds protected header
    parameters (``kid``, ...) after ``alg`` and ``typ``. Misuse raises ``TypeError`` or
    ``ValueError``: a marker on a claim in ``plain_claims`` (or beneath it), ``_sd``, ``...`` or
    ``_sd_alg`` among the claims, a reused or short salt, a malformed or repeated decoy, non-JSON
    values, more than 1,000 Disclosures or a result over 256 KiB.
    """
    sd_alg = check_sd_alg(sd_alg)
    extra = dict(header or {})
    if "typ" in extra or "alg" in extra:
        raise ValueError("typ is a parameter and alg follows from the key; not header members")
    if not isinstance(claims, Mapping):
        raise TypeError("claims must be a JSON object")
    builder = _Builder(salt, decoys, sd_alg, frozenset(plain_claims) | {SD_ALG_KEY}, serialize)
    payload = builder.build_object(claims, ())
    payload[SD_ALG_KEY] = sd_alg
    if holder_key is not None:
        if "cnf" in payload:
            raise ValueError("give the holder key either as holder_key or as a cnf claim")
        jwk = holder_key.jwk
        payload["cnf"] = {"jwk": {m: jwk[m] for m in _JWK_PUBLIC_MEMBERS if m in jwk}}
    if len(builder.disclosures) > MAX_DISCLOSURES:
        raise ValueError(f"more than {MAX_DISCLOSURES} Disclosures cannot be verified")
    protected = {"typ": typ, **extra}
    issuer_jwt = sign_compact(
        protected, serialize(payload).encode("utf-8"), issuer_key, serialize=serialize
    )
    issued = IssuedSDJWT(
        issuer_jwt=issuer_jwt,
        disclosures=tuple(builder.disclosures),
        header={"alg": issuer_key.alg, **protected},
        payload=payload,
        decoy_digests=tuple(builder.decoy_digests),
        sd_alg=sd_alg,
    )
    if len(issued.serialized) > MAX_PRESENTATION_BYTES:
        raise ValueError(f"the SD-JWT would exceed {MAX_PRESENTATION_BYTES} bytes")
    return issued


class _Builder:
    """Turns marked claims into the payload, creating Disclosures depth first (§4.2.6)."""

    def __init__(
        self,
        salt: SaltSource,
        decoys: DecoySource | None,
        sd_alg: SDAlg,
        plain: frozenset[str],
        serialize: JSONSerializer,
    ) -> None:
        self.salt = salt
        self.decoys = decoys
        self.sd_alg = sd_alg
        self.plain = plain
        self.serialize = serialize
        self.disclosures: list[Disclosure] = []
        self.decoy_digests: list[str] = []
        self.digests: set[str] = set()
        self.salts: set[str] = set()

    def build_value(self, value: Any, path: ClaimPath, *, plain: bool) -> JSONValue:
        if isinstance(value, SD):
            raise TypeError("SD marks an object property or an array element, once")
        if isinstance(value, Mapping):
            return self.build_object(value, path, plain=plain)
        if isinstance(value, list):
            return self.build_array(value, path, plain=plain)
        if value is None or isinstance(value, str | bool | int):
            return value
        if isinstance(value, float) and math.isfinite(value):
            return value
        raise TypeError("claim values must be JSON: str, int, finite float, bool, None, list, dict")

    def build_object(
        self, obj: Mapping[str, Any], path: ClaimPath, *, plain: bool = False
    ) -> dict[str, Any]:
        plain_members: dict[str, Any] = {}
        hidden: list[str] = []
        for name, item in obj.items():
            if not isinstance(name, str):
                raise TypeError("claim names must be strings")
            if name in (SD_KEY, ARRAY_KEY, SD_ALG_KEY):
                raise ValueError("_sd, ... and _sd_alg are reserved by SD-JWT")
            stays_plain = plain or (not path and name in self.plain)
            if isinstance(item, SD):
                if stays_plain:
                    raise ValueError(f"the claim {name} must stay plain")
                inner = self.build_value(item.value, (*path, name), plain=False)
                hidden.append(self.disclose(name, inner))
            else:
                plain_members[name] = self.build_value(item, (*path, name), plain=stays_plain)
        if not plain:
            hidden.extend(self.decoy(path, in_array=False))
        if not hidden:
            return plain_members
        return {SD_KEY: sorted(hidden), **plain_members}

    def build_array(self, items: list[Any], path: ClaimPath, *, plain: bool) -> list[Any]:
        result: list[Any] = []
        for index, item in enumerate(items):
            if isinstance(item, SD):
                if plain:
                    raise ValueError("a claim that must stay plain has a disclosable element")
                inner = self.build_value(item.value, (*path, index), plain=False)
                result.append({ARRAY_KEY: self.disclose(None, inner)})
            else:
                result.append(self.build_value(item, (*path, index), plain=plain))
        if not plain:
            result.extend({ARRAY_KEY: d} for d in self.decoy(path, in_array=True))
        return result

    def disclose(self, name: str | None, value: JSONValue) -> str:
        salt = self.salt()
        if not isinstance(salt, str) or len(salt) < MIN_SALT_LENGTH:
            raise ValueError(f"a salt must be a string of at least {MIN_SALT_LENGTH} characters")
        if salt in self.salts:
            raise ValueError("a salt was reused; each claim needs its own (RFC 9901 §9.3)")
        self.salts.add(salt)
        disclosure = make_disclosure(salt, name, value, serialize=self.serialize)
        self.disclosures.append(disclosure)
        return self.add_digest(disclosure.digest(self.sd_alg))

    def decoy(self, path: ClaimPath, *, in_array: bool) -> list[str]:
        if self.decoys is None:
            return []
        found = list(self.decoys(path, in_array=in_array))
        for value in found:
            if not is_digest(value, self.sd_alg):
                raise ValueError("a decoy must be a base64url digest of the _sd_alg's size")
            self.add_digest(value)
        self.decoy_digests.extend(found)
        return found

    def add_digest(self, value: str) -> str:
        if value in self.digests:
            raise ValueError("a digest would appear twice in the SD-JWT")
        self.digests.add(value)
        return value
