"""The flat route table (api.route_table): the same routes, documents and overrides as
``include_router``, and an API whose answer never depends on the order routes were added."""

import re
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Match

from api.app import API_ROUTERS
from api.route_table import NestedRouter, add_routes


def test_a_flat_table_documents_every_api_route_as_include_router_does() -> None:
    included, flat = FastAPI(), FastAPI()
    for router in API_ROUTERS:
        included.include_router(router)
        add_routes(flat, router)
    assert flat.openapi()["paths"] == included.openapi()["paths"]
    assert flat.openapi()["components"] == included.openapi()["components"]


def test_the_app_adds_exactly_the_listed_routers_as_plain_routes(app: FastAPI) -> None:
    routes = [r for r in app.router.routes if isinstance(r, APIRoute)]
    listed = {
        (r.path, frozenset(r.methods or ()))
        for router in API_ROUTERS
        for r in router.routes
        if isinstance(r, APIRoute)
    }
    served = {(r.path, frozenset(r.methods or ())) for r in routes if r.include_in_schema}
    assert served == listed
    assert all(type(r).__name__ != "_IncludedRouter" for r in app.router.routes)


def _sample(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", path)


def test_no_two_api_routes_answer_the_same_request(app: FastAPI) -> None:
    """So the order routers are added in cannot change which endpoint answers."""
    ambiguous = []
    for route in app.router.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            scope = {"type": "http", "method": method, "path": _sample(route.path), "app": app}
            full = [r for r in app.router.routes if r.matches(scope)[0] == Match.FULL]
            if full != [route]:
                ambiguous.append(f"{method} {route.path}")
    assert ambiguous == []


def test_a_page_path_with_a_fixed_word_goes_to_its_own_page_not_the_one_with_a_parameter(
    app: FastAPI,
) -> None:
    """Web pages do overlap (``/org/join`` and ``/org/{slug}``): the fixed word comes first."""
    for route in app.router.routes:
        if not isinstance(route, APIRoute):
            continue
        for method in route.methods or ():
            scope = {"type": "http", "method": method, "path": _sample(route.path), "app": app}
            first = next(r for r in app.router.routes if r.matches(scope)[0] == Match.FULL)
            assert first is route, f"{method} {route.path} is answered by {first}"


def test_dependency_overrides_reach_a_route_added_flat() -> None:
    def who() -> str:
        return "real"

    router = APIRouter()

    @router.get("/who")
    def read(name: Annotated[str, Depends(who)]) -> dict[str, str]:
        return {"name": name}

    app = FastAPI()
    add_routes(app, router)
    app.dependency_overrides[who] = lambda: "override"
    with TestClient(app) as client:
        assert client.get("/who").json() == {"name": "override"}


def test_a_nested_router_is_refused_when_the_app_is_built() -> None:
    outer, inner = APIRouter(), APIRouter()

    @inner.get("/inner")
    def read() -> None: ...

    outer.include_router(inner)
    with pytest.raises(NestedRouter):
        add_routes(FastAPI(), outer)
