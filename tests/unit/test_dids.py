"""DIDs: base58btc, did:key, did:jwk, did:web and the DID issuer key resolver.

Vector sources:
- did:key Ed25519 ``z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK`` (x ``Lm_M…``): the example
  DID document of the W3C CCG did:key specification (https://w3c-ccg.github.io/did-method-key/).
- did:key Ed25519 ``z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp``, P-256 ``zDnaerDaTF5…``
  and ``zDnaerx9CtbPJ…``, secp256k1 ``zQ3shokFTS3…``: did-method-key repository,
  test-vectors/ed25519-x25519.json, test-vectors/nist-curves.json and test-vectors/secp256k1.json.
- did:jwk P-256 and X25519 examples: https://github.com/quartzjer/did-jwk/blob/main/spec.md.
- did:web URL examples: W3C CCG did:web Method Specification, "Read (Resolve)".
"""

import json
from collections.abc import Callable, Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials.did_jwk import did_jwk_key_id, encode_did_jwk, resolve_did_jwk
from credentials.did_key import did_key_key_id, encode_did_key, resolve_did_key
from credentials.did_url import parse_did
from credentials.did_web import (
    build_did_web_document,
    did_web_key_id,
    did_web_url,
    parse_did_document,
)
from credentials.dids import did_resolver, offline_did_resolver
from credentials.encoding import b64url_encode
from credentials.errors import CredentialError, FetchFailed, InvalidKey
from credentials.fetch import fetch_document
from credentials.keys import PrivateKey, private_key_from_jwk
from credentials.multibase import (
    ED25519_PUB,
    P256_PUB,
    base58btc_decode,
    base58btc_encode,
)

P256 = private_key_from_jwk(
    {
        "kty": "EC",
        "crv": "P-256",
        "x": "MwT3QoTq7HEGcSzLryhf1Xu0FsKNBUHmxa_0H9DaGlQ",
        "y": "bplONymH7JmWX5nqC92jRlUD3ugPo0VdGGj1awcDL90",
        "d": "33dRJn1t5DIFNQC_HW2dzXEGJYCE0pvbHw4ge1ZcmCg",
    }
)
# RFC 8037 Appendix A.1.
ED25519 = private_key_from_jwk(
    {
        "kty": "OKP",
        "crv": "Ed25519",
        "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    }
)

SPEC_DID_JWK_P256 = (
    "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OT"
    "FQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
)
SPEC_DID_JWK_X25519 = (
    "did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3YmZYdDl3YlRUVzJIQzd"
    "PUTFOei1EUThoYmVHZE5yZngtRkctSUswOCJ9"
)
WEB_DID = "did:web:issuer.example"


def error_code(call: Callable[[], object]) -> str:
    with pytest.raises(CredentialError) as caught:
        call()
    return caught.value.code


def did_jwk_of(jwk: dict[str, object]) -> str:
    return "did:jwk:" + b64url_encode(json.dumps(jwk).encode())


def did_key_of(data: bytes) -> str:
    return "did:key:z" + base58btc_encode(data)


def serving(document: dict[str, object] | bytes) -> Callable[[str], bytes]:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()

    def fetch(url: str) -> bytes:
        assert url == "https://issuer.example/.well-known/did.json"
        return body

    return fetch


# --- base58btc ----------------------------------------------------------------------------------


@settings(max_examples=60)
@given(st.binary(max_size=48))
def test_base58btc_round_trips_any_bytes_including_leading_zeros(data: bytes) -> None:
    assert base58btc_decode(base58btc_encode(data)) == data


def test_base58btc_maps_leading_ones_to_leading_zero_bytes() -> None:
    assert base58btc_encode(b"\x00\x00\x01") == "112"
    assert base58btc_decode("112") == b"\x00\x00\x01"


@pytest.mark.parametrize("char", ["0", "O", "I", "l", "+", " "])
def test_rejects_base58btc_character_outside_the_alphabet(char: str) -> None:
    with pytest.raises(InvalidKey) as caught:
        base58btc_decode("2" + char)
    assert caught.value.code == "invalid_key"


def test_rejects_overlong_base58btc_value() -> None:
    assert error_code(lambda: base58btc_decode("2" * 200)) == "invalid_key"


# --- did:key ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("did", "x"),
    [
        (
            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            "Lm_M42cB3HkUiODQsXRcweM6TByfzEHGO9ND274JcOY",
        ),
        (
            "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
            "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik",
        ),
    ],
)
def test_resolves_ed25519_did_key_spec_vectors(did: str, x: str) -> None:
    key = resolve_did_key(did)
    assert key.alg == "EdDSA"
    assert key.jwk["x"] == x
    assert key.kid == did + "#" + did.removeprefix("did:key:")
    assert encode_did_key(key) == did


