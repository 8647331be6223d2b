"""Who calls, and what they may reach: the key resolution every route depends on.

A request's key (`X-Shopmate-Key`, the widget's publishable key, or `Authorization:
Bearer`, an admin key) resolves to its tenant and scope once, in `get_access`; the routes
declare what they need as dependencies, never as copied checks:

    @router.post("/v1/chat")
    def chat(req: ChatRequest, svc: Svc, access: Caller) -> ChatResponse: ...   # any key

    @router.get("/v1/kb", dependencies=[Admin])   # admin keys only
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shopmate.tenants import Access, KeyError401, TenantRegistry
from shopmate.wiring import Services

_bearer = HTTPBearer(auto_error=False)


def get_access(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    x_shopmate_key: Annotated[
        str | None,
        Header(description="The site's publishable widget key (or an admin key)."),
    ] = None,
) -> Access:
    """Which tenant calls, with what scope: from X-Shopmate-Key or Authorization: Bearer."""
    registry: TenantRegistry | None = request.app.state.tenants
    if registry is None:
        raise HTTPException(503, "shopmate is still starting; retry in a few seconds")
    key = x_shopmate_key or (creds.credentials if creds else None)
    try:
        access = registry.resolve(key)
    except KeyError401 as e:
        raise HTTPException(401, str(e)) from e
    origin = request.headers.get("origin")
    if (
        origin
        and access.scope == "widget"
        and access.tenant.origins
        and origin not in access.tenant.origins
    ):
        raise HTTPException(
            403, f"this key belongs to another site; {origin} is not one of its origins"
        )
    return access


Caller = Annotated[Access, Depends(get_access)]


def get_services(access: Caller) -> Services:
    """The caller's shop, for shopper routes (chat, events, feedback): any key of the tenant."""
    return access.services


Svc = Annotated[Services, Depends(get_services)]


def require_admin(request: Request, access: Caller) -> None:
    if access.scope == "admin":
        return
    registry: TenantRegistry = request.app.state.tenants
    if not registry.multi and not access.tenant.admin_keys:
        raise HTTPException(
            403, "the admin API is disabled; set SHOPMATE_ADMIN_API_KEY to enable it"
        )
    if access.scope == "widget":
        raise HTTPException(
            403,
            "a publishable key reaches only chat, events and feedback; "
            "call this from your server with an admin key (Authorization: Bearer <key>)",
        )
    raise HTTPException(401, "admin API: send 'Authorization: Bearer <SHOPMATE_ADMIN_API_KEY>'")


def require_reader(access: Caller) -> None:
    """Catalog reads (search, recommendations): admin keys, or an open single shop."""
    if access.scope == "widget":
        raise HTTPException(
            403,
            "a publishable key reaches only chat, events and feedback; "
            "call this from your server with an admin key (Authorization: Bearer <key>)",
        )


Admin = Depends(require_admin)
Reader = Depends(require_reader)
