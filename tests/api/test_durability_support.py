"""A real ``taito serve`` for the durability tests: started, killed with SIGKILL, restarted.

No tests here. The server runs as production does (``TAITO_ENVIRONMENT=production``, a KEK file,
an https base URL, JSON logs) on a PostgreSQL schema of its own, on a free port of 127.0.0.1, in
its own process group so that SIGKILL reaches every process of it at once, as a power cut or the
OOM killer would. One worker: its thread pool runs the concurrent requests in concurrent database
transactions all the same, and on a busy machine uvicorn's supervisor kills workers that are
slow to start (a 5 s health check), which would make the test time out for the wrong reason.
"""

import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from api.database import build_engine, upgrade

BASE_URL = "https://taito.test"
START_TIMEOUT = 60.0
"""Generous: importing the app takes seconds on a busy machine."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Instance:
    """A database schema, a KEK and the settings a ``taito serve`` on them runs with."""

    folder: Path
    database_url: str
    engine: Engine
    kek: bytes
    process: "subprocess.Popen[bytes] | None" = None
    url: str = ""
    starts: int = 0

    def environment(self, port: int) -> dict[str, str]:
        kek_file = self.folder / "kek.key"
        if not kek_file.exists():
            kek_file.write_text(base64.urlsafe_b64encode(self.kek).decode().rstrip("="))
            kek_file.chmod(0o600)
        keep = {k: v for k, v in os.environ.items() if not k.startswith("TAITO_")}
        return {
            **keep,
            "TAITO_ENVIRONMENT": "production",
            "TAITO_BASE_URL": BASE_URL,
            "TAITO_DATABASE_URL": self.database_url,
            "TAITO_KEK_FILE": str(kek_file),
            "TAITO_DATA_DIR": str(self.folder),
            "TAITO_HOST": "127.0.0.1",
            "TAITO_PORT": str(port),
            "TAITO_WORKERS": "1",
            "TAITO_DATABASE_POOL_SIZE": "8",
            "TAITO_LOG_FORMAT": "json",
        }

    def start(self) -> None:
        """Start ``taito serve`` and wait until it answers ``/readyz``."""
        port = _free_port()
        self.starts += 1
        log = (self.folder / f"server-{self.starts}.log").open("wb")
        taito = Path(sys.executable).with_name("taito")
        self.process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            [str(taito), "serve"],
            env=self.environment(port),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"taito serve exited: {self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"taito serve did not start: {self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the whole process group (supervisor and workers) and reap it."""
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def server_errors(self) -> str:
        """The server's 5xx log lines (type and traceback) of every start so far."""
        found = []
        for start in range(1, self.starts + 1):
            for line in (
                (self.folder / f"server-{start}.log").read_text(errors="replace").splitlines()
            ):
                if '"taito.error"' in line:
                    record = json.loads(line)
                    found.append(f"{record['message']}\n{record.get('traceback', '')}")
        return "\n".join(found)

    def log_tail(self) -> str:
        text = (self.folder / f"server-{self.starts}.log").read_text(errors="replace")
        return text[-3000:]

    def client(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )


@contextmanager
def served_instance(folder: Path, postgres_url: str) -> Iterator[Instance]:
    """A migrated schema of its own on ``postgres_url``; the server is killed at the end."""
    from tests.conftest import empty_database

    with empty_database(folder) as (url, connect_args):
        server_url = (
            make_url(url)
            .update_query_dict({"options": connect_args["options"]})
            .render_as_string(hide_password=False)
        )
        engine = build_engine(url, connect_args=connect_args, pool_size=4)
        upgrade(engine)
        instance = Instance(
            folder=folder, database_url=server_url, engine=engine, kek=secrets.token_bytes(32)
        )
        try:
            yield instance
        finally:
            instance.kill()
            engine.dispose()


@dataclass
class Stream:
    """Requests sent by several client threads until the server dies or they run out.

    ``acknowledged`` holds what each 2xx answer returned; ``unanswered`` the requests that were
    in flight when the connection broke (sent, never answered).
    """

    acknowledged: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)
    unanswered: list[Any] = field(default_factory=list)
    refused: list[tuple[Any, int, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(
        self,
        lanes: list[tuple[httpx.Client, list[Any]]],
        send: Callable[[httpx.Client, Any], httpx.Response],
    ) -> list[threading.Thread]:
        """Start one thread per lane, each sending its items in order with ``send``."""
        threads = [
            threading.Thread(target=self._lane, args=(client, items, send), daemon=True)
            for client, items in lanes
        ]
        for thread in threads:
            thread.start()
        return threads

    def _lane(
        self,
        client: httpx.Client,
        items: list[Any],
        send: Callable[[httpx.Client, Any], httpx.Response],
    ) -> None:
        for item in items:
            try:
                response = send(client, item)
            except httpx.TransportError:
                with self._lock:
                    self.unanswered.append(item)
                return
            with self._lock:
                if 200 <= response.status_code < 300:
                    self.acknowledged.append((item, response.json()))
                else:
                    self.refused.append((item, response.status_code, response.text[:300]))

    def wait_for(self, acknowledged: int, *, timeout: float = 30) -> None:
        """Block until ``acknowledged`` answers have arrived (or fail after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < acknowledged:
            if time.monotonic() > deadline:
                raise AssertionError(f"only {len(self.acknowledged)} acknowledged in time")
            time.sleep(0.02)
