"""A seeded demo instance on a database of its own: the demo's issuers, verifiers and people, each
with the bearer header of its door (for the edge and fuzz tests, which need every door open)."""

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from api.composition import instance_sources
from api.database import build_engine, metadata, upgrade
from api.demo.secrets_file import DemoCredentials
from api.flows.demo_seeding import seed_demo
from api.routers import wallet_deps
from api.settings import Environment, Settings
from credentials.errors import FetchFailed
from tests.conftest import empty_database
from tests.service.test_wallet_support import FAST_ARGON2
from verifiers.fetching import DocumentCache, Fetched
from verifiers.issuer_trust import Sources

Headers = dict[str, str]


@dataclass
class DemoWorld:
    app: FastAPI
    client: TestClient
    engine: Engine
    demo: DemoCredentials
    issuer: Headers
    verifier: Headers
    person: Headers
    admin: Headers

    @property
    def issuer_slug(self) -> str:
        return self.demo.issuers[0].slug

    @property
    def verifier_slug(self) -> str:
        return self.demo.verifiers[0].slug


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


def _no_network(url: str) -> Fetched:
    raise FetchFailed("tests fetch nothing from the network")


def offline_sources(app: FastAPI, settings: Settings) -> Callable[[Session], Sources]:
    """The app's own documents in-process, and nothing from anywhere else (a fuzzer's URLs
    must never become requests)."""
    cache = DocumentCache()

    def sources(session: Session) -> Sources:
        return instance_sources(session, settings=settings, remote=_no_network, cache=cache)

    return sources


@contextmanager
def demo_world(folder: Path) -> Iterator[DemoWorld]:
    """The demo seeded once on a fresh database in ``folder`` (or a PostgreSQL schema)."""
    kek_file = folder / "kek.key"
    kek_file.write_text(secrets.token_urlsafe(32))
    kek_file.chmod(0o600)
    admin_token = f"tadm_{secrets.token_urlsafe(24)}"
    with empty_database(folder) as (url, connect_args):
        settings = Settings(
            environment=Environment.DEVELOPMENT,
            demo=True,
            database_url=url,
            base_url="https://taito.test",
            data_dir=folder,
            kek_file=kek_file,
            admin_token=admin_token,
        )
        engine = build_engine(url, connect_args=connect_args)
        upgrade(engine)
        metadata().create_all(engine)
        app = create_app(settings, engine=engine)
        app.state.verifier_sources = offline_sources(app, settings)
        demo = seed_demo(app, argon2=FAST_ARGON2)
        assert demo is not None
        app.dependency_overrides[wallet_deps.argon2_parameters] = lambda: FAST_ARGON2
        with TestClient(
            app, base_url="https://taito.test", raise_server_exceptions=False
        ) as client:
            person = demo.people[0]
            login = client.post(
                "/v1/auth/login", json={"username": person.username, "password": person.password}
            )
            assert login.status_code == 200, login.text
            yield DemoWorld(
                app=app,
                client=client,
                engine=engine,
                demo=demo,
                issuer=bearer(demo.issuers[0].api_key),
                verifier=bearer(demo.verifiers[0].api_key),
                person=bearer(login.json()["access_token"]),
                admin=bearer(admin_token),
            )
        engine.dispose()
