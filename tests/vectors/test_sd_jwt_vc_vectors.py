"""draft-ietf-oauth-sd-jwt-vc official examples, ``tests/vectors/data/ietf/sd-jwt-vc``.

``examples/`` holds only the generator inputs (``specification.yml``, ``settings.yml``); the
outputs are the code blocks of the editors' copy in ``from-draft/``:

- ``block00`` the issuance of example 01, ``block01`` its presentation with a KB-JWT
  (Figure 8), ``block02`` the presentation without KB-JWT of example 02 (Figure 10);
- ``block03`` the issuance of example 03-pid, ``block04`` its presentation with a KB-JWT.

Checked: issuing each ``specification.yml`` through :func:`issue_sd_jwt_vc` with the blocks'
salts injected reproduces the issuer-signed JWT's header and payload and every Disclosure byte
for byte; every block verifies as an SD-JWT VC at :data:`NOW` with the issuer key, nonce and
audience of ``settings.yml``, to the processed payloads of Figures 9 and 11 of the editors' copy
(for 03-pid, to the claims its ``holder_disclosed_claims`` select); the KB-JWTs are reproduced
byte for byte; and our holder selects the presented Disclosures by claim path. Nothing skipped.
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from credentials.encoding import b64url_decode
from credentials.kb_jwt import KeyBindingPolicy, create_kb_jwt
from credentials.keys import private_key_from_jwk, public_key_from_jwk
from credentials.resolvers import pinned_key
from credentials.sd_jwt import parse_disclosure, split_sd_jwt
from credentials.sd_jwt_disclosable import SD
from credentials.sd_jwt_holder import open_sd_jwt, select_disclosures
from credentials.sd_jwt_issuer import IssuedSDJWT
from credentials.sd_jwt_vc import VerifiedCredential, issue_sd_jwt_vc, verify_sd_jwt_vc
from tests.vectors.test_sd_jwt_vectors import fixed, load_specification, read_compact

DATA = Path(__file__).parent / "data" / "ietf" / "sd-jwt-vc"
SETTINGS = yaml.safe_load((DATA / "examples" / "settings.yml").read_text())
ISSUER_KEY = private_key_from_jwk(SETTINGS["key_settings"]["issuer_key"])
HOLDER_KEY = private_key_from_jwk(SETTINGS["key_settings"]["holder_key"])
NONCE = SETTINGS["key_binding_nonce"]
AUDIENCE = SETTINGS["identifiers"]["verifier"]
NOW = datetime.fromtimestamp(1787325881 + 30, UTC)
"""30 s after the KB-JWTs' iat; between the credentials' iat and exp."""

CNF = {"jwk": {k: v for k, v in HOLDER_KEY.public.jwk.items() if k in ("kty", "crv", "x", "y")}}
ADDRESS = {
    "street_address": "123 Main St",
    "locality": "Anytown",
    "region": "Anystate",
    "country": "US",
}
FIGURE_11 = {
    # Processed SD-JWT Payload of the presentation without KB-JWT (editors' copy, Figure 11).
    "iss": "https://example.com/issuer",
    "iat": 1683000000,
    "exp": 1883000000,
    "vct": "https://credentials.example.com/identity_credential",
    "is_over_65": True,
    "address": ADDRESS,
}
FIGURE_9 = {**FIGURE_11, "cnf": CNF}
PID_PRESENTED = {
    # 03-pid: the plain claims plus what holder_disclosed_claims selects.
    "iss": "https://pid-issuer.aendgard.example",
    "iat": 1683000000,
    "exp": 1883000000,
    "vct": "urn:example:eudi:pid:aendgard:1",
    "cnf": CNF,
    "nationalities": ["Ændgard"],
    "age_equal_or_over": {"18": True},
}

DISCLOSABLE = {
    "01": [
        "given_name",
        "family_name",
        "email",
        "phone_number",
        "address",
        "birthdate",
        "is_over_18",
        "is_over_21",
        "is_over_65",
    ],
    "03-pid": [
        "given_name",
        "family_name",
        "birthdate",
        "address",
        "address.street_address",
        "address.locality",
        "address.postal_code",
        "address.country",
        "nationalities",
        "sex",
        "birth_family_name",
        "place_of_birth",
        "place_of_birth.locality",
        "place_of_birth.country",
        "age_equal_or_over",
        "age_equal_or_over.12",
        "age_equal_or_over.14",
        "age_equal_or_over.16",
        "age_equal_or_over.18",
        "age_equal_or_over.21",
        "age_equal_or_over.65",
        "age_in_years",
        "age_birth_year",
        "portrait",
        "issuance_date",
        "expiry_date",
        "issuing_authority",
        "issuing_country",
    ],
}
"""Every claim the examples mark ``!sd``, as display paths."""

ISSUANCES = {"01": "block00.sdjwt.txt", "02": "block00.sdjwt.txt", "03-pid": "block03.sdjwt.txt"}
"""Example → block holding its salts (02 is 01 without Key Binding: same claims, same salts)."""

PRESENTATIONS = {
    "block01.sdjwt_kb.txt": ("01", FIGURE_9, ["address", "is_over_65"]),
    "block02.sdjwt.txt": ("02", FIGURE_11, ["address", "is_over_65"]),
    "block04.sdjwt_kb.txt": ("03-pid", PID_PRESENTED, ["nationalities[0]", "age_equal_or_over.18"]),
}


def _block(name: str) -> str:
    return read_compact(DATA / "from-draft" / name)


def _reissue(example: str) -> IssuedSDJWT:
    spec = load_specification(DATA / "examples" / example / "specification.yml")
    claims = dict(spec["user_claims"])
    vct = claims.pop("vct")
    issuer = claims.pop("iss", SETTINGS["identifiers"]["issuer"])
    header = {k: v for k, v in spec.get("extra_header_parameters", {}).items() if k != "typ"}
    salts = fixed(
        [parse_disclosure(d).salt for d in split_sd_jwt(_block(ISSUANCES[example])).disclosures]
    )
    return issue_sd_jwt_vc(
        claims,
        issuer=issuer,
        vct=vct,
        issued_at=datetime.fromtimestamp(SETTINGS["iat"], UTC),
        expires_at=datetime.fromtimestamp(SETTINGS["exp"], UTC),
        issuer_key=ISSUER_KEY,
        salt=lambda: next(salts),
        holder_key=HOLDER_KEY.public if spec.get("key_binding") else None,
        header=header,
        serialize=json.dumps,
    )


def _verify(text: str, *, required: bool) -> VerifiedCredential:
    return verify_sd_jwt_vc(
        text,
        resolve_issuer_key=pinned_key(ISSUER_KEY.public),
        algorithms=["ES256"],
        accepted_typ=["dc+sd-jwt"],
        now=NOW,
        clock_tolerance=timedelta(seconds=60),
        key_binding=KeyBindingPolicy(required=required, audience=AUDIENCE, nonce=NONCE),
    )


def test_the_issuer_key_file_is_the_settings_issuer_key() -> None:
    published = json.loads((DATA / "issuer_pub.jwk.json").read_text())
    assert public_key_from_jwk(published).thumbprint == ISSUER_KEY.public.thumbprint


@pytest.mark.parametrize(
    ("example", "block"), [("01", "block00.sdjwt.txt"), ("03-pid", "block03.sdjwt.txt")]
)
def test_issuance_is_reproduced_byte_for_byte_from_the_specification(
    example: str, block: str
) -> None:
    issued = _reissue(example)
    expected = split_sd_jwt(_block(block))
    assert issued.issuer_jwt.rsplit(".", 1)[0] == expected.issuer_jwt.rsplit(".", 1)[0]
    assert [d.encoded for d in issued.disclosures] == list(expected.disclosures)
    assert issued.header["typ"] == "dc+sd-jwt"


def test_example_02_issuer_jwt_is_reproduced_byte_for_byte() -> None:
    issued = _reissue("02")
    presented = split_sd_jwt(_block("block02.sdjwt.txt"))
    assert issued.issuer_jwt.rsplit(".", 1)[0] == presented.issuer_jwt.rsplit(".", 1)[0]
    assert set(presented.disclosures) <= {d.encoded for d in issued.disclosures}


@pytest.mark.parametrize(
    ("block", "example"), [("block00.sdjwt.txt", "01"), ("block03.sdjwt.txt", "03-pid")]
)
def test_issuance_block_verifies_to_every_claim(block: str, example: str) -> None:
    spec = load_specification(DATA / "examples" / example / "specification.yml")
    claims = _strip_markers(spec["user_claims"])
    expected = {
        "iss": claims.pop("iss", SETTINGS["identifiers"]["issuer"]),
        "iat": SETTINGS["iat"],
        "exp": SETTINGS["exp"],
        "vct": claims.pop("vct"),
        "cnf": CNF,
        **claims,
    }
    verified = _verify(_block(block), required=False)
    assert verified.claims == expected
    assert verified.vct == expected["vct"]
    assert verified.issuer == expected["iss"]
    assert verified.holder_jwk == CNF["jwk"]
    assert not verified.key_binding_verified
    assert sorted(verified.disclosed_paths) == sorted(DISCLOSABLE[example])


@pytest.mark.parametrize("block", sorted(PRESENTATIONS))
def test_presentation_block_verifies_to_the_processed_payload(block: str) -> None:
    _, expected, _ = PRESENTATIONS[block]
    with_kb = block.endswith("_kb.txt")
    verified = _verify(_block(block), required=with_kb)
    assert verified.claims == expected
    assert verified.key_binding_verified == with_kb
    assert verified.typ == "dc+sd-jwt"
    assert verified.status is None


def test_example_01_names_its_signing_key_by_kid() -> None:
    assert _verify(_block("block01.sdjwt_kb.txt"), required=True).kid == "doc-signer-05-25-2022"


@pytest.mark.parametrize("block", ["block01.sdjwt_kb.txt", "block04.sdjwt_kb.txt"])
def test_kb_jwt_is_reproduced_byte_for_byte(block: str) -> None:
    presentation = split_sd_jwt(_block(block))
    assert presentation.kb_jwt is not None
    payload = json.loads(b64url_decode(presentation.kb_jwt.split(".")[1]))
    kb_jwt = create_kb_jwt(
        presentation.sd_jwt,
        holder_key=HOLDER_KEY,
        audience=AUDIENCE,
        nonce=NONCE,
        issued_at=datetime.fromtimestamp(payload["iat"], UTC),
        sd_alg="sha-256",
        serialize=json.dumps,
    )
    assert kb_jwt.rsplit(".", 1)[0] == presentation.kb_jwt.rsplit(".", 1)[0]


@pytest.mark.parametrize("block", sorted(PRESENTATIONS))
def test_holder_selects_the_presented_disclosures_by_claim_path(block: str) -> None:
    example, _, paths = PRESENTATIONS[block]
    held = open_sd_jwt(_reissue(example).serialized)
    selected = select_disclosures(held, paths)
    assert {d.encoded for d in selected} == set(split_sd_jwt(_block(block)).disclosures)


def _strip_markers(value: Any) -> Any:
    if isinstance(value, SD):
        return _strip_markers(value.value)
    if isinstance(value, dict):
        return {k: _strip_markers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_markers(v) for v in value]
    return value
