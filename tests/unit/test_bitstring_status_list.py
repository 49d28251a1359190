"""W3C Bitstring Status List v1.1 (https://www.w3.org/TR/vc-bitstring-status-list/).

The spec's own examples are used where it has any: the BitstringStatusListCredential of §2.2
(an all-zero 131,072-entry list) and the ``credentialStatus`` entries of §2.1 and Appendix A.
The ``message`` example of §2.1 elides two of its four messages ("..."); its test supplies them.
"""

import time
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials.bitstring_status_list import (
    MIN_ENTRIES,
    BitstringStatus,
    BitstringStatusList,
    BitstringStatusListEntry,
    StatusMessage,
    build_bitstring_status_entry,
    build_bitstring_status_list_credential,
    decode_bitstring,
    encode_bitstring,
    parse_bitstring_status_list_credential,
    parse_credential_status,
    parse_status_entry,
    resolve_bitstring_status,
)
from credentials.encoding import b64url_encode
from credentials.errors import (
    InvalidBase64url,
    StatusIndexOutOfRange,
    StatusListIdMismatch,
    StatusListInvalid,
    StatusListTooLarge,
    StatusListTooShort,
    StatusPurposeMismatch,
    StatusReferenceInvalid,
)
from credentials.status_list import MAX_STATUS_LIST_BYTES, Bits, StatusList

BITS: tuple[Bits, ...] = (1, 2, 4, 8)
SPEC_ENCODED_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
LIST_URL = "https://example.com/credentials/status/3"
VALID_FROM = datetime(2021, 4, 5, 14, 27, 40, tzinfo=UTC)
MESSAGES = (
    StatusMessage(0, "pending_review"),
    StatusMessage(1, "accepted"),
    StatusMessage(2, "rejected"),
    StatusMessage(3, "undefined"),
)


def _spec_list_credential() -> dict[str, Any]:
    # §2.2 and Appendix A.2, "Status List Verifiable Credential".
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:example:12345",
        "validFrom": "2021-04-05T14:27:40Z",
        "credentialSubject": {
            "id": "https://example.com/status/3#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": SPEC_ENCODED_LIST,
        },
    }


