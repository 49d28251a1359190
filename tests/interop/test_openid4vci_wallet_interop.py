"""Taito's wallet takes a credential from an independent OpenID4VCI 1.0 issuer (issue 17, "What it
must show": "a credential offered by the independent issuer lands in a Taito wallet verified").

``tests/interop/oid4vci/issuer.mjs`` is a Credential Issuer built on the OpenID Foundation's
``@openid4vc/openid4vci`` and ``@openid4vc/oauth2`` server helpers, with its own P-256 key and
``@sd-jwt/core`` for the ``dc+sd-jwt`` credential. It listens on 127.0.0.1; its identifier is
``https://college.example``. Taito's wallet reaches it through the SSRF-safe fetcher exactly as
``tests/api/test_wallet_offers.py`` reaches Taito's own issuer: the test's resolver answers a
public address for the host and the transport delivers to the loopback port, so no loopback or
plain-http allowance is switched on. The person resolves the ``openid-credential-offer://`` link,
types the transaction code, and the credential passes the one receipt gate
(``verifiers.policy.WALLET_RECEIPT``): trusted through a ``pinned_jwk`` registry entry for the
qualification type (or one reading its keys from its JWT VC Issuer Metadata, fetched through the
same fetcher), signed by that key, bound to the wallet's key. It is then presented to a Taito
verifier. Without a registry entry (or one for another type) the gate refuses it and
nothing is stored.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from subprocess import Popen
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from api.app import create_app
from api.composition import instance_sources
from api.fetch import RemoteFetcher
from api.routers import wallet_deps
from api.settings import Settings
from credentials.keys import jwk_thumbprint
from schemas import vct_for
from tests.api.test_end_to_end import (
    ADMIN,
    ADMIN_TOKEN,
    BASE_URL,
    QUALIFICATION_VCT,
    bearer,
    ok,
    qualification,
)
from tests.api.test_foundation import assert_problem
from tests.api.test_wallet_offers import PUBLIC_ADDRESS, _ToLoopback
from tests.api.web_support import Visitor, csrf_of
from tests.interop.node import OID4VCI_PACKAGES, node_server, read_line, require_node
from tests.service.test_wallet_support import FAST_ARGON2

COLLEGE = "https://college.example"
NAMES = {"fi": "Riippumaton opisto", "sv": "Oberoende institutet", "en": "Independent College"}
TYPE_NAMES = {"fi": "Tutkinto", "sv": "Examen", "en": "Qualification"}
TRUSTED_NAME = "Riippumaton opisto (rekisteri)"


@dataclass
class Setting:
    client: TestClient
    issuer: Popen[str]
    origin: str
    jwks: dict[str, Any]
    person: dict[str, str]

    def offer(self) -> dict[str, Any]:
        """The independent issuer makes an offer (its own test-only door on the origin)."""
        made: dict[str, Any] = httpx.post(f"{self.origin}/make-offer", timeout=10).json()
        return made

    def trust(self, vcts: list[str], key_source: str = "pinned_jwk") -> None:
        """The admin trusts the college for ``vcts``: its key pinned, or read from its JWT VC
        Issuer Metadata (SD-JWT VC §4) through the SSRF-safe fetcher at each verification."""
        entry: dict[str, Any] = {
            "identifier": COLLEGE,
            "display_name": TRUSTED_NAME,
            "key_source": key_source,
            "vct_values": vcts,
        }
        if key_source == "pinned_jwk":
            entry["jwks"] = self.jwks
        ok(self.client.post("/v1/admin/trust", json=entry, headers=ADMIN), 201)

    def held(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = ok(
            self.client.get("/v1/wallet/credentials", headers=self.person)
        )["credentials"]
        return items


@pytest.fixture
def setting(settings: Settings, clean_engine: Engine) -> Iterator[Setting]:
    with _open_setting(settings, clean_engine, dpop=False) as opened:
        yield opened


@pytest.fixture
def dpop_setting(settings: Settings, clean_engine: Engine) -> Iterator[Setting]:
    """The same, with an independent issuer that advertises and binds DPoP (RFC 9449)."""
    with _open_setting(settings, clean_engine, dpop=True) as opened:
        yield opened


@contextmanager
def _open_setting(settings: Settings, clean_engine: Engine, *, dpop: bool) -> Iterator[Setting]:
    require_node(OID4VCI_PACKAGES)
    configured = settings.model_copy(update={"admin_token": SecretStr(ADMIN_TOKEN)})
    app = create_app(configured, engine=clean_engine)
    app.dependency_overrides[wallet_deps.argon2_parameters] = lambda: FAST_ARGON2
    argument = {
        "base": COLLEGE,
        "vct": QUALIFICATION_VCT,
        "claims": qualification(),
        "names": NAMES,
        "type_names": TYPE_NAMES,
        "dpop": dpop,
    }
    with (
        node_server("issuer.mjs", argument, packages=OID4VCI_PACKAGES) as issuer,
        TestClient(app, base_url=BASE_URL) as client,
    ):
        started = read_line(issuer)
        assert started["credential_issuer"] == COLLEGE
        remote = RemoteFetcher(
            allow_loopback_http=False,
            resolver=lambda host, port: [PUBLIC_ADDRESS],
            transport=_ToLoopback(started["origin"]),
        )
        # The wallet's offer client and the gate's key discovery both reach the college so.
        app.state.remote_fetcher = remote
        cache = app.state.document_cache
        app.state.verifier_sources = lambda session: instance_sources(
            session, settings=configured, remote=remote, cache=cache
        )
        tokens = ok(
            client.post(
                "/v1/auth/register",
                json={"username": "aino@example.fi", "password": "a long demo passphrase"},
            ),
            201,
        )
        yield Setting(
            client=client,
            issuer=issuer,
            origin=started["origin"],
            jwks=started["jwks"],
            person=bearer(tokens["access_token"]),
        )


@pytest.mark.parametrize("key_source", ["pinned_jwk", "issuer_metadata"])
def test_a_credential_from_an_independent_issuer_lands_verified_and_is_presentable(
    setting: Setting, key_source: str
) -> None:
    client, person = setting.client, setting.person
    setting.trust([QUALIFICATION_VCT], key_source)
    offer = setting.offer()
    link = {"offer_link": offer["offer_link"]}
    assert link["offer_link"].startswith("openid-credential-offer://?credential_offer_uri=")

    shown = ok(client.post("/v1/wallet/offers/resolve?lang=sv", json=link, headers=person))
    assert shown == {
        "credential_issuer": COLLEGE,
        "issuer_name": "Oberoende institutet",
        "credentials": [{"configuration_id": "qualification", "name": "Examen"}],
        "tx_code_required": True,
        "tx_code_length": 6,
        "tx_code_input_mode": "numeric",
        "tx_code_description": "The code we sent you by text message",
    }
    assert setting.held() == []

    stored = ok(
        client.post(
            "/v1/wallet/offers/accept", json={**link, "tx_code": offer["tx_code"]}, headers=person
        ),
        201,
    )
    assert stored["issuer"] == COLLEGE and stored["issuer_name"] == TRUSTED_NAME
    assert stored["type"] == "qualification" and stored["vct"] == QUALIFICATION_VCT
    assert stored["title"] == qualification()["title"]
    assert [c["id"] for c in setting.held()] == [stored["id"]]

    # The independent issuer bound the credential to the key this wallet proved it holds.
    issued = read_line(setting.issuer)
    binding = ok(client.get("/v1/wallet/binding", headers=person))["jwk"]
    assert issued["issued"] == "qualification"
    assert issued["scheme"] == "Bearer"  # this issuer does not advertise DPoP
    assert jwk_thumbprint(issued["holder_jwk"]) == jwk_thumbprint(binding)

    detail = ok(client.get(f"/v1/wallet/credentials/{stored['id']}", headers=person))
    assert detail["live_status"]["state"] == "valid"

    # Presentable: a Taito verifier asks for the title and the grade, the person approves the
    # title only, and the verifier's gate accepts it (the registry trusts the issuer there too).
    verifier = ok(
        client.post(
            "/v1/admin/verifiers", json={"slug": "employer", "name": "Rekry Oy"}, headers=ADMIN
        ),
        201,
    )
    asked = ok(
        client.post(
            "/v1/verifiers/employer/requests",
            json={
                "credentials": [
                    {"id": "degree", "type": "qualification", "claims": ["title", "grade"]}
                ],
                "purpose": "Checking the qualification for a developer position.",
            },
            headers=bearer(verifier["api_key"]),
        ),
        201,
    )
    request = ok(client.get(f"/v1/wallet/requests/{asked['id']}", headers=person))
    (query,) = request["queries"]
    assert [c["credential_id"] for c in query["candidates"]] == [stored["id"]]
    title = next(a["id"] for a in query["asked"] if a["path"] == ["title"])
    approvals = [{"query_id": "degree", "credential_id": stored["id"], "claim_ids": [title]}]
    answer = ok(
        client.post(
            f"/v1/wallet/requests/{asked['id']}/response",
            json={"approvals": approvals},
            headers=person,
        )
    )
    assert answer["outcome"]["verified"] is True
    outcome = ok(
        client.get(
            f"/v1/verifiers/employer/requests/{asked['id']}", headers=bearer(verifier["api_key"])
        )
    )["outcome"]
    (presentation,) = outcome["presentations"]
    assert presentation["issuer"] == COLLEGE and presentation["issuer_name"] == TRUSTED_NAME
    assert presentation["claims"] == {"title": qualification()["title"]}


@pytest.mark.parametrize(
    ("trusted_for", "code"),
    [
        (None, "issuer_unknown"),
        ([vct_for("competence", base_url=BASE_URL)], "issuer_not_trusted_for_type"),
    ],
)
def test_a_credential_from_an_issuer_not_trusted_for_it_is_refused_and_not_stored(
    setting: Setting, trusted_for: list[str] | None, code: str
) -> None:
    client, person = setting.client, setting.person
    if trusted_for is not None:
        setting.trust(trusted_for)
    offer = setting.offer()
    body = {"offer_link": offer["offer_link"], "tx_code": offer["tx_code"]}
    refused = client.post("/v1/wallet/offers/accept", json=body, headers=person)
    assert_problem(refused, 422, "credential_issuer_untrusted")
    problem = refused.json()
    assert problem["failed_checks"][0]["check"] == "issuer_trusted"
    assert problem["failed_checks"][0]["code"] == code
    assert "trust" in problem["detail"].lower()
    assert setting.held() == []
    # The issuer did issue (the offer is spent there); the wallet refused what arrived.
    assert read_line(setting.issuer)["issued"] == "qualification"


def test_a_wrong_transaction_code_is_refused_by_the_independent_issuer_then_the_right_one_works(
    setting: Setting,
) -> None:
    client, person = setting.client, setting.person
    setting.trust([QUALIFICATION_VCT])
    offer = setting.offer()
    wrong = "000000" if offer["tx_code"] != "000000" else "111111"
    body = {"offer_link": offer["offer_link"], "tx_code": wrong}
    assert_problem(
        client.post("/v1/wallet/offers/accept", json=body, headers=person),
        409,
        "credential_offer_refused",
    )
    assert setting.held() == []
    body["tx_code"] = offer["tx_code"]
    ok(client.post("/v1/wallet/offers/accept", json=body, headers=person), 201)
    assert len(setting.held()) == 1


def test_the_offers_page_takes_a_credential_from_the_independent_issuer_in_finnish(
    setting: Setting,
) -> None:
    setting.trust([QUALIFICATION_VCT])
    offer = setting.offer()
    with TestClient(
        setting.client.app, base_url=BASE_URL, headers={"Accept-Language": "fi"}
    ) as browser:
        visitor = Visitor(browser)
        visitor.register("maija@example.fi")
        shown = visitor.submit(
            "/wallet/offers", "/wallet/offers", {"step": "show", "link": offer["offer_link"]}, 200
        )
        assert "Riippumaton opisto" in shown.text and "<strong>Tutkinto</strong>" in shown.text
        fields = {"csrf_token": csrf_of(shown.text), "step": "accept", "link": offer["offer_link"]}
        taken = browser.post(
            "/wallet/offers", data={**fields, "tx_code": offer["tx_code"]}, follow_redirects=False
        )
        assert taken.status_code == 303
        location = taken.headers["location"]
        assert location.startswith("/wallet/credentials/")
        page = visitor.page(location)
        assert qualification()["title"] in page.text and TRUSTED_NAME in page.text


def test_the_wallet_uses_dpop_with_an_independent_issuer_that_offers_it(
    dpop_setting: Setting,
) -> None:
    client, person = dpop_setting.client, dpop_setting.person
    dpop_setting.trust([QUALIFICATION_VCT])
    offer = dpop_setting.offer()
    body = {"offer_link": offer["offer_link"], "tx_code": offer["tx_code"]}
    stored = ok(client.post("/v1/wallet/offers/accept", json=body, headers=person), 201)
    assert stored["type"] == "qualification"
    # The library's resource server took the DPoP scheme and a proof of the token's key, a
    # fresh key that is not the holder key the credential is bound to.
    issued = read_line(dpop_setting.issuer)
    assert issued["scheme"] == "DPoP"
    binding = ok(client.get("/v1/wallet/binding", headers=person))["jwk"]
    assert jwk_thumbprint(issued["holder_jwk"]) == jwk_thumbprint(binding)
    assert jwk_thumbprint(issued["dpop_jwk"]) != jwk_thumbprint(binding)
