"""A wallet at the sizes it can hold: filled with real credentials, then read cold and warm.

A wallet holds at most :data:`wallet.limits.CREDENTIALS_MAX` (1,000) credentials, so the
issue's "wallet at 5,000 credentials" is measured at that cap (and at 100 and 500 beside it).

Filling: the credentials are issued through the issuer API (batch endpoint) of a running
``taito serve`` to the wallet's own holder key, with varied titles and ESCO skills so that
search and the skills profile have work to do. They are stored through the wallet service's own
:func:`wallet.credentials.store_received` (sealed rows, search index, activity log, exactly as a
receipt stores them). The checker handed to it verifies each credential with the credential
core (issuer signature with the issuer's published key, Disclosures, validity, holder binding)
but does not fetch the status list: that part of the gate is the verification benchmark's.

Reading: through an application built in this process with :func:`api.app.create_app` on the
server's database and settings, called with FastAPI's test client, so that its per-application
caches (:mod:`api.caches`: opened wallet indexes, computed skills profiles, keys) can be emptied
before a "cold" request. Each round runs every query once right after emptying the caches
(cold) and then :data:`WARM_REPEATS` times (warm), rotating the order from round to round,
with ``/healthz`` of the same application in the same round as the baseline.
"""

import gc
import gzip
import json
import os
import secrets
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session

import schemas
from api.app import create_app
from api.caches import AppCaches
from api.settings import Environment, LogFormat, Settings
from bench.http_server import Running, postgres_available, serve
from bench.http_setup import CREDENTIAL_TYPE, ISSUER_SLUG, Fixture, example_claims, prepare
from bench.report import Section, Table, TargetCheck, seconds, times
from bench.server_profile import profile_server
from bench.timing import percentile
from credentials.kb_jwt import holder_key_from_cnf
from credentials.keys import ALGORITHMS, JWK, public_key_from_jwk
from credentials.resolvers import pinned_key
from credentials.sd_jwt_vc import PLAIN_CLAIMS, VC_TYP, VCTyp, verify_sd_jwt_vc_issuance
from wallet.checker import CheckedCredential, CredentialChecker
from wallet.credentials import store_received
from wallet.errors import WalletFull
from wallet.limits import CREDENTIALS_MAX
from wallet.tokens import authenticate_access
from wallet.vault import open_vault

PASSWORD = "bench-" + "correct horse battery staple"
SEARCH_WORD = "tietoturva"
_TITLES = (
    "Tieto- ja viestintätekniikan perustutkinto",
    "Ohjelmistokehittäjän ammattitutkinto",
    "Tietoturva-asiantuntijan erikoisammattitutkinto",
    "Datainsinööri (AMK)",
    "Pilvipalveluiden ylläpidon osatutkinto",
)
_ACCEPTED: tuple[VCTyp, ...] = (VC_TYP,)


def _skill_pool(count: int) -> list[tuple[str, str]]:
    folder = Path(schemas.__file__).with_name("data")
    with gzip.open(folder / "esco_skills.json.gz") as packed:
        document = json.loads(packed.read())
    prefix = document["prefix"]
    return [(prefix + row[0], row[1]) for row in document["skills"][:count]]


def _items(jwk: JWK, count: int, offset: int) -> list[dict[str, Any]]:
    base = example_claims()
    pool = _skill_pool(60)
    items = []
    for n in range(offset, offset + count):
        claims = dict(base)
        claims["title"] = f"{_TITLES[n % len(_TITLES)]} {n}"
        claims["skills"] = [
            {"uri": uri, "label": label}
            for uri, label in (pool[(n * 7 + k) % 60] for k in range(3))
        ]
        items.append({"type": CREDENTIAL_TYPE, "claims": claims, "holder": {"jwk": jwk}})
    return items