def _spec_entry() -> dict[str, Any]:
    # Appendix A.1, "Revocable Verifiable Credential".
    return {
        "id": "https://example.com/credentials/status/3#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }


def _credential(
    status_list: BitstringStatusList, purpose: Any = "revocation", **subject: Any
) -> dict[str, Any]:
    credential = _spec_list_credential()
    credential["credentialSubject"].update(
        statusPurpose=purpose, encodedList=encode_bitstring(status_list), **subject
    )
    return credential


def _entry(**changes: Any) -> dict[str, Any]:
    entry = _spec_entry()
    for name, value in changes.items():
        if value is None:
            entry.pop(name, None)
        else:
            entry[name] = value
    return entry


# --- Spec examples ------------------------------------------------------------------------------


def test_spec_list_credential_parses_to_an_all_zero_list_of_the_minimum_size() -> None:
    parsed = parse_bitstring_status_list_credential(_spec_list_credential())
    assert parsed.bitstring == bytes(MIN_ENTRIES // 8)
    assert parsed.status_purposes == ("revocation",)
    assert parsed.id == LIST_URL
    assert parsed.subject_id == "https://example.com/status/3#list"
    assert parsed.status_size is None


def test_spec_entry_resolves_to_valid_against_the_spec_list() -> None:
    parsed = parse_bitstring_status_list_credential(_spec_list_credential())
    status = resolve_bitstring_status(parsed, parse_status_entry(_spec_entry()))
    assert status == BitstringStatus(status=0, purpose="revocation", valid=True, message=None)


def test_encoding_an_empty_list_at_zlib_default_level_reproduces_the_spec_example() -> None:
    empty = BitstringStatusList.empty(bits=1, size=MIN_ENTRIES)
    assert encode_bitstring(empty, level=6) == SPEC_ENCODED_LIST
    # Level 9 only changes the GZIP header's XFL byte ("maximum compression").
    assert decode_bitstring(encode_bitstring(empty)) == decode_bitstring(SPEC_ENCODED_LIST)


def test_spec_credential_status_array_parses_both_entries() -> None:
    # §2.1: one revocation and one suspension entry on different lists.
    entries = parse_credential_status(
        [
            _entry(),
            {
                "id": "https://example.com/credentials/status/4#23452",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "suspension",
                "statusListIndex": "23452",
                "statusListCredential": "https://example.com/credentials/status/4",
            },
        ]
    )
    assert [(e.status_purpose, e.status_list_index) for e in entries] == [
        ("revocation", 94567),
        ("suspension", 23452),
    ]
    assert entries[0] == BitstringStatusListEntry(
        id="https://example.com/credentials/status/3#94567",
        status_purpose="revocation",
        status_list_index=94567,
        status_list_credential=LIST_URL,
        status_size=1,
        status_messages=(),
        status_reference=(),
    )


def test_spec_message_entry_resolves_to_its_status_message() -> None:
    # §2.1 "BillOfLadingExampleCredential", the two elided messages supplied.
    entry = parse_status_entry(
        {
            "id": "https://example.com/credentials/status/8#492847",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "message",
            "statusListIndex": "492847",
            "statusSize": 2,
            "statusListCredential": "https://example.com/credentials/status/8",
            "statusMessage": [
                {"status": "0x0", "message": "pending_review"},
                {"status": "0x1", "message": "accepted"},
                {"status": "0x2", "message": "rejected"},
                {"status": "0x3", "message": "undefined"},
            ],
            "statusReference": "https://example.org/status-dictionary/",
        }
    )
    status_list = BitstringStatusList.empty(bits=2, size=524288).with_status(492847, 2)
    credential = build_bitstring_status_list_credential(
        status_list,
        credential_id="https://example.com/credentials/status/8",
        issuer="did:example:12345",
        status_purpose="message",
        valid_from=VALID_FROM,
        valid_until=None,
        status_messages=MESSAGES,
    )
    parsed = parse_bitstring_status_list_credential(credential)
    assert resolve_bitstring_status(parsed, entry) == BitstringStatus(
        status=2, purpose="message", valid=False, message="rejected"
    )
    assert entry.status_reference == ("https://example.org/status-dictionary/",)


# --- Bit order ----------------------------------------------------------------------------------


def test_index_zero_is_the_left_most_bit_of_the_first_byte() -> None:
    status_list = BitstringStatusList.empty(bits=1, size=MIN_ENTRIES).with_statuses(
        [(0, 1), (9, 1)]
    )
    assert status_list.packed[:2] == bytes([0b1000_0000, 0b0100_0000])


def test_a_multi_bit_status_is_read_most_significant_bit_first() -> None:
    status_list = BitstringStatusList.empty(bits=2, size=MIN_ENTRIES).with_statuses(
        [(0, 0b10), (3, 0b01)]
    )
    assert status_list.packed[0] == 0b10_00_00_01
    assert (status_list.get(0), status_list.get(3)) == (2, 1)


def test_the_same_statuses_pack_differently_in_the_ietf_and_w3c_orders() -> None:
    updates = [(0, 1), (3, 1), (9, 1)]
    ietf = StatusList.empty(bits=1, size=MIN_ENTRIES).with_statuses(updates)
    w3c = BitstringStatusList.empty(bits=1, size=MIN_ENTRIES).with_statuses(updates)
    assert ietf.packed[:2] == bytes([0b0000_1001, 0b0000_0010])
    assert w3c.packed[:2] == bytes([0b1001_0000, 0b0100_0000])
    assert ietf.entries() == w3c.entries()
    # Reading one list's bytes in the other's order lands on different indices.
    misread = BitstringStatusList(1, MIN_ENTRIES, ietf.packed)
    assert [i for i, s in enumerate(misread.entries()) if s] == [4, 7, 14]


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(BITS), st.data())
def test_entries_round_trip_through_the_encoded_list(bits: Bits, data: st.DataObject) -> None:
    updates = data.draw(
        st.lists(st.tuples(st.integers(0, MIN_ENTRIES - 1), st.integers(0, (1 << bits) - 1)))
    )
    status_list = BitstringStatusList.empty(bits=bits, size=MIN_ENTRIES).with_statuses(updates)
    encoded = encode_bitstring(status_list)
    assert BitstringStatusList(bits, MIN_ENTRIES, decode_bitstring(encoded)) == status_list
    assert BitstringStatusList.from_entries(status_list.entries(), bits=bits) == status_list


def test_encoding_and_decoding_a_million_entries_is_fast() -> None:
    entries = bytes(i % 7 == 0 for i in range(1_000_000))
    start = time.perf_counter()
    encoded = encode_bitstring(BitstringStatusList.from_entries(entries, bits=1))
    decoded = BitstringStatusList(1, 1_000_000, decode_bitstring(encoded)).entries()
    assert time.perf_counter() - start < 0.5
    assert decoded == entries


# --- Minimum length (§3.2 step 9) ---------------------------------------------------------------


def test_building_a_list_below_the_minimum_size_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        BitstringStatusList.empty(bits=1, size=MIN_ENTRIES - 8)


def test_rejects_a_list_with_fewer_than_131072_entries() -> None:
    credential = _spec_list_credential()
    short = zlib.compressobj(9, zlib.DEFLATED, 31)
    credential["credentialSubject"]["encodedList"] = "u" + b64url_encode(
        short.compress(bytes(MIN_ENTRIES // 8 - 1)) + short.flush()
    )
    parsed = parse_bitstring_status_list_credential(credential)
    with pytest.raises(StatusListTooShort) as caught:
        resolve_bitstring_status(parsed, parse_status_entry(_entry(statusListIndex="0")))
    assert caught.value.code == "status_list_too_short"


def test_rejects_a_two_bit_list_of_only_sixteen_kilobytes() -> None:
    parsed = parse_bitstring_status_list_credential(_spec_list_credential())
    two_bit = _entry(statusSize=2, statusMessage=[_message(i) for i in range(4)])
    with pytest.raises(StatusListTooShort) as caught:
        resolve_bitstring_status(parsed, parse_status_entry(two_bit))
    assert caught.value.code == "status_list_too_short"


def _message(status: int) -> dict[str, str]:
    return {"status": hex(status), "message": f"m{status}"}


# --- encodedList (§2.2, §3.4) -------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoded", [SPEC_ENCODED_LIST[1:], "z" + SPEC_ENCODED_LIST[1:], "", None, 42]
)
def test_rejects_an_encoded_list_without_the_multibase_base64url_prefix(encoded: Any) -> None:
    with pytest.raises(StatusListInvalid) as caught:
        decode_bitstring(encoded)
    assert caught.value.code == "status_list_invalid"


@pytest.mark.parametrize("encoded", [SPEC_ENCODED_LIST + "==", SPEC_ENCODED_LIST + "+"])
def test_rejects_an_encoded_list_that_is_not_strict_base64url(encoded: str) -> None:
    with pytest.raises(InvalidBase64url) as caught:
        decode_bitstring(encoded)
    assert caught.value.code == "invalid_base64url"


def _gzip(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    "compressed",
    [
        zlib.compress(bytes(16384), 9),
        _gzip(bytes(16384))[:-4],
        _gzip(bytes(16384)) + _gzip(b"\x01"),
        _gzip(bytes(16384))[:-8] + b"\x00\x00\x00\x01" + _gzip(bytes(16384))[-4:],
    ],
    ids=["zlib-not-gzip", "truncated", "second-member", "bad-crc"],
)
def test_rejects_an_encoded_list_that_is_not_exactly_one_gzip_stream(compressed: bytes) -> None:
    with pytest.raises(StatusListInvalid) as caught:
        decode_bitstring("u" + b64url_encode(compressed))
    assert caught.value.code == "status_list_invalid"


def test_rejects_an_encoded_list_larger_than_four_mebibytes_decompressed() -> None:
    with pytest.raises(StatusListTooLarge) as caught:
        decode_bitstring("u" + b64url_encode(_gzip(bytes(MAX_STATUS_LIST_BYTES + 1))))
    assert caught.value.code == "status_list_too_large"


# --- The status list credential (§2.2) ----------------------------------------------------------


def _broken(path: str, value: Any) -> dict[str, Any]:
    credential = _spec_list_credential()
    target = credential
    *parents, name = path.split(".")
    for parent in parents:
        target = target[parent]
    if value is None:
        del target[name]
    else:
        target[name] = value
    return credential


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("@context", ["https://www.w3.org/2018/credentials/v1"]),
        ("@context", None),
        ("type", ["VerifiableCredential"]),
        ("type", "BitstringStatusListCredential"),
        ("credentialSubject", [{"type": "BitstringStatusList"}]),
        ("credentialSubject.type", "StatusList2021"),
        ("credentialSubject.statusPurpose", []),
        ("credentialSubject.statusPurpose", ""),
        ("credentialSubject.statusPurpose", ["revocation", 7]),
        ("credentialSubject.statusPurpose", ["revocation", "revocation"]),
        ("credentialSubject.statusPurpose", None),
        ("credentialSubject.statusSize", 3),
        ("credentialSubject.statusSize", True),
        ("credentialSubject.statusPurpose", "message"),
        ("credentialSubject.ttl", -1),
        ("credentialSubject.ttl", "500"),
        ("credentialSubject.encodedList", None),
        ("id", "not a url"),
    ],
)
def test_rejects_a_malformed_status_list_credential(path: str, value: Any) -> None:
    with pytest.raises(StatusListInvalid) as caught:
        parse_bitstring_status_list_credential(_broken(path, value))
    assert caught.value.code == "status_list_invalid"


