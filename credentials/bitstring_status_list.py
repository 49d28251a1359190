"""W3C Bitstring Status List v1.1: the list, its credential and ``credentialStatus`` entries.

Where it differs from the IETF Token Status List (:mod:`credentials.status_list`):

- bit order: index 0 is the *left-most* (most significant) bit of the first byte ("msb0",
  §2.2 ``encodedList`` and Security Considerations, "Bitstring Encoding"); a ``statusSize``-bit
  value is read most significant bit first;
- ``encodedList`` is Multibase base64url (``u`` prefix, no padding) of a GZIP stream (§2.2);
- a list holds at least 131,072 entries of ``statusSize`` bits (§3.2 step 9: the bitstring length
  divided by ``statusSize``), so a 2-bit list is at least 32 KB.

Only ``statusSize`` 1, 2, 4 and 8 are supported, so an entry never straddles a byte ("Conforming
processors MAY choose to only support bitstring entry sizes of 1"). Signing the credential (and
checking its validity period) happens in the VC securing layer (vc+jwt), not here.
"""

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, cast

from credentials.encoding import JSONValue, b64url_decode, b64url_encode
from credentials.errors import (
    StatusListIdMismatch,
    StatusListInvalid,
    StatusListTooShort,
    StatusPurposeMismatch,
    StatusReferenceInvalid,
)
from credentials.status_list import BitOrder, Bits, PackedStatuses, inflate

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
MIN_ENTRIES = 131_072
"""§3.2 step 2: the minimum number of entries (16 KB of 1-bit statuses)."""
MULTIBASE_BASE64URL = "u"
GZIP_LEVEL = 9
"""Highest compression; the spec's example is reproduced at zlib's default level 6."""
MAX_INDEX_DIGITS = 64

StatusPurpose = Literal["refresh", "revocation", "suspension", "message"]
_INDEX = re.compile(r"\A(?:0|[1-9][0-9]*)\Z")
_HEX_STATUS = re.compile(r"\A0x[0-9a-fA-F]{1,2}\Z")
_URL = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]+\Z")


@dataclass(frozen=True)
class BitstringStatusList(PackedStatuses):
    """A bitstring of ``size`` entries of ``bits`` (the ``statusSize``) each, in msb0 order."""

    ORDER: ClassVar[BitOrder] = "msb0"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.size < MIN_ENTRIES:
            raise ValueError(f"a bitstring status list holds at least {MIN_ENTRIES} entries")


@dataclass(frozen=True)
class StatusMessage:
    """One ``statusMessage`` (entry) or ``statusMessages`` (list) element (§2.1)."""

    status: int
    message: str


@dataclass(frozen=True)
class BitstringStatusListEntry:
    """A ``credentialStatus`` of type ``BitstringStatusListEntry`` (§2.1)."""

    id: str | None
    status_purpose: str
    status_list_index: int
    status_list_credential: str
    status_size: Bits
    status_messages: tuple[StatusMessage, ...]
    status_reference: tuple[str, ...]


@dataclass(frozen=True)
class BitstringStatusListCredential:
    """What a status check needs from a ``BitstringStatusListCredential`` (§2.2)."""

    id: str | None
    subject_id: str | None
    status_purposes: tuple[str, ...]
    bitstring: bytes
    status_size: Bits | None
    ttl: int | None
    status_messages: tuple[StatusMessage, ...]


@dataclass(frozen=True)
class BitstringStatus:
    """The result of the Validate Algorithm (§3.2 steps 11-15)."""

    status: int
    purpose: str
    valid: bool
    message: str | None


def encode_bitstring(status_list: BitstringStatusList, *, level: int = GZIP_LEVEL) -> str:
    """The ``encodedList`` value: Multibase base64url of the GZIP'd bitstring (§3.3)."""
    gzip = zlib.compressobj(level, zlib.DEFLATED, 31)
    compressed = gzip.compress(status_list.packed) + gzip.flush()
    return MULTIBASE_BASE64URL + b64url_encode(compressed)


