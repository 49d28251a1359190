"""Sharing with consent: exact disclosures, preview, audience, expiry, withdrawal, views."""

import hashlib
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from credentials.jws import parse_compact, payload_object
from credentials.kb_jwt import KeyBindingPolicy
from credentials.resolvers import PinnedKeys
from credentials.sd_jwt import parse_disclosure, split_sd_jwt
from credentials.sd_jwt_vc import verify_sd_jwt_vc
from tests.service.test_wallet_support import (
    ACCEPTED_TYP,
    BASE_URL,
    KEK,
    NOW,
    IssuerFixture,
    PinnedChecker,
    committed_session,
    dump_rows,
    holder_jwk,
    qualification_claims,
    qualification_with_skills,
    register_holder,
)
from wallet.activity import ActivityKind, list_activity
from wallet.credentials import delete_credential, receive_credential
from wallet.errors import (
    CredentialNotFound,
    ShareExpired,
    ShareInvalid,
    ShareLimitReached,
    ShareNotFound,
    ShareViewsExhausted,
    ShareWithdrawn,
)
from wallet.shares.creation import ANYONE, ShareItem, ShareSpec, create_share, preview_share
from wallet.shares.records import get_share, list_shares, withdraw_share
from wallet.shares.rules import share_content
from wallet.shares.viewing import (
    SharePresentation,
    find_share,
    present_share,
    record_share_view,
)
from wallet.tables import WalletShare
from wallet.vault import open_vault

UNI = IssuerFixture("uni", "Haaga-Helia ammattikorkeakoulu")
VERIFIER = f"{BASE_URL}/verifiers/rekry"
THREE = (("title",), ("eqf_level",), ("date_awarded",))


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    yield from committed_session(clean_engine)


def _holder_with_credential(
    session: Session, claims: dict[str, object] | None = None
) -> tuple[str, str]:
    holder = register_holder(session).holder_id
    credential = UNI.issue(
        "qualification", claims or qualification_claims(), holder_jwk(session, holder)
    )
    summary = receive_credential(
        session,
        holder_id=holder,
        credential=credential,
        verify=PinnedChecker([UNI]),
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )
    return holder, summary.id


def _spec(credential_id: str, audience: str = VERIFIER, **extra: object) -> ShareSpec:
    return ShareSpec(
        items=(ShareItem(credential_id, THREE),),
        audience=audience,
        purpose="Job application: software developer",
        **extra,  # type: ignore[arg-type]
    )


def _create(session: Session, holder: str, spec: ShareSpec, now=NOW):  # type: ignore[no-untyped-def]
    return create_share(
        session, holder_id=holder, spec=spec, kek=KEK, base_url=BASE_URL, lang="en", now=now
    )


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1]


VIEW_NONCE = "view-nonce-0123456789"


def _open(session: Session, token: str, now: datetime = NOW) -> SharePresentation:
    """What a view does in the wallet: find the share by its link, then present it afresh."""
    found = find_share(session, token=token, kek=KEK, base_url=BASE_URL)
    return present_share(session, share_id=found.share_id, nonce=VIEW_NONCE, kek=KEK, now=now)


def test_share_of_three_claims_of_a_twelve_claim_credential_holds_exactly_three_disclosures(
    session: Session,
) -> None:
    holder, credential_id = _holder_with_credential(session)
    assert len(qualification_claims()) == 12
    created = _create(session, holder, _spec(credential_id))
    opened = _open(session, _token(created.url))
    (presentation,) = opened.presentations
    parts = split_sd_jwt(presentation)
    names = sorted(parse_disclosure(d).name or "" for d in parts.disclosures)
    assert names == ["date_awarded", "eqf_level", "title"]
    assert parts.kb_jwt is not None
    kb = payload_object(parse_compact(parts.kb_jwt))
    assert kb["aud"] == VERIFIER == opened.audience
    assert kb["nonce"] == VIEW_NONCE == opened.nonce
    assert kb["iat"] == int(NOW.timestamp())
    verified = verify_sd_jwt_vc(
        presentation,
        resolve_issuer_key=PinnedKeys({UNI.identifier: [UNI.key.public]}),
        algorithms=("ES256",),
        accepted_typ=ACCEPTED_TYP,
        now=NOW,
        clock_tolerance=timedelta(seconds=60),
        key_binding=KeyBindingPolicy(
            required=True, audience=VERIFIER, nonce=opened.nonce, max_age=timedelta(minutes=5)
        ),
    )
    assert verified.key_binding_verified
    shown = {k for k in verified.claims if k not in {"iss", "vct", "iat", "exp", "cnf", "_sd_alg"}}
    assert shown == {"title", "eqf_level", "date_awarded"}


