"""The organisation and platform pages of the app, read from its routes, and what each needs.

Used by the authorization matrix (tests/api/test_org_authorization_matrix.py): every route under
``/org/{slug}`` and ``/platform``, the access dependency of :mod:`api.web.org_access` each
carries, and its path filled with plausible values. Pages added later are found the same way.
"""

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.routers.issuers import current_issuer
from api.routers.verifiers import any_verifier, current_verifier, verifying_verifier
from api.web.org_access import admin_role, any_role, issuer_role, platform_admin, verifier_role

ROLES: dict[Callable[..., Any], str] = {
    platform_admin: "platform",
    admin_role: "admin",
    issuer_role: "issuer",
    verifier_role: "verifier",
    any_role: "member",
}
"""The access dependencies of :mod:`api.web.org_access`, strictest first."""

KEY_CHECKS: dict[Callable[..., Any], str] = {
    current_issuer: "issuer",
    current_verifier: "verifier",
    any_verifier: "verifier",
    verifying_verifier: "verifier",
}
"""The API key dependencies of the organisations' API endpoints, by the side whose key they take."""


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


@dataclass(frozen=True)
class Route:
    """One route of the app as served: its full path, methods and resolved dependencies."""

    path: str
    methods: frozenset[str]
    dependant: Dependant


def app_routes(app: FastAPI) -> Iterator[Route]:
    """Every FastAPI route of ``app``, including those of included routers.

    FastAPI resolves included routers lazily (an included router is one entry of ``app.routes``
    that yields its routes, prefix and dependencies applied, from ``effective_route_contexts``);
    older versions list the routes themselves.
    """
    for route in app.routes:
        if isinstance(route, APIRoute):
            yield Route(route.path, frozenset(route.methods or ()), route.dependant)
            continue
        for context in getattr(route, "effective_route_contexts", list)():
            if getattr(context, "dependant", None) is not None:
                yield Route(context.path, frozenset(context.methods), context.dependant)


def required_role(route: Route) -> str | None:
    """The strictest access dependency of ``route``, or None when it has none."""
    found = set(_calls(route.dependant))
    return next((role for call, role in ROLES.items() if call in found), None)


def guarded_routes(app: FastAPI) -> list[tuple[str, str, Route]]:
    """(method, path, route) of every organisation and platform page of ``app``."""
    routes: list[tuple[str, str, Route]] = []
    for route in app_routes(app):
        if route.path.startswith(("/org/{slug}", "/platform")):
            routes.extend(
                (method, route.path, route) for method in sorted(route.methods - {"HEAD"})
            )
    return routes


def unprotected(app: FastAPI) -> list[str]:
    """Organisation and platform routes with no recognised access dependency."""
    return [f"{m} {p}" for m, p, route in guarded_routes(app) if required_role(route) is None]


def fill(route: Route, slug: str, ids: Mapping[str, str]) -> str:
    """The route's path with plausible values: ``slug``, the real id of something the route
    could change for the parameters ``ids`` names (another id-like value, or a number for
    ``:int``, for the rest), and each required query parameter likewise."""

    def value(match: re.Match[str]) -> str:
        name, convertor = match.group(1), match.group(2) or ""
        if name == "slug":
            return slug
        return ids.get(name) or ("1" if convertor == ":int" else "id_matrix1")

    path = re.sub(r"\{(\w+)(:\w+)?\}", value, route.path)
    query = {
        q.name: ids.get(q.name, "x")
        for q in _query_params(route.dependant)
        if q.field_info.is_required()
    }
    return path + ("?" + urlencode(query) if query else "")


def _query_params(dependant: Dependant) -> Iterator[Any]:
    yield from dependant.query_params
    for sub in dependant.dependencies:
        yield from _query_params(sub)


def key_checks(route: Route) -> set[str]:
    """The sides (``issuer``, ``verifier``) whose API key ``route`` authenticates."""
    calls = set(_calls(route.dependant))
    return {kind for call, kind in KEY_CHECKS.items() if call in calls}