@pytest.mark.parametrize(
    ("did", "x", "y"),
    [
        (
            "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169",
            "fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI",
            "hW2ojTNfH7Jbi8--CJUo3OCbH3y5n91g-IMA9MLMbTU",
        ),
        (
            "did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv",
            "igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns",
            "efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM",
        ),
    ],
)
def test_resolves_p256_did_key_spec_vectors(did: str, x: str, y: str) -> None:
    key = resolve_did_key(did)
    assert (key.alg, key.jwk["x"], key.jwk["y"]) == ("ES256", x, y)
    assert encode_did_key(key) == did


@pytest.mark.parametrize("private", [P256, ED25519])
def test_encoded_did_key_resolves_to_the_same_key(private: PrivateKey) -> None:
    public = private.public
    did = encode_did_key(public)
    resolved = resolve_did_key(did)
    assert resolved.thumbprint == public.thumbprint
    assert resolved.kid == did_key_key_id(did)


def test_rejects_did_key_with_invalid_base58_character() -> None:
    assert (
        error_code(
            lambda: resolve_did_key("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do0")
        )
        == "did_invalid"
    )


def test_rejects_did_key_without_base58btc_multibase_prefix() -> None:
    hex_form = "did:key:f" + (ED25519_PUB + bytes(32)).hex()
    assert error_code(lambda: resolve_did_key(hex_form)) == "did_invalid"


def test_rejects_did_key_of_unsupported_key_type() -> None:
    secp256k1 = "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme"
    assert error_code(lambda: resolve_did_key(secp256k1)) == "did_unsupported"


def test_rejects_did_key_with_wrong_ed25519_key_length() -> None:
    assert error_code(lambda: resolve_did_key(did_key_of(ED25519_PUB + bytes(31)))) == "did_invalid"


def test_rejects_did_key_with_uncompressed_p256_point() -> None:
    point = b"\x04" + bytes(64)
    assert error_code(lambda: resolve_did_key(did_key_of(P256_PUB + point))) == "did_invalid"


def test_rejects_did_key_p256_point_not_on_the_curve() -> None:
    point = b"\x02" + (1).to_bytes(32, "big")  # x = 1 has no y on P-256
    assert error_code(lambda: resolve_did_key(did_key_of(P256_PUB + point))) == "did_invalid"


def test_rejects_did_key_with_version_segment() -> None:
    did = "did:key:1:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    assert error_code(lambda: resolve_did_key(did)) == "did_invalid"


# --- did:jwk ------------------------------------------------------------------------------------


def test_resolves_did_jwk_spec_p256_example() -> None:
    key = resolve_did_jwk(SPEC_DID_JWK_P256)
    assert key.alg == "ES256"
    assert key.jwk["x"] == "acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0"
    assert key.kid == SPEC_DID_JWK_P256 + "#0"


def test_encodes_did_jwk_in_the_canonical_form_of_the_spec_example() -> None:
    assert encode_did_jwk(resolve_did_jwk(SPEC_DID_JWK_P256)) == SPEC_DID_JWK_P256


def test_encoded_ed25519_did_jwk_resolves_to_the_same_key() -> None:
    did = encode_did_jwk(ED25519.public)
    assert resolve_did_jwk(did).thumbprint == ED25519.public.thumbprint
    assert did_jwk_key_id(did) == did + "#0"


def test_rejects_did_jwk_with_private_key_member() -> None:
    assert error_code(lambda: resolve_did_jwk(did_jwk_of(ED25519.private_jwk))) == "did_invalid"


def test_rejects_did_jwk_of_encryption_only_x25519_key() -> None:
    assert error_code(lambda: resolve_did_jwk(SPEC_DID_JWK_X25519)) == "did_unsupported"


def test_rejects_did_jwk_that_is_not_base64url_of_json() -> None:
    did = "did:jwk:" + b64url_encode(b"not json")
    assert error_code(lambda: resolve_did_jwk(did)) == "did_invalid"


