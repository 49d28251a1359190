"""IETF Token Status List (draft-ietf-oauth-status-list): lists, tokens and references.

- §4.1 Compressed Byte Array: ``bits`` of 1, 2, 4 or 8 per Referenced Token; index 0 sits in the
  *least* significant bits of byte 0 ("lsb0" order); ZLIB/DEFLATE at the highest level.
- §4.2 Status List in JSON: ``{"bits": n, "lst": base64url(zlib(bytes)), "aggregation_uri"?}``.
- §5.1 Status List Token in JWT, §8.3 Validation Rules: :func:`verify_status_list_token`.
- §6.2 Referenced Token in JOSE: the ``status`` claim, parsed by :func:`parse_status_reference`.
- §7 Status Types: :class:`StatusType`; other values stay plain ``int``.

:class:`StatusList` is an immutable value: ``with_status``/``with_statuses`` return a new list.
The issuer service rebuilds a list from its database rows, so every whole-list operation (packing,
unpacking, compression) runs in C through ``bytes`` slicing and big-integer arithmetic rather than
a Python loop per entry; only explicit updates are visited one by one. Decompression is capped at
:data:`MAX_STATUS_LIST_BYTES` (docs/security.md, size caps); anything beyond is a rejection, not
a slowdown.
CWT (§5.2, §6.3) is not implemented.
"""

import re
import zlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any, ClassVar, Literal, Self, cast

from credentials.encoding import JSONValue, b64url_decode, b64url_encode, json_dumps
from credentials.errors import (
    ClaimInvalid,
    ClaimMissing,
    HeaderInvalid,
    IssuerMismatch,
    StatusIndexOutOfRange,
    StatusListInvalid,
    StatusListSubjectMismatch,
    StatusListTooLarge,
    StatusReferenceInvalid,
)
from credentials.jws import check_typ, parse_compact, payload_object, sign_compact, verify_signature
from credentials.jwt import MAX_TIMESTAMP, check_time_claims, numeric_date
from credentials.keys import PrivateKey, PublicKey
from credentials.resolvers import IssuerKeyResolver

Bits = Literal[1, 2, 4, 8]
BitOrder = Literal["lsb0", "msb0"]
"""``lsb0``: index 0 in the least significant bits (IETF); ``msb0``: in the most (W3C)."""

STATUS_LIST_TYP = "statuslist+jwt"
MAX_STATUS_LIST_BYTES = 4 * 1024 * 1024
"""A status list is at most 4 MiB once decompressed (docs/security.md, size caps)."""
MAX_STATUS_LIST_TOKEN_BYTES = 6 * 1024 * 1024
"""A token whose list hits the cap and does not compress, in base64url (x4/3), plus its claims."""
COMPRESSION_LEVEL = 9
"""§4.1 step 4 recommends the highest level; level 9 also reproduces the draft's vectors."""

_URI = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]*\Z")


class StatusType(IntEnum):
    """Registered Status Types (§7.1); other values (0x03, 0x0C-0x0F, ...) stay raw ints."""

    VALID = 0x00
    INVALID = 0x01
    SUSPENDED = 0x02


def status_type(value: int) -> StatusType | int:
    """Return ``value`` as a :class:`StatusType` when registered, else unchanged (§7.1)."""
    return StatusType(value) if value in StatusType._value2member_map_ else value


def _check_bits(bits: object, *, what: str = "bits") -> Bits:
    if isinstance(bits, bool) or bits not in (1, 2, 4, 8):
        raise ValueError(f"{what} must be 1, 2, 4 or 8")
    return bits


def _shift(slot: int, bits: int, order: BitOrder) -> int:
    return slot * bits if order == "lsb0" else 8 - bits * (slot + 1)


