"""The wallet benchmark's cold and warm runs and its arithmetic (no timing is asserted)."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.caches import build_caches
from bench.scale_wallet import QueryTimes, Reader, measure, title_matches
from credentials.keys import generate_key, public_key_from_jwk


def test_every_cold_run_starts_on_emptied_caches_and_warm_runs_keep_them() -> None:
    reader = Reader(TestClient(FastAPI()), build_caches())
    jwk = {k: v for k, v in generate_key("ES256").public.jwk.items() if k != "kid"}
    seen: list[int] = []

    def query(_client: TestClient) -> None:
        seen.append(len(reader.caches.public_keys))
        with reader.caches.installed():
            public_key_from_jwk(jwk)

    found = measure(reader, {"q": (query, 1)}, rounds=2, repeats=2)
    # An unrecorded first run, then per round one cold run and two warm ones.
    assert seen == [0, 0, 1, 1, 0, 1, 1]
    assert len(found["q"].cold) == 2
    assert [len(values) for values in found["q"].warm] == [2, 2]


def test_a_query_with_a_wrong_answer_stops_the_measurement() -> None:
    reader = Reader(TestClient(FastAPI()), build_caches())

    def wrong(_client: TestClient) -> None:
        raise AssertionError("first page: 3 credentials of 30")

    with pytest.raises(AssertionError, match="first page"):
        measure(reader, {"q": (wrong, 1)}, rounds=1, repeats=1)


def test_warm_figures_are_round_medians_and_the_p99_of_every_warm_run() -> None:
    def nothing(_client: TestClient) -> None:
        return None

    timed = QueryTimes("q", nothing, 1, (0.5, 0.4), ((0.01, 0.03, 0.02), (0.05, 0.04, 0.9)))
    assert timed.warm_per_round == (0.02, 0.05)
    assert timed.warm_p99 == 0.9
    assert timed.cold_p99 == 0.5


def test_the_search_word_is_in_one_title_of_five() -> None:
    assert title_matches(5) == 1
    assert title_matches(1_000) == 200
