"""A real Taito server for browser tests and screenshots: a thread on 127.0.0.1, a free port.

It runs the app that ``taito serve`` runs (only the argon2 cost is lowered) on a database of its
own, with an issuer (``college``, the demo's vocational college) and a verifier (``employer``)
created through the admin API, and helpers that act as those organisations do: make a
credential offer and hand out its code, ask a person for credentials, read the answer.
"""

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from pydantic import SecretStr
from sqlalchemy import Engine

from api.app import create_app
from api.database import build_engine, metadata, upgrade
from api.routers import wallet_deps
from api.settings import Environment, Settings
from wallet.accounts import Argon2Parameters

BASE_URL = "https://taito.test"
FAST_ARGON2 = Argon2Parameters(time_cost=1, memory_cost_kib=8, parallelism=1)
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"


def qualification_claims() -> dict[str, Any]:
    """A vocational qualification with two ESCO skills (what the demo college issues)."""
    return {
        "given_name": "Aino",
        "family_name": "Korhonen",
        "title": "Tieto- ja viestintätekniikan perustutkinto",
        "kind": "vocational_upper_secondary",
        "eqf_level": 4,
        "awarding_body": {"name": "Esimerkkikaupungin ammattiopisto", "country": "FI"},
        "date_awarded": "2024-05-31",
        "grade": "Hyvä (3)",
        "skills": [
            {"uri": PYTHON, "label": "Python-ohjelmointi"},
            {"uri": SQL, "label": "SQL"},
        ],
    }


STAFF_PASSWORD = "a long staff passphrase"  # noqa: S105 - scratch accounts of a test server
STAFF: dict[str, tuple[str, str]] = {
    "admin@college": ("college", "organisation_admin"),
    "liisa@college": ("college", "issuer_staff"),
    "rekry@employer": ("employer", "verifier_staff"),
    "admin@employer": ("employer", "organisation_admin"),
    "ohjaaja@office": ("office", "verifier_staff"),
}
"""The organisations' staff logins (username: organisation, role), all with STAFF_PASSWORD."""
PLATFORM_ADMIN = "platform@taito"
"""A platform admin (the trust registry's pages), of no organisation, with STAFF_PASSWORD."""


@dataclass
class Harness:
    """The running server and the organisations' keys."""

    url: str
    api: httpx.Client
    issuer_key: str
    verifier_key: str
    office_key: str = ""

    def _json(self, response: httpx.Response, status: int) -> Any:
        assert response.status_code == status, response.text
        return response.json()

    def offer(self, claims: dict[str, Any] | None = None) -> str:
        """The college offers a qualification; the code it hands the person."""
        answer = self._json(
            self.api.post(
                "/v1/issuers/college/credentials",
                json={"type": "qualification", "claims": claims or qualification_claims()},
                headers={
                    "Authorization": f"Bearer {self.issuer_key}",
                    "Idempotency-Key": secrets.token_hex(8),
                },
            ),
            201,
        )
        code: str = answer["pickup_code"]
        return code

    def ask(self, claims: list[Any], purpose: str) -> str:
        """The employer asks for claims of a qualification; the request id."""
        answer = self._json(
            self.api.post(
                "/v1/verifiers/employer/requests",
                json={
                    "credentials": [{"id": "degree", "type": "qualification", "claims": claims}],
                    "purpose": purpose,
                },
                headers={"Authorization": f"Bearer {self.verifier_key}"},
            ),
            201,
        )
        request_id: str = answer["id"]
        return request_id

    def answer_to(self, request_id: str) -> dict[str, Any]:
        """What the employer reads of a request."""
        state: dict[str, Any] = self._json(
            self.api.get(
                f"/v1/verifiers/employer/requests/{request_id}",
                headers={"Authorization": f"Bearer {self.verifier_key}"},
            ),
            200,
        )
        return state

    def counsellor(self, path: str = "") -> httpx.Response:
        """What the employment office (a guidance service) reads of its grants."""
        return self.api.get(
            f"/v1/verifiers/office/grants{path}",
            headers={"Authorization": f"Bearer {self.office_key}"},
        )