def register_wallet(server: Running) -> tuple[str, JWK]:
    """A new wallet account: its access token and holder public JWK."""
    with httpx.Client(base_url=server.origin, timeout=120) as client:
        answer = client.post(
            "/v1/auth/register",
            json={"username": f"bench-{secrets.token_hex(4)}@example.fi", "password": PASSWORD},
        )
        if answer.status_code >= 300:
            raise RuntimeError(f"register wallet: {answer.status_code} {answer.text[:300]}")
        token = str(answer.json()["access_token"])
        binding = client.get("/v1/wallet/binding", headers={"Authorization": f"Bearer {token}"})
        if binding.status_code != 200:
            raise RuntimeError(f"wallet binding: {binding.status_code} {binding.text[:300]}")
        jwk: JWK = binding.json()["jwk"]
    return token, jwk


def issue_to(
    server: Running, fixture: Fixture, jwk: JWK, count: int, *, start: int = 0
) -> list[str]:
    """``count`` credentials issued to ``jwk`` through the batch endpoint (100 per request),
    numbered from ``start`` (the number picks the title and skills)."""
    public = {k: v for k, v in jwk.items() if k in ("kty", "crv", "x", "y")}
    issued: list[str] = []
    with httpx.Client(base_url=server.origin, timeout=300) as client:
        for offset in range(start, start + count, 100):
            answer = client.post(
                f"/v1/issuers/{ISSUER_SLUG}/credentials/batch",
                headers={
                    "Authorization": f"Bearer {fixture.issuer_key}",
                    "Idempotency-Key": secrets.token_urlsafe(16),
                },
                json={"items": _items(public, min(100, start + count - offset), offset)},
            )
            if answer.status_code != 200 or answer.json().get("failed") != 0:
                raise RuntimeError(f"batch issuance: {answer.status_code} {answer.text[:300]}")
            issued.extend(item["credential"]["credential"] for item in answer.json()["items"])
    return issued


def core_checker(fixture: Fixture) -> CredentialChecker:
    """Signature, Disclosures, validity and holder binding by the core; no status fetch."""
    key = public_key_from_jwk(fixture.issuer_jwk)
    resolve = pinned_key(key, issuer=fixture.issuer_identifier)

    def check(credential: str, *, holder_jwk: JWK, now: datetime) -> CheckedCredential:
        verified = verify_sd_jwt_vc_issuance(
            credential,
            resolve_issuer_key=resolve,
            algorithms=ALGORITHMS,
            accepted_typ=_ACCEPTED,
            now=now,
            clock_tolerance=timedelta(seconds=60),
        )
        bound = holder_key_from_cnf(verified.claims)
        if bound.thumbprint != public_key_from_jwk(holder_jwk).thumbprint:
            raise ValueError("the credential is bound to another key")
        exp = verified.claims.get("exp")
        return CheckedCredential(
            format="dc+sd-jwt",
            issuer=verified.issuer,
            issuer_name="Omnia",
            vct=verified.vct,
            claims={k: v for k, v in verified.claims.items() if k not in PLAIN_CLAIMS},
            valid_from=datetime.fromtimestamp(int(verified.claims["iat"]), UTC),
            valid_until=None if exp is None else datetime.fromtimestamp(int(exp), UTC),
            status="valid",
        )

    return check


def receive_all(server: Running, fixture: Fixture, token: str, credentials: list[str]) -> None:
    """Store every credential in the wallet through the wallet service (one commit each)."""
    now = datetime.now(UTC)
    check = core_checker(fixture)
    with Session(server.engine, expire_on_commit=False) as session:
        holder_id = authenticate_access(session, access_token=token, now=now)
        vault = open_vault(session, holder_id=holder_id, kek=server.kek)
        for credential in credentials:
            store_received(
                session,
                vault=vault,
                credential=credential,
                verify=check,
                kek=server.kek,
                base_url=server.base_url,
                now=now,
            )
            session.commit()


WARM_REPEATS = 5
HEALTHZ = "GET /healthz"
WARM_TARGET = 0.050
COLD_TARGET = 0.150
PROFILE_SECONDS = 6


@dataclass(frozen=True)
class Plan:
    """Sizes and repetitions of one run (smoke: tiny, for CI)."""

    smoke: bool

    @property
    def sizes(self) -> tuple[int, ...]:
        return (12, 30) if self.smoke else (100, 500, CREDENTIALS_MAX)

    @property
    def page(self) -> int:
        # The API's default page size in full runs; a small one in smoke runs, so that the
        # walk through all pages still follows cursors.
        return 10 if self.smoke else 100

    @property
    def rounds(self) -> int:
        return 2 if self.smoke else 7

    @property
    def repeats(self) -> int:
        return 2 if self.smoke else WARM_REPEATS


