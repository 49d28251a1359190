"""JWT VC Issuer Metadata (SD-JWT VC §4): well-known URL, strict parsing, key resolution.

The metadata example with ``doc-signer-05-25-2022`` is the "Example HTTP Response with Metadata
including a JSON Web Key Set" of draft-ietf-oauth-sd-jwt-vc §4.2.
"""

import json
from collections.abc import Callable, Mapping

import pytest

from credentials.errors import CredentialError, FetchFailed
from credentials.issuer_metadata import (
    build_issuer_metadata,
    issuer_metadata_url,
    metadata_resolver,
    parse_issuer_metadata,
    parse_jwk_set,
)
from credentials.keys import private_key_from_jwk

ISSUER = "https://example.com"
SIGNER: dict[str, object] = {
    "kid": "doc-signer-05-25-2022",
    "kty": "EC",
    "crv": "P-256",
    "x": "b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
    "y": "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8",
}
SPEC_METADATA = {
    "issuer": "https://example.com",
    "jwks": {
        "keys": [
            SIGNER,
            {
                "kid": "doc-signer-06-05-2025",
                "kty": "EC",
                "crv": "P-256",
                "x": "DfjUx4WHBds61vGbqUQhsy3FGX13fAS13QWh2EHIkX8",
                "y": "NfqJt9Kp0EA93xq9ysO80DRZ_hCGlISz-pYLgv4RFvg",
            },
        ]
    },
}
# RFC 8037 Appendix A.1.
ED25519 = private_key_from_jwk(
    {
        "kty": "OKP",
        "crv": "Ed25519",
        "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    }
)


def error_code(call: Callable[[], object]) -> str:
    with pytest.raises(CredentialError) as caught:
        call()
    return caught.value.code


def encode(document: Mapping[str, object]) -> bytes:
    return json.dumps(document).encode()


def metadata(**members: object) -> bytes:
    return encode({"issuer": ISSUER, **members})


def jwks(*keys: Mapping[str, object]) -> dict[str, object]:
    return {"keys": list(keys)}


def site(pages: Mapping[str, bytes]) -> Callable[[str], bytes]:
    def fetch(url: str) -> bytes:
        if url not in pages:
            raise FetchFailed("not found")
        return pages[url]

    return fetch


# --- well-known URL -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issuer", "url"),
    [
        ("https://example.com", "https://example.com/.well-known/jwt-vc-issuer"),
        ("https://example.com/", "https://example.com/.well-known/jwt-vc-issuer"),
        (
            "https://example.com/tenant/1234",
            "https://example.com/.well-known/jwt-vc-issuer/tenant/1234",
        ),
        (
            "https://example.com/tenant/1234/",
            "https://example.com/.well-known/jwt-vc-issuer/tenant/1234",
        ),
        ("https://example.com:8443/t", "https://example.com:8443/.well-known/jwt-vc-issuer/t"),
    ],
)
def test_inserts_well_known_path_between_host_and_path(issuer: str, url: str) -> None:
    assert issuer_metadata_url(issuer) == url


@pytest.mark.parametrize(
    "issuer",
    [
        "http://example.com",
        "HTTPS://example.com",
        "https://example.com/?",
        "https://example.com/?tenant=1",
        "https://example.com/#frag",
        "https://user@example.com",
        "https:///path",
        "https://example.com:99999",
        "https://example.com/a b",
        "did:web:example.com",
    ],
)
def test_rejects_issuer_that_is_not_an_https_url_of_host_and_path(issuer: str) -> None:
    assert error_code(lambda: issuer_metadata_url(issuer)) == "issuer_metadata_invalid"


# --- parsing ------------------------------------------------------------------------------------


def test_parses_the_spec_example_metadata() -> None:
    parsed = parse_issuer_metadata(encode(SPEC_METADATA), issuer=ISSUER)
    assert parsed.jwks_uri is None
    assert parsed.keys is not None
    assert [k.kid for k in parsed.keys] == ["doc-signer-05-25-2022", "doc-signer-06-05-2025"]


def test_rejects_metadata_whose_issuer_is_not_identical_to_iss() -> None:
    data = encode({**SPEC_METADATA, "issuer": "https://example.com/"})
    assert error_code(lambda: parse_issuer_metadata(data, issuer=ISSUER)) == (
        "issuer_metadata_invalid"
    )


def test_rejects_metadata_with_both_jwks_and_jwks_uri() -> None:
    data = metadata(jwks=jwks(SIGNER), jwks_uri="https://example.com/jwks.json")
    assert error_code(lambda: parse_issuer_metadata(data, issuer=ISSUER)) == (
        "issuer_metadata_invalid"
    )


def test_rejects_metadata_with_neither_jwks_nor_jwks_uri() -> None:
    assert error_code(lambda: parse_issuer_metadata(metadata(), issuer=ISSUER)) == (
        "issuer_metadata_invalid"
    )


@pytest.mark.parametrize("uri", ["http://example.com/jwks", "https://example.com/j#k", 42])
def test_rejects_jwks_uri_that_is_not_an_https_url(uri: object) -> None:
    data = metadata(jwks_uri=uri)
    assert error_code(lambda: parse_issuer_metadata(data, issuer=ISSUER)) == (
        "issuer_metadata_invalid"
    )


def test_rejects_jwks_that_is_not_an_object() -> None:
    data = metadata(jwks=[SIGNER])
    assert error_code(lambda: parse_issuer_metadata(data, issuer=ISSUER)) == (
        "issuer_metadata_invalid"
    )


