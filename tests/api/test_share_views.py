"""Share links open only for their audience and present afresh for each view (issue 12).

A share for a verifier of this instance opens only with its API key (authenticated before
anything else is told), a share for a verifier elsewhere answers only with presentations for
that verifier's client identifier and the nonce it supplies, and every view is a new
presentation whose KB-JWT is checked with the normal 5-minute age and a nonce used once.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from credentials.jws import parse_compact, payload_object
from credentials.kb_jwt import KeyBindingPolicy
from credentials.keys import public_key_from_jwk
from credentials.resolvers import PinnedKeys
from credentials.sd_jwt import parse_disclosure, split_sd_jwt
from credentials.sd_jwt_vc import verify_sd_jwt_vc
from tests.api.test_end_to_end import (
    BASE_URL,
    World,
    bearer,
    checks_of,
    ok,
    receive_by_pickup,
)
from tests.api.test_end_to_end import world as end_to_end_world  # noqa: F401 - a fixture
from tests.api.test_foundation import assert_problem
from tests.service.test_wallet_support import ACCEPTED_TYP
from verifiers.tables import Verifier, VerifierNonce

OUTSIDE = "https://other.example/verifier"
OUTSIDE_NONCE = "outside-verifier-nonce-0001"


@pytest.fixture
def world(end_to_end_world: World) -> World:  # noqa: F811 - the imported fixture
    """The end-to-end world: a college, two verifiers and a person with a wallet."""
    return end_to_end_world


def share(world: World, audience: str, claims: list[list[str]] | None = None) -> dict[str, Any]:
    credential_id = receive_by_pickup(world)
    body = {
        "credentials": [{"credential_id": credential_id, "claims": claims or [["title"]]}],
        "audience": audience,
        "purpose": "Application",
    }
    created: dict[str, Any] = ok(
        world.client.post("/v1/wallet/shares", json=body, headers=world.person), 201
    )
    return created


def link(created: dict[str, Any]) -> str:
    return "/v1/shares/" + str(created["url"]).rsplit("/", 1)[1]


def test_a_share_for_a_verifier_elsewhere_is_previewed_as_readable_by_whoever_has_the_link(
    world: World,
) -> None:
    preview = share(world, OUTSIDE)["preview"]
    assert preview["audience"] == OUTSIDE
    assert preview["audience_kind"] == "outside_verifier"
    assert "whoever has the link can read the shared claims" in preview["opens_for"]
    assert "only that verifier can accept them as proof" in preview["opens_for"]
    (listed,) = world.client.get("/v1/wallet/shares", headers=world.person).json()["shares"]
    assert (listed["audience_kind"], listed["opens_for"]) == (
        "outside_verifier",
        preview["opens_for"],
    )


def test_a_share_for_a_verifier_elsewhere_never_opens_as_a_plain_page(world: World) -> None:
    created = share(world, OUTSIDE, [["title"], ["eqf_level"]])
    assert_problem(world.client.get(link(created)), 400, "share_nonce_required")
    short = world.client.get(link(created), params={"nonce": "short"})
    assert short.status_code == 422 and short.headers["content-type"] == "application/problem+json"


def test_a_verifier_elsewhere_gets_a_fresh_presentation_it_verifies_with_its_own_nonce(
    world: World,
) -> None:
    client = world.client
    created = share(world, OUTSIDE, [["title"], ["eqf_level"]])
    before = datetime.now(UTC).replace(microsecond=0)
    shown = ok(client.get(link(created), params={"nonce": OUTSIDE_NONCE}))
    assert "report" not in shown
    assert (shown["audience"], shown["nonce"], shown["views"]) == (OUTSIDE, OUTSIDE_NONCE, 1)
    (presentation,) = shown["presentations"]
    names = sorted(parse_disclosure(d).name or "" for d in split_sd_jwt(presentation).disclosures)
    assert names == ["eqf_level", "title"]
    metadata = ok(client.get("/.well-known/jwt-vc-issuer/issuers/college"))
    keys = [public_key_from_jwk(jwk) for jwk in metadata["jwks"]["keys"]]
    verified = verify_sd_jwt_vc(
        presentation,
        resolve_issuer_key=PinnedKeys({metadata["issuer"]: keys}),
        algorithms=("ES256", "EdDSA"),
        accepted_typ=ACCEPTED_TYP,
        now=datetime.now(UTC),
        clock_tolerance=timedelta(seconds=60),
        key_binding=KeyBindingPolicy(
            required=True, audience=OUTSIDE, nonce=OUTSIDE_NONCE, max_age=timedelta(minutes=5)
        ),
    )
    assert verified.key_binding_verified
    kb = payload_object(parse_compact(split_sd_jwt(presentation).kb_jwt or ""))
    assert kb["iat"] >= int(before.timestamp())
    again = ok(client.get(link(created), params={"nonce": "another-outside-nonce-02"}))
    assert again["presentations"] != shown["presentations"] and again["views"] == 2


def test_each_view_of_a_verifier_share_is_a_fresh_presentation_for_a_nonce_used_once(
    world: World, clean_engine: Engine
) -> None:
    created = share(world, world.verifier_client_id)
    for view in (1, 2):
        shown = ok(world.client.get(link(created), headers=bearer(world.verifier_key)))
        assert shown["views"] == view and shown["report"]["verified"] is True
        checks = checks_of(shown["report"])
        assert checks["kb_nonce"]["outcome"] == checks["kb_freshness"]["outcome"] == "passed"
    with Session(clean_engine) as session:
        employer = session.exec(select(Verifier).where(col(Verifier.slug) == "employer")).one()
        nonces = session.exec(
            select(VerifierNonce).where(col(VerifierNonce.verifier_id) == employer.id)
        ).all()
    assert len(nonces) == 2 and all(n.consumed_at is not None for n in nonces)


def test_an_anyone_share_verifies_a_presentation_made_for_the_view(world: World) -> None:
    created = share(world, "anyone")
    shown = ok(world.client.get(link(created)))
    assert shown["report"]["verified"] is True
    assert shown["report"]["audience"] == f"{BASE_URL}/shares/{created['id']}"


def test_a_withdrawn_verifier_share_authenticates_the_caller_before_saying_it_ended(
    world: World,
) -> None:
    client = world.client
    created = share(world, world.verifier_client_id)
    assert (
        client.delete(f"/v1/wallet/shares/{created['id']}", headers=world.person).status_code == 204
    )
    assert_problem(client.get(link(created)), 401, "unauthenticated")
    unknown_key = bearer("tvk_" + "x" * 43)
    assert_problem(client.get(link(created), headers=unknown_key), 401, "verifier_key_invalid")
    assert_problem(
        client.get(link(created), headers=bearer(world.other_key)), 404, "share_not_found"
    )
    assert_problem(
        client.get(link(created), headers=bearer(world.verifier_key)), 410, "share_withdrawn"
    )
