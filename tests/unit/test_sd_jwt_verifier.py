"""RFC 9901 §7.1/§7.3 verification: one test per MUST-reject rule, each asserting the error code.

SD-JWTs are forged here with :func:`credentials.jws.sign_compact` and hand-made Disclosures so
that every rule can be broken on its own. Keys: the RFC 8037 Ed25519 example key (issuer) and
the RFC 9901 Appendix A.5 P-256 key (holder).
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from credentials.encoding import b64url_encode, json_dumps
from credentials.errors import CredentialError
from credentials.jws import sign_compact
from credentials.kb_jwt import KeyBindingPolicy, create_kb_jwt
from credentials.keys import PrivateKey, generate_key, private_key_from_jwk
from credentials.resolvers import pinned_key
from credentials.sd_jwt import (
    Disclosure,
    SDAlg,
    join_sd_jwt,
    make_disclosure,
    parse_disclosure,
)
from credentials.sd_jwt_issuer import SECURITY_CRITICAL_CLAIMS
from credentials.sd_jwt_verifier import VerifiedSDJWT, verify_sd_jwt, verify_sd_jwt_issuance

ISSUER_KEY = private_key_from_jwk(
    {
        "kty": "OKP",
        "crv": "Ed25519",
        "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    }
)
HOLDER_KEY = private_key_from_jwk(
    {
        "kty": "EC",
        "crv": "P-256",
        "d": "5K5SCos8zf9zRemGGUl6yfok-_NiiryNZsvANWMhF-I",
        "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc",
        "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ",
    }
)
ISS = "https://issuer.example"
AUD = "https://verifier.example"
NONCE = "n-0S6_WzA2Mj"
TYP = "example+sd-jwt"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
TOLERANCE = timedelta(seconds=60)
CNF = {"jwk": {k: v for k, v in HOLDER_KEY.public.jwk.items() if k in ("kty", "crv", "x", "y")}}

_counter = iter(range(10**9))


def salt() -> str:
    return f"salt-{next(_counter):018d}"


def prop(name: str, value: Any) -> Disclosure:
    # Built by hand rather than with make_disclosure, which refuses reserved names.
    return parse_disclosure(b64url_encode(json_dumps([salt(), name, value]).encode()))


def elem(value: Any) -> Disclosure:
    return make_disclosure(salt(), None, value)


def raw(array: Any) -> str:
    """A Disclosure string from any JSON text or value, well-formed or not."""
    text = array if isinstance(array, str) else json.dumps(array)
    return b64url_encode(text.encode("utf-8"))


def dig(disclosure: Disclosure | str, sd_alg: SDAlg = "sha-256") -> str:
    from credentials.sd_jwt import digest

    return digest(disclosure if isinstance(disclosure, str) else disclosure.encoded, sd_alg)


def payload(**claims: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "iss": ISS,
        "iat": int((NOW - timedelta(hours=1)).timestamp()),
        "exp": int((NOW + timedelta(hours=1)).timestamp()),
        "_sd_alg": "sha-256",
        "cnf": CNF,
    }
    base.update(claims)
    return {k: v for k, v in base.items() if v is not None}


def jwt(body: dict[str, Any], *, key: PrivateKey = ISSUER_KEY, **header: Any) -> str:
    return sign_compact({"typ": TYP, **header}, json_dumps(body).encode(), key)


def sd_jwt(body: dict[str, Any], *disclosures: Disclosure | str, **header: Any) -> str:
    encoded = [d if isinstance(d, str) else d.encoded for d in disclosures]
    return join_sd_jwt(jwt(body, **header), encoded)


def with_kb(text: str, *, key: PrivateKey = HOLDER_KEY, **overrides: Any) -> str:
    options: dict[str, Any] = {
        "holder_key": key,
        "audience": AUD,
        "nonce": NONCE,
        "issued_at": NOW,
        "sd_alg": "sha-256",
    } | overrides
    return text + create_kb_jwt(text, **options)


def policy(*, required: bool = False) -> KeyBindingPolicy:
    return KeyBindingPolicy(required=required, audience=AUD, nonce=NONCE)


def verify(text: str, **overrides: Any) -> VerifiedSDJWT:
    options: dict[str, Any] = {
        "resolve_issuer_key": pinned_key(ISSUER_KEY.public, issuer=ISS),
        "algorithms": ["EdDSA", "ES256"],
        "accepted_typ": [TYP],
        "now": NOW,
        "clock_tolerance": TOLERANCE,
        "key_binding": policy(),
        "plain_claims": SECURITY_CRITICAL_CLAIMS,
    } | overrides
    return verify_sd_jwt(text, **options)


def rejects(code: str, call: Callable[[], object]) -> CredentialError:
    with pytest.raises(CredentialError) as raised:
        call()
    assert raised.value.code == code
    return raised.value


# --- A well-formed baseline ---------------------------------------------------------------


def test_verifies_disclosed_claims_and_drops_undisclosed_ones() -> None:
    name, email, de = prop("given_name", "Erika"), prop("email", "e@example.org"), elem("DE")
    body = payload(_sd=sorted([dig(name), dig(email)]), nationalities=[{"...": dig(de)}, "FR"])
    verified = verify(sd_jwt(body, name, de))
    assert verified.claims == {
        "iss": ISS,
        "iat": body["iat"],
        "exp": body["exp"],
        "cnf": CNF,
        "given_name": "Erika",
        "nationalities": ["DE", "FR"],
    }
    assert verified.disclosed_paths == ("given_name", "nationalities[0]")
    assert verified.issuer == ISS and verified.typ == TYP and verified.sd_alg == "sha-256"
    assert not verified.key_binding_verified


def test_verifies_recursive_disclosures_at_their_place() -> None:
    country = prop("country", "DE")
    address = prop("address", {"_sd": [dig(country)], "locality": "Berlin"})
    verified = verify(sd_jwt(payload(_sd=[dig(address)]), country, address))
    assert verified.claims["address"] == {"locality": "Berlin", "country": "DE"}
    assert set(verified.disclosed_paths) == {"address", "address.country"}


@pytest.mark.parametrize("sd_alg", ["sha-384", "sha-512"])
def test_verifies_sd_alg_sha_384_and_sha_512(sd_alg: SDAlg) -> None:
    name = prop("given_name", "Erika")
    text = sd_jwt(payload(_sd=[dig(name, sd_alg)], _sd_alg=sd_alg), name)
    text = with_kb(text, sd_alg=sd_alg)
    verified = verify(text, key_binding=policy(required=True))
    assert verified.claims["given_name"] == "Erika" and verified.key_binding_verified


def test_defaults_to_sha_256_without_sd_alg() -> None:
    name = prop("given_name", "Erika")
    verified = verify(sd_jwt(payload(_sd=[dig(name)], _sd_alg=None), name))
    assert verified.sd_alg == "sha-256" and "_sd_alg" not in verified.claims


def test_rows_list_every_leaf_with_its_path_for_display() -> None:
    verified = verify(sd_jwt(payload(cnf=None, degree={"title": "MSc", "ects": [60, 30]})))
    assert ("degree.title", "MSc") in verified.rows()
    assert ("degree.ects[1]", 30) in verified.rows()
    assert json.loads(verified.claims_json()) == verified.claims


# --- Size caps and serialization ------------------------------------------------------------


def test_rejects_presentation_larger_than_256_kib() -> None:
    rejects("input_too_large", lambda: verify("a" * (256 * 1024 + 1)))


def test_rejects_more_than_1000_disclosures() -> None:
    name = prop("given_name", "Erika")
    text = join_sd_jwt(jwt(payload()), [name.encoded] * 1001)
    rejects("too_many_disclosures", lambda: verify(text))


def test_rejects_claims_nested_deeper_than_32_levels_through_recursive_disclosures() -> None:
    chain = [prop("level", "bottom")]
    for _ in range(40):
        chain.append(prop("level", {"_sd": [dig(chain[-1])]}))
    rejects("nesting_too_deep", lambda: verify(sd_jwt(payload(_sd=[dig(chain[-1])]), *chain)))


def test_rejects_presentation_without_key_binding_that_does_not_end_with_tilde() -> None:
    name = prop("given_name", "Erika")
    text = sd_jwt(payload(_sd=[dig(name)]), name)
    rejects("sd_jwt_malformed", lambda: verify(text[:-1]))


def test_rejects_plain_jwt_without_any_tilde() -> None:
    rejects("sd_jwt_malformed", lambda: verify(jwt(payload())))


def test_rejects_empty_disclosure_between_separators() -> None:
    rejects("disclosure_malformed", lambda: verify(jwt(payload()) + "~~"))


def test_rejects_whitespace_inside_the_serialization() -> None:
    rejects("sd_jwt_malformed", lambda: verify(jwt(payload()) + "~ "))


# --- Malformed Disclosures --------------------------------------------------------------------


@pytest.mark.parametrize(
    "disclosure",
    [
        raw({"salt": "s", "name": "n", "value": 1}),
        raw(["only-salt"]),
        raw(["salt", "name", "value", "extra"]),
        raw([1234, "name", "value"]),
        raw(["salt", 42, "value"]),
        raw(["salt", None, "value"]),
        raw("not json"),
        raw('["salt", {"a": 1, "a": 2}]'),
        raw('["salt", NaN]'),
        raw(["salt", "name", "value"]) + "=",
        "WyJzYWx0IiwgIm4iLCAxXQ+",
    ],
    ids=[
        "object",
        "one-element",
        "four-elements",
        "number-salt",
        "number-name",
        "null-name",
        "not-json",
        "duplicate-member",
        "nan",
        "padded",
        "bad-alphabet",
    ],
)
def test_rejects_malformed_disclosure(disclosure: str) -> None:
    text = jwt(payload(_sd=[dig(disclosure)])) + f"~{disclosure}~"
    rejects("disclosure_malformed", lambda: verify(text))


def test_rejects_serialization_that_is_not_ascii() -> None:
    rejects("sd_jwt_malformed", lambda: verify(jwt(payload()) + "~\u00e9~"))


def test_rejects_disclosure_with_non_canonical_base64url() -> None:
    encoded = raw(["salt-aaaaaaaaaaaaaaaa", "n", 1])
    last = encoded[-1]
    tweaked = encoded[:-1] + ("B" if last == "A" else chr(ord(last) + 1))
    rejects(
        "disclosure_malformed", lambda: verify(jwt(payload(_sd=[dig(tweaked)])) + f"~{tweaked}~")
    )


# --- Header, signature and issuer -------------------------------------------------------------


def test_rejects_issuer_jwt_with_unexpected_typ() -> None:
    rejects("typ_mismatch", lambda: verify(sd_jwt(payload(), typ="JWT")))


def test_rejects_issuer_jwt_without_typ() -> None:
    text = sign_compact({}, json_dumps(payload()).encode(), ISSUER_KEY) + "~"
    rejects("typ_mismatch", lambda: verify(text))


def test_rejects_issuer_jwt_with_tampered_payload() -> None:
    header, _, signature = jwt(payload()).split(".")
    forged = b64url_encode(json_dumps(payload(iss=ISS, exp=2**31)).encode())
    rejects("signature_invalid", lambda: verify(f"{header}.{forged}.{signature}~"))


def test_rejects_algorithm_not_on_the_allow_list() -> None:
    rejects("unsupported_algorithm", lambda: verify(sd_jwt(payload()), algorithms=["ES256"]))


def test_rejects_alg_none() -> None:
    header = b64url_encode(b'{"alg":"none","typ":"example+sd-jwt"}')
    body = b64url_encode(json_dumps(payload()).encode())
    rejects("unsupported_algorithm", lambda: verify(f"{header}.{body}.~"))


def test_never_takes_the_issuer_key_from_a_jwk_header() -> None:
    attacker = generate_key("EdDSA")
    text = sd_jwt(payload(), key=attacker, jwk=attacker.public.jwk)
    rejects("signature_invalid", lambda: verify(text))


def test_rejects_unknown_issuer() -> None:
    rejects("issuer_key_unresolved", lambda: verify(sd_jwt(payload(iss="https://evil.example"))))


def test_rejects_issuer_jwt_without_iss() -> None:
    rejects("claim_missing", lambda: verify(sd_jwt(payload(iss=None))))


def test_rejects_iss_that_only_arrives_through_a_disclosure() -> None:
    iss = prop("iss", ISS)
    rejects("claim_missing", lambda: verify(sd_jwt(payload(iss=None, _sd=[dig(iss)]), iss)))


def test_rejects_critical_header_extension() -> None:
    rejects("crit_unsupported", lambda: verify(sd_jwt(payload(), crit=["b64"])))


@pytest.mark.parametrize("sd_alg", ["md5", "sha-256-32", "SHA-256", "sha3-256", 256])
def test_rejects_unsupported_sd_alg(sd_alg: object) -> None:
    rejects("sd_alg_unsupported", lambda: verify(sd_jwt(payload(_sd_alg=sd_alg))))


# --- Digests and Disclosures (§7.1 step 3-5) -----------------------------------------------------


def test_rejects_disclosure_not_referenced_by_digest() -> None:
    name, stray = prop("given_name", "Erika"), prop("family_name", "Mustermann")
    rejects(
        "disclosure_unreferenced", lambda: verify(sd_jwt(payload(_sd=[dig(name)]), name, stray))
    )


def test_rejects_nested_disclosure_presented_without_its_parent() -> None:
    country = prop("country", "DE")
    address = prop("address", {"_sd": [dig(country)]})
    rejects("disclosure_unreferenced", lambda: verify(sd_jwt(payload(_sd=[dig(address)]), country)))


def test_rejects_the_same_disclosure_presented_twice() -> None:
    name = prop("given_name", "Erika")
    rejects("disclosure_duplicate", lambda: verify(sd_jwt(payload(_sd=[dig(name)]), name, name)))


def test_rejects_digest_repeated_in_one_sd_array() -> None:
    name = prop("given_name", "Erika")
    rejects("digest_duplicate", lambda: verify(sd_jwt(payload(_sd=[dig(name), dig(name)]), name)))


def test_rejects_digest_repeated_in_two_objects_even_without_its_disclosure() -> None:
    name = prop("given_name", "Erika")
    body = payload(_sd=[dig(name)], address={"_sd": [dig(name)]})
    rejects("digest_duplicate", lambda: verify(sd_jwt(body)))


def test_rejects_digest_repeated_in_an_array_and_an_object() -> None:
    de = elem("DE")
    body = payload(_sd=[dig(de)], nationalities=[{"...": dig(de)}])
    rejects("digest_duplicate", lambda: verify(sd_jwt(body)))


def test_rejects_digest_repeated_inside_a_disclosed_value() -> None:
    decoy = dig("a decoy that is never disclosed")
    inner = prop("address", {"_sd": [decoy]})
    rejects("digest_duplicate", lambda: verify(sd_jwt(payload(_sd=[dig(inner), decoy]), inner)))


@pytest.mark.parametrize(
    "sd",
    [
        "not-an-array",
        [42],
        ["too-short"],
        [dig("x") + "AA"],
        {"d": dig("x")},
        [dig("x", "sha-512")],
    ],
    ids=["string", "number", "short", "long", "object", "wrong-size"],
)
def test_rejects_sd_that_is_not_an_array_of_digests(sd: object) -> None:
    rejects("sd_claim_malformed", lambda: verify(sd_jwt(payload(_sd=sd))))


@pytest.mark.parametrize(
    "element",
    [{"...": dig("x"), "extra": 1}, {"...": 42}, {"...": "not-a-digest"}],
    ids=["extra-member", "number", "not-a-digest"],
)
def test_rejects_malformed_array_digest_element(element: dict[str, Any]) -> None:
    rejects("sd_claim_malformed", lambda: verify(sd_jwt(payload(list=[element]))))


@pytest.mark.parametrize("name", ["_sd", "..."])
def test_rejects_disclosure_naming_a_reserved_claim(name: str) -> None:
    bad = prop(name, [dig("x")]) if name == "_sd" else prop(name, dig("x"))
    rejects("disclosure_name_invalid", lambda: verify(sd_jwt(payload(_sd=[dig(bad)]), bad)))


def test_rejects_disclosed_name_that_exists_as_a_plain_claim() -> None:
    name = prop("given_name", "Mallory")
    body = payload(_sd=[dig(name)], given_name="Erika")
    rejects("disclosure_name_conflict", lambda: verify(sd_jwt(body, name)))


def test_rejects_two_disclosures_with_the_same_name_in_one_object() -> None:
    first, second = prop("given_name", "Erika"), prop("given_name", "Mallory")
    body = payload(_sd=sorted([dig(first), dig(second)]))
    rejects("disclosure_name_conflict", lambda: verify(sd_jwt(body, first, second)))


def test_rejects_array_element_disclosure_referenced_from_an_object() -> None:
    de = elem("DE")
    rejects("disclosure_kind_mismatch", lambda: verify(sd_jwt(payload(_sd=[dig(de)]), de)))


def test_rejects_object_property_disclosure_referenced_from_an_array() -> None:
    name = prop("given_name", "Erika")
    body = payload(names=[{"...": dig(name)}])
    rejects("disclosure_kind_mismatch", lambda: verify(sd_jwt(body, name)))


def test_rejects_ellipsis_member_outside_an_array_element() -> None:
    rejects("sd_claim_left", lambda: verify(sd_jwt(payload(address={"...": dig("x")}))))


def test_rejects_ellipsis_member_arriving_in_a_disclosed_object() -> None:
    address = prop("address", {"...": dig("x")})
    rejects("sd_claim_left", lambda: verify(sd_jwt(payload(_sd=[dig(address)]), address)))


def test_rejects_sd_alg_in_a_nested_object() -> None:
    rejects("sd_claim_left", lambda: verify(sd_jwt(payload(address={"_sd_alg": "sha-256"}))))


def test_rejects_sd_alg_disclosed_in_a_nested_object() -> None:
    alg = prop("_sd_alg", "sha-256")
    body = payload(address={"_sd": [dig(alg)]})
    rejects("sd_claim_left", lambda: verify(sd_jwt(body, alg)))


@pytest.mark.parametrize("name", ["exp", "nbf", "cnf", "aud", "_sd_alg"])
def test_rejects_plain_claim_arriving_through_a_disclosure(name: str) -> None:
    claim = prop(name, "sha-256" if name == "_sd_alg" else 2000000000)
    body = payload(**{name: None}, _sd=[dig(claim)])
    rejects("plain_claim_disclosed", lambda: verify(sd_jwt(body, claim)))


def test_rejects_digests_beneath_a_plain_claim() -> None:
    decoy = dig("undisclosed sub-claim")
    body = payload(cnf={"jwk": CNF["jwk"], "_sd": [decoy]})
    rejects("plain_claim_disclosed", lambda: verify(sd_jwt(body)))


def test_rejects_array_digests_beneath_a_plain_claim() -> None:
    body = payload(aud=["https://a.example", {"...": dig("x")}])
    rejects("plain_claim_disclosed", lambda: verify(sd_jwt(body)))


# --- Time claims --------------------------------------------------------------------------------


def test_rejects_expired_credential() -> None:
    body = payload(exp=int((NOW - TOLERANCE - timedelta(seconds=1)).timestamp()))
    rejects("credential_expired", lambda: verify(sd_jwt(body)))


def test_rejects_credential_not_yet_valid() -> None:
    body = payload(nbf=int((NOW + TOLERANCE + timedelta(seconds=2)).timestamp()))
    rejects("credential_not_yet_valid", lambda: verify(sd_jwt(body)))


def test_rejects_credential_issued_in_the_future() -> None:
    body = payload(iat=int((NOW + TOLERANCE + timedelta(seconds=2)).timestamp()))
    rejects("iat_in_future", lambda: verify(sd_jwt(body)))


def test_accepts_time_claims_within_the_clock_tolerance() -> None:
    body = payload(
        exp=int((NOW - TOLERANCE + timedelta(seconds=1)).timestamp()),
        nbf=int((NOW + TOLERANCE - timedelta(seconds=1)).timestamp()),
    )
    assert verify(sd_jwt(body)).claims["exp"] == body["exp"]


def test_rejects_expiry_that_arrives_through_a_disclosure_when_profile_allows_it() -> None:
    exp = prop("exp", int((NOW - timedelta(days=1)).timestamp()))
    text = sd_jwt(payload(exp=None, _sd=[dig(exp)]), exp)
    rejects("credential_expired", lambda: verify(text, plain_claims=["iss", "cnf"]))


def test_rejects_naive_now_as_misuse() -> None:
    with pytest.raises(TypeError):
        verify(sd_jwt(payload()), now=NOW.replace(tzinfo=None))


@pytest.mark.parametrize("option", ["algorithms", "accepted_typ", "plain_claims"])
def test_rejects_a_bare_string_as_a_collection_option(option: str) -> None:
    with pytest.raises(TypeError):
        verify(sd_jwt(payload()), **{option: "ES256"})


# --- Key Binding policy (§7.3 steps 1-2, 5) -----------------------------------------------------


def test_rejects_missing_key_binding_when_required() -> None:
    text = sd_jwt(payload())
    rejects("key_binding_required", lambda: verify(text, key_binding=policy(required=True)))


def test_verifies_key_binding_when_required() -> None:
    verified = verify(with_kb(sd_jwt(payload())), key_binding=policy(required=True))
    assert verified.key_binding_verified and verified.holder_jwk == CNF["jwk"]


def test_always_verifies_a_present_kb_jwt_even_when_not_required() -> None:
    text = with_kb(sd_jwt(payload()), nonce="another-nonce")
    rejects("kb_nonce_mismatch", lambda: verify(text, key_binding=policy(required=False)))


def test_accepts_a_valid_kb_jwt_when_not_required_and_reports_it() -> None:
    assert verify(with_kb(sd_jwt(payload()))).key_binding_verified


def test_rejects_kb_jwt_the_policy_cannot_check() -> None:
    unchecked = KeyBindingPolicy(required=False, audience=None, nonce=None)
    rejects("kb_invalid", lambda: verify(with_kb(sd_jwt(payload())), key_binding=unchecked))


def test_rejects_kb_jwt_when_the_credential_has_no_cnf() -> None:
    text = with_kb(sd_jwt(payload(cnf=None)))
    rejects("holder_key_missing", lambda: verify(text))


def test_rejects_kb_jwt_when_cnf_was_not_disclosed() -> None:
    cnf = prop("cnf", CNF)
    text = with_kb(sd_jwt(payload(cnf=None, _sd=[dig(cnf)])))
    rejects("holder_key_missing", lambda: verify(text, plain_claims=["iss"]))


def test_rejects_kb_jwt_signed_by_another_key_than_cnf() -> None:
    text = with_kb(sd_jwt(payload()), key=generate_key("ES256"))
    rejects("kb_invalid", lambda: verify(text))


def test_rejects_cnf_jwk_that_carries_a_private_key() -> None:
    text = with_kb(sd_jwt(payload(cnf={"jwk": HOLDER_KEY.private_jwk})))
    rejects("invalid_key", lambda: verify(text))


def test_rejects_kb_jwt_after_disclosures_were_removed() -> None:
    name = prop("given_name", "Erika")
    full = sd_jwt(payload(_sd=[dig(name)]), name)
    kb = with_kb(full)[len(full) :]
    stripped = sd_jwt(payload(_sd=[dig(name)]))
    rejects("kb_sd_hash_mismatch", lambda: verify(stripped + kb))


def test_holder_rejects_an_issued_sd_jwt_that_carries_a_kb_jwt() -> None:
    text = with_kb(sd_jwt(payload()))
    rejects(
        "kb_unexpected",
        lambda: verify_sd_jwt_issuance(
            text,
            resolve_issuer_key=pinned_key(ISSUER_KEY.public, issuer=ISS),
            algorithms=["EdDSA"],
            accepted_typ=[TYP],
            now=NOW,
            clock_tolerance=TOLERANCE,
            plain_claims=SECURITY_CRITICAL_CLAIMS,
        ),
    )


def test_policy_requiring_key_binding_without_audience_is_misuse() -> None:
    with pytest.raises(TypeError):
        KeyBindingPolicy(required=True, audience=None, nonce=NONCE)