def test_rejects_metadata_with_duplicate_json_member() -> None:
    data = b'{"issuer": "https://example.com", "issuer": "https://example.com", "jwks": {}}'
    assert error_code(lambda: parse_issuer_metadata(data, issuer=ISSUER)) == (
        "duplicate_json_member"
    )


def test_rejects_jwk_set_without_keys_list() -> None:
    assert error_code(lambda: parse_jwk_set({"keys": {}})) == "issuer_metadata_invalid"


def test_rejects_jwk_set_entry_that_is_not_an_object() -> None:
    assert error_code(lambda: parse_jwk_set({"keys": ["key"]})) == "issuer_metadata_invalid"


def test_rejects_jwk_set_with_private_key_material() -> None:
    assert error_code(lambda: parse_jwk_set(jwks(ED25519.private_jwk))) == (
        "issuer_metadata_invalid"
    )


def test_rejects_malformed_key_of_a_supported_type() -> None:
    assert error_code(lambda: parse_jwk_set(jwks({**SIGNER, "y": "AAAA"}))) == (
        "issuer_metadata_invalid"
    )


def test_rejects_key_whose_alg_does_not_fit_its_type() -> None:
    assert error_code(lambda: parse_jwk_set(jwks({**SIGNER, "alg": "ES384"}))) == (
        "issuer_metadata_invalid"
    )


def test_rejects_jwk_set_with_two_keys_of_the_same_kid() -> None:
    twin = {**ED25519.public.jwk, "kid": SIGNER["kid"]}
    assert error_code(lambda: parse_jwk_set(jwks(SIGNER, twin))) == "issuer_metadata_invalid"


def test_rejects_jwk_set_with_too_many_keys() -> None:
    assert error_code(lambda: parse_jwk_set(jwks(*[SIGNER] * 33))) == "issuer_metadata_invalid"


def test_skips_keys_of_unsupported_types_and_encryption_keys() -> None:
    rsa = {"kty": "RSA", "kid": "rsa", "n": "AQAB", "e": "AQAB"}
    p384 = {"kty": "EC", "crv": "P-384", "kid": "p384", "x": "AA", "y": "AA"}
    enc = {**ED25519.public.jwk, "kid": "enc", "use": "enc"}
    keys = parse_jwk_set(jwks(rsa, p384, enc, SIGNER))
    assert [k.kid for k in keys] == ["doc-signer-05-25-2022"]


# --- resolution ---------------------------------------------------------------------------------


def test_resolver_fetches_metadata_and_picks_the_key_by_kid() -> None:
    resolve = metadata_resolver(
        site({"https://example.com/.well-known/jwt-vc-issuer": encode(SPEC_METADATA)})
    )
    key = resolve(issuer=ISSUER, kid="doc-signer-06-05-2025")
    assert key.alg == "ES256"
    assert key.kid == "doc-signer-06-05-2025"


def test_resolver_follows_jwks_uri() -> None:
    pages = {
        "https://example.com/.well-known/jwt-vc-issuer/tenant": encode(
            {"issuer": "https://example.com/tenant", "jwks_uri": "https://keys.example/t.jwks"}
        ),
        "https://keys.example/t.jwks": encode(jwks(SIGNER)),
    }
    key = metadata_resolver(site(pages))(issuer="https://example.com/tenant", kid=None)
    assert key.kid == SIGNER["kid"]


def test_rejects_token_kid_naming_no_key_of_the_issuer() -> None:
    resolve = metadata_resolver(
        site({"https://example.com/.well-known/jwt-vc-issuer": encode(SPEC_METADATA)})
    )
    assert error_code(lambda: resolve(issuer=ISSUER, kid="unknown")) == "issuer_key_unresolved"


def test_rejects_token_without_kid_when_the_issuer_has_several_keys() -> None:
    resolve = metadata_resolver(
        site({"https://example.com/.well-known/jwt-vc-issuer": encode(SPEC_METADATA)})
    )
    assert error_code(lambda: resolve(issuer=ISSUER, kid=None)) == "issuer_key_unresolved"


def test_rejects_oversized_metadata() -> None:
    resolve = metadata_resolver(
        site({"https://example.com/.well-known/jwt-vc-issuer": b" " * (64 * 1024 + 1)})
    )
    assert error_code(lambda: resolve(issuer=ISSUER, kid=None)) == "input_too_large"


def test_reports_fetch_failure_of_metadata() -> None:
    resolve = metadata_resolver(site({}))
    assert error_code(lambda: resolve(issuer=ISSUER, kid=None)) == "fetch_failed"


# --- publishing ---------------------------------------------------------------------------------


def test_built_metadata_parses_back_to_its_keys() -> None:
    built = build_issuer_metadata(ISSUER, [ED25519.public])
    parsed = parse_issuer_metadata(encode(built), issuer=ISSUER)
    assert parsed.keys is not None
    assert [(k.kid, k.alg) for k in parsed.keys] == [(ED25519.kid, "EdDSA")]


def test_building_metadata_refuses_an_issuer_that_is_not_https() -> None:
    call = lambda: build_issuer_metadata("http://example.com", [ED25519.public])  # noqa: E731
    assert error_code(call) == "issuer_metadata_invalid"


def test_building_metadata_without_keys_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        build_issuer_metadata(ISSUER, [])
