"""IETF Token Status List: the list value, its JSON form, Status List Tokens and references.

Keys: the Ed25519 key of RFC 8037 Appendix A.1 and the P-256 issuer and holder keys of the SD-JWT
example generator (tests/vectors/data/ietf/sd-jwt/examples/settings.yml). The clock is fixed.
"""

import time
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials.encoding import b64url_encode, json_dumps
from credentials.errors import (
    ClaimInvalid,
    ClaimMissing,
    CredentialExpired,
    CredentialNotYetValid,
    InvalidBase64url,
    IssuedInFuture,
    IssuerMismatch,
    SignatureInvalid,
    StatusIndexOutOfRange,
    StatusListInvalid,
    StatusListSubjectMismatch,
    StatusListTooLarge,
    StatusReferenceInvalid,
    TooLarge,
    TypeMismatch,
    UnknownCritical,
    UnsupportedAlgorithm,
)
from credentials.jws import sign_compact
from credentials.keys import PrivateKey, private_key_from_jwk
from credentials.resolvers import PinnedKeys
from credentials.status_list import (
    MAX_STATUS_LIST_BYTES,
    MAX_STATUS_LIST_TOKEN_BYTES,
    StatusList,
    StatusReference,
    StatusType,
    VerifiedStatusListToken,
    decode_status_list,
    encode_status_list,
    parse_status_reference,
    resolve_status,
    sign_status_list_token,
    status_type,
    verify_status_list_token,
)

ED25519 = private_key_from_jwk(
    {
        "kty": "OKP",
        "crv": "Ed25519",
        "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    },
    kid="status-key-1",
)
P256 = private_key_from_jwk(
    {
        "kty": "EC",
        "crv": "P-256",
        "d": "Ur2bNKuBPOrAaxsRnbSH6hIhmNTxSGXshDSUD1a1y7g",
        "x": "b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
        "y": "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8",
    },
    kid="status-key-2",
)
HOLDER_P256 = private_key_from_jwk(
    {
        "kty": "EC",
        "crv": "P-256",
        "d": "5K5SCos8zf9zRemGGUl6yfok-_NiiryNZsvANWMhF-I",
        "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc",
        "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ",
    },
    kid=P256.kid,
)
ISSUER = "https://issuer.example.com"
URI = "https://issuer.example.com/statuslists/1"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TOLERANCE = timedelta(seconds=60)
ALGORITHMS = ("EdDSA", "ES256")

# draft §4.1: the 1-bit example (16 entries) and the 2-bit example (12 entries).
ONE_BIT = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]
TWO_BIT = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]


def _list() -> StatusList:
    return StatusList.from_entries(bytes(ONE_BIT), bits=1)


def _sign(
    status_list: StatusList | None = None,
    *,
    key: PrivateKey = ED25519,
    exp: datetime | None = NOW + timedelta(hours=1),
    ttl: int | None = 300,
) -> str:
    return sign_status_list_token(
        status_list or _list(), key=key, sub=URI, iat=NOW - timedelta(minutes=5), exp=exp, ttl=ttl
    )


def _verify(token: str, **overrides: Any) -> VerifiedStatusListToken:
    options: dict[str, Any] = {
        "key": ED25519.public,
        "issuer": None,
        "algorithms": ALGORITHMS,
        "expected_sub": URI,
        "now": NOW,
        "clock_tolerance": TOLERANCE,
    }
    options.update(overrides)
    return verify_status_list_token(token, **options)


