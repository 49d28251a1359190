"""SD-JWT building blocks: Disclosures, digests and the compact serialization (RFC 9901 §4).

- :class:`Disclosure` and :func:`parse_disclosure`: the salted ``[salt, name, value]`` /
  ``[salt, value]`` arrays, base64url-encoded (RFC 9901 §4.2.1, §4.2.2), parsed strictly.
- :func:`digest`: base64url of the hash over the ASCII of the encoded Disclosure (§4.2.3), with
  ``_sd_alg`` limited to ``sha-256``, ``sha-384`` and ``sha-512`` (§4.1.1; never truncated hashes).
- :func:`split_sd_jwt` / :func:`join_sd_jwt`: ``<JWT>~<D1>~...~<Dn>~[<KB-JWT>]`` (§4), under the
  size caps of docs/security.md (presentation ≤ 256 KiB, ≤ 1,000 Disclosures).
- :data:`ClaimPath` and :func:`parse_claim_path`: how issuers, holders and the CLI name a claim
  (``degree.title``, ``skills[2]``, ``skills[*]``).
"""

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, cast

from credentials.encoding import (
    MAX_DEPTH,
    JSONSerializer,
    JSONValue,
    b64url_decode,
    b64url_encode,
    json_dumps,
    json_loads,
)
from credentials.errors import (
    DisclosureMalformed,
    MalformedInput,
    SDAlgUnsupported,
    SDJWTMalformed,
    TooDeep,
    TooLarge,
    TooManyDisclosures,
)
from credentials.jws import MAX_TOKEN_BYTES

SD_KEY: Final = "_sd"
"""The object member that carries the digests of an object's disclosable properties (§4.2.4.1)."""

ARRAY_KEY: Final = "..."
"""The single member of an array element that stands for a disclosable element (§4.2.4.2)."""

SD_ALG_KEY: Final = "_sd_alg"
"""The top-level claim naming the digest algorithm (§4.1.1)."""

SEPARATOR: Final = "~"

MAX_PRESENTATION_BYTES: Final = MAX_TOKEN_BYTES
"""Largest SD-JWT or SD-JWT+KB accepted (docs/security.md, size caps: 256 KiB)."""

MAX_DISCLOSURES: Final = 1000
"""Most Disclosures accepted in one SD-JWT (docs/security.md, size caps)."""

SDAlg = Literal["sha-256", "sha-384", "sha-512"]
"""The digest algorithms Taito accepts for ``_sd_alg``; ``sha-256`` is the default (§4.1.1)."""

DEFAULT_SD_ALG: Final[SDAlg] = "sha-256"

_HASHES: Final[Mapping[str, Callable[[bytes], Any]]] = {
    "sha-256": hashlib.sha256,
    "sha-384": hashlib.sha384,
    "sha-512": hashlib.sha512,
}
DIGEST_SIZES: Final[Mapping[str, int]] = {"sha-256": 32, "sha-384": 48, "sha-512": 64}


ClaimPath = tuple[str | int, ...]
"""A claim's position: object member names (``str``) and array indices (``int``)."""


def sd_alg_of(payload: Mapping[str, JSONValue]) -> SDAlg:
    """Return the payload's ``_sd_alg`` (default ``sha-256``), RFC 9901 §4.1.1.

    Raises :class:`SDAlgUnsupported` for anything but ``sha-256``, ``sha-384`` or ``sha-512``
    (compared case-sensitively, as the registry's names are).
    """
    value = payload.get(SD_ALG_KEY, DEFAULT_SD_ALG)
    if not isinstance(value, str) or value not in _HASHES:
        raise SDAlgUnsupported("the _sd_alg claim names an unsupported digest algorithm")
    return cast(SDAlg, value)


def check_sd_alg(name: str) -> SDAlg:
    """Return ``name`` as an :data:`SDAlg`; a programming error (``ValueError``) otherwise."""
    if name not in _HASHES:
        raise ValueError("sd_alg must be sha-256, sha-384 or sha-512")
    return cast(SDAlg, name)


def digest(text: str, sd_alg: SDAlg) -> str:
    """Base64url digest over the US-ASCII bytes of ``text`` (RFC 9901 §4.2.3, §4.3.1).

    Used for Disclosures (``text`` is the encoded Disclosure) and for ``sd_hash`` (``text`` is
    the SD-JWT through its last ``~``).
    """
    return b64url_encode(_HASHES[sd_alg](text.encode("ascii")).digest())