def test_preview_shows_exactly_what_the_share_shows_and_stores_nothing(session: Session) -> None:
    holder, credential_id = _holder_with_credential(session)
    preview = preview_share(
        session,
        holder_id=holder,
        spec=_spec(credential_id),
        kek=KEK,
        base_url=BASE_URL,
        lang="fi",
        now=NOW,
    )
    assert session.exec(select(WalletShare)).all() == []
    (item,) = preview.items
    assert {row.path: row.label for row in item.claims} == {
        ("title",): "Tutkinnon nimi",
        ("eqf_level",): "EQF-taso",
        ("date_awarded",): "Myöntämispäivä",
    }
    assert item.disclosure_count == 3
    created = create_share(
        session,
        holder_id=holder,
        spec=_spec(credential_id),
        kek=KEK,
        base_url=BASE_URL,
        lang="fi",
        now=NOW,
    )
    assert created.preview.items == preview.items


def test_nested_and_array_claims_share_only_what_was_chosen(session: Session) -> None:
    holder, credential_id = _holder_with_credential(session, qualification_with_skills())
    spec = ShareSpec(
        items=(ShareItem(credential_id, (("skills", 1), ("awarding_body",))),),
        audience=ANYONE,
        purpose="Portfolio",
    )
    preview = preview_share(
        session, holder_id=holder, spec=spec, kek=KEK, base_url=BASE_URL, lang="en", now=NOW
    )
    paths = {row.path for row in preview.items[0].claims}
    assert paths == {
        ("skills", 0, "uri"),
        ("skills", 0, "label"),
        ("awarding_body", "name"),
        ("awarding_body", "country"),
    }


def test_anyone_share_audience_is_the_share_identifier_not_the_link_token(
    session: Session,
) -> None:
    holder, credential_id = _holder_with_credential(session)
    created = _create(session, holder, _spec(credential_id, audience=ANYONE))
    opened = _open(session, _token(created.url))
    assert opened.audience == f"{BASE_URL}/shares/{created.id}"
    assert _token(created.url) not in opened.presentations[0]
    assert created.url.startswith(f"{BASE_URL}/s/")


def test_link_token_has_128_bits_and_is_stored_only_as_its_hash(
    session: Session, clean_engine: Engine
) -> None:
    holder, credential_id = _holder_with_credential(session)
    token = _token(_create(session, holder, _spec(credential_id)).url)
    assert len(token) == 22  # 16 random bytes, base64url
    dump = dump_rows(clean_engine)
    assert token not in dump
    assert hashlib.sha256(token.encode()).hexdigest() in dump


def test_withdrawn_share_cannot_be_opened(session: Session) -> None:
    holder, credential_id = _holder_with_credential(session)
    created = _create(session, holder, _spec(credential_id))
    withdraw_share(
        session, holder_id=holder, share_id=created.id, kek=KEK, base_url=BASE_URL, now=NOW
    )
    with pytest.raises(ShareWithdrawn) as caught:
        _open(session, _token(created.url))
    assert caught.value.code == "share_withdrawn" and caught.value.status == 410
    with pytest.raises(ShareWithdrawn):
        record_share_view(session, share_id=created.id, viewer="x", kek=KEK, now=NOW)
    assert get_share(
        session, holder_id=holder, share_id=created.id, kek=KEK, base_url=BASE_URL, now=NOW
    ).status == ("withdrawn")


