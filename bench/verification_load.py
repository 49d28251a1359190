"""The verification workload: many issuers, holders and credentials, realistic status lists.

Set up through the API of a running server, as a deployment would be:

- :data:`ISSUERS` issuers (EdDSA and ES256 alternating), each issuing through its batch endpoint
  one credential to each of its share of the holders (``holders`` keys in all, EdDSA and ES256
  alternating), so that every presentation in a run names a different credential, holder key
  and, in turn, issuer;
- a share of the credentials (:data:`REVOKED_SHARE`) revoked through the issuer API; the
  presentations of the load use the others, so every answer must be ``"verified":true``;
- each status list that holds these credentials (131,072 entries, as the service opens them)
  gets :data:`LIST_REVOKED` of its entries revoked and :data:`LIST_SUSPENDED` suspended at
  random free indices (reserved entries written beside them), so the gate decodes a list of
  national size and content rather than an almost empty one;
- nonces come from ``POST /v1/verifiers/{slug}/nonces``, one request each (wrk sends them
  many at a time), never from the tables. A nonce is single use, so each request of a run
  carries its own: the presentations (a KB-JWT over the nonce, signed with the holder's key)
  are made before the run and wrk walks through them, each sent once (:mod:`bench.wrk`).

Making the presentations ahead is sound: the KB-JWT is the holder's work, done on the holder's
device, never the server's; what the server does per request (authenticate the verifier, check
and consume the nonce, verify both signatures, the Disclosures and the status) is all inside
the measured run. Repeating one presentation would not be: its nonce is consumed by the first
request, so every repeat would measure the replay refusal instead of a verification.
"""

import json
import math
import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import insert
from sqlmodel import Session, col, select

from bench.http_server import Running
from bench.http_setup import CREDENTIAL_TYPE, DISCLOSE, example_claims
from bench.wrk import Workload, collect
from credentials.kb_jwt import create_kb_jwt
from credentials.keys import PrivateKey, generate_key
from credentials.sd_jwt import SDAlg, join_sd_jwt
from credentials.sd_jwt_holder import open_sd_jwt, select_disclosures
from credentials.status_list import StatusList, StatusType
from issuers.status import BITS
from issuers.tables import Issuer, IssuerStatusEntry, IssuerStatusList

ISSUERS = 3
REVOKED_SHARE = 0.02
LIST_REVOKED = 0.01
LIST_SUSPENDED = 0.005
BATCH = 100
MINTING_CONNECTIONS = 8
FEW_NONCES = 10
VERIFY_PATH = "/v1/verifications"


@dataclass(frozen=True)
class Holding:
    """One issued credential as its holder keeps it, ready to present."""

    issuer_slug: str
    credential_id: str
    presentable: str
    """The issuer JWT and the Disclosures of :data:`DISCLOSE`, without a KB-JWT yet."""
    sd_alg: SDAlg
    holder: PrivateKey


@dataclass(frozen=True)
class VerificationWorkload:
    """Everything a verification run needs; ``valid`` and ``revoked`` do not overlap."""

    verifier_slug: str
    verifier_key: str
    audience: str
    issuers: tuple[dict[str, Any], ...]
    """The admin API's answers for the issuers (identifier, public key, api key)."""
    valid: tuple[Holding, ...]
    revoked: tuple[Holding, ...]
    list_entries: int
    list_marked: int