def test_built_credential_has_the_spec_shape_and_parses_back() -> None:
    status_list = BitstringStatusList.empty(bits=1, size=MIN_ENTRIES).with_status(94567, 1)
    credential = build_bitstring_status_list_credential(
        status_list,
        credential_id=LIST_URL,
        issuer="did:example:12345",
        status_purpose="revocation",
        valid_from=VALID_FROM,
        valid_until=datetime(2021, 5, 5, 14, 27, 40, 123456, tzinfo=UTC),
        ttl=300000,
    )
    assert credential == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:example:12345",
        "validFrom": "2021-04-05T14:27:40Z",
        "validUntil": "2021-05-05T14:27:40Z",
        "credentialSubject": {
            "id": LIST_URL + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bitstring(status_list),
            "ttl": 300000,
        },
    }
    parsed = parse_bitstring_status_list_credential(credential)
    status = resolve_bitstring_status(parsed, parse_status_entry(_spec_entry()))
    assert status == BitstringStatus(status=1, purpose="revocation", valid=False, message=None)


def test_building_refuses_naive_times_and_a_message_purpose_without_messages() -> None:
    status_list = BitstringStatusList.empty(bits=1, size=MIN_ENTRIES)
    options: dict[str, Any] = {"credential_id": LIST_URL, "issuer": "did:example:12345"}
    with pytest.raises(TypeError):
        build_bitstring_status_list_credential(
            status_list,
            **options,
            status_purpose="revocation",
            valid_from=datetime(2021, 4, 5),
            valid_until=None,
        )
    with pytest.raises(ValueError, match="one element per possible value"):
        build_bitstring_status_list_credential(
            status_list,
            **options,
            status_purpose="message",
            valid_from=VALID_FROM,
            valid_until=None,
        )


