"""The verification scenario around the load: a probe that the gate answers right, and the
supply of single-use presentations for each run (:mod:`bench.verification_load` makes them).
"""

from datetime import UTC, datetime, timedelta

import httpx

from bench.http_server import Running
from bench.http_setup import trust_issuer
from bench.verification_load import (
    VERIFY_PATH,
    Holding,
    VerificationWorkload,
    headers,
    obtain_nonces,
    presentations,
    verification_body,
)
from bench.wrk import Workload, WrkResult


def probe(server: Running, workload: VerificationWorkload) -> str:
    """Empty when a valid presentation verifies and a revoked one does not; else what failed.

    When the gate does not know the local issuers, they are put in the trust registry (pinned
    keys) and the probe is repeated.
    """
    reason = _probe_once(server, workload)
    if "issuer_unknown" in reason:
        for created in workload.issuers:
            trust_issuer(
                server,
                identifier=str(created["issuer"]["identifier"]),
                jwk=dict(created["key"]["public_jwk"]),
                name=str(created["issuer"]["name"]),
            )
        reason = _probe_once(server, workload)
        if reason:
            reason += " (issuers trusted through the registry with pinned keys)"
    return reason


def _probe_once(server: Running, workload: VerificationWorkload) -> str:
    valid = _verify_once(server, workload, workload.valid[0])
    if not valid.startswith("verified=True"):
        return f"the probe: a valid presentation was not verified ({valid})"
    revoked = _verify_once(server, workload, workload.revoked[0])
    if not revoked.startswith("verified=False") or "status=" not in revoked:
        return f"the probe: a revoked credential was not refused for its status ({revoked})"
    return ""


def _verify_once(server: Running, workload: VerificationWorkload, holding: Holding) -> str:
    """The answer to one presentation of ``holding``: ``verified=...`` and the failed checks."""
    nonce = obtain_nonces(server, workload, 1)[0]
    body = verification_body(
        holding,
        nonce=nonce,
        audience=workload.audience,
        issued_at=datetime.now(UTC) - timedelta(seconds=1),
    )
    answer = httpx.post(
        f"{server.origin}{VERIFY_PATH}",
        content=body,
        headers={**dict(headers(workload)), "Content-Type": "application/json"},
        timeout=60,
    )
    if answer.status_code != 200:
        return f"answered {answer.status_code}: {answer.text[:200]}"
    report = answer.json()
    failed = [
        f"{c['check']}={c.get('code')}"
        for presentation in report.get("presentations", [])
        for c in presentation.get("checks", [])
        if c.get("outcome") == "failed"
    ]
    return f"verified={report.get('verified')}, failed checks: {', '.join(failed) or 'none'}"


class Supply:
    """How many presentations a verification run gets: ``first`` for the first run (the
    warm-up), then sized from the warm-up's throughput, at most ``cap``.

    Each needs a nonce from the API and a KB-JWT made in advance; making ten times too many
    would cost more time than the run itself, too few would end the run early (reported as
    "supply exhausted").
    """

    def __init__(
        self, server: Running, workload: VerificationWorkload, *, seconds: int, first: int, cap: int
    ) -> None:
        self.server, self.workload, self.seconds = server, workload, seconds
        self.count, self.cap = first, cap

    def make(self) -> Workload:
        """A fresh workload: new nonces from the API, new presentations."""
        bodies = presentations(self.server, self.workload, self.count)
        return Workload("walk", VERIFY_PATH, '"verified":true', headers(self.workload), bodies)

    def size_from(self, warmup: WrkResult) -> None:
        """Size the next runs: 1.5 times what the warm-up's rate needs, plus 500."""
        needed = warmup.throughput * 1.5 * self.seconds + 500
        self.count = int(self.cap if warmup.exhausted else min(needed, self.cap))
