"""An independent wallet (the OpenID Foundation's ``@openid4vc/openid4vci``) against Taito.

A Taito server on 127.0.0.1 (uvicorn in a thread, the real composition) issues an offer for
each of the five types; ``tests/interop/oid4vci/wallet.mjs`` runs offer -> tx_code -> token ->
nonce -> proof -> credential with the library's client, and the credential it receives is
presented to a Taito verifier and verified. The same wallet also runs the flow with the
library's DPoP proofs (RFC 9449): Taito binds the token to the wallet's DPoP key and issues.
Needs ``node``; the packages come from the
lockfile (``npm ci``). Skipped only where ``node`` is absent, and never when ``CI=true``.
"""

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.app import create_app
from api.settings import Settings
from credentials.keys import jwk_thumbprint, private_key_from_jwk
from credentials.sd_jwt_holder import open_sd_jwt
from issuers.tables import IssuerAccessToken
from schemas import SLUGS, example_claims
from tests.api.test_end_to_end import ADMIN, ADMIN_TOKEN, bearer, checks_of, ok, present

PACKAGE = Path(__file__).parents[1] / "interop" / "oid4vci"
BASE = "https://taito.test"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is required in CI for the OpenID4VCI interoperability tests")
        pytest.skip("node is not installed: the independent OpenID4VCI wallet cannot run")
    if not (PACKAGE / "node_modules" / "@openid4vc" / "openid4vci").is_dir():
        npm = shutil.which("npm") or "npm"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PACKAGE, check=True)  # noqa: S603
    return node


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the test's thread owns no signals
        pass


@pytest.fixture
def served(settings: Settings, clean_engine: Engine) -> Iterator[tuple[TestClient, str]]:
    app = create_app(
        settings.model_copy(update={"admin_token": SecretStr(ADMIN_TOKEN)}), engine=clean_engine
    )
    port = _free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        with TestClient(app, base_url=BASE) as client:
            yield client, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def _wallet(
    node: str, offer: dict[str, Any], *, origin: str, alg: str, dpop: bool = False
) -> dict[str, Any]:
    stdin = {
        "offer_link": offer["offer_link"],
        "tx_code": offer["tx_code"],
        "base": BASE,
        "origin": origin,
        "alg": alg,
        "dpop": dpop,
    }
    run = subprocess.run(  # noqa: S603 - our own script, our own node
        [node, str(PACKAGE / "wallet.mjs")],
        input=json.dumps(stdin),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    answer: dict[str, Any] = json.loads(run.stdout)
    return answer


def test_an_independent_wallet_receives_every_type_and_a_taito_verifier_accepts_it(
    served: tuple[TestClient, str],
) -> None:
    node = _node()
    client, origin = served
    issuer = ok(
        client.post(
            "/v1/admin/issuers",
            json={"name": "Esimerkin yliopisto", "slug": "university", "types": list(SLUGS)},
            headers=ADMIN,
        ),
        201,
    )
    verifier = ok(
        client.post(
            "/v1/admin/verifiers", json={"slug": "employer", "name": "Rekry Oy"}, headers=ADMIN
        ),
        201,
    )
    for number, slug in enumerate(SLUGS):
        offer = ok(
            client.post(
                "/v1/issuers/university/offers",
                json={"type": slug, "claims": example_claims(slug)},
                headers={**bearer(issuer["api_key"]), "Idempotency-Key": f"interop-{slug}"},
            ),
            201,
        )
        alg = ("ES256", "EdDSA")[number % 2]
        received = _wallet(node, offer, origin=origin, alg=alg)
        assert received["configuration"] == slug
        assert received["token_type"] == "Bearer"
        assert received["metadata_issuer"] == f"{BASE}/issuers/university"
        holder = private_key_from_jwk({**received["private_jwk"], "alg": alg})
        nonce = ok(
            client.post("/v1/verifiers/employer/nonces", headers=bearer(verifier["api_key"])),
            201,
        )["nonce"]
        made = present(received["credential"], holder, [], verifier["verifier"]["client_id"], nonce)
        report = ok(
            client.post(
                "/v1/verifications",
                json={"nonce": nonce, "presentations": [made]},
                headers=bearer(verifier["api_key"]),
            )
        )
        assert report["verified"] is True, (slug, checks_of(report))
    register = ok(
        client.get("/v1/issuers/university/credentials", headers=bearer(issuer["api_key"]))
    )
    assert len(register["items"]) == len(SLUGS)


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_an_independent_wallet_using_dpop_gets_a_bound_token_and_its_credential(
    served: tuple[TestClient, str], clean_engine: Engine, alg: str
) -> None:
    node = _node()
    client, origin = served
    issuer = ok(
        client.post(
            "/v1/admin/issuers",
            json={"name": "Esimerkin yliopisto", "slug": "university", "types": ["competence"]},
            headers=ADMIN,
        ),
        201,
    )
    offer = ok(
        client.post(
            "/v1/issuers/university/offers",
            json={"type": "competence", "claims": example_claims("competence")},
            headers={**bearer(issuer["api_key"]), "Idempotency-Key": f"interop-dpop-{alg}"},
        ),
        201,
    )
    received = _wallet(node, offer, origin=origin, alg=alg, dpop=True)
    assert received["token_type"] == "DPoP"
    holder = private_key_from_jwk({**received["private_jwk"], "alg": alg})
    assert open_sd_jwt(received["credential"]).claims["cnf"]["jwk"]["x"] == holder.public.jwk["x"]
    with Session(clean_engine) as session:
        (token,) = session.exec(select(IssuerAccessToken)).all()
    assert token.used_at is not None
    assert token.dpop_jkt == jwk_thumbprint(received["dpop_public_jwk"])
    assert token.dpop_jkt != holder.public.thumbprint