def test_rejects_did_jwk_with_duplicate_json_members() -> None:
    x = ED25519.public.jwk["x"]
    raw = ('{"kty":"OKP","crv":"Ed25519","x":"' + x + '","kty":"EC"}').encode()
    assert error_code(lambda: resolve_did_jwk("did:jwk:" + b64url_encode(raw))) == "did_invalid"


def test_rejects_did_jwk_with_point_not_on_the_curve() -> None:
    jwk = {**P256.public.jwk, "y": b64url_encode(bytes(32))}
    del jwk["kid"]
    assert error_code(lambda: resolve_did_jwk(did_jwk_of(jwk))) == "did_invalid"


# --- DID syntax ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "https://issuer.example",
        "did:jwk",
        "did:Web:example.com",
        "did:web:",
        "did:web:a b",
        "did:web:%zz",
    ],
)
def test_rejects_value_that_is_not_a_did(value: str) -> None:
    assert error_code(lambda: parse_did(value)) == "did_invalid"


def test_rejects_overlong_did() -> None:
    assert error_code(lambda: parse_did("did:web:" + "a" * 3000)) == "did_invalid"


# --- did:web URL --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        (
            "did:web:w3c-ccg.github.io:user:alice",
            "https://w3c-ccg.github.io/user/alice/did.json",
        ),
        (
            "did:web:example.com%3A3000:user:alice",
            "https://example.com:3000/user/alice/did.json",
        ),
    ],
)
def test_maps_did_web_to_its_document_url(did: str, url: str) -> None:
    assert did_web_url(did) == url


@pytest.mark.parametrize(
    "did",
    [
        "did:web:127.0.0.1",
        "did:web:localhost",
        "did:web:-bad.example",
        "did:web:example.com:..:secret",
        "did:web:example.com:a%2Fb",
        "did:web:example.com%3A0",
        "did:web:example.com%3A99999",
        "did:web:example.com%3A80%3A81",
        "did:web:exa_mple.com",
    ],
)
def test_rejects_did_web_that_does_not_map_to_a_plain_https_url(did: str) -> None:
    assert error_code(lambda: did_web_url(did)) == "did_invalid"


def test_rejects_did_of_another_method_as_did_web() -> None:
    assert error_code(lambda: did_web_url(SPEC_DID_JWK_P256)) == "did_invalid"


# --- did:web documents --------------------------------------------------------------------------


def method(fragment: str, jwk: Mapping[str, object], **extra: object) -> dict[str, object]:
    return {
        "id": f"{WEB_DID}#{fragment}",
        "type": "JsonWebKey",
        "controller": WEB_DID,
        "publicKeyJwk": jwk,
        **extra,
    }


def public_jwk(private: PrivateKey) -> dict[str, object]:
    jwk = dict(private.public.jwk)
    del jwk["kid"]
    return jwk


def document(
    *methods: Mapping[str, object], assertion: list[object] | None = None
) -> dict[str, object]:
    return {
        "id": WEB_DID,
        "verificationMethod": list(methods),
        "assertionMethod": assertion if assertion is not None else [m["id"] for m in methods],
    }


def test_built_did_web_document_parses_back_to_its_keys() -> None:
    built = build_did_web_document(WEB_DID, [P256.public, ED25519.public])
    parsed = parse_did_document(json.dumps(built).encode(), did=WEB_DID)
    assert [k.kid for k in parsed.assertion_keys] == [
        did_web_key_id(WEB_DID, P256.public),
        did_web_key_id(WEB_DID, ED25519.public),
    ]
    assert built["verificationMethod"][0]["type"] == "JsonWebKey"
    assert "kid" not in built["verificationMethod"][0]["publicKeyJwk"]


def test_did_resolver_fetches_did_web_document_and_accepts_absolute_and_relative_kid() -> None:
    resolve = did_resolver(serving(document(method("key-1", public_jwk(P256)))))
    absolute = resolve(issuer=WEB_DID, kid=f"{WEB_DID}#key-1")
    relative = resolve(issuer=WEB_DID, kid="#key-1")
    assert absolute.kid == relative.kid == f"{WEB_DID}#key-1"
    assert absolute.thumbprint == P256.public.thumbprint


