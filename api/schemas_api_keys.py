"""Request and response models of organisations' API keys (issuers and verifiers alike)."""

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from sealing.api_keys import ApiKeyInfo


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["Student register"])


class ApiKeyOut(BaseModel):
    """An API key as listed later: never the key itself."""

    id: str
    name: str
    created_at: datetime
    last_used_at: datetime | None = Field(description="To the minute.")
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKeyInfo) -> "ApiKeyOut":
        return cls(
            id=key.id,
            name=key.name,
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )


class ApiKeyCreatedOut(BaseModel):
    key: ApiKeyOut
    api_key: str = Field(description="Shown once; store it safely.")


class ApiKeyListOut(BaseModel):
    api_keys: list[ApiKeyOut]
    next_cursor: str | None = Field(
        default=None, description="Pass as ``cursor`` for the next page; absent on the last."
    )


def api_key_order(key: ApiKeyOut) -> str:
    """Keys are listed oldest first."""
    return f"{key.created_at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')}|{key.id}"
