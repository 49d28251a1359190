"""How many database statements and transactions a verification costs, nonce included.

An API-to-API verification is two requests: a nonce, then the presentation. In the steady
state (the verifier's key used this minute, the snapshots warm) the nonce is one insert and the
verification one statement that checks and consumes the nonce and reads, along the way, the
trust registry's version and the issuers' state version, each in one transaction.
"""

from typing import Any

from sqlalchemy import Engine

from credentials.keys import generate_key
from tests.api.test_end_to_end import World, bearer, ok, present
from tests.api.test_end_to_end import world as world  # the fixture of the whole story
from tests.api.test_issuance_statements import counting
from tests.api.test_verification_snapshots import issued_to

NONCE_STATEMENTS = 3
"""BEGIN, the verifier and its key's last use (one read), the nonce's insert."""
VERIFICATION_STATEMENTS = 2
"""BEGIN (SQLite only), the nonce checked and consumed with both versions read in it."""


def _nonce(world: World) -> str:
    made = world.client.post("/v1/verifiers/employer/nonces", headers=bearer(world.verifier_key))
    nonce: str = ok(made, 201)["nonce"]
    return nonce


def test_a_nonce_and_a_verification_are_one_transaction_each(
    world: World, clean_engine: Engine
) -> None:
    holder = generate_key("ES256")
    issued = issued_to(world, holder, "statements")
    for n in range(3):
        with counting(clean_engine) as counted_nonce:
            nonce = _nonce(world)
        presentation = present(
            issued["credential"], holder, ["title"], world.verifier_client_id, nonce
        )
        with counting(clean_engine) as counted:
            report: Any = ok(
                world.client.post(
                    "/v1/verifications",
                    json={"nonce": nonce, "presentations": [presentation]},
                    headers=bearer(world.verifier_key),
                )
            )
        assert report["verified"] is True
        if n == 0:
            continue  # the first warms the snapshots and notes the key's use
        assert counted_nonce.commits == 1, counted_nonce.statements
        assert len(counted_nonce.statements) <= NONCE_STATEMENTS, counted_nonce.statements
        assert counted.commits == 1, counted.statements
        assert len(counted.statements) <= VERIFICATION_STATEMENTS, counted.statements