Query = Callable[[TestClient], None]


@dataclass(frozen=True)
class QueryTimes:
    """Seconds of one query: one cold run and ``repeats`` warm runs per round."""

    name: str
    run: Query
    requests: int
    cold: tuple[float, ...]
    warm: tuple[tuple[float, ...], ...]

    @property
    def warm_per_round(self) -> tuple[float, ...]:
        return tuple(statistics.median(values) for values in self.warm)

    @property
    def warm_p99(self) -> float:
        return percentile(sorted(v for values in self.warm for v in values), 0.99)

    @property
    def cold_p99(self) -> float:
        return percentile(sorted(self.cold), 0.99)


@dataclass(frozen=True)
class Reader:
    """An application of this process on the server's database, and a way to empty its caches."""

    client: TestClient
    caches: AppCaches

    def empty_caches(self) -> None:
        """Forget every kept key, status list, wallet index and skills profile (cold)."""
        for cache in (
            self.caches.public_keys,
            self.caches.private_keys,
            self.caches.status_lists,
            self.caches.wallet_indexes,
            self.caches.wallet_profiles,
        ):
            cache.clear()


def in_process_reader(server: Running) -> Reader:
    """``create_app`` with the server's production settings and its database engine."""
    settings = Settings(
        environment=Environment.PRODUCTION,
        database_url=server.database_url,
        base_url=server.base_url,
        kek_file=server.kek_file,
        data_dir=server.kek_file.parent,
        purge_interval_seconds=0,
        log_format=LogFormat.JSON,
        log_level="WARNING",
    )
    app = create_app(settings, engine=server.engine)
    return Reader(TestClient(app, base_url=server.base_url), app.state.caches)


def _json(client: TestClient, path: str, token: str | None) -> dict[str, Any]:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    answer = client.get(path, headers=headers)
    if answer.status_code != 200:
        raise AssertionError(f"GET {path}: {answer.status_code} {answer.text[:300]}")
    body: dict[str, Any] = answer.json()
    return body


def title_matches(size: int) -> int:
    """How many of the first ``size`` credentials carry :data:`SEARCH_WORD` in their title."""
    return sum(1 for n in range(size) if SEARCH_WORD in _TITLES[n % len(_TITLES)].casefold())