def _claims(**changes: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": URI,
        "iat": int(NOW.timestamp()) - 300,
        "exp": int(NOW.timestamp()) + 3600,
        "ttl": 300,
        "status_list": encode_status_list(_list()),
    }
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def _token(claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
    header = {"typ": "statuslist+jwt", "kid": ED25519.kid} if header is None else header
    return sign_compact(header, json_dumps(claims).encode("utf-8"), ED25519)


# --- The list value (§4.1) ----------------------------------------------------------------------


def test_one_bit_statuses_pack_least_significant_bit_first() -> None:
    assert _list().packed == bytes([0xB9, 0xA3])


def test_two_bit_statuses_pack_least_significant_bits_first() -> None:
    assert StatusList.from_entries(bytes(TWO_BIT), bits=2).packed == bytes([0xC9, 0x44, 0xF9])


@pytest.mark.parametrize("bits", [1, 2, 4, 8])
def test_get_reads_back_every_status_that_was_set(bits: int) -> None:
    statuses = [i % (1 << bits) for i in range(37)]
    status_list = StatusList.from_entries(bytes(statuses), bits=bits)  # type: ignore[arg-type]
    assert [status_list.get(i) for i in range(37)] == statuses
    assert status_list.size == 37


def test_with_status_returns_a_new_list_and_leaves_the_original_unchanged() -> None:
    original = StatusList.empty(bits=2, size=8)
    updated = original.with_status(5, StatusType.SUSPENDED)
    assert updated.get(5) == 2
    assert original.get(5) == 0
    assert updated.with_status(5, 0).packed == original.packed


def test_with_statuses_accepts_a_mapping_or_pairs_and_overwrites_earlier_values() -> None:
    base = StatusList.empty(bits=4, size=10)
    from_pairs = base.with_statuses([(1, 15), (9, 3), (1, 7)])
    from_mapping = base.with_statuses({1: 7, 9: 3})
    assert from_pairs == from_mapping
    assert from_pairs.entries() == bytes([0, 7, 0, 0, 0, 0, 0, 0, 0, 3])


def test_with_statuses_keeps_the_aggregation_uri() -> None:
    base = StatusList(1, 8, bytes(1), "https://issuer.example.com/aggregation")
    assert base.with_status(0, 1).aggregation_uri == "https://issuer.example.com/aggregation"


@pytest.mark.parametrize("index", [16, 10**9, -1])
def test_rejects_reading_an_index_outside_the_list(index: int) -> None:
    with pytest.raises(StatusIndexOutOfRange) as caught:
        _list().get(index)
    assert caught.value.code == "status_index_out_of_range"


def test_rejects_setting_an_index_outside_the_list() -> None:
    with pytest.raises(StatusIndexOutOfRange) as caught:
        _list().with_status(16, 1)
    assert caught.value.code == "status_index_out_of_range"


@pytest.mark.parametrize(("bits", "status"), [(1, 2), (2, 4), (4, 16), (8, 256), (1, -1)])
def test_rejects_a_status_that_does_not_fit_in_the_bits(bits: int, status: int) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        StatusList.empty(bits=bits, size=4).with_status(0, status)  # type: ignore[arg-type]


@pytest.mark.parametrize(("bits", "status"), [(1, 2), (2, 4), (4, 16)])
def test_rejects_building_from_entries_that_do_not_fit_in_the_bits(bits: int, status: int) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        StatusList.from_entries(bytes([0, status, 0]), bits=bits)  # type: ignore[arg-type]


@pytest.mark.parametrize("bits", [0, 3, 16, True])
def test_rejects_bits_other_than_one_two_four_or_eight(bits: int) -> None:
    with pytest.raises(ValueError, match="1, 2, 4 or 8"):
        StatusList.empty(bits=bits, size=8)  # type: ignore[arg-type]


def test_rejects_packed_bytes_that_do_not_match_the_size() -> None:
    with pytest.raises(ValueError, match="exactly size"):
        StatusList(1, 17, bytes(2))


def test_registered_status_types_become_enum_members_and_others_stay_ints() -> None:
    assert status_type(0) is StatusType.VALID
    assert status_type(1) is StatusType.INVALID
    assert status_type(2) is StatusType.SUSPENDED
    assert status_type(3) == 3
    assert not isinstance(status_type(3), StatusType)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([1, 2, 4, 8]), st.data())
def test_entries_round_trip_through_packing_and_the_json_form(
    bits: int, data: st.DataObject
) -> None:
    entries = bytes(data.draw(st.lists(st.integers(0, (1 << bits) - 1), max_size=300)))
    status_list = StatusList.from_entries(entries, bits=bits)  # type: ignore[arg-type]
    assert status_list.entries() == entries
    decoded = decode_status_list(encode_status_list(status_list))
    assert decoded.entries()[: len(entries)] == entries
    assert not any(decoded.entries()[len(entries) :])


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([1, 2, 4, 8]),
    st.lists(st.tuples(st.integers(0, 99), st.integers(0, 255)), max_size=40),
)
def test_bulk_updates_agree_with_setting_one_status_at_a_time(
    bits: int, updates: list[tuple[int, int]]
) -> None:
    fitting = [(index, status % (1 << bits)) for index, status in updates]
    model = [0] * 100
    for index, status in fitting:
        model[index] = status
    status_list = StatusList.empty(bits=bits, size=100).with_statuses(fitting)  # type: ignore[arg-type]
    assert list(status_list.entries()) == model


