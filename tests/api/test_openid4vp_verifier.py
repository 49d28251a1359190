"""Taito as an OpenID4VP 1.0 Verifier: any wallet fetches a signed Request Object by reference,
posts its vp_token with direct_post, and the verifier reads the outcome; the spec's refusals."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from httpx import Response

from credentials.jws import parse_compact, payload_object, verify_signature
from credentials.x509 import certificate_hash, dns_names, verify_x5c
from tests.api.test_foundation import assert_problem
from tests.api.test_verifiers_api import Harness, presentation_for
from tests.api.test_verifiers_api import harness as harness  # the fixture


def _path(url: str) -> str:
    parts = urlsplit(url)
    assert parts.scheme == "https" and parts.hostname == "taito.test"
    return parts.path


def fetch_request_object(h: Harness, request: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """What a wallet does with the openid4vp:// link: GET the request_uri, check the JWT."""
    link = urlsplit(request["authorization_request_uri"])
    assert link.scheme == "openid4vp"
    params = {k: v[0] for k, v in parse_qs(link.query).items()}
    response = h.client.get(_path(params["request_uri"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/oauth-authz-req+jwt"
    parsed = parse_compact(response.text)
    return params, parsed


def post_response(h: Harness, request: dict[str, Any], **form: str) -> Response:
    response: Response = h.client.post(
        _path(request["response_uri"]),
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    return response


def answer(h: Harness, request: dict[str, Any], *, audience: str | None = None) -> Response:
    presentation, _ = presentation_for(
        h, audience or request["client_id"], request["nonce"], ["title", "eqf_level"]
    )
    return post_response(
        h, request, vp_token=json.dumps({"q1": [presentation]}), state=request["id"]
    )


def test_a_request_is_offered_to_any_wallet_as_a_signed_request_object_by_reference(
    harness: Harness,
) -> None:
    request = harness.ask()
    params, parsed = fetch_request_object(harness, request)
    assert params["client_id"] == request["client_id"]
    assert params["request_uri_method"] == "post"
    assert request["qr_svg"].startswith("<svg")
    assert parsed.header["typ"] == "oauth-authz-req+jwt"
    chain = verify_x5c(parsed.header["x5c"], anchors=_anchors(parsed), now=datetime.now(UTC))
    verify_signature(parsed, chain.public_key, algorithms=["ES256"])
    payload = payload_object(parsed)
    assert payload["client_id"] == request["client_id"] == "x509_hash:" + chain.leaf_hash
    assert chain.dns_names == ("taito.test",)
    assert payload["response_type"] == "vp_token"
    assert payload["response_mode"] == "direct_post"
    assert payload["response_uri"] == request["response_uri"]
    assert payload["nonce"] == request["nonce"]
    assert payload["state"] == request["id"]
    assert payload["dcql_query"] == request["dcql_query"]


def _anchors(parsed: Any) -> list[x509.Certificate]:
    """The development certificate is self-signed: the wallet of this instance pins it."""
    der = base64.b64decode(parsed.header["x5c"][0])
    leaf = x509.load_der_x509_certificate(der)
    assert certificate_hash(der) and dns_names(leaf) == ("taito.test",)
    return [leaf]


def test_request_uri_method_post_signs_the_wallet_nonce_into_the_request_object(
    harness: Harness,
) -> None:
    request = harness.ask()
    response = harness.client.post(
        _path(request["request_uri"]),
        data={"wallet_nonce": "qPmxiNFCR3QTm19POc8u", "wallet_metadata": "{}"},
        headers={"Accept": "application/oauth-authz-req+jwt"},
    )
    assert response.status_code == 200
    assert payload_object(parse_compact(response.text))["wallet_nonce"] == "qPmxiNFCR3QTm19POc8u"


def test_a_wallet_posts_its_vp_token_and_the_verifier_reads_the_request_verified(
    harness: Harness,
) -> None:
    request = harness.ask()
    response = answer(harness, request)
    assert response.status_code == 200, response.text
    assert response.json() == {}
    assert response.headers["cache-control"] == "no-store"
    state = harness.client.get(
        f"/v1/verifiers/{harness.acme.slug}/requests/{request['id']}", headers=harness.acme.auth
    ).json()
    assert state["status"] == "verified"
    (shown,) = state["outcome"]["presentations"]
    assert set(shown["claims"]) == {"title", "eqf_level"}


def _pending(h: Harness, request: dict[str, Any]) -> None:
    state = h.client.get(
        f"/v1/verifiers/{h.acme.slug}/requests/{request['id']}", headers=h.acme.auth
    ).json()
    assert state["status"] in ("pending", "expired")
    assert state["outcome"] is None


def _refused(response: Response, code: str) -> None:
    assert_problem(response, 400, code)
    assert response.json()["error"] == "invalid_request"


def test_a_replayed_response_is_refused(harness: Harness) -> None:
    request = harness.ask()
    presentation, _ = presentation_for(
        harness, request["client_id"], request["nonce"], ["title", "eqf_level"]
    )
    form = {"vp_token": json.dumps({"q1": [presentation]}), "state": request["id"]}
    assert post_response(harness, request, **form).status_code == 200
    _refused(post_response(harness, request, **form), "openid4vp_response_replayed")


def test_a_key_binding_made_for_the_https_audience_is_refused_at_the_openid4vp_door(
    harness: Harness,
) -> None:
    request = harness.ask()
    response = answer(harness, request, audience=request["audience"])
    _refused(response, "openid4vp_response_rejected")
    assert {"check": "kb_audience", "code": "kb_aud_mismatch"} in response.json()["errors"]
    _pending(harness, request)


def test_a_response_to_another_verifiers_request_is_refused_and_stores_nothing(
    harness: Harness,
) -> None:
    theirs = harness.ask(harness.other)
    presentation, _ = presentation_for(
        harness, theirs["client_id"], theirs["nonce"], ["title", "eqf_level"]
    )
    ours = harness.ask()
    response = post_response(
        harness, ours, vp_token=json.dumps({"q1": [presentation]}), state=theirs["id"]
    )
    _refused(response, "openid4vp_state_unknown")
    state = harness.client.get(
        f"/v1/verifiers/{harness.other.slug}/requests/{theirs['id']}", headers=harness.other.auth
    ).json()
    assert state["status"] == "pending"


def test_a_vp_token_that_does_not_satisfy_the_dcql_query_is_refused_and_stores_nothing(
    harness: Harness,
) -> None:
    request = harness.ask()
    presentation, _ = presentation_for(harness, request["client_id"], request["nonce"], ["title"])
    response = post_response(
        harness, request, vp_token=json.dumps({"other": [presentation]}), state=request["id"]
    )
    _refused(response, "openid4vp_response_rejected")
    _pending(harness, request)
    # The nonce was not consumed: the wallet may still answer properly.
    assert answer(harness, request).status_code == 200


def test_a_response_to_an_expired_request_is_refused_and_stores_nothing(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = harness.ask()
    presentation, _ = presentation_for(
        harness, request["client_id"], request["nonce"], ["title", "eqf_level"]
    )
    later = datetime.now(UTC) + timedelta(hours=2)
    monkeypatch.setattr("api.routers.openid4vp.datetime", _Frozen(later))
    response = post_response(
        harness, request, vp_token=json.dumps({"q1": [presentation]}), state=request["id"]
    )
    _refused(response, "openid4vp_request_expired")
    _pending(harness, request)
    assert harness.client.get(_path(request["request_uri"])).status_code == 410


class _Frozen:
    """``datetime`` whose ``now`` is fixed, for the router under test."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self, tz: Any = None) -> datetime:
        return self.at


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"state": "req_unknown", "vp_token": "{}"}, "openid4vp_state_unknown"),
        ({"vp_token": "{}"}, "openid4vp_state_unknown"),
        ({"state": "<id>", "vp_token": "not json"}, "openid4vp_response_malformed"),
        ({"state": "<id>", "vp_token": '{"q1": "x"}'}, "openid4vp_response_malformed"),
        ({"state": "<id>"}, "openid4vp_response_malformed"),
    ],
)
def test_malformed_responses_are_refused_with_invalid_request(
    harness: Harness, form: dict[str, str], code: str
) -> None:
    request = harness.ask()
    form = {k: (request["id"] if v == "<id>" else v) for k, v in form.items()}
    _refused(post_response(harness, request, **form), code)
    _pending(harness, request)


def test_a_json_body_at_the_response_uri_is_refused(harness: Harness) -> None:
    request = harness.ask()
    response = harness.client.post(
        _path(request["response_uri"]), json={"vp_token": {}, "state": request["id"]}
    )
    _refused(response, "openid4vp_response_malformed")


def test_a_wallet_error_response_is_acknowledged_and_the_request_stays_open(
    harness: Harness,
) -> None:
    request = harness.ask()
    response = post_response(harness, request, error="access_denied", state=request["id"])
    assert response.status_code == 200
    _pending(harness, request)


def test_the_request_object_of_another_verifier_or_unknown_request_is_not_found(
    harness: Harness,
) -> None:
    request = harness.ask()
    other_path = _path(request["request_uri"]).replace(harness.acme.slug, harness.other.slug)
    assert_problem(harness.client.get(other_path), 404, "verifier_request_not_found")
    unknown = _path(request["request_uri"]).rsplit("/", 1)[0] + "/req_nothing"
    assert_problem(harness.client.get(unknown), 404, "verifier_request_not_found")