def decode_bitstring(encoded: JSONValue) -> bytes:
    """The Bitstring Expansion Algorithm (§3.4), capped at 4 MiB decompressed.

    Raises :class:`StatusListInvalid`, :class:`StatusListTooLarge` or ``InvalidBase64url``.
    """
    if not isinstance(encoded, str) or not encoded.startswith(MULTIBASE_BASE64URL):
        raise StatusListInvalid("encodedList must be a Multibase base64url string")
    compressed = b64url_decode(encoded[1:], what="encodedList")
    return inflate(compressed, wbits=31)


def build_bitstring_status_list_credential(
    status_list: BitstringStatusList,
    *,
    credential_id: str,
    issuer: str,
    status_purpose: StatusPurpose,
    valid_from: datetime,
    valid_until: datetime | None,
    ttl: int | None = None,
    status_messages: Sequence[StatusMessage] = (),
) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` (§2.2, §3.1 steps 1-4).

    ``ttl`` is in milliseconds. ``statusSize`` is written when above 1 or for the ``message``
    purpose, which also needs one message per possible value. Raises ``ValueError``/``TypeError``
    for such misuse.
    """
    if valid_from.tzinfo is None or (valid_until is not None and valid_until.tzinfo is None):
        raise TypeError("validFrom and validUntil must be timezone-aware")
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError("validUntil must be after validFrom")
    if ttl is not None and (isinstance(ttl, bool) or ttl < 0):
        raise ValueError("ttl must be a non-negative number of milliseconds")
    needs_messages = status_purpose == "message" or bool(status_messages)
    if needs_messages and len(status_messages) != 1 << status_list.bits:
        raise ValueError("statusMessages must have one element per possible value")
    subject: dict[str, Any] = {
        "id": credential_id + "#list",
        "type": "BitstringStatusList",
        "statusPurpose": status_purpose,
        "encodedList": encode_bitstring(status_list),
    }
    if status_list.bits > 1 or status_purpose == "message":
        subject["statusSize"] = status_list.bits
    if status_messages:
        subject["statusMessages"] = [_message_json(m, status_list.bits) for m in status_messages]
    if ttl is not None:
        subject["ttl"] = ttl
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": _date_time(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = _date_time(valid_until)
    credential["credentialSubject"] = subject
    return credential


def build_bitstring_status_entry(
    *,
    status_list_credential: str,
    index: int,
    status_purpose: StatusPurpose,
    status_size: Bits = 1,
    status_messages: Sequence[StatusMessage] = (),
) -> dict[str, Any]:
    """A ``credentialStatus`` entry (§2.1) without ``id`` (it is optional and a tracking handle).

    Raises ``ValueError`` when ``statusSize`` > 1 lacks one message per possible value.
    """
    if isinstance(index, bool) or index < 0:
        raise ValueError("index must be a non-negative integer")
    if (status_size > 1 or status_messages) and len(status_messages) != 1 << status_size:
        raise ValueError("statusMessage must have one element per possible value")
    entry: dict[str, Any] = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": status_purpose,
        "statusListIndex": str(index),
        "statusListCredential": status_list_credential,
    }
    if status_size > 1:
        entry["statusSize"] = status_size
    if status_messages:
        entry["statusMessage"] = [_message_json(m, status_size) for m in status_messages]
    return entry


def _message_json(message: StatusMessage, bits: int) -> dict[str, str]:
    if not 0 <= message.status < 1 << bits:
        raise ValueError("a status message's value does not fit in statusSize")
    return {"status": f"0x{message.status:x}", "message": message.message}


def _date_time(moment: datetime) -> str:
    # XML Schema dateTimeStamp in UTC; sub-second precision is dropped.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_bitstring_status_list_credential(credential: JSONValue) -> BitstringStatusListCredential:
    """Parse and validate an (already verified) ``BitstringStatusListCredential`` (§2.2).

    Checks the VC 2.0 context, ``type``, ``credentialSubject.type``, ``statusPurpose`` (one or
    more strings), ``encodedList`` (expanded, capped), ``statusSize``, ``ttl`` and, for the
    ``message`` purpose, ``statusSize`` and ``statusMessages``. Raises :class:`StatusListInvalid`
    (MALFORMED_VALUE_ERROR) or :class:`StatusListTooLarge`.
    """
    if not isinstance(credential, dict):
        raise StatusListInvalid("the status list credential must be a JSON object")
    context, types = credential.get("@context"), credential.get("type")
    if not isinstance(context, list) or not context or context[0] != VC_V2_CONTEXT:
        raise StatusListInvalid("the status list credential @context must start with VC 2.0")
    if not isinstance(types, list) or "BitstringStatusListCredential" not in types:
        raise StatusListInvalid("the credential type must include BitstringStatusListCredential")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        raise StatusListInvalid("credentialSubject must be of type BitstringStatusList")
    purposes = subject.get("statusPurpose")
    purposes = [purposes] if isinstance(purposes, str) else purposes
    if not isinstance(purposes, list) or not purposes or not all(_text(p) for p in purposes):
        raise StatusListInvalid("credentialSubject statusPurpose must be one or more strings")
    if len(set(purposes)) != len(purposes):
        raise StatusListInvalid("credentialSubject statusPurpose repeats a purpose")
    status_size = None
    if "statusSize" in subject:
        status_size = _status_size(subject["statusSize"], StatusListInvalid, "credentialSubject")
    messages = _messages(subject.get("statusMessages"), status_size or 1, StatusListInvalid)
    if "message" in purposes and (status_size is None or not messages):
        raise StatusListInvalid("the message purpose needs statusSize and statusMessages")
    ttl = subject.get("ttl")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0):
        raise StatusListInvalid("credentialSubject ttl must be a non-negative integer")
    for name, value in (("id", credential.get("id")), ("subject id", subject.get("id"))):
        if value is not None and not _url(value):
            raise StatusListInvalid(f"the status list credential {name} must be a URL")
    return BitstringStatusListCredential(
        id=credential.get("id"),
        subject_id=subject.get("id"),
        status_purposes=tuple(purposes),
        bitstring=decode_bitstring(subject.get("encodedList")),
        status_size=status_size,
        ttl=ttl,
        status_messages=messages,
    )


def parse_credential_status(value: JSONValue) -> tuple[BitstringStatusListEntry, ...]:
    """Parse a credential's ``credentialStatus`` (one object or an array) (§2.1).

    Every entry must be a ``BitstringStatusListEntry``: a status Taito cannot check is a
    rejection, never skipped. Raises :class:`StatusReferenceInvalid`.
    """
    entries = value if isinstance(value, list) else [value]
    if not entries:
        raise StatusReferenceInvalid("credentialStatus must not be empty")
    return tuple(parse_status_entry(entry) for entry in entries)


def parse_status_entry(value: JSONValue) -> BitstringStatusListEntry:
    """Parse one ``BitstringStatusListEntry`` strictly (§2.1); MALFORMED_VALUE_ERROR otherwise.

    ``statusListIndex`` is a base-10 string without leading zeros; ``statusSize`` defaults to
    1 and above 1 needs ``statusMessage`` with one element per value. Raises
    :class:`StatusReferenceInvalid`.
    """
    if not isinstance(value, dict) or value.get("type") != "BitstringStatusListEntry":
        raise StatusReferenceInvalid("credentialStatus must be a BitstringStatusListEntry")
    entry_id, purpose = value.get("id"), value.get("statusPurpose")
    index, list_url = value.get("statusListIndex"), value.get("statusListCredential")
    if not _text(purpose):
        raise StatusReferenceInvalid("statusPurpose must be a non-empty string")
    if not isinstance(index, str) or len(index) > MAX_INDEX_DIGITS or not _INDEX.match(index):
        raise StatusReferenceInvalid("statusListIndex must be a base-10 integer string")
    if not _url(list_url):
        raise StatusReferenceInvalid("statusListCredential must be a URL")
    if entry_id is not None and (not _url(entry_id) or entry_id == list_url):
        raise StatusReferenceInvalid("the entry id must be a URL other than the status list's")
    size = _status_size(value.get("statusSize", 1), StatusReferenceInvalid, "the entry")
    messages = _messages(value.get("statusMessage"), size, StatusReferenceInvalid)
    if size > 1 and not messages:
        raise StatusReferenceInvalid("statusMessage is required when statusSize exceeds 1")
    reference = value.get("statusReference", [])
    reference = [reference] if isinstance(reference, str) else reference
    if not isinstance(reference, list) or not all(_url(r) for r in reference):
        raise StatusReferenceInvalid("statusReference must be a URL or an array of URLs")
    return BitstringStatusListEntry(
        id=entry_id,
        status_purpose=cast(str, purpose),
        status_list_index=int(index),
        status_list_credential=cast(str, list_url),
        status_size=size,
        status_messages=messages,
        status_reference=tuple(reference),
    )


def _text(value: object) -> bool:
    return isinstance(value, str) and value != ""


def _url(value: object) -> bool:
    return isinstance(value, str) and _URL.match(value) is not None


def _status_size(value: object, error: type[Exception], where: str) -> Bits:
    if isinstance(value, bool) or value not in (1, 2, 4, 8):
        raise error(f"{where} statusSize must be 1, 2, 4 or 8")
    return value


def _messages(value: object, bits: int, error: type[Exception]) -> tuple[StatusMessage, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) != 1 << bits:
        raise error("status messages must have one element per possible status value")
    messages = []
    for item in value:
        status = item.get("status") if isinstance(item, dict) else None
        message = item.get("message") if isinstance(item, dict) else None
        if not isinstance(status, str) or not _HEX_STATUS.match(status):
            raise error("a status message's status must be a 0x-prefixed hexadecimal string")
        if not isinstance(message, str) or int(status, 16) >= 1 << bits:
            raise error("a status message must have a message and a status within statusSize")
        messages.append(StatusMessage(int(status, 16), message))
    if len({m.status for m in messages}) != len(messages):
        raise error("status messages repeat a status value")
    return tuple(messages)


def resolve_bitstring_status(
    credential: BitstringStatusListCredential, entry: BitstringStatusListEntry
) -> BitstringStatus:
    """The Validate Algorithm (§3.2) after the list credential's proof has been verified.

    Raises :class:`StatusListIdMismatch` (list ``id`` is not ``statusListCredential``),
    :class:`StatusPurposeMismatch` (STATUS_VERIFICATION_ERROR), :class:`StatusListInvalid`
    (``statusSize`` differs), :class:`StatusListTooShort` (STATUS_LIST_LENGTH_ERROR) and
    :class:`~credentials.errors.StatusIndexOutOfRange` (RANGE_ERROR).
    """
    if credential.id is not None and credential.id != entry.status_list_credential:
        raise StatusListIdMismatch("the status list credential id is not statusListCredential")
    if entry.status_purpose not in credential.status_purposes:
        raise StatusPurposeMismatch("the entry's statusPurpose is not the list's")
    bits = entry.status_size
    if credential.status_size is not None and credential.status_size != bits:
        raise StatusListInvalid("the entry's statusSize is not the list's")
    size = len(credential.bitstring) * 8 // bits
    if size < MIN_ENTRIES:
        raise StatusListTooShort(f"the status list has fewer than {MIN_ENTRIES} entries")
    status = BitstringStatusList(bits, size, credential.bitstring).get(entry.status_list_index)
    messages = {m.status: m.message for m in entry.status_messages}
    return BitstringStatus(
        status=status,
        purpose=entry.status_purpose,
        valid=status == 0,
        message=messages.get(status),
    )