def test_encoding_and_decoding_a_million_entries_is_fast() -> None:
    entries = bytes(i % 3 == 0 for i in range(1_000_000))
    start = time.perf_counter()
    encoded = encode_status_list(StatusList.from_entries(entries, bits=1))
    decoded = decode_status_list(encoded).entries()
    assert time.perf_counter() - start < 0.5
    assert decoded == entries


# --- The JSON form (§4.2) -----------------------------------------------------------------------


def test_encodes_bits_lst_and_the_optional_aggregation_uri() -> None:
    assert encode_status_list(_list()) == {"bits": 1, "lst": "eNrbuRgAAhcBXQ"}
    with_uri = StatusList(1, 16, _list().packed, "https://issuer.example.com/aggregation")
    encoded = encode_status_list(with_uri)
    assert encoded["aggregation_uri"] == "https://issuer.example.com/aggregation"
    assert decode_status_list(encoded) == with_uri


@pytest.mark.parametrize(
    "value",
    [
        [],
        {"lst": "eNrbuRgAAhcBXQ"},
        {"bits": 3, "lst": "eNrbuRgAAhcBXQ"},
        {"bits": True, "lst": "eNrbuRgAAhcBXQ"},
        {"bits": "1", "lst": "eNrbuRgAAhcBXQ"},
        {"bits": 1},
        {"bits": 1, "lst": 42},
        {"bits": 1, "lst": "eNrbuRgAAhcBXQ", "aggregation_uri": "not a uri"},
        {"bits": 1, "lst": "eNrbuRgAAhcBXQ", "aggregation_uri": 7},
    ],
)
def test_rejects_a_malformed_status_list_object(value: Any) -> None:
    with pytest.raises(StatusListInvalid) as caught:
        decode_status_list(value)
    assert caught.value.code == "status_list_invalid"


@pytest.mark.parametrize("lst", ["eNrbuRgAAhcBXQ==", "eNrbuRgAAhcBXQ+", "eNrbuRgAAhcBXR"])
def test_rejects_lst_that_is_not_strict_base64url(lst: str) -> None:
    with pytest.raises(InvalidBase64url) as caught:
        decode_status_list({"bits": 1, "lst": lst})
    assert caught.value.code == "invalid_base64url"


def _gzip(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    "compressed",
    [
        b"not compressed at all",
        zlib.compress(bytes([0xB9, 0xA3]), 9)[:-3],
        zlib.compress(bytes([0xB9, 0xA3]), 9) + b"\x00",
        zlib.compress(bytes([0xB9, 0xA3]), 9)[:-1] + b"\x00",
        _gzip(bytes([0xB9, 0xA3])),
        b"",
    ],
    ids=["garbage", "truncated", "trailing-data", "bad-checksum", "gzip-not-zlib", "empty"],
)
def test_rejects_lst_that_is_not_exactly_one_zlib_stream(compressed: bytes) -> None:
    with pytest.raises(StatusListInvalid) as caught:
        decode_status_list({"bits": 1, "lst": b64url_encode(compressed)})
    assert caught.value.code == "status_list_invalid"


def test_rejects_a_list_larger_than_four_mebibytes_decompressed() -> None:
    bomb = zlib.compress(bytes(MAX_STATUS_LIST_BYTES + 1), 9)
    with pytest.raises(StatusListTooLarge) as caught:
        decode_status_list({"bits": 1, "lst": b64url_encode(bomb)})
    assert caught.value.code == "status_list_too_large"


def test_accepts_a_list_of_exactly_four_mebibytes() -> None:
    at_cap = zlib.compress(bytes(MAX_STATUS_LIST_BYTES), 9)
    assert decode_status_list({"bits": 8, "lst": b64url_encode(at_cap)}).size == 4 * 1024 * 1024


# --- Referenced Token (§6.2) --------------------------------------------------------------------


def test_parses_the_status_list_reference_and_ignores_other_mechanisms() -> None:
    claim = {"status_list": {"idx": 0, "uri": URI}, "other_mechanism": {"x": 1}}
    assert parse_status_reference(claim) == StatusReference(idx=0, uri=URI)


def test_rejects_a_status_claim_that_is_not_an_object() -> None:
    with pytest.raises(StatusReferenceInvalid) as caught:
        parse_status_reference([{"status_list": {"idx": 0, "uri": URI}}])
    assert caught.value.code == "status_reference_invalid"