def test_expired_share_cannot_be_opened(session: Session) -> None:
    holder, credential_id = _holder_with_credential(session)
    created = _create(session, holder, _spec(credential_id, expires_at=NOW + timedelta(days=1)))
    _open(session, _token(created.url), NOW + timedelta(hours=23))
    with pytest.raises(ShareExpired) as caught:
        _open(session, _token(created.url), NOW + timedelta(days=1))
    assert caught.value.code == "share_expired" and caught.value.status == 410


def test_unknown_link_is_not_found(session: Session) -> None:
    with pytest.raises(ShareNotFound) as caught:
        _open(session, secrets.token_urlsafe(16))
    assert caught.value.status == 404


def test_each_view_of_a_live_share_appears_in_the_activity_log(session: Session) -> None:
    holder, credential_id = _holder_with_credential(session)
    created = _create(session, holder, _spec(credential_id, max_views=2))
    for number, viewer in enumerate((VERIFIER, "anonymous link viewer"), start=1):
        opened = _open(session, _token(created.url))
        at = NOW + timedelta(minutes=number)
        assert (
            record_share_view(session, share_id=opened.share_id, viewer=viewer, kek=KEK, now=at)
            == number
        )
    views = [
        e
        for e in list_activity(session, holder_id=holder, kek=KEK)
        if e.kind is ActivityKind.SHARE_VIEWED
    ]
    assert [(e.details["viewer"], e.occurred_at) for e in reversed(views)] == [
        (VERIFIER, NOW + timedelta(minutes=1)),
        ("anonymous link viewer", NOW + timedelta(minutes=2)),
    ]
    with pytest.raises(ShareViewsExhausted) as caught:
        _open(session, _token(created.url))
    assert caught.value.code == "share_views_exhausted" and caught.value.status == 410


def test_expiry_defaults_to_six_months_and_is_at_most_one_year(session: Session) -> None:
    holder, credential_id = _holder_with_credential(session)
    created = _create(session, holder, _spec(credential_id))
    assert created.expires_at == NOW.replace(month=9)
    year = NOW.replace(year=NOW.year + 1)
    assert _create(session, holder, _spec(credential_id, expires_at=year)).expires_at == year
    with pytest.raises(ShareInvalid) as caught:
        _create(session, holder, _spec(credential_id, expires_at=year + timedelta(seconds=1)))
    assert caught.value.code == "share_invalid" and caught.value.status == 422
    with pytest.raises(ShareInvalid):
        _create(session, holder, _spec(credential_id, expires_at=NOW - timedelta(seconds=1)))


def test_a_claim_the_credential_does_not_have_is_refused(session: Session) -> None:
    holder, credential_id = _holder_with_credential(session)
    spec = ShareSpec(
        items=(ShareItem(credential_id, (("salary",),)),), audience=VERIFIER, purpose="x"
    )
    with pytest.raises(ShareInvalid) as caught:
        preview_share(
            session, holder_id=holder, spec=spec, kek=KEK, base_url=BASE_URL, lang="en", now=NOW
        )
    assert caught.value.code == "share_invalid"


def test_sharing_another_persons_credential_is_not_found(session: Session) -> None:
    _, credential_id = _holder_with_credential(session)
    other = register_holder(session, "other@example.fi").holder_id
    with pytest.raises(CredentialNotFound) as caught:
        _create(session, other, _spec(credential_id))
    assert caught.value.status == 404


def test_another_persons_share_is_not_found(session: Session) -> None:
    holder, credential_id = _holder_with_credential(session)
    created = _create(session, holder, _spec(credential_id))
    other = register_holder(session, "other@example.fi").holder_id
    with pytest.raises(ShareNotFound):
        get_share(
            session, holder_id=other, share_id=created.id, kek=KEK, base_url=BASE_URL, now=NOW
        )
    with pytest.raises(ShareNotFound):
        withdraw_share(
            session, holder_id=other, share_id=created.id, kek=KEK, base_url=BASE_URL, now=NOW
        )
    assert list_shares(session, holder_id=other, kek=KEK, base_url=BASE_URL, now=NOW) == ()


