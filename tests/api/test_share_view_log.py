"""An "anyone" link opened again and again: every view counted, the log kept small."""

import pytest
from fastapi.testclient import TestClient

from tests.api.test_end_to_end import BASE_URL, World, ok
from tests.api.test_end_to_end import world as end_to_end_world  # noqa: F401 - a fixture
from tests.api.test_share_views import link, share
from tests.api.web_support import Visitor, offer_code, receive, share_claims
from wallet.shares.viewing import VIEWS_LOGGED_SINGLY


@pytest.fixture
def world(end_to_end_world: World) -> World:  # noqa: F811 - the imported fixture
    return end_to_end_world


def test_views_beyond_the_first_ten_are_counted_on_the_share_and_not_logged_one_by_one(
    world: World,
) -> None:
    created = share(world, "anyone")
    for _ in range(VIEWS_LOGGED_SINGLY + 3):
        ok(world.client.get(link(created)))
    listed = ok(world.client.get(f"/v1/wallet/shares/{created['id']}", headers=world.person))
    assert (listed["view_count"], listed["unlisted_views"]) == (VIEWS_LOGGED_SINGLY + 3, 3)
    assert listed["unlisted_since"] is not None
    activity = ok(world.client.get("/v1/wallet/activity", headers=world.person))
    views = [e for e in activity["entries"] if e["kind"] == "share_viewed"]
    assert [v["details"]["views"] for v in views] == [1] * VIEWS_LOGGED_SINGLY
    assert views[0]["details"]["view"] == VIEWS_LOGGED_SINGLY


def test_the_share_page_shows_the_views_not_yet_in_the_log(world: World) -> None:
    with TestClient(world.client.app, base_url=BASE_URL) as browser:
        person = Visitor(browser)
        person.register("maija@example.fi")
        credential_id = receive(person, offer_code(world, "views-page"))
        share_id, link = share_claims(person, credential_id, ["EQF level"])
        with TestClient(world.client.app, base_url=BASE_URL) as viewer:
            for _ in range(VIEWS_LOGGED_SINGLY + 3):
                assert viewer.get(link.removeprefix(BASE_URL)).status_code == 200
        page = person.page(f"/wallet/shares/{share_id}").text
    assert "Opened 3 more times since" in page
    assert page.count("<td>Anyone who has the link</td>") == VIEWS_LOGGED_SINGLY