def _checked(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code >= 300:
        raise RuntimeError(f"{what}: {response.status_code} {response.text[:300]}")
    body: dict[str, Any] = response.json()
    return body


def _public_jwk(key: PrivateKey) -> dict[str, Any]:
    return {k: v for k, v in key.public.jwk.items() if k not in ("kid", "alg")}


def _issue(
    client: httpx.Client, slug: str, api_key: str, holders: list[PrivateKey]
) -> list[Holding]:
    made: list[Holding] = []
    for start in range(0, len(holders), BATCH):
        chunk = holders[start : start + BATCH]
        items = [
            {"type": CREDENTIAL_TYPE, "claims": example_claims(), "holder": {"jwk": _public_jwk(h)}}
            for h in chunk
        ]
        answer = _checked(
            client.post(
                f"/v1/issuers/{slug}/credentials/batch",
                headers={
                    "Authorization": f"Bearer {api_key}",
                    "Idempotency-Key": secrets.token_urlsafe(16),
                },
                json={"items": items},
            ),
            f"issue to the holders of {slug}",
        )
        if answer.get("failed") != 0:
            raise RuntimeError(f"issue to the holders of {slug}: {str(answer)[:300]}")
        for holder, item in zip(chunk, answer["items"], strict=True):
            issued = item["credential"]
            held = open_sd_jwt(issued["credential"])
            chosen = select_disclosures(held, DISCLOSE)
            presentable = join_sd_jwt(held.issuer_jwt, (d.encoded for d in chosen))
            made.append(Holding(slug, issued["id"], presentable, held.sd_alg, holder))
    return made


def prepare_workload(
    server: Running, *, verifier_slug: str, verifier_key: str, audience: str, holders: int
) -> VerificationWorkload:
    """Create the issuers, issue to ``holders`` holders, revoke some, fill the status lists."""
    admin = {"Authorization": f"Bearer {server.admin_token}"}
    chooser = random.Random(15)
    issuers: list[dict[str, Any]] = []
    holdings: list[Holding] = []
    keys = [generate_key("EdDSA" if n % 2 else "ES256") for n in range(holders)]
    with httpx.Client(base_url=server.origin, timeout=300) as client:
        for number in range(ISSUERS):
            slug = f"bench-verify-{number}"
            created = _checked(
                client.post(
                    "/v1/admin/issuers",
                    headers=admin,
                    json={
                        "name": f"Bench issuer {number}",
                        "slug": slug,
                        "types": [CREDENTIAL_TYPE],
                        "alg": "EdDSA" if number % 2 == 0 else "ES256",
                    },
                ),
                f"create issuer {slug}",
            )
            issuers.append(created)
            holdings += _issue(client, slug, created["api_key"], keys[number::ISSUERS])
        chooser.shuffle(holdings)
        cut = max(1, round(len(holdings) * REVOKED_SHARE))
        revoked, valid = holdings[:cut], holdings[cut:]
        keys_by_slug = {i["issuer"]["slug"]: i["api_key"] for i in issuers}
        for holding in revoked:
            _checked(
                client.post(
                    f"/v1/issuers/{holding.issuer_slug}/credentials/{holding.credential_id}/status",
                    headers={"Authorization": f"Bearer {keys_by_slug[holding.issuer_slug]}"},
                    json={"status": "revoked"},
                ),
                "revoke a credential",
            )
    entries, marked = _fill_lists(server, [i["issuer"]["slug"] for i in issuers], chooser)
    return VerificationWorkload(
        verifier_slug,
        verifier_key,
        audience,
        tuple(issuers),
        tuple(valid),
        tuple(revoked),
        entries,
        marked,
    )


def _fill_lists(server: Running, slugs: list[str], chooser: random.Random) -> tuple[int, int]:
    """Revoke and suspend a realistic share of free entries of every list of these issuers.

    Written as the service would leave them after years of issuing: each marked index is a
    reserved entry, its bits set in the packed list, the list's version bumped (so a cached
    copy is refreshed). Returns the entries per list and the entries marked per list.
    """
    now = datetime.now(UTC)
    size = marked = 0
    with Session(server.engine) as session:
        lists = session.exec(
            select(IssuerStatusList)
            .join(Issuer, col(Issuer.id) == col(IssuerStatusList.issuer_id))
            .where(col(Issuer.slug).in_(slugs))
        ).all()
        for status_list in lists:
            taken = set(
                session.exec(
                    select(IssuerStatusEntry.idx).where(
                        col(IssuerStatusEntry.list_id) == status_list.id
                    )
                ).all()
            )
            size = status_list.size
            revoked = int(size * LIST_REVOKED)
            suspended = int(size * LIST_SUSPENDED)
            free = [i for i in range(size) if i not in taken]
            picked = chooser.sample(free, revoked + suspended)
            updates = {i: StatusType.INVALID for i in picked[:revoked]}
            updates.update({i: StatusType.SUSPENDED for i in picked[revoked:]})
            current = StatusList(BITS, size, status_list.statuses)
            status_list.statuses = current.with_statuses(updates).packed
            status_list.version += 1
            status_list.allocated += len(picked)
            session.add(status_list)
            session.execute(
                insert(IssuerStatusEntry),
                [{"list_id": status_list.id, "idx": i, "reserved_at": now} for i in picked],
            )
            marked = len(picked)
        session.commit()
    return size, marked


def obtain_nonces(server: Running, workload: VerificationWorkload, count: int) -> list[str]:
    """``count`` API-to-API nonces, each from its own ``POST /v1/verifiers/{slug}/nonces``.

    wrk obtains them many at a time (mode ``collect``) in runs of whole seconds, the second run
    sized by the rate of the first; nonces beyond ``count`` are left to expire unused. Up to
    :data:`FEW_NONCES` are obtained one after the other, without wrk.
    """
    path = f"/v1/verifiers/{workload.verifier_slug}/nonces"
    if count <= FEW_NONCES:
        with httpx.Client(base_url=server.origin, headers=headers(workload), timeout=60) as client:
            minted = [_checked(client.post(path), "obtain a nonce") for _ in range(count)]
        return [str(answer["nonce"]) for answer in minted]
    request = Workload("collect", path, '"nonce"', headers(workload))
    nonces: list[str] = []
    seconds = 1
    while len(nonces) < count:
        result, answers = collect(
            server.port, request, connections=MINTING_CONNECTIONS, seconds=seconds
        )
        if result.errors or not answers:
            raise RuntimeError(
                f"obtaining nonces failed: {len(answers)} answers kept, statuses "
                f"{result.statuses}, {result.socket_errors} socket errors, {result.wrong} "
                f"without a nonce; {result.error_sample or 'no error answer'}"
            )
        nonces.extend(str(json.loads(answer)["nonce"]) for answer in answers)
        missing = count - len(nonces)
        seconds = max(1, math.ceil(1.1 * missing / result.throughput)) if missing > 0 else 0
    return nonces[:count]


def verification_body(holding: Holding, *, nonce: str, audience: str, issued_at: datetime) -> bytes:
    """One ``POST /v1/verifications`` body: the holding presented with a KB-JWT over ``nonce``."""
    kb_jwt = create_kb_jwt(
        holding.presentable,
        holder_key=holding.holder,
        audience=audience,
        nonce=nonce,
        issued_at=issued_at,
        sd_alg=holding.sd_alg,
    )
    body = {"nonce": nonce, "audience": audience, "presentations": [holding.presentable + kb_jwt]}
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def presentations(server: Running, workload: VerificationWorkload, count: int) -> tuple[bytes, ...]:
    """``count`` bodies for one run: fresh nonces, the valid holdings in turn (every one used
    before any is used again), each body's KB-JWT signed by that credential's holder."""
    nonces = obtain_nonces(server, workload, count)
    issued_at = datetime.now(UTC) - timedelta(seconds=1)
    valid = workload.valid
    return tuple(
        verification_body(
            valid[n % len(valid)], nonce=nonce, audience=workload.audience, issued_at=issued_at
        )
        for n, nonce in enumerate(nonces)
    )


def describe(workload: VerificationWorkload) -> str:
    """One reading line: what the verification load presented, against which lists."""
    holders = len({h.holder.public.thumbprint for h in (*workload.valid, *workload.revoked)})
    return (
        f"Verification workload: {len(workload.issuers)} issuers (EdDSA and ES256), "
        f"{holders:,} holders (EdDSA and ES256), {len(workload.valid):,} valid credentials "
        f"presented in turn, each request with a nonce from POST /v1/verifiers/{{slug}}/nonces "
        f"and a fresh KB-JWT; {len(workload.revoked):,} more revoked through the issuer API "
        f"(refused by the probe); every status list has {workload.list_entries:,} entries, "
        f"{workload.list_marked:,} of them revoked or suspended."
    )


def headers(workload: VerificationWorkload) -> tuple[tuple[str, str], ...]:
    """The verifier's authorization for ``POST /v1/verifications``."""
    return (("Authorization", f"Bearer {workload.verifier_key}"),)
