"""The first run (issue 7): demo data created once through the services, `taito dev` printing how
to sign in, production refusing demo settings, and `taito demo` telling the whole story."""

import io
import json
import shlex
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from api.cli import main, server
from api.database import build_engine, upgrade
from api.demo.command import run_against, run_in_process
from api.demo.data import COLLEGE, EMPLOYER, PEOPLE
from api.flows.demo_seeding import DEMO_FILE, DemoCredentials, DemoSeedError, seed_demo
from api.routers import wallet_deps
from api.settings import Environment, Settings
from schemas import SLUGS, skill_vocabulary
from tests.api.web_support import csrf_of
from tests.conftest import empty_database
from tests.service.test_wallet_support import FAST_ARGON2
from wallet.credentials import receive_credential

STORY_STEPS = 17


@pytest.fixture
def dev_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"environment": Environment.DEVELOPMENT, "demo": True})


def seed(engine: Engine, settings: Settings) -> DemoCredentials:
    created = seed_demo(create_app(settings, engine=engine), argon2=FAST_ARGON2)
    assert created is not None
    return created


@pytest.fixture
def demo_app(dev_settings: Settings, clean_engine: Engine) -> Iterator[FastAPI]:
    app = create_app(dev_settings, engine=clean_engine)
    app.dependency_overrides[wallet_deps.argon2_parameters] = lambda: FAST_ARGON2
    yield app
    app.dependency_overrides.clear()


def log_in(client: TestClient, username: str, password: str) -> dict[str, str]:
    response = client.post("/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_seed_demo_creates_every_type_for_both_people_and_everything_verifies(
    dev_settings: Settings, clean_engine: Engine, demo_app: FastAPI
) -> None:
    demo = seed(clean_engine, dev_settings)
    assert demo.created is True
    assert [o.slug for o in demo.issuers] == [COLLEGE, "demo-university"]
    assert [o.slug for o in demo.verifiers] == [EMPLOYER, "demo-employment-office"]
    assert [p.username for p in demo.people] == [p.username for p in PEOPLE]
    vocabulary = skill_vocabulary()
    with TestClient(demo_app, base_url="https://taito.test") as client:
        for issuer in demo.issuers:
            own = client.get(
                f"/v1/issuers/{issuer.slug}", headers={"Authorization": f"Bearer {issuer.api_key}"}
            )
            assert own.status_code == 200 and own.json()["identifier"] == issuer.identifier
        for verifier in demo.verifiers:
            nonce = client.post(
                f"/v1/verifiers/{verifier.slug}/nonces",
                headers={"Authorization": f"Bearer {verifier.api_key}"},
            )
            assert nonce.status_code == 201 and nonce.json()["audience"] == verifier.identifier
        for person in demo.people:
            auth = log_in(client, person.username, person.password)
            held = client.get("/v1/wallet/credentials", headers=auth).json()["credentials"]
            assert sorted(c["type"] for c in held) == sorted(SLUGS)
            for credential in held:
                detail = client.get(f"/v1/wallet/credentials/{credential['id']}", headers=auth)
                assert detail.json()["live_status"] == {
                    "state": "valid",
                    "code": None,
                    "reason": None,
                }
            skills = client.get("/v1/wallet/profile", headers=auth).json()["skills"]
            assert len(skills) >= 5
            assert all(vocabulary.contains(s["uri"]) and s["verified"] for s in skills)
        roles = {(s.organisation, s.role) for s in demo.staff}
        assert {(COLLEGE, "issuer_staff"), (EMPLOYER, "verifier_staff")} <= roles
        every = {o.slug for o in (*demo.issuers, *demo.verifiers)}
        assert {o for o, role in roles if role == "organisation_admin"} == every
    for member in demo.staff:
        with TestClient(demo_app, base_url="https://taito.test") as browser:
            token = csrf_of(browser.get("/org/login").text)
            fields = {"username": member.username, "password": member.password}
            signed_in = browser.post("/org/login", data={"csrf_token": token, **fields})
            # A platform admin has no organisation: the choice page leads to the trust registry.
            landing = f"/org/{member.organisation}" if member.organisation else "/org"
            assert signed_in.status_code == 200 and signed_in.url.path == landing
            if not member.organisation:
                assert member.role == "platform_admin" and "/platform/trust" in signed_in.text
                assert browser.get("/platform/trust").status_code == 200


