"""The OpenAPI document as the API really behaves (FastAPI's default is post-edited here).

- `HandoffOut.transcript` items are 2-string arrays (not a tuple schema);
- every error body is `{"detail": "<one readable line>"}` (ErrorOut); a 422 adds the
  failing fields (ValidationErrorOut), not FastAPI's list-shaped `detail`;
- each operation lists the statuses it can send: 400 (a header that is not UTF-8),
  401/403 (keys, origins, scopes, another shopper's conversation), 404, 409, 413 (bodies),
  422, 429 (rate limits, every /v1 route), 503 (a store down, or still starting);
- security only where it applies: shopper routes take the widget key, an admin key or,
  on an open single shop, nothing; admin routes only an admin key (bearer); health and
  docs none. The widget key is a security scheme, not a loose header parameter.

    honest_openapi(app)   # once, after the routers are included
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from api.schemas import ErrorOut, ValidationErrorOut

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
STATUS_TEXT = {
    400: "A header that is not UTF-8 text",
    401: "No key, or a key no shop holds",
    403: "The key may not do this (scope or site origin), or the conversation is another shopper's",
    404: "Not found",
    409: "Conflicts with the conversation's state",
    413: "Request body too large",
    429: "Too many requests; see Retry-After",
    503: "A store (database or vector store) is down, or the server is still starting",
}
SECURITY_SCHEMES = {
    "widgetKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Shopmate-Key",
        "description": "The site's publishable widget key (chat, events, feedback, sponsored).",
    },
    "adminKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "An admin key (SHOPMATE_ADMIN_API_KEY or a tenant's admin_keys).",
    },
}


def _calls(route: APIRoute) -> set[Callable[..., Any]]:
    found: set[Callable[..., Any]] = set()

    def walk(dependant: Any) -> Iterator[None]:
        for d in dependant.dependencies:
            if d.call is not None:
                found.add(d.call)
            yield from walk(d)

    list(walk(route.dependant))
    return found


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every API route, also those of included routers (included here without a prefix)."""
    for r in routes:
        if isinstance(r, APIRoute):
            yield r
        elif (inner := getattr(r, "original_router", None)) is not None:
            yield from _api_routes(list(inner.routes))


def _raises(route: APIRoute) -> set[int]:
    """Statuses the endpoint raises itself (read from its source: stays true as it changes)."""
    try:
        src = inspect.getsource(route.endpoint)
    except (OSError, TypeError):
        return set()
    return {code for code in (404, 409) if f"HTTPException({code}" in src}


def honest_openapi(app: FastAPI) -> None:
    from api.auth import get_access, require_admin, require_reader

    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        comps = doc.setdefault("components", {})
        schemas = comps.setdefault("schemas", {})
        schemas["ErrorOut"] = ErrorOut.model_json_schema()
        schemas["ValidationErrorOut"] = ValidationErrorOut.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        comps["securitySchemes"] = SECURITY_SCHEMES
        # a (role, text) pair: pydantic writes a tuple as prefixItems, which tools reading
        # the document as OpenAPI 3.0 turn into an invalid `items: [...]`; a 2-string array
        # says the same to every reader
        if "HandoffOut" in schemas:
            schemas["HandoffOut"]["properties"]["transcript"]["items"] = {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 2,
                "maxItems": 2,
                "description": "[role, text]: role shopper, bot, agent or system; text redacted",
            }
        for route in _api_routes(app.routes):
            if not route.include_in_schema:
                continue
            calls = _calls(route)
            for method in route.methods or ():
                op = doc["paths"].get(route.path_format, {}).get(method.lower())
                if op is not None:
                    _fix(op, route, calls, get_access, require_admin, require_reader)
        app.openapi_schema = doc
        return doc

    app.openapi = build  # type: ignore[method-assign]


def _fix(
    op: dict[str, Any],
    route: APIRoute,
    calls: set[Callable[..., Any]],
    get_access: Callable[..., Any],
    require_admin: Callable[..., Any],
    require_reader: Callable[..., Any],
) -> None:
    responses: dict[str, Any] = op.setdefault("responses", {})
    if "422" in responses:
        responses["422"] = {
            "description": responses["422"].get("description", "Invalid input"),
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ValidationErrorOut"}}
            },
        }
    codes = {400, 503}
    if route.path.startswith("/v1/"):
        codes.add(429)
    if "requestBody" in op:
        codes.add(413)
    if get_access in calls:
        codes |= {401, 403}
    codes |= _raises(route)
    for code in sorted(codes):
        responses.setdefault(
            str(code),
            {
                "description": STATUS_TEXT[code],
                "content": {"application/json": {"schema": ERROR_REF}},
            },
        )
    # the key header is a security scheme, not a parameter
    params = [
        p
        for p in op.get("parameters", [])
        if not (p.get("in") == "header" and p.get("name", "").lower() == "x-shopmate-key")
    ]
    if params:
        op["parameters"] = params
    else:
        op.pop("parameters", None)
    if require_admin in calls:
        op["security"] = [{"adminKey": []}]
    elif require_reader in calls:
        op["security"] = [{"adminKey": []}, {}]
    elif get_access in calls:
        op["security"] = [{"widgetKey": []}, {"adminKey": []}, {}]
    else:
        op.pop("security", None)
