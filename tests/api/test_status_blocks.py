"""The application reserves status entries in blocks: issuance does not reserve one at a time."""

from fastapi import FastAPI

from credentials.keys import generate_key
from issuers.status_blocks import BLOCK
from tests.api.test_end_to_end import World, qualification
from tests.api.test_end_to_end import world as world  # the fixture of the whole story


def test_two_issuances_take_their_entries_from_one_block_the_worker_reserved(world: World) -> None:
    app = world.client.app
    assert isinstance(app, FastAPI)
    for n in range(2):
        world.issue({"jwk": generate_key("ES256").public.jwk}, qualification(), f"blocks-{n}")
    assert app.state.caches.status_blocks.held() == BLOCK - 2