def pack_entries(entries: bytes, *, bits: Bits, order: BitOrder) -> bytes:
    """Pack one status per byte into ``bits`` per entry (§4.1 step 3; W3C §3.3 for ``msb0``).

    Vectorised: each of the ``8 // bits`` slots of a byte is a strided slice of ``entries``
    shifted into place as one big integer. Raises ``ValueError`` when a status needs more bits.
    """
    if entries and max(entries) >= 1 << bits:
        raise ValueError("a status does not fit in the list's bits")
    per = 8 // bits
    if per == 1:
        return bytes(entries)
    padded = bytes(entries) + bytes(-len(entries) % per)
    acc = 0
    for slot in range(per):
        acc |= int.from_bytes(padded[slot::per], "little") << _shift(slot, bits, order)
    return acc.to_bytes(len(padded) // per, "little")


def unpack_entries(packed: bytes, *, bits: Bits, order: BitOrder, size: int) -> bytes:
    """The inverse of :func:`pack_entries`: one status per byte, ``size`` entries."""
    per = 8 // bits
    if per == 1:
        return bytes(packed[:size])
    value = int.from_bytes(packed, "little")
    mask = int.from_bytes(bytes([(1 << bits) - 1]) * len(packed), "little")
    out = bytearray(len(packed) * per)
    for slot in range(per):
        lane = (value >> _shift(slot, bits, order)) & mask
        out[slot::per] = lane.to_bytes(len(packed), "little")
    return bytes(out[:size])


def inflate(data: bytes, *, wbits: int, max_bytes: int = MAX_STATUS_LIST_BYTES) -> bytes:
    """Decompress one complete ZLIB (``wbits=15``) or GZIP (``wbits=31``) stream under a cap.

    Raises :class:`StatusListTooLarge` past ``max_bytes`` (without inflating further) and
    :class:`StatusListInvalid` for a corrupt, truncated or trailing-data stream.
    """
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error:
        raise StatusListInvalid("the status list does not decompress") from None
    if len(out) > max_bytes:
        raise StatusListTooLarge(f"the status list exceeds {max_bytes} bytes decompressed")
    if not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
        raise StatusListInvalid("the status list is not exactly one complete compressed stream")
    return out


@dataclass(frozen=True)
class PackedStatuses:
    """``size`` statuses of ``bits`` each, packed in the subclass's :data:`BitOrder`.

    Immutable: updates return a new value of the same type (other fields kept). The IETF and
    W3C lists are distinct subclasses so that a list is never read in the other's bit order.
    """

    ORDER: ClassVar[BitOrder]
    bits: Bits
    size: int
    packed: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check_bits(self.bits)
        if not isinstance(self.packed, bytes):
            raise TypeError("packed must be bytes")
        if self.size < 0 or len(self.packed) != -(-self.size * self.bits // 8):
            raise ValueError("packed must hold exactly size entries of bits each")

    @classmethod
    def empty(cls, *, bits: Bits, size: int) -> Self:
        """A list of ``size`` entries, all 0 (VALID; §13.3's recommended default)."""
        return cls(_check_bits(bits), size, bytes(-(-size * bits // 8)))

    @classmethod
    def from_entries(cls, entries: bytes, *, bits: Bits) -> Self:
        """Build from one status per byte (``entries[i]`` is index ``i``); see pack_entries."""
        packed = pack_entries(entries, bits=_check_bits(bits), order=cls.ORDER)
        return cls(bits, len(entries), packed)

    def get(self, index: int) -> int:
        """The status at ``index``; raises :class:`StatusIndexOutOfRange` outside the list."""
        self._check_index(index)
        per = 8 // self.bits
        shift = _shift(index % per, self.bits, self.ORDER)
        return (self.packed[index // per] >> shift) & ((1 << self.bits) - 1)

    def entries(self) -> bytes:
        """Every status, one per byte, in index order."""
        return unpack_entries(self.packed, bits=self.bits, order=self.ORDER, size=self.size)

    def with_status(self, index: int, status: int) -> Self:
        """A copy with ``index`` set to ``status``; see :meth:`with_statuses`."""
        return self.with_statuses(((index, status),))

    def with_statuses(self, updates: Mapping[int, int] | Iterable[tuple[int, int]]) -> Self:
        """A copy with each ``(index, status)`` applied; one copy, one step per update.

        Raises :class:`StatusIndexOutOfRange` for an index outside the list and ``ValueError``
        for a status that does not fit in ``bits``.
        """
        data = bytearray(self.packed)
        per, mask = 8 // self.bits, (1 << self.bits) - 1
        items = updates.items() if isinstance(updates, Mapping) else updates
        for index, status in items:
            self._check_index(index)
            if isinstance(status, bool) or not 0 <= status <= mask:
                raise ValueError("a status does not fit in the list's bits")
            shift = _shift(index % per, self.bits, self.ORDER)
            data[index // per] = data[index // per] & ~(mask << shift) | status << shift
        return replace(self, packed=bytes(data))

    def _check_index(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError("a status index is an int")
        if not 0 <= index < self.size:
            raise StatusIndexOutOfRange("the index is outside the status list")


@dataclass(frozen=True)
class StatusList(PackedStatuses):
    """A Status List (§4.1, §4.2), index 0 in the least significant bits of byte 0.

    ``size`` of a decoded list is every slot its bytes hold (``len * 8 // bits``), as the
    JSON form does not carry the issuer's own count.
    """

    ORDER: ClassVar[BitOrder] = "lsb0"
    aggregation_uri: str | None = None


def encode_status_list(status_list: StatusList, *, level: int = COMPRESSION_LEVEL) -> JSONValue:
    """The JSON ``StatusList`` object (§4.2) with ``lst`` = base64url(zlib(bytes)) (§4.1)."""
    encoded: dict[str, Any] = {
        "bits": status_list.bits,
        "lst": b64url_encode(zlib.compress(status_list.packed, level)),
    }
    if status_list.aggregation_uri is not None:
        encoded["aggregation_uri"] = status_list.aggregation_uri
    return encoded


def decode_status_list(value: JSONValue) -> StatusList:
    """Decode a JSON ``StatusList`` object (§4.2) strictly, capped at 4 MiB decompressed.

    Raises :class:`StatusListInvalid` (bad ``bits``, ``lst``, ``aggregation_uri`` or stream),
    :class:`StatusListTooLarge`, or :class:`~credentials.errors.InvalidBase64url`.
    """
    if not isinstance(value, dict):
        raise StatusListInvalid("status_list must be a JSON object")
    try:
        bits = _check_bits(value.get("bits"))
    except ValueError:
        raise StatusListInvalid("status_list bits must be 1, 2, 4 or 8") from None
    lst = value.get("lst")
    if not isinstance(lst, str):
        raise StatusListInvalid("status_list lst must be a string")
    aggregation_uri = value.get("aggregation_uri")
    if aggregation_uri is not None and not _is_uri(aggregation_uri):
        raise StatusListInvalid("status_list aggregation_uri must be a URI")
    packed = inflate(b64url_decode(lst, what="status_list lst"), wbits=zlib.MAX_WBITS)
    return StatusList(bits, len(packed) * 8 // bits, packed, aggregation_uri)


def _is_uri(value: object) -> bool:
    return isinstance(value, str) and _URI.match(value) is not None


@dataclass(frozen=True)
class StatusReference:
    """The ``status_list`` member of a Referenced Token's ``status`` claim (§6.2)."""

    idx: int
    uri: str


def parse_status_reference(status: JSONValue) -> StatusReference:
    """Parse the ``status`` claim value ``{"status_list": {"idx": ..., "uri": ...}}`` (§6.2).

    ``idx`` must be a non-negative JSON integer, ``uri`` an absolute URI (RFC 3986). Other
    members are allowed (§6.1). Raises :class:`StatusReferenceInvalid` (§8.3 step 1).
    """
    if not isinstance(status, dict):
        raise StatusReferenceInvalid("the status claim must be a JSON object")
    reference = status.get("status_list")
    if not isinstance(reference, dict):
        raise StatusReferenceInvalid("the status claim has no status_list object")
    idx, uri = reference.get("idx"), reference.get("uri")
    if isinstance(idx, bool) or not isinstance(idx, int) or idx < 0:
        raise StatusReferenceInvalid("status_list idx must be a non-negative integer")
    if not _is_uri(uri):
        raise StatusReferenceInvalid("status_list uri must be a URI")
    return StatusReference(idx=idx, uri=cast(str, uri))


@dataclass(frozen=True)
class VerifiedStatusListToken:
    """A Status List Token whose signature and claims passed :func:`verify_status_list_token`."""

    status_list: StatusList
    sub: str
    iat: datetime
    exp: datetime | None
    ttl: int | None
    iss: str | None


def sign_status_list_token(
    status_list: StatusList,
    *,
    key: PrivateKey,
    sub: str,
    iat: datetime,
    exp: datetime | None,
    ttl: int | None,
    iss: str | None = None,
) -> str:
    """Sign a Status List Token in JWT format (§5.1): header ``typ`` statuslist+jwt and ``kid``.

    ``sub`` is the list's URI, ``ttl`` seconds. Raises ``TypeError`` for a naive datetime and
    ``ValueError`` for ``exp`` not after ``iat`` or a non-positive ``ttl``.
    """
    if iat.tzinfo is None or (exp is not None and exp.tzinfo is None):
        raise TypeError("iat and exp must be timezone-aware")
    if exp is not None and exp <= iat:
        raise ValueError("exp must be after iat")
    if ttl is not None and (isinstance(ttl, bool) or ttl <= 0):
        raise ValueError("ttl must be a positive number of seconds")
    if not _is_uri(sub):
        raise ValueError("sub must be the status list's URI")
    payload: dict[str, Any] = {"sub": sub, "iat": int(iat.timestamp())}
    if iss is not None:
        payload["iss"] = iss
    if exp is not None:
        payload["exp"] = int(exp.timestamp())
    if ttl is not None:
        payload["ttl"] = ttl
    payload["status_list"] = encode_status_list(status_list)
    header = {"typ": STATUS_LIST_TYP, "kid": key.kid}
    return sign_compact(header, json_dumps(payload).encode("utf-8"), key)


def verify_status_list_token(
    token: str,
    *,
    key: PublicKey | IssuerKeyResolver,
    issuer: str | None,
    algorithms: Collection[str],
    expected_sub: str,
    now: datetime,
    clock_tolerance: timedelta,
) -> VerifiedStatusListToken:
    """Verify a Status List Token in JWT format (§5.1) by the Validation Rules (§8.3 step 3-4).

    ``key`` is a pinned key or a resolver asked for ``issuer``'s key named by the header ``kid``;
    when ``issuer`` is given, an ``iss`` claim must equal it. ``expected_sub`` is the ``uri``
    of the Referenced Token's reference. Checks ``typ``, the signature, ``sub``, ``iat``
    (required, not in the future), ``exp`` and ``nbf`` (when present), ``ttl`` (positive) and
    the ``status_list`` claim. Raises a :class:`~credentials.errors.CredentialError`
    subclass: :class:`TypeMismatch`, :class:`SignatureInvalid`, :class:`StatusListSubjectMismatch`,
    :class:`CredentialExpired`, :class:`ClaimMissing`, :class:`StatusListInvalid`, ...
    """
    parsed = parse_compact(token, max_bytes=MAX_STATUS_LIST_TOKEN_BYTES, what="status list token")
    check_typ(parsed, (STATUS_LIST_TYP,), what="status list token")
    kid = parsed.header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise HeaderInvalid("the status list token kid must be a string")
    if isinstance(key, PublicKey):
        public = key
    elif issuer is None:
        raise TypeError("a key resolver needs the issuer whose keys it resolves")
    else:
        public = key(issuer=issuer, kid=kid)
    verify_signature(parsed, public, algorithms=algorithms)
    payload = payload_object(parsed, what="status list token")
    iss = payload.get("iss")
    if iss is not None and not isinstance(iss, str):
        raise ClaimInvalid("the iss claim must be a string")
    if issuer is not None and iss is not None and iss != issuer:
        raise IssuerMismatch("the status list token iss is not the trusted issuer")
    check_time_claims(payload, now=now, tolerance=clock_tolerance, require_iat=True)
    sub = payload.get("sub")
    if sub is None:
        raise ClaimMissing("the sub claim is required")
    if not isinstance(sub, str):
        raise ClaimInvalid("the sub claim must be a string")
    if sub != expected_sub:
        raise StatusListSubjectMismatch("the sub claim is not the referenced status list uri")
    if "status_list" not in payload:
        raise ClaimMissing("the status_list claim is required")
    status_list = decode_status_list(payload["status_list"])
    iat = cast(int, numeric_date(payload, "iat", required=True))
    exp = numeric_date(payload, "exp")
    return VerifiedStatusListToken(
        status_list=status_list,
        sub=sub,
        iat=datetime.fromtimestamp(iat, UTC),
        exp=None if exp is None else datetime.fromtimestamp(exp, UTC),
        ttl=_ttl(payload),
        iss=iss,
    )


def _ttl(payload: Mapping[str, Any]) -> int | None:
    # §5.1: a positive JSON number of seconds. A fractional value is rounded down, which only
    # makes a cache refresh earlier.
    if "ttl" not in payload:
        return None
    ttl = payload["ttl"]
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not 0 < ttl <= MAX_TIMESTAMP:
        raise ClaimInvalid("the ttl claim must be a positive number of seconds")
    return int(ttl)


def resolve_status(token: VerifiedStatusListToken, reference: StatusReference) -> StatusType | int:
    """The status of the Referenced Token (§8.3 steps 4a, 6, 7).

    Raises :class:`StatusListSubjectMismatch` when the token is not the referenced list and
    :class:`StatusIndexOutOfRange` when ``idx`` is outside it.
    """
    if token.sub != reference.uri:
        raise StatusListSubjectMismatch("the status list token is not the referenced list")
    return status_type(token.status_list.get(reference.idx))
