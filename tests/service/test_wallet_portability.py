"""Export, erase, import on a fresh database: everything comes back and verifies again."""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from api.database import build_engine, metadata
from credentials.kb_jwt import KeyBindingPolicy
from credentials.resolvers import PinnedKeys
from credentials.sd_jwt_vc import verify_sd_jwt_vc
from tests.conftest import empty_database
from tests.service.test_wallet_support import (
    ACCEPTED_TYP,
    BASE_URL,
    CLAIM_VALUES,
    FAST_HASHING,
    KEK,
    NOW,
    PYTHON,
    IssuerFixture,
    PinnedChecker,
    committed_session,
    competence_claims,
    dump_rows,
    holder_jwk,
    qualification_with_skills,
    register_holder,
    work_experience_claims,
)
from wallet.accounts import register
from wallet.credentials import (
    CredentialFilter,
    credential_detail,
    list_credentials,
    receive_credential,
)
from wallet.erasure import ErasureReceipt, erase_wallet, erasure_ref
from wallet.errors import ImportInvalid, ShareNotFound, WalletNotFound
from wallet.export_encryption import ExportKDF, decrypt_export, encrypt_export
from wallet.limits import CREDENTIALS_MAX
from wallet.portability import export_wallet, import_wallet
from wallet.profile import declare_skill, skills_profile
from wallet.shares.creation import ANYONE, ShareItem, ShareSpec, create_share
from wallet.shares.viewing import find_share, present_share
from wallet.tables import WalletErasure

UNI = IssuerFixture("uni", "Haaga-Helia ammattikorkeakoulu")
EMPLOYER = IssuerFixture("kuusi", "Ohjelmistotalo Kuusi Oy")
OTHER_BASE = "https://taito.other.test"
OTHER_KEK = bytes(range(100, 132))

CLIENT = "192.0.2.10"


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    yield from committed_session(clean_engine)


@pytest.fixture
def fresh_engine(tmp_path: Path) -> Iterator[Engine]:
    with empty_database(tmp_path) as (url, connect_args):
        engine = build_engine(url, connect_args=connect_args)
        metadata().create_all(engine)
        yield engine
        engine.dispose()


PASSWORD = "correct horse battery staple"
PASSPHRASE = "my own export passphrase"


def _export(session: Session, holder: str) -> dict[str, Any]:
    envelope = export_wallet(
        session,
        holder_id=holder,
        password=PASSWORD,
        passphrase=PASSPHRASE,
        kek=KEK,
        hashing=FAST_HASHING,
        client=CLIENT,
        base_url=BASE_URL,
        now=NOW,
    )
    return dict(json.loads(json.dumps(envelope)))


def _erase(session: Session, holder: str) -> ErasureReceipt:
    return erase_wallet(
        session,
        holder_id=holder,
        password=PASSWORD,
        kek=KEK,
        hashing=FAST_HASHING,
        client=CLIENT,
        now=NOW,
    )


def _full_wallet(session: Session) -> tuple[str, str]:
    holder = register_holder(session).holder_id
    jwk = holder_jwk(session, holder)
    checker = PinnedChecker([UNI, EMPLOYER])
    first = ""
    for issuer, slug, claims in (
        (UNI, "qualification", qualification_with_skills()),
        (UNI, "competence", competence_claims()),
        (EMPLOYER, "work_experience", work_experience_claims()),
    ):
        summary = receive_credential(
            session,
            holder_id=holder,
            credential=issuer.issue(slug, claims, jwk),
            verify=checker,
            kek=KEK,
            base_url=BASE_URL,
            now=NOW,
        )
        first = first or summary.id
    declare_skill(session, holder_id=holder, uri=PYTHON, level="expert", kek=KEK, now=NOW)
    spec = ShareSpec(items=(ShareItem(first, (("title",),)),), audience=ANYONE, purpose="CV")
    created = create_share(
        session, holder_id=holder, spec=spec, kek=KEK, base_url=BASE_URL, lang="en", now=NOW
    )
    return holder, created.url.rsplit("/", 1)[1]