def _digest_form(size: int) -> re.Pattern[str]:
    full, remainder = divmod(size * 8, 6)
    last = {0: "", 2: "[AQgw]", 4: "[AEIMQUYcgkosw048]"}[remainder]
    return re.compile(f"[A-Za-z0-9_-]{{{full}}}{last}")


_DIGEST_FORMS = {alg: _digest_form(size) for alg, size in DIGEST_SIZES.items()}


def is_digest(value: object, sd_alg: SDAlg) -> bool:
    """Whether ``value`` is a well-formed digest for ``sd_alg``: canonical base64url, right size."""
    # A regular expression per algorithm decides length, alphabet and canonical last character
    # without decoding (this runs for every digest of every verification).
    return isinstance(value, str) and _DIGEST_FORMS[sd_alg].fullmatch(value) is not None


@dataclass(frozen=True)
class Disclosure:
    """One Disclosure (RFC 9901 §4.2): ``name`` is ``None`` for an array element.

    Two Disclosures are equal when their encodings are: the encoding, not the decoded value,
    is what the digest commits to (§4.2.1).
    """

    encoded: str
    salt: str = field(compare=False)
    name: str | None = field(compare=False)
    value: JSONValue = field(compare=False, repr=False)

    @property
    def is_array_element(self) -> bool:
        return self.name is None

    def digest(self, sd_alg: SDAlg) -> str:
        """The digest that references this Disclosure (§4.2.3)."""
        return digest(self.encoded, sd_alg)


def make_disclosure(
    salt: str, name: str | None, value: JSONValue, *, serialize: JSONSerializer = json_dumps
) -> Disclosure:
    """Create a Disclosure for an object property (``name``) or array element (``None``).

    RFC 9901 §4.2.1, §4.2.2. ``serialize`` chooses the JSON text (any is valid, §4.2.1); the
    official examples use Python's ``json.dumps`` defaults. Raises ``ValueError``/``TypeError``
    for a name that can never be disclosed or a non-string salt.
    """
    if not isinstance(salt, str) or not salt:
        raise TypeError("a salt must be a non-empty string")
    if name is not None:
        if not isinstance(name, str):
            raise TypeError("a claim name must be a string")
        if name in (SD_KEY, ARRAY_KEY, SD_ALG_KEY):
            raise ValueError("_sd, ... and _sd_alg can never be disclosed")
    array = [salt, value] if name is None else [salt, name, value]
    encoded = b64url_encode(serialize(array).encode("utf-8"))
    return Disclosure(encoded=encoded, salt=salt, name=name, value=value)


def parse_disclosure(encoded: str) -> Disclosure:
    """Decode one Disclosure strictly (RFC 9901 §4.2, §7.1 step 3).

    It must be canonical base64url of strict UTF-8 JSON (no duplicate members, depth ≤ 32), an
    array of two (salt, value) or three (salt, name, value) elements with string salt and name.
    Raises :class:`DisclosureMalformed` (or :class:`TooDeep`).
    """
    try:
        array = json_loads(b64url_decode(encoded, what="Disclosure"))
    except TooDeep:
        raise
    except MalformedInput:
        raise DisclosureMalformed("a Disclosure is not base64url-encoded strict JSON") from None
    if not isinstance(array, list) or len(array) not in (2, 3):
        raise DisclosureMalformed("a Disclosure must be a JSON array of two or three elements")
    if not isinstance(array[0], str):
        raise DisclosureMalformed("a Disclosure's salt must be a string")
    if len(array) == 2:
        return Disclosure(encoded=encoded, salt=array[0], name=None, value=array[1])
    if not isinstance(array[1], str):
        raise DisclosureMalformed("a Disclosure's claim name must be a string")
    return Disclosure(encoded=encoded, salt=array[0], name=array[1], value=array[2])


@dataclass(frozen=True)
class CompactSDJWT:
    """An SD-JWT or SD-JWT+KB split at ``~`` (RFC 9901 §4); nothing is verified yet."""

    issuer_jwt: str
    disclosures: tuple[str, ...]
    kb_jwt: str | None

    @property
    def sd_jwt(self) -> str:
        """``<Issuer-signed JWT>~<D1>~...~<Dn>~``: the input of ``sd_hash`` (§4.3.1)."""
        return join_sd_jwt(self.issuer_jwt, self.disclosures)