COURSE_SKILLS = (
    "http://data.europa.eu/esco/skill/e465a154-93f7-4973-9ce1-31659fe16dd2",
    "http://data.europa.eu/esco/skill/797a4416-0b8d-44f3-8fcd-eb10bd0be6b4",
)
"""Principles of artificial intelligence; develop software prototype (a computer vision
engineer's essential skills that the harness's qualification does not attest)."""


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _settings(folder: Path, database_url: str, admin_token: str) -> Settings:
    kek_file = folder / "kek.key"
    kek_file.write_text(secrets.token_urlsafe(32))
    kek_file.chmod(0o600)
    return Settings(
        environment=Environment.TEST,
        database_url=database_url,
        base_url=BASE_URL,
        data_dir=folder,
        kek_file=kek_file,
        admin_token=SecretStr(admin_token),
        log_level="WARNING",
    )


@contextmanager
def running_server(
    folder: Path, *, database_url: str, connect_args: dict[str, Any] | None = None
) -> Iterator[Harness]:
    """Start Taito on a free port with its organisations; stop it afterwards."""
    admin_token = "tadm_" + secrets.token_urlsafe(24)
    settings = _settings(folder, database_url, admin_token)
    engine: Engine = build_engine(database_url, connect_args=connect_args)
    upgrade(engine)
    metadata().create_all(engine)
    app = create_app(settings, engine=engine)
    app.dependency_overrides[wallet_deps.argon2_parameters] = lambda: FAST_ARGON2
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, name="taito-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    admin = {"Authorization": f"Bearer {admin_token}"}
    try:
        with httpx.Client(base_url=url, timeout=30) as api:
            issuer = api.post(
                "/v1/admin/issuers",
                json={
                    "name": "Esimerkkikaupungin ammattiopisto",
                    "slug": "college",
                    "types": ["qualification", "competence"],
                },
                headers=admin,
            ).json()
            verifier = api.post(
                "/v1/admin/verifiers",
                json={"slug": "employer", "name": "Rekrytalo Oy"},
                headers=admin,
            ).json()
            office = api.post(
                "/v1/admin/verifiers",
                json={
                    "slug": "office",
                    "name": "Esimerkkikaupungin työllisyyspalvelut",
                    "guidance": True,
                },
                headers=admin,
            ).json()
            api.post(
                "/v1/issuers/college/opportunities",
                json={
                    "title": "Tekoälyn perusteet",
                    "provider": "Esimerkkikaupungin ammattiopisto",
                    "description": "Tekoälyn periaatteet ja prototyypin rakentaminen.",
                    "skills": list(COURSE_SKILLS),
                    "eqf_level": 4,
                    "duration": "P8W",
                    "mode": "online",
                    "language": "fi",
                    "link": "https://ammattiopisto.example.fi/tekoaly",
                },
                headers={"Authorization": f"Bearer {issuer['api_key']}"},
            ).raise_for_status()
            for username, (organisation, role) in STAFF.items():
                api.post(
                    "/v1/admin/staff",
                    json={
                        "username": username,
                        "password": STAFF_PASSWORD,
                        "name": username.split("@")[0].title(),
                        "organisation": organisation,
                        "role": role,
                    },
                    headers=admin,
                ).raise_for_status()
            api.post(
                "/v1/admin/staff",
                json={
                    "username": PLATFORM_ADMIN,
                    "password": STAFF_PASSWORD,
                    "name": "Platform",
                    "platform_admin": True,
                },
                headers=admin,
            ).raise_for_status()
            yield Harness(
                url=url,
                api=api,
                issuer_key=issuer["api_key"],
                verifier_key=verifier["api_key"],
                office_key=office["api_key"],
            )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()
