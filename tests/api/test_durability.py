"""Nothing acknowledged is lost when the server is killed (SIGKILL) mid-work, on PostgreSQL.

Each test starts a real ``taito serve`` (production settings, two workers), sends requests from
several concurrent clients, kills the whole server with SIGKILL while requests are in flight,
restarts it and checks what the clients were told against what the database holds.
"""

import secrets
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, func, select

from api.cli.admin_wallet import verify_log
from credentials.keys import public_key_from_jwk
from credentials.status_list import StatusList
from issuers.batch import issue_batch
from issuers.organisations import CreatedIssuer, create_issuer
from issuers.status_blocks import BLOCK as STATUS_BLOCK
from issuers.tables import (
    IssuerCredential,
    IssuerIdempotency,
    IssuerPickup,
    IssuerStatusEntry,
    IssuerStatusList,
)
from schemas import SLUGS
from tests.api.test_durability_support import BASE_URL, Instance, Stream, served_instance
from tests.conftest import POSTGRES_URL
from tests.service.test_issuers_support import SAMPLE_CLAIMS, request_for
from tests.service.test_wallet_support import FAST_ARGON2
from wallet.accounts import Registration, register
from wallet.holder_keys import holder_binding
from wallet.passwords import PasswordHashing
from wallet.tables import WalletActivity, WalletCredential

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        POSTGRES_URL is None,
        reason="kills a real server on PostgreSQL: set TAITO_TEST_DATABASE_URL (CI does)",
    ),
]
BATCH_SIZE = 25
CLIENTS = 4


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[Instance]:
    assert POSTGRES_URL is not None
    with served_instance(tmp_path, POSTGRES_URL) as served:
        yield served


def _issuer(instance: Instance) -> CreatedIssuer:
    with Session(instance.engine) as session:
        return create_issuer(
            session,
            name="Esimerkin ammattiopisto",
            slug=f"college-{secrets.token_hex(3)}",
            types=SLUGS,
            alg="ES256",
            kek=instance.kek,
            now=datetime.now(UTC),
        )


def _holder(instance: Instance, number: int) -> tuple[Registration, dict[str, Any]]:
    with Session(instance.engine) as session:
        registered = register(
            session,
            username=f"person-{number}-{secrets.token_hex(3)}@example.fi",
            password=secrets.token_urlsafe(16),
            kek=instance.kek,
            hashing=PasswordHashing.serial(FAST_ARGON2),
            client=None,
            now=datetime.now(UTC),
        )
        jwk = holder_binding(session, holder_id=registered.holder_id).jwk
    return registered, dict(jwk)


def _batch_body(holder_jwk: dict[str, Any]) -> dict[str, Any]:
    item = {
        "type": "competence",
        "claims": SAMPLE_CLAIMS["competence"],
        "holder": {"jwk": holder_jwk},
    }
    return {"items": [item] * BATCH_SIZE}


def _batches_in_progress(instance: Instance, *, at_least: int, timeout: float) -> int:
    """How many batches have started (their key is committed) and not committed, waiting up to
    ``timeout`` seconds for ``at_least`` of them."""
    deadline = time.monotonic() + timeout
    with Session(instance.engine) as session:
        while True:
            started = session.exec(
                select(func.count()).where(col(IssuerIdempotency.completed_at).is_(None))
            ).one()
            if started >= at_least or time.monotonic() >= deadline:
                return started
            session.rollback()
            time.sleep(0.005)


def _unused_entries(instance: Instance) -> list[int]:
    """The status of every reserved entry that no credential uses, as its list stores it."""
    with Session(instance.engine) as session:
        lists = {
            row.id: StatusList(2, row.size, row.statuses)
            for row in session.exec(select(IssuerStatusList)).all()
        }
        orphans = session.exec(
            select(IssuerStatusEntry.list_id, IssuerStatusEntry.idx)
            .outerjoin(
                IssuerCredential,
                (col(IssuerStatusEntry.list_id) == col(IssuerCredential.list_id))
                & (col(IssuerStatusEntry.idx) == col(IssuerCredential.idx)),
            )
            .where(col(IssuerCredential.id).is_(None))
        ).all()
    return [lists[list_id].get(idx) for list_id, idx in orphans]


