"""Liveness and readiness probes."""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from api.database import database_answers
from api.deps import EngineDep
from api.edge import StrictRoute
from credentials.errors import TaitoError

router = APIRouter(route_class=StrictRoute, tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]


class DatabaseUnavailable(TaitoError):
    code = "database_unavailable"
    title = "The database cannot be reached"
    status = 503


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is up and answering."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"description": "Database down"}})
def readyz(engine: EngineDep) -> Health:
    """The database answers a trivial query."""
    if not database_answers(engine):
        raise DatabaseUnavailable("The database did not answer; try again shortly.")
    return Health(status="ok")