def test_seed_demo_runs_once_and_keeps_its_secrets_in_an_owner_only_file(
    dev_settings: Settings, clean_engine: Engine
) -> None:
    first = seed(clean_engine, dev_settings)
    path = dev_settings.data_dir / DEMO_FILE
    assert first.path == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = seed(clean_engine, dev_settings)
    assert again.created is False
    assert (again.issuers, again.verifiers, again.people, again.staff) == (
        first.issuers,
        first.verifiers,
        first.people,
        first.staff,
    )
    stored = json.loads(path.read_text())
    assert stored["complete"] is True
    assert stored["issuers"][COLLEGE]["api_key"] == first.issuer(COLLEGE).api_key


def test_seed_demo_resumes_after_an_interruption_without_duplicates(
    dev_settings: Settings,
    clean_engine: Engine,
    demo_app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = receive_credential
    calls: list[int] = []

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 7:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr("api.flows.demo_seeding.receive_credential", interrupted)
    with pytest.raises(KeyboardInterrupt):
        seed(clean_engine, dev_settings)
    assert json.loads((dev_settings.data_dir / DEMO_FILE).read_text())["complete"] is False
    monkeypatch.setattr("api.flows.demo_seeding.receive_credential", real)
    demo = seed(clean_engine, dev_settings)
    assert demo.created is True
    with TestClient(demo_app, base_url="https://taito.test") as client:
        for person in demo.people:
            auth = log_in(client, person.username, person.password)
            held = client.get("/v1/wallet/credentials", headers=auth).json()["credentials"]
            assert sorted(c["type"] for c in held) == sorted(SLUGS)


def test_seed_demo_starts_afresh_on_a_new_database(
    dev_settings: Settings, clean_engine: Engine, tmp_path: Path
) -> None:
    first = seed(clean_engine, dev_settings)
    with empty_database(tmp_path) as (url, connect_args):
        other = build_engine(url, connect_args=connect_args)
        upgrade(other)
        try:
            second = seed(other, dev_settings)
        finally:
            other.dispose()
    assert second.created is True
    assert second.issuer(COLLEGE).api_key != first.issuer(COLLEGE).api_key


def test_seed_demo_refuses_when_the_database_has_demo_data_but_the_file_is_gone(
    dev_settings: Settings, clean_engine: Engine
) -> None:
    seed(clean_engine, dev_settings)
    (dev_settings.data_dir / DEMO_FILE).unlink()
    with pytest.raises(DemoSeedError, match="delete the development database"):
        seed(clean_engine, dev_settings)


@pytest.mark.parametrize(
    ("environment", "demo"),
    [(Environment.TEST, True), (Environment.DEVELOPMENT, False)],
)
def test_seed_demo_does_nothing_unless_demo_is_on_in_development(
    settings: Settings, clean_engine: Engine, environment: Environment, demo: bool
) -> None:
    configured = settings.model_copy(update={"environment": environment, "demo": demo})
    assert seed_demo(create_app(configured, engine=clean_engine)) is None
    assert not (configured.data_dir / DEMO_FILE).exists()


def test_production_refuses_demo_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kek_file = tmp_path / "kek.key"
    kek_file.write_text("a" * 43)
    kek_file.chmod(0o600)
    production = Settings(
        environment=Environment.PRODUCTION,
        base_url="https://taito.example.fi",
        kek_file=kek_file,
        demo=True,
        database_url=f"sqlite:///{tmp_path / 'taito.db'}",
    )
    with pytest.raises(ValueError, match="TAITO_DEMO must be off in production"):
        production.check_production()
    with pytest.raises(ValueError, match="TAITO_DEMO"):
        create_app(production)
    for name, value in {
        "TAITO_ENVIRONMENT": "production",
        "TAITO_DEMO": "true",
        "TAITO_KEK_FILE": str(kek_file),
        "TAITO_BASE_URL": "https://taito.example.fi",
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["serve"]) == 1
    assert main(["dev"]) == 2


def test_taito_dev_seeds_once_and_prints_how_to_sign_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("TAITO_ENVIRONMENT", "TAITO_DEMO", "TAITO_DATABASE_URL", "TAITO_ADMIN_TOKEN"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("TAITO_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(server, "_start", lambda settings: 0)
    monkeypatch.setattr("api.flows.demo_seeding.Argon2Parameters", lambda: FAST_ARGON2)
    assert main(["dev"]) == 0
    first = capsys.readouterr().out
    demo = json.loads((tmp_path / DEMO_FILE).read_text())
    admin = (tmp_path / "dev-admin-token").read_text().strip()
    assert (tmp_path / "taito.db").exists()
    assert "DEVELOPMENT ONLY" in first and f"Bearer {admin}" in first
    assert "http://127.0.0.1:8000/docs" in first
    for kind in ("issuers", "verifiers"):
        assert all(item["api_key"] in first for item in demo[kind].values())
    assert all(f"{u}" in first and p["password"] in first for u, p in demo["people"].items())
    assert "/org/login" in first
    assert all(f"{u}" in first and s["password"] in first for u, s in demo["staff"].items())
    assert f"taito demo --data-dir {tmp_path}" in first
    for name in ("TAITO_ENVIRONMENT", "TAITO_DEMO", "TAITO_DATABASE_URL", "TAITO_ADMIN_TOKEN"):
        monkeypatch.delenv(name)
    assert main(["dev"]) == 0
    assert capsys.readouterr().out == first


def assert_story(output: str, *, steps: int) -> None:
    for number in range(1, steps + 1):
        assert f"== Step {number} of {steps}: " in output
    assert output.rstrip().endswith("The story ran as expected.")
    lines = [line[2:] for line in output.splitlines() if line.startswith("$ curl ")]
    assert len(lines) >= steps
    for line in lines:
        words = shlex.split(line)
        assert words[0] == "curl" and words[words.index("-sS") + 1 :]
        if "-d" in words:
            json.loads(words[words.index("-d") + 1])


def test_taito_demo_in_process_exits_zero_and_prints_every_step() -> None:
    out = io.StringIO()
    assert run_in_process(out, argon2=FAST_ARGON2) == 0
    output = out.getvalue()
    assert_story(output, steps=STORY_STEPS + 2)
    assert "status failed (credential_revoked): The issuer has revoked this credential." in output
    assert "the admin creates the college" in output


def test_taito_demo_command_runs_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--in-process"]) == 0
    assert_story(capsys.readouterr().out, steps=STORY_STEPS + 2)


def test_taito_demo_uses_the_demo_organisations_of_a_dev_instance(
    dev_settings: Settings, clean_engine: Engine, demo_app: FastAPI
) -> None:
    seed(clean_engine, dev_settings)
    out = io.StringIO()
    with TestClient(demo_app, base_url="http://127.0.0.1:8000") as client:
        status = run_against(
            out,
            client=client,
            url="http://127.0.0.1:8000",
            data_dir=dev_settings.data_dir,
            admin_token=None,
        )
    output = out.getvalue()
    assert status == 0, output
    assert_story(output, steps=STORY_STEPS)
    assert "$ curl -sS -X POST http://127.0.0.1:8000/v1/issuers/demo-college/credentials" in output


def test_taito_demo_without_keys_or_a_reachable_instance_exits_one(tmp_path: Path) -> None:
    out = io.StringIO()
    with TestClient(FastAPI(), base_url="http://127.0.0.1:8000") as client:
        status = run_against(
            out, client=client, url="http://127.0.0.1:8000", data_dir=tmp_path, admin_token=None
        )
    assert status == 1
    assert "no admin token" in out.getvalue()


def test_a_finished_demo_gains_the_staff_logins_added_since(
    dev_settings: Settings, clean_engine: Engine
) -> None:
    first = seed(clean_engine, dev_settings)
    path = dev_settings.data_dir / DEMO_FILE
    stored = json.loads(path.read_text())
    # A demo made before the platform admin existed: neither its file nor its database has one.
    del stored["staff"]["platform@demo"]
    path.write_text(json.dumps(stored))
    with clean_engine.begin() as connection:
        connection.execute(
            text("DELETE FROM staff_account WHERE username = :name"), {"name": "platform@demo"}
        )
    again = seed(clean_engine, dev_settings)
    assert {s.username for s in again.staff} == {s.username for s in first.staff}
    assert again.people == first.people and again.issuers == first.issuers
    (platform,) = [s for s in again.staff if s.username == "platform@demo"]
    assert (platform.role, platform.organisation) == ("platform_admin", "")
