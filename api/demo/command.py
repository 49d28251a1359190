"""``taito demo``: the whole story, told through the HTTP API, each request printed as curl.

Against a running instance (``--url``, default ``http://127.0.0.1:8000``, what ``make run``
serves) it uses the demo college and employer whose API keys ``taito dev`` keeps in
``<data-dir>/demo-credentials.json``; when that file is missing or its keys do not work there, it
creates a college and an employer of its own through the admin API (the admin token from
``--admin-token``, ``TAITO_ADMIN_TOKEN`` or ``<data-dir>/dev-admin-token``). Each run registers a
new person, so runs never disturb each other or the demo people.

``--in-process`` starts a throwaway instance inside the command (a temporary SQLite database and
key, deleted at the end) and talks to it without a network; its curl lines show the requests but
cannot be pasted, since nothing listens once the command ends.

Exit status: 0 when the story ran as expected, 1 otherwise (the failing step is named).
"""

import argparse
import base64
import os
import secrets
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any, TextIO

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from api.app import create_app
from api.database import build_engine, upgrade
from api.demo.data import COLLEGE, EMPLOYER, ISSUERS, VERIFIERS
from api.demo.narrator import Narrator, StoryFailed
from api.demo.secrets_file import DEMO_FILE, DemoSeedError, load_demo_credentials
from api.demo.story import STEPS, Actors, tell_story
from api.routers.wallet_deps import argon2_parameters
from api.settings import Environment, Settings
from wallet.accounts import Argon2Parameters

Subparsers = Any  # argparse's _SubParsersAction is private.
DEFAULT_URL = "http://127.0.0.1:8000"
IN_PROCESS_URL = "http://taito.in-process.invalid"
_SETUP_STEPS = 2


def register(commands: Subparsers) -> None:
    demo = commands.add_parser(
        "demo", help="tell the whole story against a running Taito, printing each request as curl"
    )
    demo.add_argument("--url", default=DEFAULT_URL, help=f"the instance (default {DEFAULT_URL})")
    demo.add_argument(
        "--data-dir",
        type=Path,
        default=Path("data"),
        help="where `taito dev` keeps demo-credentials.json and dev-admin-token (default data)",
    )
    demo.add_argument(
        "--admin-token",
        default=None,
        help="admin token, when the demo organisations cannot be used "
        "(default: TAITO_ADMIN_TOKEN or <data-dir>/dev-admin-token)",
    )
    demo.add_argument(
        "--in-process",
        action="store_true",
        help="start a throwaway instance inside this command instead of using --url",
    )
    demo.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    if args.in_process:
        return run_in_process(sys.stdout, argon2=None)
    with httpx.Client(base_url=args.url, timeout=30.0) as client:
        return run_against(
            sys.stdout,
            client=client,
            url=args.url,
            data_dir=args.data_dir,
            admin_token=args.admin_token,
        )


def run_against(
    out: TextIO, *, client: httpx.Client, url: str, data_dir: Path, admin_token: str | None
) -> int:
    """Tell the story through ``client`` (bound to the instance at ``url``); the exit status."""
    try:
        actors, setup = _demo_actors(client, data_dir)
        narrator = Narrator(client, url=url, out=out, steps=STEPS + (0 if actors else _SETUP_STEPS))
        _preface(narrator, in_process=False)
        narrator.say(setup)
        if actors is None:
            token = admin_token or _admin_token(data_dir)
            if token is None:
                raise StoryFailed(
                    f"no demo keys ({data_dir / DEMO_FILE}) and no admin token: start the "
                    "instance with `make run`, or pass --admin-token"
                )
            actors = create_actors(narrator, token)
        tell_story(narrator, actors)
    except StoryFailed as failure:
        print(f"\ntaito demo: the story stopped: {failure}", file=out)
        return 1
    print("\nThe story ran as expected.", file=out)
    return 0


