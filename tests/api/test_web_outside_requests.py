"""The page for requests from services elsewhere: paste an openid4vp:// link, see who asks once
its signature is checked, send only the ticked claims (here to this instance's own verifier)."""

import html
import re
from urllib.parse import quote

from tests.api.test_end_to_end import World, bearer, ok
from tests.api.test_end_to_end import world as world  # the fixture
from tests.api.test_openid4vp_wallet import InstanceFetcher, _use
from tests.api.web_support import Visitor, offer_code, receive
from tests.api.web_support import person as person  # the fixture

PAGE = "/wallet/outside-requests"


def _ask(world: World) -> dict[str, str]:
    asked: dict[str, str] = ok(
        world.client.post(
            "/v1/verifiers/employer/requests",
            json={
                "credentials": [{"id": "degree", "type": "qualification", "claims": ["title"]}],
                "purpose": "Checking the qualification",
            },
            headers=bearer(world.verifier_key),
        ),
        201,
    )
    return asked


def test_a_pasted_link_shows_the_checked_verifier_and_sends_the_ticked_claim(
    world: World, person: Visitor
) -> None:
    receive(person, offer_code(world, "outside"))
    _use(world, InstanceFetcher(world.client))
    asked = _ask(world)
    path = f"{PAGE}?link={quote(asked['authorization_request_uri'], safe='')}"
    shown = person.page(path, 200, **{"Accept-Language": "fi"}).text
    assert "taito.test" in shown and "Varmenne tarkistettu" in shown
    ticked = [html.unescape(v) for v in re.findall(r'name="approve" value="([^"]+)"', shown)]
    assert len(ticked) == 1
    fields = {"link": asked["authorization_request_uri"], "action": "some", "approve": ticked}
    sent = person.submit(path, PAGE, fields, 200)
    assert "1 detail was sent to taito.test." in sent.text
    state = ok(
        world.client.get(
            f"/v1/verifiers/employer/requests/{asked['id']}", headers=bearer(world.verifier_key)
        )
    )
    assert state["status"] == "verified"


def test_a_link_that_cannot_be_trusted_shows_nothing_of_the_request(
    world: World, person: Visitor
) -> None:
    _use(world, InstanceFetcher(world.client, tamper=True))
    asked = _ask(world)
    path = f"{PAGE}?link={quote(asked['authorization_request_uri'], safe='')}"
    refused = person.page(path, 422, **{"Accept-Language": "sv"})
    assert "Den här länken går inte att lita på" in refused.text
    assert "Checking the qualification" not in refused.text


def test_the_page_needs_a_signed_in_person(world: World) -> None:
    response = world.client.get(PAGE, follow_redirects=False)
    assert response.status_code in (303, 307)
    assert response.headers["location"].startswith("/login")
