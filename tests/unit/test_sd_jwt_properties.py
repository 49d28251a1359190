"""Laws of selective disclosure, checked on random claim sets (hypothesis).

- Every claim disclosable ("everything" mode), all Disclosures presented: the original claims.
- Any set of claim paths presented by the holder: exactly those claims (with what they need
  above and everything beneath), never another one.
- Any subset of raw Disclosures: exactly the claims of those Disclosures when every parent is
  included, else ``disclosure_unreferenced``.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from credentials.errors import CredentialError
from credentials.kb_jwt import KeyBindingPolicy
from credentials.keys import private_key_from_jwk
from credentials.resolvers import pinned_key
from credentials.sd_jwt import ClaimPath, join_sd_jwt
from credentials.sd_jwt_disclosable import mark_all
from credentials.sd_jwt_holder import HeldSDJWT, create_presentation, open_sd_jwt
from credentials.sd_jwt_issuer import issue_sd_jwt
from credentials.sd_jwt_verifier import VerifiedSDJWT, verify_sd_jwt

ISSUER_KEY = private_key_from_jwk(
    {
        "kty": "OKP",
        "crv": "Ed25519",
        "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    }
)
ISS = "https://issuer.example"
TYP = "example+sd-jwt"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
PLAIN = {"iss": ISS, "iat": int(NOW.timestamp()) - 60}

names = st.text(alphabet="abcdefgh", min_size=1, max_size=3)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(names, children, max_size=3),
    max_leaves=8,
)
claim_sets = st.dictionaries(names, values, min_size=1, max_size=4)


def held(claims: dict[str, Any]) -> HeldSDJWT:
    numbers = iter(range(10**9))
    issued = issue_sd_jwt(
        {**PLAIN, **mark_all(claims, plain=PLAIN.keys())},
        issuer_key=ISSUER_KEY,
        typ=TYP,
        salt=lambda: f"salt-{next(numbers):018d}",
    )
    return open_sd_jwt(issued.serialized)


def verify(text: str) -> VerifiedSDJWT:
    return verify_sd_jwt(
        text,
        resolve_issuer_key=pinned_key(ISSUER_KEY.public, issuer=ISS),
        algorithms=["EdDSA"],
        accepted_typ=[TYP],
        now=NOW,
        clock_tolerance=timedelta(seconds=60),
        key_binding=KeyBindingPolicy(required=False, audience=None, nonce=None),
        plain_claims=["iss", "iat", "exp", "nbf", "cnf", "aud"],
    )


def all_paths(value: Any, prefix: ClaimPath = ()) -> list[ClaimPath]:
    items: list[tuple[str | int, Any]] = []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    return [p for key, item in items for p in [(*prefix, key), *all_paths(item, (*prefix, key))]]


def project(value: Any, selected: list[ClaimPath]) -> Any:
    """The claims a verifier should see when the holder discloses ``selected``."""
    if any(not path for path in selected):
        return value
    if isinstance(value, dict):
        parts = {k: [p[1:] for p in selected if p[0] == k] for k in value}
        return {k: project(value[k], sub) for k, sub in parts.items() if sub}
    assert isinstance(value, list)
    parts_list = [[p[1:] for p in selected if p[0] == i] for i in range(len(value))]
    return [project(v, sub) for v, sub in zip(value, parts_list, strict=True) if sub]


def reveal(value: Any, chosen: set[ClaimPath], prefix: ClaimPath = ()) -> Any:
    """The claims a verifier should see given exactly the Disclosures at ``chosen``."""
    if isinstance(value, dict):
        return {
            k: reveal(v, chosen, (*prefix, k)) for k, v in value.items() if (*prefix, k) in chosen
        }
    if isinstance(value, list):
        return [
            reveal(v, chosen, (*prefix, i)) for i, v in enumerate(value) if (*prefix, i) in chosen
        ]
    return value


def visible(verified: VerifiedSDJWT) -> dict[str, Any]:
    assert {k: verified.claims[k] for k in PLAIN} == PLAIN
    return {k: v for k, v in verified.claims.items() if k not in PLAIN}


@settings(max_examples=60, deadline=None)
@given(claim_sets)
def test_everything_disclosed_verifies_to_the_original_claims(claims: dict[str, Any]) -> None:
    view = held(claims)
    full = join_sd_jwt(view.issuer_jwt, [d.encoded for d in view.disclosures])
    assert visible(verify(full)) == claims
    assert len(view.disclosures) == len(all_paths(claims))


@settings(max_examples=80, deadline=None)
@given(claim_sets, st.data())
def test_presenting_claim_paths_verifies_to_exactly_those_claims(
    claims: dict[str, Any], data: st.DataObject
) -> None:
    paths = all_paths(claims)
    selected = data.draw(st.lists(st.sampled_from(paths), unique=True, max_size=5)) if paths else []
    presentation = create_presentation(held(claims), disclose=selected, key_binding=None)
    assert visible(verify(presentation.serialized)) == project(claims, selected)


@settings(max_examples=80, deadline=None)
@given(claim_sets, st.data())
def test_any_subset_of_disclosures_reveals_exactly_its_claims_or_is_rejected(
    claims: dict[str, Any], data: st.DataObject
) -> None:
    view = held(claims)
    chosen = data.draw(st.sets(st.sampled_from(view.disclosed))) if view.disclosed else set()
    chosen_paths = {d.path for d in chosen}
    text = join_sd_jwt(
        view.issuer_jwt, [d.disclosure.encoded for d in view.disclosed if d in chosen]
    )
    connected = all(path[:n] in chosen_paths for path in chosen_paths for n in range(1, len(path)))
    if not connected:
        try:
            verify(text)
        except CredentialError as error:
            assert error.code == "disclosure_unreferenced"
        else:
            raise AssertionError("a Disclosure without its parent was accepted")
        return
    verified = verify(text)
    assert visible(verified) == reveal(claims, chosen_paths)
    assert len(verified.disclosures) == len(chosen)
