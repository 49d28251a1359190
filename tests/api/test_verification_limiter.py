"""``TAITO_WORK_THREADS``: how many verifications (nonces, issuances) a worker runs at once.

Verifying is CPU work under one interpreter lock, so more at once only slow each other down
(bench/); the others wait their turn in the event loop. The verification itself is replaced
by one that waits to meet a second verification inside, which it can only do if the limiter
lets two in.
"""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from api.app import create_app
from api.routers import verifiers as verifier_routes
from api.settings import Settings
from tests.api.test_issuers_credentials import _body
from tests.api.test_verifiers_api import new_verifier
from verifiers.errors import SubmissionInvalid


class Meeting:
    """A stand-in for the verification: waits (up to ``patience``) for a second one inside."""

    def __init__(self, patience: float) -> None:
        self.patience = patience
        self.inside = 0
        self.most_inside = 0
        self.lock = threading.Lock()
        self.two_inside = threading.Event()

    def __call__(self, *_args: Any, **_kwargs: Any) -> Any:
        with self.lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
            if self.inside >= 2:
                self.two_inside.set()
        self.two_inside.wait(self.patience)
        with self.lock:
            self.inside -= 1
        raise SubmissionInvalid("stand-in")


@pytest.fixture
def make_client(settings: Settings, clean_engine: Engine) -> Iterator[Any]:
    clients: list[TestClient] = []

    def make(threads: int) -> TestClient:
        configured = settings.model_copy(
            update={
                "admin_token": SecretStr("admin-secret-for-tests"),
                "work_threads": threads,
            }
        )
        client = TestClient(create_app(configured, engine=clean_engine), base_url=settings.base_url)
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _three_at_once(client: TestClient, meeting: Meeting, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verifier_routes, "verify_presentations", meeting)
    verifier = new_verifier(client)

    def verify(_: int) -> int:
        body = {"nonce": "n" * 22, "presentations": ["x~"]}
        answer = client.post("/v1/verifications", json=body, headers=verifier.auth)
        return int(answer.status_code)

    # One first, alone: the verifier is then remembered, and the three touch no database
    # (SQLite's one writer would otherwise queue them while the first holds its transaction).
    meeting.patience, patience = 0, meeting.patience
    assert verify(0) == 422
    meeting.patience, meeting.most_inside = patience, 0
    with ThreadPoolExecutor(3) as pool:
        assert list(pool.map(verify, range(3))) == [422, 422, 422]


def test_one_thread_runs_one_verification_at_a_time(
    make_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting = Meeting(patience=0.3)
    _three_at_once(make_client(1), meeting, monkeypatch)
    assert meeting.most_inside == 1


def test_more_threads_let_verifications_run_together(
    make_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting = Meeting(patience=10)
    _three_at_once(make_client(3), meeting, monkeypatch)
    assert meeting.most_inside >= 2


def test_a_stalled_verification_does_not_hold_up_issuance(
    make_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One thread each: a verification waiting on (say) a slow remote issuer holds the only
    # verification thread, and an issuance still runs, since issuing has its own limiter.
    client = make_client(1)
    inside, release = threading.Event(), threading.Event()

    def stalled(*_args: Any, **_kwargs: Any) -> Any:
        inside.set()
        release.wait(10)
        raise SubmissionInvalid("stand-in")

    monkeypatch.setattr(verifier_routes, "verify_presentations", stalled)
    verifier = new_verifier(client)
    body = {"nonce": "n" * 22, "presentations": ["x~"]}
    with ThreadPoolExecutor(1) as pool:
        verifying = pool.submit(client.post, "/v1/verifications", json=body, headers=verifier.auth)
        assert inside.wait(10)
        # The key is checked inside the issuing thread: its 401 shows the issuance ran.
        issued = client.post(
            "/v1/issuers/nobody/credentials",
            json=_body("competence"),
            headers={"Authorization": "Bearer tik_" + "x" * 40, "Idempotency-Key": "k"},
        )
        still_stalled = not release.is_set() and not verifying.done()
        release.set()
        assert verifying.result().status_code == 422
    assert issued.status_code == 401 and still_stalled
