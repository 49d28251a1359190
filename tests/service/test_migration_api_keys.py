"""The API-keys migration (0005): every existing key keeps working, on SQLite and PostgreSQL."""

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from api.database import alembic_config, build_engine, upgrade
from issuers.api_keys import list_api_keys
from issuers.organisations import authenticate_issuer
from sealing.secret_hashes import hash_secret
from tests.conftest import empty_database
from verifiers.organisations import authenticate_verifier

ISSUER_KEY = "tik_" + "a" * 43
VERIFIER_KEY = "tvk_" + "b" * 43


def test_upgrading_keeps_each_organisations_one_key_working_as_its_first_named_key(
    tmp_path: Path,
) -> None:
    with empty_database(tmp_path) as (url, connect_args):
        engine = build_engine(url, connect_args=connect_args)
        try:
            upgrade(engine, "0004_offers")
            with engine.begin() as connection:
                for table, id_, key in (
                    ("issuer", "a" * 32, ISSUER_KEY),
                    ("verifier", "vrf_" + "b" * 32, VERIFIER_KEY),
                ):
                    connection.execute(
                        text(
                            f"INSERT INTO {table} (id, slug, name, api_key_hash, created_at) "  # noqa: S608 - fixed table names
                            "VALUES (:id, 'college', 'College', :hash, :now)"
                        ),
                        {"id": id_, "hash": hash_secret(key), "now": datetime.now(UTC)},
                    )
            upgrade(engine)
            with Session(engine) as session:
                issuer = authenticate_issuer(session, slug="college", api_key=ISSUER_KEY)
                assert [k.name for k in list_api_keys(session, issuer_id=issuer.id)] == [
                    "first key"
                ]
                verifier = authenticate_verifier(
                    session, api_key=VERIFIER_KEY, slug="college", base_url="https://t.test"
                )
                assert verifier.disabled_at is None
            command.downgrade(alembic_config(engine), "0004_offers")
            with engine.connect() as connection:
                stored = connection.execute(text("SELECT api_key_hash FROM issuer")).scalar_one()
                assert stored == hash_secret(ISSUER_KEY)
            upgrade(engine)
        finally:
            engine.dispose()