def test_export_erase_import_on_a_fresh_database_brings_everything_back_verified(
    session: Session, clean_engine: Engine, fresh_engine: Engine
) -> None:
    holder, token = _full_wallet(session)
    envelope = _export(session, holder)
    bundle = decrypt_export(envelope, passphrase=PASSPHRASE)
    assert len(bundle["credentials"]) == 3 and len(bundle["shares"]) == 1
    assert bundle["activity"][-1]["kind"] == "wallet_exported"

    receipt = _erase(session, holder)
    assert (receipt.credentials, receipt.shares) == (3, 1)
    with pytest.raises(ShareNotFound):
        find_share(session, token=token, kek=KEK, base_url=BASE_URL)

    later = NOW + timedelta(days=1)
    checker = PinnedChecker([UNI, EMPLOYER])
    with Session(fresh_engine, expire_on_commit=False) as other:
        newcomer = register(
            other,
            username="maija@example.fi",
            password="another long password",
            kek=OTHER_KEK,
            hashing=FAST_HASHING,
            client="192.0.2.10",
            now=later,
        ).holder_id
        report = import_wallet(
            other,
            holder_id=newcomer,
            export=envelope,
            passphrase=PASSPHRASE,
            verify=checker,
            kek=OTHER_KEK,
            base_url=OTHER_BASE,
            now=later,
        )
        assert (report.imported, report.duplicates, report.keys_added, report.rejected) == (
            3,
            0,
            1,
            (),
        )
        assert checker.calls == 3
        listed = list_credentials(
            other, holder_id=newcomer, kek=OTHER_KEK, lang="sv", filters=CredentialFilter()
        )
        assert {c.type_name for c in listed} == {"Examen", "Kompetens", "Arbetsintyg"}
        for item in listed:
            detail = credential_detail(
                other,
                holder_id=newcomer,
                credential_id=item.id,
                kek=OTHER_KEK,
                lang="sv",
                now=later,
                verify=checker,
            )
            assert detail.live_status.state == "valid"
        profile = skills_profile(other, holder_id=newcomer, kek=OTHER_KEK, lang="en")
        python = next(s for s in profile.skills if s.uri == PYTHON)
        assert python.self_declared and python.verified
        # The imported holder key presents the imported credentials.
        degree = next(c for c in listed if c.type_slug == "qualification")
        spec = ShareSpec(
            items=(ShareItem(degree.id, (("title",),)),), audience=ANYONE, purpose="CV"
        )
        created = create_share(
            other,
            holder_id=newcomer,
            spec=spec,
            kek=OTHER_KEK,
            base_url=OTHER_BASE,
            lang="en",
            now=later,
        )
        found = find_share(
            other, token=created.url.rsplit("/", 1)[1], kek=OTHER_KEK, base_url=OTHER_BASE
        )
        opened = present_share(
            other, share_id=found.share_id, nonce="view-nonce-0123456789", kek=OTHER_KEK, now=later
        )
        verify_sd_jwt_vc(
            opened.presentations[0],
            resolve_issuer_key=PinnedKeys({UNI.identifier: [UNI.key.public]}),
            algorithms=("ES256",),
            accepted_typ=ACCEPTED_TYP,
            now=later,
            clock_tolerance=timedelta(seconds=60),
            key_binding=KeyBindingPolicy(
                required=True, audience=opened.audience, nonce=opened.nonce
            ),
        )


def test_erased_instance_holds_none_of_the_persons_claims(
    session: Session, clean_engine: Engine
) -> None:
    holder, _ = _full_wallet(session)
    _erase(session, holder)
    dump = dump_rows(clean_engine)
    assert [value for value in CLAIM_VALUES if value in dump] == []
    assert holder not in dump
    (record,) = session.exec(select(WalletErasure)).all()
    assert record.holder_ref == erasure_ref(KEK, holder)
    with pytest.raises(WalletNotFound):
        _erase(session, holder)


def test_import_reports_credentials_that_no_longer_verify_and_stores_them_not(
    session: Session,
) -> None:
    holder, _ = _full_wallet(session)
    envelope = _export(session, holder)
    bundle = decrypt_export(envelope, passphrase=PASSPHRASE)
    _erase(session, holder)
    checker = PinnedChecker([UNI, EMPLOYER])
    checker.revoke(str(bundle["credentials"][0]["credential"]))
    newcomer = register_holder(session).holder_id
    report = import_wallet(
        session,
        holder_id=newcomer,
        export=envelope,
        passphrase=PASSPHRASE,
        verify=checker,
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )
    assert report.imported == 2
    assert [(r.index, r.code) for r in report.rejected] == [(0, "credential_revoked")]
    again = import_wallet(
        session,
        holder_id=newcomer,
        export=envelope,
        passphrase=PASSPHRASE,
        verify=checker,
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )
    assert (again.imported, again.duplicates) == (0, 2)


def test_malformed_export_is_refused(session: Session) -> None:
    holder = register_holder(session).holder_id
    with pytest.raises(ImportInvalid) as caught:
        import_wallet(
            session,
            holder_id=holder,
            export={"format": "something else"},
            passphrase=PASSPHRASE,
            verify=PinnedChecker([UNI]),
            kek=KEK,
            base_url=BASE_URL,
            now=NOW,
        )
    assert caught.value.code == "import_invalid" and caught.value.status == 422
    count = session.exec(select(func.count()).select_from(WalletErasure)).one()
    assert count == 0


def test_an_export_listing_more_credentials_than_a_wallet_holds_is_refused_before_any_work(
    session: Session,
) -> None:
    holder = register_holder(session).holder_id
    bundle = {
        "format": "taito-wallet-export",
        "version": 1,
        "holder_keys": [],
        "credentials": ["x"] * (CREDENTIALS_MAX + 1),
    }
    with pytest.raises(ImportInvalid) as caught:
        import_wallet(
            session,
            holder_id=holder,
            export=encrypt_export(
                bundle, passphrase=PASSPHRASE, kdf=ExportKDF(iterations=1, lanes=1, memory_kib=64)
            ),
            passphrase=PASSPHRASE,
            verify=PinnedChecker([UNI]),
            kek=KEK,
            base_url=BASE_URL,
            now=NOW,
        )
    assert f"at most {CREDENTIALS_MAX} items" in caught.value.detail