def test_killing_the_server_mid_batch_loses_no_acknowledged_credential_and_half_issues_none(
    instance: Instance,
) -> None:
    issuer = _issuer(instance)
    wallet, holder_jwk = _holder(instance, 0)
    body = _batch_body(holder_jwk)
    instance.start()
    issuing = f"/v1/issuers/{issuer.account.slug}/credentials/batch"

    def send(client: httpx.Client, key: str) -> httpx.Response:
        return client.post(issuing, json=body, headers={"Idempotency-Key": key})

    stream = Stream()
    lanes = [
        (instance.client(issuer.api_key), [f"batch-{lane}-{n}" for n in range(100)])
        for lane in range(CLIENTS)
    ]
    threads = stream.run(lanes, send)
    stream.wait_for(3)
    # Kill while several batches are between their start (a committed Idempotency-Key) and
    # their commit: the window a crash must not tear. Several, so that one finishing in the
    # moment between looking and killing still leaves another cut.
    assert _batches_in_progress(instance, at_least=3, timeout=30) >= 1
    instance.kill()
    for thread in threads:
        thread.join(timeout=30)
    assert stream.refused == [], instance.server_errors()
    assert stream.unanswered, "the kill must land while batches are in flight"
    cut = _batches_in_progress(instance, at_least=1, timeout=0)
    assert cut >= 1, "a batch was cut between its start and its commit"

    instance.start()
    acknowledged = [
        item["credential"] for _, answer in stream.acknowledged for item in answer["items"]
    ]
    assert len(acknowledged) == BATCH_SIZE * len(stream.acknowledged)
    # A retry of each unanswered batch replays it whole (it committed before the kill) or is
    # still held by the dead run; never a part of it.
    replayed: list[dict[str, Any]] = []
    with instance.client(issuer.api_key) as client:
        for key in stream.unanswered:
            retry = send(client, key)
            assert retry.status_code in (200, 409), retry.text
            if retry.status_code == 200:
                replayed += [item["credential"] for item in retry.json()["items"]]
            else:
                assert retry.json()["code"] == "idempotency_in_progress"
    issued = acknowledged + replayed
    with Session(instance.engine) as session:
        register_ids = set(session.exec(select(IssuerCredential.id)).all())
        unentered = session.exec(
            select(func.count())
            .select_from(IssuerCredential)
            .outerjoin(
                IssuerStatusEntry,
                (col(IssuerStatusEntry.list_id) == col(IssuerCredential.list_id))
                & (col(IssuerStatusEntry.idx) == col(IssuerCredential.idx)),
            )
            .where(col(IssuerStatusEntry.idx).is_(None))
        ).one()
        pickups = set(session.exec(select(IssuerPickup.credential_id)).all())
        used_indices = session.exec(select(IssuerCredential.list_id, IssuerCredential.idx)).all()
    assert register_ids == {credential["id"] for credential in issued}, "nothing lost or extra"
    assert unentered == 0, "every registered credential has its status entry"
    assert pickups == register_ids, "every registered credential has its pickup code"
    # Entries a killed worker held stay unused, by design (indices are never reused): the cut
    # batches' and the rest of the blocks the worker had reserved (issuers.status_blocks: one
    # block per client that found the pool empty at once, plus the one being drawn from), and
    # each still reads "valid" in its published list.
    unused = _unused_entries(instance)
    assert len(unused) <= BATCH_SIZE * cut + STATUS_BLOCK * (CLIENTS + 1)
    assert all(status == 0 for status in unused)
    assert max(Counter(used_indices).values()) == 1, "no status index used twice"
    references = Counter(
        (credential["status"]["uri"], credential["status"]["idx"]) for credential in issued
    )
    assert max(references.values()) == 1, "no status reference handed out twice"

    with instance.client(wallet.tokens.access_token) as person:
        for credential in acknowledged:
            received = person.post(
                "/v1/wallet/credentials", json={"credential": credential["credential"]}
            )
            assert received.status_code == 201, received.text


def _credentials_for(
    instance: Instance, issuer: CreatedIssuer, jwk: dict[str, Any], count: int
) -> list[str]:
    holder = public_key_from_jwk(jwk)
    with Session(instance.engine) as session:
        result = issue_batch(
            session,
            issuer=issuer.account,
            requests=[request_for("competence", holder) for _ in range(count)],
            idempotency_key=secrets.token_hex(8),
            kek=instance.kek,
            base_url=BASE_URL,
            now=datetime.now(UTC),
        )
    return [item.credential.credential for item in result.items if item.credential is not None]


def test_killing_the_server_mid_receipts_loses_no_acknowledged_credential_and_keeps_the_chain(
    instance: Instance,
) -> None:
    issuer = _issuer(instance)
    holders = [_holder(instance, number) for number in range(3)]
    offered = {
        registered.holder_id: _credentials_for(instance, issuer, jwk, 30)
        for registered, jwk in holders
    }
    instance.start()

    def send(client: httpx.Client, credential: str) -> httpx.Response:
        return client.post("/v1/wallet/credentials", json={"credential": credential})

    # Two clients per person, so that receipts into one wallet (one activity chain) overlap.
    lanes = [
        (instance.client(registered.tokens.access_token), offered[registered.holder_id][half::2])
        for registered, _ in holders
        for half in (0, 1)
    ]
    stream = Stream()
    threads = stream.run(lanes, send)
    stream.wait_for(15)
    instance.kill()
    for thread in threads:
        thread.join(timeout=30)
    assert stream.refused == [], instance.server_errors()
    assert stream.unanswered, "the kill must land while receipts are in flight"

    instance.start()
    owner = {credential: holder for holder, held in offered.items() for credential in held}
    tokens = {registered.holder_id: registered.tokens.access_token for registered, _ in holders}
    for credential, answer in stream.acknowledged:
        with instance.client(tokens[owner[credential]]) as person:
            detail = person.get(f"/v1/wallet/credentials/{answer['id']}")
        assert detail.status_code == 200, detail.text
        assert detail.json()["live_status"]["state"] == "valid"
    assert verify_log(instance.engine, kek=instance.kek) == 0, "the activity chains are intact"
    with Session(instance.engine) as session:
        for holder_id in offered:
            stored = session.exec(
                select(func.count()).where(col(WalletCredential.holder_id) == holder_id)
            ).one()
            logged = session.exec(
                select(func.count()).where(
                    col(WalletActivity.holder_id) == holder_id,
                    col(WalletActivity.kind) == "credential_received",
                )
            ).one()
            assert stored == logged, "every stored credential has its receipt entry and back"
    # A receipt that was never answered is safe to send again: stored once, or refused as held.
    for credential in stream.unanswered:
        with instance.client(tokens[owner[credential]]) as person:
            again = send(person, credential)
        assert again.status_code in (201, 409), again.text