def test_built_entry_parses_back_to_the_same_reference() -> None:
    built = build_bitstring_status_entry(
        status_list_credential=LIST_URL,
        index=94567,
        status_purpose="message",
        status_size=2,
        status_messages=MESSAGES,
    )
    assert built["statusListIndex"] == "94567"
    entry = parse_status_entry(built)
    assert (entry.status_list_index, entry.status_size, entry.status_messages) == (
        94567,
        2,
        MESSAGES,
    )
    with pytest.raises(ValueError, match="one element per possible value"):
        build_bitstring_status_entry(
            status_list_credential=LIST_URL, index=1, status_purpose="message", status_size=2
        )


# --- The credentialStatus entry (§2.1) ----------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"type": "StatusList2021Entry"},
        {"type": None},
        {"statusPurpose": None},
        {"statusPurpose": ""},
        {"statusPurpose": ["revocation"]},
    ],
)
def test_rejects_an_entry_of_another_type_or_without_a_purpose(changes: dict[str, Any]) -> None:
    with pytest.raises(StatusReferenceInvalid) as caught:
        parse_status_entry(_entry(**changes))
    assert caught.value.code == "status_reference_invalid"


@pytest.mark.parametrize("index", [94567, "", "-1", "007", "1e3", " 1", "0x10", "1" * 65, None])
def test_rejects_a_status_list_index_that_is_not_a_base_ten_integer_string(index: Any) -> None:
    with pytest.raises(StatusReferenceInvalid) as caught:
        parse_status_entry(_entry(statusListIndex=index))
    assert caught.value.code == "status_reference_invalid"


@pytest.mark.parametrize("url", [None, "", "status/3", 3])
def test_rejects_a_status_list_credential_that_is_not_a_url(url: Any) -> None:
    with pytest.raises(StatusReferenceInvalid) as caught:
        parse_status_entry(_entry(statusListCredential=url))
    assert caught.value.code == "status_reference_invalid"


def test_rejects_an_entry_id_equal_to_the_status_list_url() -> None:
    with pytest.raises(StatusReferenceInvalid) as caught:
        parse_status_entry(_entry(id=LIST_URL))
    assert caught.value.code == "status_reference_invalid"