def test_accepts_multikey_and_embedded_assertion_methods() -> None:
    multikey = {
        "id": "#mk",
        "type": "Multikey",
        "controller": WEB_DID,
        "publicKeyMultibase": "zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169",
    }
    embedded = method("embedded", public_jwk(ED25519))
    doc = document(multikey, assertion=["#mk", embedded])
    keys = parse_did_document(json.dumps(doc).encode(), did=WEB_DID).assertion_keys
    assert [k.kid for k in keys] == [f"{WEB_DID}#mk", f"{WEB_DID}#embedded"]


def test_rejects_did_document_whose_id_is_not_the_did() -> None:
    doc = {**document(method("key-1", public_jwk(P256))), "id": "did:web:other.example"}
    resolve = did_resolver(serving(doc))
    assert error_code(lambda: resolve(issuer=WEB_DID, kid="#key-1")) == "did_document_invalid"


def test_rejects_key_not_referenced_from_assertion_method() -> None:
    doc = document(method("key-1", public_jwk(P256)), method("auth", public_jwk(ED25519)))
    doc["assertionMethod"] = [f"{WEB_DID}#key-1"]
    resolve = did_resolver(serving(doc))
    assert error_code(lambda: resolve(issuer=WEB_DID, kid="#auth")) == "issuer_key_unresolved"


def test_rejects_did_document_with_private_key_in_a_method() -> None:
    doc = document(method("key-1", dict(P256.private_jwk)))
    assert error_code(lambda: parse_did_document(json.dumps(doc).encode(), did=WEB_DID)) == (
        "did_document_invalid"
    )


def test_rejects_did_document_with_two_methods_of_the_same_id() -> None:
    doc = document(method("key-1", public_jwk(P256)), method("key-1", public_jwk(ED25519)))
    assert error_code(lambda: parse_did_document(json.dumps(doc).encode(), did=WEB_DID)) == (
        "did_document_invalid"
    )


def test_rejects_embedded_assertion_method_reusing_a_declared_id() -> None:
    declared = method("key-1", public_jwk(P256))
    doc = document(declared, assertion=[method("key-1", public_jwk(ED25519))])
    assert error_code(lambda: parse_did_document(json.dumps(doc).encode(), did=WEB_DID)) == (
        "did_document_invalid"
    )


def test_rejects_assertion_method_reference_to_an_undeclared_method() -> None:
    doc = document(method("key-1", public_jwk(P256)), assertion=["#missing"])
    assert error_code(lambda: parse_did_document(json.dumps(doc).encode(), did=WEB_DID)) == (
        "did_document_invalid"
    )


def test_rejects_malformed_key_in_a_usable_method() -> None:
    doc = document(method("key-1", {**public_jwk(P256), "x": "AAAA"}))
    assert error_code(lambda: parse_did_document(json.dumps(doc).encode(), did=WEB_DID)) == (
        "did_document_invalid"
    )


def test_rejects_verification_method_list_that_is_not_a_list() -> None:
    doc = {"id": WEB_DID, "verificationMethod": {}, "assertionMethod": []}
    assert error_code(lambda: parse_did_document(json.dumps(doc).encode(), did=WEB_DID)) == (
        "did_document_invalid"
    )


def rejected_document(doc: Mapping[str, object]) -> str:
    return error_code(lambda: parse_did_document(json.dumps(doc).encode(), did=WEB_DID))


def test_rejects_did_document_with_too_many_verification_methods() -> None:
    doc = document(*[method(f"k{i}", public_jwk(P256)) for i in range(40)])
    assert rejected_document(doc) == "did_document_invalid"


def test_rejects_verification_method_without_id() -> None:
    doc = document(method("key-1", public_jwk(P256)))
    del doc["verificationMethod"][0]["id"]  # type: ignore[index]
    doc["assertionMethod"] = []
    assert rejected_document(doc) == "did_document_invalid"


def test_rejects_assertion_method_entry_that_is_neither_string_nor_object() -> None:
    assert rejected_document(document(assertion=[7])) == "did_document_invalid"


def test_rejects_method_with_two_kinds_of_key_material() -> None:
    both = method("key-1", public_jwk(P256), publicKeyMultibase=encode_did_key(P256.public)[8:])
    assert rejected_document(document(both)) == "did_document_invalid"


def test_rejects_method_lacking_the_key_material_of_its_type() -> None:
    bare = {"id": "#key-1", "type": "Multikey", "controller": WEB_DID}
    assert rejected_document(document(bare)) == "did_document_invalid"


