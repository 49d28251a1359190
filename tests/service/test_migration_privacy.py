"""The privacy migration (0003) leaves no plain-text Idempotency-Key, on SQLite and PostgreSQL."""

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from api.database import alembic_config, build_engine, upgrade
from tests.conftest import empty_database


def test_upgrading_deletes_plain_text_idempotency_keys_and_the_register_thumbprints(
    tmp_path: Path,
) -> None:
    with empty_database(tmp_path) as (url, connect_args):
        engine = build_engine(url, connect_args=connect_args)
        try:
            upgrade(engine, "0001")
            now = datetime.now(UTC)
            with engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO issuer (id, slug, name, api_key_hash, created_at) "
                        "VALUES ('iss_1', 'college', 'College', 'h', :now)"
                    ),
                    {"now": now},
                )
                connection.execute(
                    text(
                        "INSERT INTO issuer_idempotency (id, issuer_id, key, fingerprint, "
                        "created_at) VALUES ('idm_1', 'iss_1', 'demo:aino@example.fi:1', 'f', :now)"
                    ),
                    {"now": now},
                )
            upgrade(engine)
            columns = {c["name"] for c in inspect(engine).get_columns("issuer_idempotency")}
            assert "key" not in columns and "key_hash" in columns
            register = {c["name"] for c in inspect(engine).get_columns("issuer_credential")}
            assert "holder_thumbprint" not in register
            with engine.connect() as connection:
                rows = connection.execute(text("SELECT COUNT(*) FROM issuer_idempotency"))
                assert rows.scalar_one() == 0
            command.downgrade(alembic_config(engine), "0001")
            upgrade(engine)
        finally:
            engine.dispose()