@pytest.mark.parametrize("size", [0, 3, 16, True, "2"])
def test_rejects_a_status_size_other_than_one_two_four_or_eight(size: Any) -> None:
    messages = [_message(i) for i in range(4)]
    with pytest.raises(StatusReferenceInvalid) as caught:
        parse_status_entry(_entry(statusSize=size, statusMessage=messages))
    assert caught.value.code == "status_reference_invalid"


def test_rejects_a_status_size_above_one_without_status_messages() -> None:
    with pytest.raises(StatusReferenceInvalid) as caught:
        parse_status_entry(_entry(statusSize=2))
    assert caught.value.code == "status_reference_invalid"


@pytest.mark.parametrize(
    "messages",
    [
        [_message(i) for i in range(3)],
        [_message(0), _message(1), _message(2), _message(2)],
        [_message(0), _message(1), _message(2), {"status": "3", "message": "m"}],
        [_message(0), _message(1), _message(2), {"status": "0x4", "message": "m"}],
        [_message(0), _message(1), _message(2), {"status": "0x3"}],
        [_message(0), _message(1), _message(2), "0x3"],
        {"0x0": "a"},
    ],
)
def test_rejects_status_messages_that_do_not_cover_each_value_once(messages: Any) -> None:
    with pytest.raises(StatusReferenceInvalid) as caught:
        parse_status_entry(_entry(statusSize=2, statusMessage=messages))
    assert caught.value.code == "status_reference_invalid"


@pytest.mark.parametrize("reference", ["not a url", ["https://example.org/a", 5], {}])
def test_rejects_a_status_reference_that_is_not_urls(reference: Any) -> None:
    with pytest.raises(StatusReferenceInvalid) as caught:
        parse_status_entry(_entry(statusReference=reference))
    assert caught.value.code == "status_reference_invalid"


@pytest.mark.parametrize("value", [[], None, [_spec_entry(), {"type": "StatusList2021Entry"}]])
def test_rejects_credential_status_with_an_entry_that_cannot_be_checked(value: Any) -> None:
    with pytest.raises(StatusReferenceInvalid) as caught:
        parse_credential_status(value)
    assert caught.value.code == "status_reference_invalid"


# --- Resolving a status (§3.2) ------------------------------------------------------------------


def test_rejects_an_entry_whose_purpose_is_not_the_lists() -> None:
    parsed = parse_bitstring_status_list_credential(_spec_list_credential())
    with pytest.raises(StatusPurposeMismatch) as caught:
        resolve_bitstring_status(parsed, parse_status_entry(_entry(statusPurpose="suspension")))
    assert caught.value.code == "status_purpose_mismatch"


def test_a_list_with_several_purposes_serves_each_of_them() -> None:
    status_list = BitstringStatusList.empty(bits=1, size=MIN_ENTRIES).with_status(12345, 1)
    parsed = parse_bitstring_status_list_credential(
        _credential(status_list, ["revocation", "suspension"])
    )
    entry = parse_status_entry(_entry(statusPurpose="suspension", statusListIndex="12345"))
    assert resolve_bitstring_status(parsed, entry).valid is False


def test_rejects_a_list_credential_whose_id_is_not_the_referenced_url() -> None:
    parsed = parse_bitstring_status_list_credential(_spec_list_credential())
    entry = parse_status_entry(
        _entry(id=None, statusListCredential="https://example.com/credentials/status/4")
    )
    with pytest.raises(StatusListIdMismatch) as caught:
        resolve_bitstring_status(parsed, entry)
    assert caught.value.code == "status_list_id_mismatch"


def test_rejects_an_entry_whose_status_size_is_not_the_lists() -> None:
    status_list = BitstringStatusList.empty(bits=2, size=MIN_ENTRIES)
    parsed = parse_bitstring_status_list_credential(_credential(status_list, statusSize=2))
    with pytest.raises(StatusListInvalid) as caught:
        resolve_bitstring_status(parsed, parse_status_entry(_spec_entry()))
    assert caught.value.code == "status_list_invalid"


def test_rejects_an_index_outside_the_list() -> None:
    parsed = parse_bitstring_status_list_credential(_spec_list_credential())
    entry = parse_status_entry(_entry(statusListIndex=str(MIN_ENTRIES)))
    with pytest.raises(StatusIndexOutOfRange) as caught:
        resolve_bitstring_status(parsed, entry)
    assert caught.value.code == "status_index_out_of_range"