def test_skips_method_controlled_by_another_did() -> None:
    doc = document(method("key-1", public_jwk(P256), controller="did:web:other.example"))
    resolve = did_resolver(serving(doc))
    assert error_code(lambda: resolve(issuer=WEB_DID, kid="#key-1")) == "issuer_key_unresolved"


def test_skips_unsupported_key_type_but_keeps_the_others() -> None:
    p384 = {"kty": "EC", "crv": "P-384", "x": "AAAA", "y": "AAAA"}
    doc = document(method("p384", p384), method("key-1", public_jwk(P256)))
    resolve = did_resolver(serving(doc))
    assert resolve(issuer=WEB_DID, kid="#key-1").alg == "ES256"
    assert error_code(lambda: resolve(issuer=WEB_DID, kid="#p384")) == "issuer_key_unresolved"


def test_rejects_oversized_did_document() -> None:
    resolve = did_resolver(serving(b" " * (64 * 1024 + 1)))
    assert error_code(lambda: resolve(issuer=WEB_DID, kid="#key-1")) == "input_too_large"


def test_rejects_did_document_with_duplicate_json_member() -> None:
    resolve = did_resolver(serving(b'{"id": "did:web:issuer.example", "id": "x"}'))
    assert error_code(lambda: resolve(issuer=WEB_DID, kid="#key-1")) == "duplicate_json_member"


def test_reports_fetch_failure_of_did_document() -> None:
    def unreachable(url: str) -> bytes:
        raise FetchFailed("the DID document could not be retrieved")

    resolve = did_resolver(unreachable)
    assert error_code(lambda: resolve(issuer=WEB_DID, kid="#key-1")) == "fetch_failed"


def test_fetch_document_refuses_non_https_url_without_calling_the_fetcher() -> None:
    def must_not_run(url: str) -> bytes:
        raise AssertionError("fetcher called")

    call = lambda: fetch_document(must_not_run, "http://x.example/", what="x", max_bytes=10)  # noqa: E731
    assert error_code(call) == "fetch_failed"


# --- the DID resolver ---------------------------------------------------------------------------


def test_did_resolver_returns_the_did_jwk_key_for_its_verification_method() -> None:
    did = encode_did_jwk(P256.public)
    key = offline_did_resolver(issuer=did, kid=did + "#0")
    assert key.thumbprint == P256.public.thumbprint


def test_did_resolver_accepts_relative_kid_of_did_key() -> None:
    did = encode_did_key(ED25519.public)
    fragment = did.removeprefix("did:key:")
    assert offline_did_resolver(issuer=did, kid="#" + fragment).kid == f"{did}#{fragment}"


def test_rejects_did_issuer_token_without_kid() -> None:
    did = encode_did_jwk(P256.public)
    assert error_code(lambda: offline_did_resolver(issuer=did, kid=None)) == "issuer_key_unresolved"


def test_rejects_kid_naming_a_key_of_another_did() -> None:
    did, other = encode_did_jwk(P256.public), encode_did_jwk(ED25519.public)
    call = lambda: offline_did_resolver(issuer=did, kid=other + "#0")  # noqa: E731
    assert error_code(call) == "issuer_mismatch"


def test_rejects_did_jwk_kid_with_another_fragment() -> None:
    did = encode_did_jwk(P256.public)
    assert error_code(lambda: offline_did_resolver(issuer=did, kid="#1")) == "issuer_key_unresolved"


def test_rejects_kid_that_is_not_a_did_url_with_fragment() -> None:
    did = encode_did_jwk(P256.public)
    assert error_code(lambda: offline_did_resolver(issuer=did, kid=did)) == "did_invalid"


def test_rejects_unsupported_did_method() -> None:
    call = lambda: offline_did_resolver(issuer="did:example:123", kid="#k")  # noqa: E731
    assert error_code(call) == "did_unsupported"


def test_offline_resolver_refuses_did_web() -> None:
    assert error_code(lambda: offline_did_resolver(issuer=WEB_DID, kid="#k")) == "did_unsupported"


def test_did_resolver_rejects_issuer_that_is_not_a_did() -> None:
    resolve = did_resolver(serving(b"{}"))
    assert error_code(lambda: resolve(issuer="https://issuer.example", kid="#k")) == "did_invalid"