@pytest.mark.parametrize("claim", [{}, {"status_list": None}, {"status_list": [0, URI]}])
def test_rejects_a_status_claim_without_a_status_list_object(claim: Any) -> None:
    with pytest.raises(StatusReferenceInvalid) as caught:
        parse_status_reference(claim)
    assert caught.value.code == "status_reference_invalid"


@pytest.mark.parametrize("idx", [None, -1, 1.0, "0", True, [0]])
def test_rejects_an_idx_that_is_not_a_non_negative_integer(idx: Any) -> None:
    reference: dict[str, Any] = {"uri": URI} if idx is None else {"idx": idx, "uri": URI}
    with pytest.raises(StatusReferenceInvalid) as caught:
        parse_status_reference({"status_list": reference})
    assert caught.value.code == "status_reference_invalid"


@pytest.mark.parametrize("uri", [None, 7, "", "/statuslists/1", "https://a.example/x y"])
def test_rejects_a_uri_that_is_not_an_absolute_uri_string(uri: Any) -> None:
    reference: dict[str, Any] = {"idx": 0} if uri is None else {"idx": 0, "uri": uri}
    with pytest.raises(StatusReferenceInvalid) as caught:
        parse_status_reference({"status_list": reference})
    assert caught.value.code == "status_reference_invalid"


# --- Status List Token (§5.1, §8.3) -------------------------------------------------------------


@pytest.mark.parametrize("key", [ED25519, P256], ids=["EdDSA", "ES256"])
def test_a_signed_token_verifies_to_its_list_and_metadata(key: PrivateKey) -> None:
    verified = _verify(_sign(key=key), key=key.public)
    assert verified.status_list == _list()
    assert verified.sub == URI
    assert verified.iat == NOW - timedelta(minutes=5)
    assert verified.exp == NOW + timedelta(hours=1)
    assert verified.ttl == 300
    assert verified.iss is None


def test_the_token_header_carries_typ_and_kid() -> None:
    parsed_header = _sign().split(".")[0]
    assert parsed_header == b64url_encode(
        json_dumps({"alg": "EdDSA", "typ": "statuslist+jwt", "kid": ED25519.kid}).encode()
    )


def test_exp_and_ttl_are_optional() -> None:
    verified = _verify(_sign(exp=None, ttl=None))
    assert verified.exp is None
    assert verified.ttl is None


def test_a_resolver_picks_the_issuers_key_by_kid() -> None:
    resolver = PinnedKeys({ISSUER: [P256.public, ED25519.public]})
    assert _verify(_sign(), key=resolver, issuer=ISSUER).status_list == _list()


def test_rejects_an_iss_claim_other_than_the_trusted_issuer() -> None:
    token = _token(_claims(iss="https://other.example.com"))
    with pytest.raises(IssuerMismatch) as caught:
        _verify(token, issuer=ISSUER)
    assert caught.value.code == "issuer_mismatch"


def test_a_resolver_without_an_issuer_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        _verify(_sign(), key=PinnedKeys({ISSUER: [ED25519.public]}), issuer=None)


@pytest.mark.parametrize("typ", [None, "JWT", "application/jwt", "STATUSLIST+JWT"])
def test_rejects_a_token_whose_typ_is_not_statuslist_jwt(typ: str | None) -> None:
    header: dict[str, Any] = {"kid": ED25519.kid} if typ is None else {"typ": typ}
    with pytest.raises(TypeMismatch) as caught:
        _verify(_token(_claims(), header))
    assert caught.value.code == "typ_mismatch"


def test_rejects_a_token_signed_by_another_key() -> None:
    with pytest.raises(SignatureInvalid) as caught:
        _verify(_sign(key=P256), key=HOLDER_P256.public)
    assert caught.value.code == "signature_invalid"


def test_rejects_a_token_whose_algorithm_is_not_allowed() -> None:
    with pytest.raises(UnsupportedAlgorithm) as caught:
        _verify(_sign(), algorithms=("ES256",))
    assert caught.value.code == "unsupported_algorithm"


def test_rejects_a_token_with_a_critical_extension() -> None:
    with pytest.raises(UnknownCritical) as caught:
        _verify(_token(_claims(), {"typ": "statuslist+jwt", "crit": ["x"], "x": 1}))
    assert caught.value.code == "crit_unsupported"


def test_rejects_a_token_larger_than_the_cap() -> None:
    with pytest.raises(TooLarge) as caught:
        _verify("a" * (MAX_STATUS_LIST_TOKEN_BYTES + 1))
    assert caught.value.code == "input_too_large"