def split_sd_jwt(
    text: str,
    *,
    max_bytes: int = MAX_PRESENTATION_BYTES,
    max_disclosures: int = MAX_DISCLOSURES,
) -> CompactSDJWT:
    """Split a compact SD-JWT or SD-JWT+KB (RFC 9901 §4) under the size caps.

    Without a KB-JWT the text must end with ``~``; no Disclosure may be empty. Raises
    :class:`TooLarge`, :class:`TooManyDisclosures`, :class:`SDJWTMalformed` or
    :class:`DisclosureMalformed`.
    """
    if not isinstance(text, str):
        raise TypeError("an SD-JWT is text")
    if len(text) > max_bytes:
        raise TooLarge(f"the SD-JWT is larger than {max_bytes} bytes")
    if not text.isascii():
        raise SDJWTMalformed("the SD-JWT is not ASCII text")
    if text.count(SEPARATOR) - 1 > max_disclosures:
        raise TooManyDisclosures(f"the SD-JWT has more than {max_disclosures} Disclosures")
    parts = text.split(SEPARATOR)
    if len(parts) < 2:
        raise SDJWTMalformed("an SD-JWT has at least one '~' after the issuer-signed JWT")
    issuer_jwt, *disclosures, last = parts
    if issuer_jwt.count(".") != 2:
        raise SDJWTMalformed("the issuer-signed JWT is not a compact JWS")
    if last and last.count(".") != 2:
        # Whatever follows the last '~' is a KB-JWT; a Disclosure there means the final '~'
        # an SD-JWT without Key Binding MUST end with is missing (§4).
        raise SDJWTMalformed("an SD-JWT without Key Binding must end with '~'")
    if any(not part or "." in part for part in disclosures):
        raise DisclosureMalformed("a Disclosure is empty or not base64url")
    return CompactSDJWT(issuer_jwt, tuple(disclosures), last or None)


def join_sd_jwt(issuer_jwt: str, disclosures: Iterable[str], kb_jwt: str | None = None) -> str:
    """Serialize ``<JWT>~<D1>~...~<Dn>~`` and append the KB-JWT if any (RFC 9901 §4)."""
    return SEPARATOR.join([issuer_jwt, *disclosures, kb_jwt or ""])


_PATH_SYNTAX = re.compile(r"\A[^.\[\]]+(?:\.[^.\[\]]+|\[(?:[0-9]+|\*)\])*\Z")
_PATH_TOKEN = re.compile(r"\.?([^.\[\]]+)|\[([0-9]+|\*)\]")

WILDCARD: Final = "*"
"""In a claim path, ``[*]`` (or ``"*"`` where the claim is an array) means every element."""


def parse_claim_path(path: str | Iterable[str | int]) -> ClaimPath:
    """Parse ``degree.title``, ``skills[2]`` or ``skills[*]`` into a :data:`ClaimPath`.

    A tuple or list of names and indices is taken as is (for names holding ``.`` or ``[``).
    ``[*]`` becomes the string ``"*"``, which matches every element where the claim is an
    array. Raises ``ValueError`` for an empty or malformed path.
    """
    if isinstance(path, str):
        if not _PATH_SYNTAX.match(path):
            raise ValueError("the claim path is malformed")
        steps: list[str | int] = []
        for match in _PATH_TOKEN.finditer(path):
            name, index = match.groups()
            if name is not None:
                steps.append(name)
            else:
                steps.append(WILDCARD if index == WILDCARD else int(index))
        return tuple(steps)
    parts = tuple(path)
    if not parts or any(not _valid_part(part) for part in parts):
        raise ValueError("a claim path is a non-empty sequence of names and indices")
    return parts


def _valid_part(part: object) -> bool:
    if isinstance(part, bool):
        return False
    return (isinstance(part, str) and part != "") or (isinstance(part, int) and part >= 0)


def format_claim_path(path: ClaimPath) -> str:
    """Render a :data:`ClaimPath` as ``address.country`` / ``nationalities[0]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def flatten_claims(claims: JSONValue, prefix: ClaimPath = ()) -> tuple[tuple[str, JSONValue], ...]:
    """List every leaf value with its display path, in document order (for the CLI)."""
    if len(prefix) > MAX_DEPTH:
        raise TooDeep("claims nest too deeply to display")
    if isinstance(claims, dict) and claims:
        return tuple(row for k, v in claims.items() for row in flatten_claims(v, (*prefix, k)))
    if isinstance(claims, list) and claims:
        return tuple(row for i, v in enumerate(claims) for row in flatten_claims(v, (*prefix, i)))
    return ((format_claim_path(prefix), claims),) if prefix else ()
