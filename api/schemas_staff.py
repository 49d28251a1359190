"""Request and response models of the staff admin endpoints."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RoleName = Literal["issuer_staff", "verifier_staff", "organisation_admin"]


class StaffCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field(min_length=1, max_length=200)
    organisation: str | None = Field(None, min_length=1, max_length=64)
    role: RoleName | None = None
    platform_admin: bool = False


class StaffCreatedOut(BaseModel):
    id: str


class StaffOut(BaseModel):
    id: str
    username: str
    name: str
    role: str


class StaffListOut(BaseModel):
    staff: list[StaffOut]
    next_cursor: str | None = Field(
        default=None, description="Pass as ``cursor`` for the next page; absent on the last."
    )


class InviteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: RoleName


class InviteOut(BaseModel):
    token: str = Field(description="Shown once; the link is /org/join?token=...")
    path: str
    expires_at: datetime