def test_the_hundred_and_first_active_share_is_refused(session: Session) -> None:
    holder, credential_id = _holder_with_credential(session)
    first = _create(session, holder, _spec(credential_id))
    template = session.get(WalletShare, first.id)
    assert template is not None
    for _ in range(99):
        session.add(
            WalletShare(
                id=f"shr_{secrets.token_hex(16)}",
                holder_id=holder,
                token_hash=secrets.token_hex(32),
                created_at=NOW,
                expires_at=NOW + timedelta(days=30),
                sealed_content=template.sealed_content,
            )
        )
    session.commit()
    with pytest.raises(ShareLimitReached) as caught:
        _create(session, holder, _spec(credential_id))
    assert caught.value.code == "share_limit_reached" and caught.value.status == 409
    withdraw_share(
        session, holder_id=holder, share_id=first.id, kek=KEK, base_url=BASE_URL, now=NOW
    )
    _create(session, holder, _spec(credential_id))


def test_deleting_a_credential_withdraws_its_shares(session: Session) -> None:
    holder, credential_id = _holder_with_credential(session)
    created = _create(session, holder, _spec(credential_id))
    delete_credential(session, holder_id=holder, credential_id=credential_id, kek=KEK, now=NOW)
    with pytest.raises(ShareWithdrawn):
        _open(session, _token(created.url))


def test_a_share_keeps_no_presentation_only_what_was_chosen(session: Session) -> None:
    holder, credential_id = _holder_with_credential(session)
    created = _create(session, holder, _spec(credential_id))
    row = session.get(WalletShare, created.id)
    assert row is not None
    content = share_content(open_vault(session, holder_id=holder, kek=KEK), row)
    assert set(content) == {"audience", "purpose", "items"}
    assert content["items"] == [
        {"credential_id": credential_id, "claims": [list(path) for path in THREE]}
    ]


def test_each_view_presents_afresh_for_that_moment_and_that_nonce(session: Session) -> None:
    holder, credential_id = _holder_with_credential(session)
    created = _create(session, holder, _spec(credential_id))
    found = find_share(session, token=_token(created.url), kek=KEK, base_url=BASE_URL)
    seen = []
    for days, nonce in ((30, "first-view-nonce-0001"), (150, "second-view-nonce-002")):
        at = NOW + timedelta(days=days)
        made = present_share(session, share_id=found.share_id, nonce=nonce, kek=KEK, now=at)
        kb = payload_object(parse_compact(split_sd_jwt(made.presentations[0]).kb_jwt or ""))
        assert (kb["aud"], kb["nonce"], kb["iat"]) == (VERIFIER, nonce, int(at.timestamp()))
        seen.append(made.presentations[0])
    assert seen[0] != seen[1]


@pytest.mark.parametrize(
    ("audience", "kind", "says"),
    [
        (ANYONE, "anyone", "Anyone who has the link"),
        (VERIFIER, "verifier", f"Only the verifier {VERIFIER} can open it"),
        (
            "https://other.example/verifier",
            "outside_verifier",
            "whoever has the link can read the shared claims",
        ),
    ],
)
def test_the_preview_says_exactly_who_can_open_the_share(
    session: Session, audience: str, kind: str, says: str
) -> None:
    holder, credential_id = _holder_with_credential(session)
    preview = preview_share(
        session,
        holder_id=holder,
        spec=_spec(credential_id, audience=audience),
        kek=KEK,
        base_url=BASE_URL,
        lang="en",
        now=NOW,
    )
    assert preview.audience_kind == kind
    assert says in preview.opens_for


def test_an_audience_on_this_service_must_be_one_of_its_verifiers(session: Session) -> None:
    holder, credential_id = _holder_with_credential(session)
    for audience in (f"{BASE_URL}/shares/shr_x", f"{BASE_URL}/issuers/uni", BASE_URL):
        with pytest.raises(ShareInvalid):
            _create(session, holder, _spec(credential_id, audience=audience))