def queries(token: str, *, size: int, page: int) -> dict[str, tuple[Query, int]]:
    """Each query (which raises on a wrong answer) and how many requests it makes."""

    def healthz(client: TestClient) -> None:
        if _json(client, "/healthz", None).get("status") != "ok":
            raise AssertionError("/healthz did not answer ok")

    def first_page(client: TestClient) -> None:
        found = _json(client, f"/v1/wallet/credentials?limit={page}", token)["credentials"]
        if len(found) != min(page, size):
            raise AssertionError(f"first page: {len(found)} credentials of {size}")

    def all_pages(client: TestClient) -> None:
        seen: set[str] = set()
        cursor = ""
        while True:
            body = _json(client, f"/v1/wallet/credentials?limit={page}{cursor}", token)
            seen.update(str(item["id"]) for item in body["credentials"])
            if body["next_cursor"] is None:
                break
            cursor = "&cursor=" + quote(str(body["next_cursor"]))
        if len(seen) != size:
            raise AssertionError(f"all pages: {len(seen)} distinct credentials of {size}")

    def search(client: TestClient) -> None:
        path = f"/v1/wallet/credentials?q={SEARCH_WORD}&limit={page}"
        found = len(_json(client, path, token)["credentials"])
        if not min(page, title_matches(size)) <= found <= page:
            raise AssertionError(f"search: {found} credentials")

    def profile(client: TestClient) -> None:
        if not _json(client, "/v1/wallet/profile", token).get("skills"):
            raise AssertionError("the skills profile has no skills")

    return {
        HEALTHZ: (healthz, 1),
        f"list, first page ({page})": (first_page, 1),
        f"list, all pages ({page} each)": (all_pages, -(-size // page)),
        f"search ?q={SEARCH_WORD}, first page": (search, 1),
        "skills profile": (profile, 1),
    }


def _once(reader: Reader, query: Query) -> float:
    gc.collect()
    started = time.perf_counter()
    query(reader.client)
    return time.perf_counter() - started


def measure(
    reader: Reader, found: dict[str, tuple[Query, int]], *, rounds: int, repeats: int
) -> dict[str, QueryTimes]:
    """Per round and query (rotating order): one run on emptied caches, then ``repeats`` runs."""
    names = list(found)
    cold: dict[str, list[float]] = {name: [] for name in names}
    warm: dict[str, list[tuple[float, ...]]] = {name: [] for name in names}
    for name in names:  # the application's first requests (imports, pool) are not billed
        found[name][0](reader.client)
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in (*names[shift:], *names[:shift]):
            query = found[name][0]
            reader.empty_caches()
            cold[name].append(_once(reader, query))
            warm[name].append(tuple(_once(reader, query) for _ in range(repeats)))
    return {
        name: QueryTimes(name, *found[name], tuple(cold[name]), tuple(warm[name])) for name in names
    }


def _spread(values: tuple[float, ...]) -> str:
    return f"{seconds(statistics.median(values))} ({seconds(min(values))}–{seconds(max(values))})"


def _ratio(values: tuple[float, ...], baseline: tuple[float, ...]) -> str:
    return times(statistics.median(v / b for v, b in zip(values, baseline, strict=True)))


def _refuses_one_more(server: Running, fixture: Fixture, token: str, jwk: JWK, size: int) -> bool:
    """Whether the full wallet refuses one more credential with ``wallet_full``."""
    try:
        receive_all(server, fixture, token, issue_to(server, fixture, jwk, 1, start=size))
    except WalletFull:
        return True
    return False


CAP_NOTE = (
    f"A wallet holds at most {CREDENTIALS_MAX:,} credentials "
    "([`CREDENTIALS_MAX`](../wallet/limits.py) in `wallet/limits.py`; more is refused with "
    '409 `wallet_full`), so the issue\'s "wallet at 5,000 credentials" is measured at '
    f"{CREDENTIALS_MAX:,}, the largest wallet there can be."
)


def run(*, smoke: bool) -> Section:
    """The wallet at each size of the plan, or a note that PostgreSQL is not available."""
    plan = Plan(smoke)
    cap = plan.sizes[-1]
    section = Section(
        "Scale: a wallet of "
        + ", ".join(f"{size:,}" for size in plan.sizes)
        + " credentials (PostgreSQL; read in process, cold and warm)",
        ".venv/bin/python -m bench --only wallet",
    )
    why = "the cap; the issue's 5,000" if cap == CREDENTIALS_MAX else "smoke size"
    targets = (
        f"wallet first page, search and profile at {cap:,} credentials "
        f"({why}) p99 < {seconds(WARM_TARGET)} warm",
        f"the same at {cap:,} credentials p99 < {seconds(COLD_TARGET)} cold",
    )
    section.reading.append(CAP_NOTE)
    if not postgres_available():
        section.reading.append("not run: waits for PostgreSQL at 127.0.0.1:5432")
        section.targets.extend(TargetCheck(t, "not run", None) for t in targets)
        return section
    table = Table(
        f"{plan.rounds} rounds; in each, one run of every query on emptied caches (cold), then "
        f"{plan.repeats} runs (warm); median (min–max) over rounds; p99 of all warm runs; "
        "ratios are medians of same-round ratios to the warm /healthz",
        (
            "credentials",
            "query",
            "requests",
            "cold",
            "warm",
            "warm p99",
            "cold ÷ /healthz",
            "warm ÷ /healthz",
        ),
    )
    filled_in: dict[int, float] = {}
    at_cap: dict[str, QueryTimes] = {}
    refused: bool | None = None
    with serve("postgresql", workers=1, mode="production") as server:
        fixture = prepare(server)
        token, jwk = register_wallet(server)
        reader = in_process_reader(server)
        held = 0
        for size in plan.sizes:
            started = time.perf_counter()
            receive_all(
                server, fixture, token, issue_to(server, fixture, jwk, size - held, start=held)
            )
            filled_in[size] = time.perf_counter() - started
            held = size
            found = measure(
                reader,
                queries(token, size=size, page=plan.page),
                rounds=plan.rounds,
                repeats=plan.repeats,
            )
            base = found[HEALTHZ].warm_per_round
            for name, timed in found.items():
                table.add(
                    f"{size:,}",
                    name,
                    str(timed.requests),
                    _spread(timed.cold),
                    _spread(timed.warm_per_round),
                    seconds(timed.warm_p99),
                    _ratio(timed.cold, base),
                    _ratio(timed.warm_per_round, base),
                )
            at_cap = found
        if cap == CREDENTIALS_MAX:
            refused = _refuses_one_more(server, fixture, token, jwk, cap)
            if not refused:
                raise AssertionError(f"a wallet of {cap:,} accepted one more credential")
        section.tables.append(table)
        _check_targets(section, targets, at_cap, plan, reader)
    section.reading.append(
        "Filling took "
        + ", ".join(f"{seconds(v)} to reach {k:,}" for k, v in filled_in.items())
        + ("; one credential more was refused with wallet_full." if refused else ".")
    )
    section.reading.append(
        "Filling: the credentials were issued through the batch endpoint of `taito serve` "
        "(PostgreSQL, production settings) to the wallet's own key and stored with the wallet "
        "service's receive function; its checker verified each with the credential core but "
        "did not fetch the status list (see bench/scale_wallet.py)."
    )
    section.reading.append(
        "Reading: an application built in the bench process with `create_app` on the server's "
        "database and settings, called through FastAPI's test client one request at a time; "
        "cold means its caches (api/caches.py: opened wallet indexes, skills profiles, keys) "
        "were emptied just before, with the database connection pool left warm. The walk "
        "through all pages follows `next_cursor` until it is null and checks that every "
        "credential came once; it is shown, not a target (it is several requests)."
    )
    return section


def _check_targets(
    section: Section,
    targets: tuple[str, str],
    found: dict[str, QueryTimes],
    plan: Plan,
    reader: Reader,
) -> None:
    """The two targets at the cap (worst of first page, search, profile) and a profile on a miss."""
    checked = {n: t for n, t in found.items() if n != HEALTHZ and not n.startswith("list, all")}
    warm_name = max(checked, key=lambda n: checked[n].warm_p99)
    cold_name = max(checked, key=lambda n: checked[n].cold_p99)
    warm, cold = checked[warm_name].warm_p99, checked[cold_name].cold_p99
    judged = not plan.smoke
    section.targets.append(
        TargetCheck(
            targets[0], f"{seconds(warm)} ({warm_name})", warm < WARM_TARGET if judged else None
        )
    )
    section.targets.append(
        TargetCheck(
            targets[1], f"{seconds(cold)} ({cold_name})", cold < COLD_TARGET if judged else None
        )
    )
    if not judged or (warm < WARM_TARGET and cold < COLD_TARGET):
        return
    cold_missed = cold >= COLD_TARGET
    name = cold_name if cold_missed else warm_name
    query = found[name].run
    if cold_missed:

        def run() -> None:
            reader.empty_caches()
            query(reader.client)

    else:

        def run() -> None:
            query(reader.client)

    def load() -> None:
        until = time.perf_counter() + PROFILE_SECONDS
        while time.perf_counter() < until:
            run()

    # The test client runs the application on a thread of its own, which pyinstrument (the
    # calling thread only) would not see; py-spy --gil samples whichever thread holds the GIL.
    profiled = profile_server(os.getpid(), seconds=PROFILE_SECONDS, load=load, gil=True)
    state = "cold" if cold_missed else "warm"
    section.reading.append(f"Profile of {name}, {state}, in this process (a missed target):")
    section.reading.extend(
        f"  {line}"
        for line in (profiled.lines() if profiled else ["not taken (py-spy is missing)"])
    )
