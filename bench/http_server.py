"""Running Taito for a benchmark: a fresh database, the project's own ``taito serve``, teardown.

- SQLite: a file in a temporary folder. PostgreSQL: a schema of its own
  (``taito_bench_<pid>_<random>``) selected with ``options=-csearch_path=...`` in the URL, dropped
  afterwards, so a run never touches other data.
- The schema is created by the migrations, then ``metadata().create_all`` adds tables that a
  migration has not captured yet (work in progress), as the test suite does.
- The server is ``.venv/bin/taito serve`` with ``TAITO_*`` settings, started in its own process
  group and stopped by that group's id.
"""

import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import httpx
from sqlalchemy import Engine, create_engine, text

from api.database import build_engine, metadata, upgrade

POSTGRES_URL = os.environ.get(
    "TAITO_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
Database = Literal["sqlite", "postgresql"]
Mode = Literal["production", "development"]


@dataclass(frozen=True)
class Running:
    """A started server: where it listens and how to reach its database."""

    port: int
    base_url: str
    admin_token: str
    database_url: str
    engine: Engine
    mode: Mode
    log: Path
    pid: int
    kek: bytes
    kek_file: Path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def postgres_available() -> bool:
    """Whether the benchmark PostgreSQL answers (CI and this machine run one on 5432)."""
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def postgres_version() -> str:
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar())
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def fresh_database(kind: Database, folder: Path) -> Iterator[str]:
    """The URL of a new, migrated database; a PostgreSQL schema is dropped afterwards."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'taito-bench.db'}"
        _migrate(url)
        yield url
        return
    schema = f"taito_bench_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES_URL}?options={quote(f'-csearch_path={schema}')}"
    try:
        _migrate(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _migrate(url: str) -> None:
    engine = build_engine(url)
    try:
        upgrade(engine)
        metadata().create_all(engine)
    finally:
        engine.dispose()


def load_kek_file(path: Path) -> bytes:
    """The KEK the server reads from ``path`` (bench setup seals wallet rows with it)."""
    raw = path.read_text().strip()
    return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))


def _taito() -> str:
    return str(Path(sys.executable).with_name("taito"))


def _wait_ready(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"taito serve exited early:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("taito serve did not answer /healthz within 60 s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@contextmanager
def serve(database: Database, *, workers: int, mode: Mode) -> Iterator[Running]:
    """Start ``taito serve`` on a fresh database; stop it and drop the database afterwards.

    ``production`` sets ``TAITO_ENVIRONMENT=production`` with a KEK file (0600) and an https
    base URL; ``development`` uses the loopback origin as base URL, so that the server can
    fetch its own status lists over plain http (allowed on loopback in development only).
    """
    with tempfile.TemporaryDirectory(prefix="taito-bench-") as name:
        folder = Path(name)
        kek = folder / "kek.key"
        kek.write_text(secrets.token_urlsafe(32))
        kek.chmod(0o600)
        port = _free_port()
        base_url = "https://taito.bench" if mode == "production" else f"http://127.0.0.1:{port}"
        admin_token = "tadm_" + secrets.token_urlsafe(32)
        log = folder / "server.log"
        with fresh_database(database, folder) as url:
            env = {
                **os.environ,
                "TAITO_ENVIRONMENT": mode,
                "TAITO_DATABASE_URL": url,
                "TAITO_BASE_URL": base_url,
                "TAITO_HOST": "127.0.0.1",
                "TAITO_PORT": str(port),
                "TAITO_WORKERS": str(workers),
                "TAITO_KEK_FILE": str(kek),
                "TAITO_DATA_DIR": str(folder),
                "TAITO_ADMIN_TOKEN": admin_token,
                "TAITO_LOG_FORMAT": "json",
            }
            with log.open("wb") as sink:
                process = subprocess.Popen(
                    [_taito(), "serve"],
                    env=env,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            engine = build_engine(url)
            try:
                _wait_ready(process, port, log)
                yield Running(
                    port,
                    base_url,
                    admin_token,
                    url,
                    engine,
                    mode,
                    log,
                    process.pid,
                    load_kek_file(kek),
                    kek,
                )
            finally:
                _stop(process)
                engine.dispose()


def server_errors(log: Path, offset: int) -> str:
    """The most frequent exception in the server's JSON log since ``offset``, with its count."""
    counts: Counter[str] = Counter()
    with log.open("rb") as handle:
        handle.seek(offset)
        for line in handle:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            trace = record.get("exception") if isinstance(record, dict) else None
            if isinstance(trace, str):
                lines = [t for t in trace.splitlines() if t and not t.startswith((" ", "("))]
                causes = [t for t in lines if "Error" in t or "Exception" in t] or lines
                counts[(causes[-1] if causes else "unknown")[:160]] += 1
    if not counts:
        return ""
    text, count = counts.most_common(1)[0]
    return f"server log: {text} (x{count})"