def run_in_process(out: TextIO, *, argon2: Argon2Parameters | None) -> int:
    """Tell the story against a throwaway in-process instance; the exit status.

    ``argon2`` lowers the password hashing cost of that instance (tests); ``None`` keeps the
    RFC 9106 defaults.
    """
    with tempfile.TemporaryDirectory(prefix="taito-demo-") as folder:
        data = Path(folder)
        token = "tadm_" + secrets.token_urlsafe(32)
        kek_file = data / "kek.key"
        kek_file.write_bytes(base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"="))
        kek_file.chmod(0o600)
        settings = Settings(
            environment=Environment.DEVELOPMENT,
            database_url=f"sqlite:///{data / 'taito.db'}",
            data_dir=data,
            kek_file=kek_file,
            admin_token=SecretStr(token),
            demo=False,
            log_level="WARNING",
        )
        engine = build_engine(settings.database_url)
        try:
            upgrade(engine)
            app = create_app(settings, engine=engine)
            if argon2 is not None:
                app.dependency_overrides[argon2_parameters] = lambda: argon2
            with _test_client(app) as client:
                narrator = Narrator(client, url=IN_PROCESS_URL, out=out, steps=STEPS + 2)
                _preface(narrator, in_process=True)
                tell_story(narrator, create_actors(narrator, token))
        except StoryFailed as failure:
            print(f"\ntaito demo: the story stopped: {failure}", file=out)
            return 1
        finally:
            engine.dispose()
    print("\nThe story ran as expected.", file=out)
    return 0


def _test_client(app: FastAPI) -> httpx.Client:
    """Starlette's test client: the app in this process, no network (imported only here)."""
    with warnings.catch_warnings():
        # Starlette announces a future switch of its HTTP client; nothing to act on here.
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from fastapi.testclient import TestClient

    return TestClient(app, base_url=IN_PROCESS_URL)


def _preface(n: Narrator, *, in_process: bool) -> None:
    n.say("Taito demo: a college issues, a person holds and shares, an employer verifies.")
    if in_process:
        n.say(
            "This instance runs inside the command and is deleted at the end: the curl lines "
            "show each request, but to paste them run `make run` and then `taito demo`."
        )
    else:
        n.say(
            f"Every request is printed as a curl line you can paste against {n.url}. The keys "
            "and tokens in them are development secrets of this instance."
        )


def _demo_actors(client: httpx.Client, data_dir: Path) -> tuple[Actors | None, str]:
    """The demo college and employer of ``demo-credentials.json``, if their keys work here."""
    path = data_dir / DEMO_FILE
    try:
        demo = load_demo_credentials(path)
    except DemoSeedError:
        demo = None
    if demo is None:
        return None, f"There is no complete {path}: the admin creates a college and an employer."
    college, employer = demo.issuer(COLLEGE), demo.verifier(EMPLOYER)
    try:
        probe = client.get(
            f"/v1/issuers/{college.slug}", headers={"Authorization": f"Bearer {college.api_key}"}
        )
    except httpx.HTTPError as error:
        raise StoryFailed(
            f"cannot reach {client.base_url}: {error}; is `make run` running?"
        ) from None
    if probe.status_code != 200:
        return None, f"The keys in {path} do not work here: the admin creates new organisations."
    actors = Actors(college.slug, college.api_key, employer.slug, employer.api_key)
    return actors, (
        f"The college is {college.name} ({college.slug}) and the employer {employer.name} "
        f"({employer.slug}), the demo organisations whose keys {path} keeps."
    )


def _admin_token(data_dir: Path) -> str | None:
    from_environment = os.environ.get("TAITO_ADMIN_TOKEN")
    if from_environment:
        return from_environment
    try:
        return (data_dir / "dev-admin-token").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def create_actors(n: Narrator, admin_token: str) -> Actors:
    """The admin creates a college and an employer for this run (two printed steps)."""
    suffix = secrets.token_hex(3)
    college, employer = ISSUERS[0], VERIFIERS[0]
    n.step(
        "the admin creates the college",
        "An issuer is accredited for the credential types it may issue; its API key is shown "
        "once and stored only as a hash.",
    )
    created = n.call(
        "POST",
        "/v1/admin/issuers",
        token=admin_token,
        body={"name": college.name, "slug": f"college-{suffix}", "types": list(college.types)},
        expect=201,
    )
    n.fact(f"issuer {created['issuer']['identifier']}, API key {created['api_key']}")
    n.note("the slug is taken now: pasting this line again answers 409 issuer_slug_taken.")
    n.step(
        "the admin creates the employer",
        "A verifier's client identifier is the audience every presentation to it must name.",
    )
    made = n.call(
        "POST",
        "/v1/admin/verifiers",
        token=admin_token,
        body={"name": employer.name, "slug": f"employer-{suffix}"},
        expect=201,
    )
    n.fact(f"verifier {made['verifier']['client_id']}, API key {made['api_key']}")
    return Actors(
        created["issuer"]["slug"], created["api_key"], made["verifier"]["slug"], made["api_key"]
    )