def test_rejects_a_sub_other_than_the_referenced_uri() -> None:
    with pytest.raises(StatusListSubjectMismatch) as caught:
        _verify(_sign(), expected_sub="https://issuer.example.com/statuslists/2")
    assert caught.value.code == "status_list_sub_mismatch"


@pytest.mark.parametrize("claim", ["sub", "iat", "status_list"])
def test_rejects_a_token_missing_a_required_claim(claim: str) -> None:
    with pytest.raises(ClaimMissing) as caught:
        _verify(_token(_claims(**{claim: None})))
    assert caught.value.code == "claim_missing"


def test_rejects_a_sub_that_is_not_a_string() -> None:
    with pytest.raises(ClaimInvalid) as caught:
        _verify(_token(_claims(sub=["https://issuer.example.com/statuslists/1"])))
    assert caught.value.code == "claim_invalid"


def test_rejects_an_expired_token() -> None:
    token = _token(_claims(exp=int(NOW.timestamp()) - 61))
    with pytest.raises(CredentialExpired) as caught:
        _verify(token)
    assert caught.value.code == "credential_expired"


def test_accepts_an_exp_just_passed_within_the_clock_tolerance() -> None:
    assert _verify(_token(_claims(exp=int(NOW.timestamp()) - 30))).sub == URI


def test_rejects_a_token_issued_in_the_future() -> None:
    with pytest.raises(IssuedInFuture) as caught:
        _verify(_token(_claims(iat=int(NOW.timestamp()) + 61)))
    assert caught.value.code == "iat_in_future"


def test_rejects_a_token_not_yet_valid() -> None:
    with pytest.raises(CredentialNotYetValid) as caught:
        _verify(_token(_claims(nbf=int(NOW.timestamp()) + 61)))
    assert caught.value.code == "credential_not_yet_valid"


@pytest.mark.parametrize("ttl", [0, -5, "300", True, 10**12])
def test_rejects_a_ttl_that_is_not_a_positive_number(ttl: Any) -> None:
    with pytest.raises(ClaimInvalid) as caught:
        _verify(_token(_claims(ttl=ttl)))
    assert caught.value.code == "claim_invalid"


def test_rejects_a_token_whose_status_list_claim_is_malformed() -> None:
    with pytest.raises(StatusListInvalid) as caught:
        _verify(_token(_claims(status_list={"bits": 5, "lst": "eNrbuRgAAhcBXQ"})))
    assert caught.value.code == "status_list_invalid"


def test_signing_refuses_naive_times_exp_before_iat_and_non_positive_ttl() -> None:
    with pytest.raises(TypeError):
        sign_status_list_token(
            _list(), key=ED25519, sub=URI, iat=datetime(2025, 1, 1), exp=None, ttl=1
        )
    with pytest.raises(ValueError, match="exp"):
        sign_status_list_token(_list(), key=ED25519, sub=URI, iat=NOW, exp=NOW, ttl=None)
    with pytest.raises(ValueError, match="ttl"):
        sign_status_list_token(_list(), key=ED25519, sub=URI, iat=NOW, exp=None, ttl=0)
    with pytest.raises(ValueError, match="sub"):
        sign_status_list_token(_list(), key=ED25519, sub="lists/1", iat=NOW, exp=None, ttl=None)


# --- Resolving a status (§8.3 steps 6-7) --------------------------------------------------------


def test_resolves_the_status_of_a_referenced_token() -> None:
    status_list = StatusList.from_entries(bytes(TWO_BIT), bits=2)
    verified = _verify(_sign(status_list))
    assert resolve_status(verified, StatusReference(0, URI)) is StatusType.INVALID
    assert resolve_status(verified, StatusReference(1, URI)) is StatusType.SUSPENDED
    assert resolve_status(verified, StatusReference(2, URI)) is StatusType.VALID
    assert resolve_status(verified, StatusReference(3, URI)) == 3


def test_rejects_resolving_an_index_outside_the_verified_list() -> None:
    verified = _verify(_sign())
    with pytest.raises(StatusIndexOutOfRange) as caught:
        resolve_status(verified, StatusReference(16, URI))
    assert caught.value.code == "status_index_out_of_range"


def test_rejects_resolving_a_reference_to_another_list() -> None:
    verified = _verify(_sign())
    with pytest.raises(StatusListSubjectMismatch) as caught:
        resolve_status(verified, StatusReference(0, "https://issuer.example.com/statuslists/2"))
    assert caught.value.code == "status_list_sub_mismatch"
