"""Liveness and readiness probes."""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

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
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        raise DatabaseUnavailable("The database did not answer; try again shortly.") from None
    return Health(status="ok")
