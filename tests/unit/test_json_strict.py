"""The strict JSON policy of ``credentials.encoding.json_loads``: depth and duplicate members.

The depth check counts brackets outside strings; it removes innermost pairs a pass at a time
(one regular-expression substitution each) and falls back to counting one bracket at a time
for text that is not balanced. Both must agree with a plain count on every input.
"""

import random

import pytest

from credentials.encoding import MAX_DEPTH, check_depth, json_loads
from credentials.errors import DuplicateMember, TooDeep


def _deepest(text: str) -> int:
    """The plain count: deepest bracket nesting outside strings."""
    depth = deepest = 0
    inside = escaped = False
    for char in text:
        if inside:
            escaped = not escaped and char == "\\"
            inside = escaped or char != '"'
        elif char == '"':
            inside = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _nested(depth: int) -> str:
    return "[" * (depth - 1) + '{"a": "[[[{{"}' + "]" * (depth - 1)


@pytest.mark.parametrize("depth", [1, 2, MAX_DEPTH - 1, MAX_DEPTH])
def test_nesting_up_to_the_cap_parses(depth: int) -> None:
    assert json_loads(_nested(depth)) is not None


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5 * MAX_DEPTH, 100_000])
def test_nesting_past_the_cap_is_refused(depth: int) -> None:
    with pytest.raises(TooDeep):
        json_loads(_nested(depth))


def test_unbalanced_brackets_are_counted_too() -> None:
    with pytest.raises(TooDeep):
        check_depth("[" * (MAX_DEPTH + 1))
    check_depth("]" * 1000 + "[" * 10)  # not JSON (the parser says so), but not deep


def test_the_depth_check_agrees_with_a_plain_count_on_random_text() -> None:
    chooser = random.Random(9901)
    refusals = 0
    for _ in range(3000):
        size = chooser.randint(0, 120)
        text = "".join(chooser.choice("[]{}a, ") for _ in range(size))
        if chooser.random() < 0.5:  # balanced ones, which take the pass-at-a-time path
            text = "".join(chooser.choice("[{") for _ in range(size // 2)) + "]" * (size // 2)
        for cap in (1, 3, 8):
            try:
                check_depth(text, max_depth=cap)
                refused = False
            except TooDeep:
                refused = True
            assert refused is (_deepest(text) > cap), text
            refusals += refused
    assert refusals > 1000


def test_a_duplicate_member_is_refused_at_any_depth() -> None:
    with pytest.raises(DuplicateMember):
        json_loads('{"a": 1, "a": 1}')
    with pytest.raises(DuplicateMember):
        json_loads('[{"b": {"c": 1, "d": 2, "c": 3}}]')
    assert json_loads('{"a": {"a": 1}}') == {"a": {"a": 1}}
