"""Settings, read from the environment with the ``TAITO_`` prefix (or passed in by tests).

Every setting has a documented default that suits local development; production mode
(``TAITO_ENVIRONMENT=production``) refuses to start on the defaults that are unsafe there
(see :meth:`Settings.check_production`). Nothing reads the environment at import time: the CLI
and the ASGI factory call :func:`load_settings`.
"""

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class Settings(BaseSettings):
    """Taito's configuration. README.md lists every setting with its default."""

    model_config = SettingsConfigDict(env_prefix="TAITO_", extra="ignore", frozen=True)

    environment: Environment = Field(
        Environment.DEVELOPMENT, description="development, test or production."
    )
    database_url: str = Field(
        "sqlite:///data/taito.db",
        description="SQLAlchemy URL: a SQLite file by default, postgresql+psycopg://... at scale.",
    )
    base_url: str = Field(
        "https://taito.localhost",
        description=(
            "Public https URL of this instance; issuer identifiers, status lists and vct URIs"
            " are built on it. Development uses https://taito.localhost, a name that never"
            " leaves the machine (RFC 6761); the server itself listens on host:port."
        ),
    )
    database_pool_size: int = Field(
        20,
        ge=1,
        le=200,
        description="PostgreSQL connections each worker keeps open (a few more may be opened).",
    )
    host: str = Field("127.0.0.1", description="Address `taito serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `taito serve` binds to.")
    workers: int = Field(1, ge=1, le=64, description="Worker processes for `taito serve`.")
    work_threads: int = Field(
        4,
        ge=1,
        le=64,
        description=(
            "Verifications (with verifier nonces) one worker runs at once, and as many"
            " issuances; more wait their turn. They are CPU work under Python's one interpreter"
            " lock: more at once only contend for it (bench/RESULTS.md)."
        ),
    )
    data_dir: Path = Field(
        Path("data"), description="Folder for local files (dev database, dev KEK)."
    )
    kek_file: Path | None = Field(
        None,
        description="File with the 32-byte key-encryption key (base64url); required in production.",
    )
    openid4vp_certificate_file: Path | None = Field(
        None,
        description=(
            "PEM certificate chain (leaf first) that signs OpenID4VP Request Objects; with"
            " TAITO_OPENID4VP_KEY_FILE. Development creates one for the base URL's host."
        ),
    )
    openid4vp_key_file: Path | None = Field(
        None, description="PEM private key of the OpenID4VP leaf certificate (chmod 600)."
    )
    openid4vp_trust_anchors_file: Path | None = Field(
        None,
        description="PEM certificates the wallet trusts for other verifiers' Request Objects.",
    )
    max_body_bytes: int = Field(
        1024 * 1024, ge=1024, description="Largest accepted request body; larger gets 413."
    )
    max_bulk_body_bytes: int = Field(
        16 * 1024 * 1024,
        ge=1024,
        description="Largest body for batch issuance and wallet import.",
    )
    password_hashing_slots: int | None = Field(
        None,
        ge=1,
        le=64,
        description=(
            "Password hashes (argon2id, 64 MiB each) one worker computes at once; four times as"
            " many may wait up to 2 s, more get 503. Default: half the CPUs, at least one."
        ),
    )
    purge_interval_seconds: float = Field(
        3600,
        ge=0,
        le=7 * 24 * 3600,
        description=(
            "How often each worker purges expired pickup codes, nonces, idempotency records and"
            " sessions (jittered); 0 turns the schedule off (then run `taito admin purge`)."
        ),
    )
    log_format: LogFormat = Field(LogFormat.TEXT, description="text or json (JSON lines).")
    log_level: str = Field("INFO", description="Python logging level name.")
    admin_token: SecretStr | None = Field(
        None,
        description="Bearer token for /v1/admin endpoints; `taito dev` creates one in data_dir.",
    )
    demo: bool = Field(
        False, description="Create demo organisations and people (development only)."
    )

    def check_production(self) -> None:
        """Refuse unsafe combinations in production; raise ``ValueError`` naming the setting."""
        if self.environment is not Environment.PRODUCTION:
            return
        if self.demo:
            raise ValueError("TAITO_DEMO must be off in production")
        if self.kek_file is None:
            raise ValueError("TAITO_KEK_FILE is required in production")
        if not self.base_url.startswith("https://"):
            raise ValueError("TAITO_BASE_URL must be https in production")


def load_settings() -> Settings:
    """Read settings from the environment (``TAITO_*``)."""
    return Settings()
