"""The Finnish personal identity code detector: refuses real codes anywhere, ignores look-alikes.

Source of the sample codes: the Digital and Population Data Services Agency's published examples
(131052-308T, and 010594Y9021 for the century signs introduced in 2023).
"""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import contains_personal_identity_code, find_personal_identity_codes

CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
SIGNS = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}


def make_code(born: date, individual: int, sign: str | None = None) -> str:
    century = born.year // 100 * 100
    sign = sign or SIGNS[century][0]
    digits = born.strftime("%d%m%y")
    return f"{digits}{sign}{individual:03d}{CHECK[int(f'{digits}{individual:03d}') % 31]}"


def test_published_examples_are_codes() -> None:
    assert contains_personal_identity_code("131052-308T")
    assert contains_personal_identity_code("010594Y9021")


def test_finds_a_code_as_a_plain_value() -> None:
    assert find_personal_identity_codes({"given_name": "131052-308T"}) == ["/given_name"]


def test_finds_a_code_embedded_in_longer_text() -> None:
    claims = {"notes": "Opiskelijan hetu:131052-308T, tarkistettu", "b": "x131052-308Ty"}
    assert find_personal_identity_codes(claims) == ["/notes", "/b"]


def test_finds_a_code_in_array_elements_and_nested_objects() -> None:
    claims = {"skills": [{"label": "ok"}, {"label": "ok", "level": ["a", "010594Y9021"]}]}
    assert find_personal_identity_codes(claims) == ["/skills/1/level/1"]


def test_finds_a_code_in_a_nested_member_name_and_reports_the_object_not_the_name() -> None:
    claims = {"awarding_body": {"name": "x", "id 131052-308T": {"deep": "131052-308T"}}}
    found = find_personal_identity_codes(claims)
    assert found == ["/awarding_body"]
    assert all("131052" not in pointer for pointer in found)


def test_finds_a_code_in_a_top_level_member_name_and_reports_the_root() -> None:
    assert find_personal_identity_codes({"131052-308T": 1}) == [""]


def test_finds_a_code_whatever_the_field_name() -> None:
    for name in ("title", "x", "henkilotunnus", "evidence", "é"):
        assert find_personal_identity_codes({name: "131052-308T"}) == ["/" + name]


def test_finds_lower_case_codes_and_unicode_dashes() -> None:
    assert contains_personal_identity_code("131052-308t")
    assert contains_personal_identity_code("131052\u2013308T")
    assert contains_personal_identity_code("131052\u2212308T")


def test_finds_codes_with_every_century_sign() -> None:
    for century, signs in SIGNS.items():
        for sign in signs:
            code = make_code(date(century + 52, 10, 13), 308, sign)
            assert contains_personal_identity_code(code), code


def test_finds_temporary_codes_with_individual_numbers_from_900() -> None:
    assert contains_personal_identity_code(make_code(date(1990, 1, 1), 901))


def test_ignores_a_code_with_a_wrong_check_character() -> None:
    for wrong in "0123456789ABCDEFHJKLMNPRSUVWXY":
        assert not contains_personal_identity_code("131052-308" + wrong)
    assert find_personal_identity_codes({"order": "131052-308U"}) == []


def test_ignores_an_impossible_date_even_with_a_matching_check_character() -> None:
    digits = "300290"  # 30 February
    code = f"{digits}-123{CHECK[int(digits + '123') % 31]}"
    assert not contains_personal_identity_code(code)


def test_ignores_individual_numbers_000_and_001() -> None:
    assert not contains_personal_identity_code(make_code(date(1990, 1, 1), 0))
    assert not contains_personal_identity_code(make_code(date(1990, 1, 1), 1))


def test_ignores_look_alikes() -> None:
    claims = {
        "date": "2024-05-31",
        "course": "TKT-1001",
        "phone": "+358 40 123 4567",
        "order": "131052 308T",
        "code": "1310523308T",
        "business_id": "1234567-1",
        "n": 131052,
        "flag": True,
        "none": None,
    }
    assert find_personal_identity_codes(claims) == []


def test_pointers_escape_tilde_and_slash() -> None:
    assert find_personal_identity_codes({"a/b": {"c~d": "131052-308T"}}) == ["/a~1b/c~0d"]


@settings(max_examples=100)
@given(
    born=st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)),
    individual=st.integers(min_value=2, max_value=999),
    before=st.text(max_size=20),
    after=st.text(max_size=20),
)
def test_any_valid_code_is_found_wherever_it_sits(
    born: date, individual: int, before: str, after: str
) -> None:
    code = make_code(born, individual)
    assert find_personal_identity_codes({"k": [before + code + after]}) == ["/k/0"]


@settings(max_examples=100)
@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
    individual=st.integers(min_value=2, max_value=999),
    shift=st.integers(min_value=1, max_value=30),
)
def test_a_changed_check_character_is_never_a_code(born: date, individual: int, shift: int) -> None:
    code = make_code(born, individual)
    wrong = CHECK[(CHECK.index(code[-1]) + shift) % 31]
    assert not contains_personal_identity_code(code[:-1] + wrong)


def test_scanning_a_large_claim_set_is_fast() -> None:
    claims = {"tasks": [f"Tehtävä {i} {date(2000, 1, 1) + timedelta(days=i)}" for i in range(200)]}
    assert find_personal_identity_codes(claims) == []


def test_a_code_split_across_two_claims_is_not_one() -> None:
    assert contains_personal_identity_code("010190-123M")
    claims = {"first": "010190", "second": "-123M", "list": ["0101", "90-123M"]}
    assert find_personal_identity_codes(claims) == []


def test_a_valid_code_overlapping_an_invalid_candidate_is_found() -> None:
    # "010190A0101" has the shape of a code but a wrong check character; the valid code starts
    # inside it, at its seventh character.
    assert not contains_personal_identity_code("010190A0101")
    assert find_personal_identity_codes({"note": "010190A010190-123M"}) == ["/note"]
