"""The FastAPI app factory: `create_app(settings)` loads models once in the lifespan.

One shop: Gradio chat at /ui, agent assist at /agent, admin at /admin. Several shops (a
tenants file): each shop's at /t/<id>/ui, /t/<id>/agent, /t/<id>/admin (ui/tenant_pages.py).

app = create_app(Settings())             # serve with uvicorn
app = create_app(settings, services)     # tests: reuse already-built services
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi_offline import FastAPIOffline

from api import errors
from api.limits import LimitsMiddleware
from api.openapi import honest_openapi
from api.routes import router
from api.routes_growth import router as growth_router
from bot.types import BotReply
from shopmate.settings import Settings
from shopmate.tenants import Tenant, TenantRegistry, build_registry, load_tenants
from shopmate.wiring import Services

if TYPE_CHECKING:
    from ui.tenant_pages import TenantPages

log = logging.getLogger(__name__)


def _readable(errors: list[Any]) -> str:
    parts = []
    for e in errors:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
        parts.append(f"{loc or 'body'}: {e.get('msg', 'invalid')}")
    return "; ".join(parts)


def create_app(
    settings: Settings,
    services: Services | None = None,
    mount_ui: bool = True,
    registry: TenantRegistry | None = None,
    on_ready: Callable[[], None] | None = None,
) -> FastAPI:
    """The app; models load once in the lifespan unless `services` (one shop) or a tenant
    `registry` are passed in."""

    tenants = load_tenants(settings)  # fails fast on a bad tenants file, before any model loads
    multi = settings.tenants_file is not None
    pages = None  # several shops: each one's Gradio pages under /t/<id>/, built on first visit

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.tenants is None:
            app.state.tenants = build_registry(settings, services=app.state.services)
        app.state.services = app.state.tenants.default.services  # the built-in UIs' shop
        if on_ready is not None:
            on_ready()
        watcher = None
        if settings.sentiment_check_minutes > 0:
            watcher = asyncio.create_task(
                sentiment_watch(app.state.tenants, settings.sentiment_check_minutes)
            )
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()
            if pages is not None:
                await pages.aclose()

    # /docs and /redoc with Swagger UI and ReDoc served from the fastapi-offline package,
    # not a CDN: the API docs work with no network
    app = FastAPIOffline(
        title="shopmate",
        version="0.1.0",
        description="Shopping-assistant API: chat grounded in the shop's knowledge, product "
        "suggestions, events. Shopper routes take the site's publishable key in "
        "`X-Shopmate-Key` (the widget's data-key); admin routes an `Authorization: Bearer` "
        "admin key.",
        lifespan=lifespan,
    )
    if registry is None and services is not None:  # ready without waiting for the lifespan
        registry = build_registry(settings, services=services)
    app.state.services = registry.default.services if registry is not None else services
    app.state.tenants = registry
    app.state.settings = settings

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        # a readable one-line message plus the structured errors
        return JSONResponse(
            status_code=422,
            content={"detail": _readable(list(exc.errors())), "errors": jsonable_errors(exc)},
        )

    errors.install(app)  # stores down: 503 with a message
    app.include_router(router)
    app.include_router(growth_router)
    app.add_middleware(
        LimitsMiddleware,
        max_body_bytes=settings.max_body_bytes,
        per_minute=settings.rate_limit_per_minute,
        per_key_per_minute=settings.rate_limit_per_key_per_minute,
        logins_per_minute=settings.staff_logins_per_minute,
        clicks_per_minute=settings.sponsored_clicks_per_minute,
    )
    honest_openapi(app)  # error bodies as sent, every status, security where it applies
    origins = sorted({o for t in tenants for o in t.origins})
    if origins:  # every tenant's sites; a widget key is checked against its own in the routes
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["content-type", "x-shopmate-key"],
        )

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/" if mount_ui and not multi else "/docs")

    if mount_ui and multi:
        pages = mount_tenant_pages(app, tenants)
    elif mount_ui:
        from ui.gradio_app import conversation_of, mount_chat_ui

        def respond(session_id: str, user_id: str | None, message: str) -> BotReply:
            svc: Services = app.state.services
            # the page's shopper-id box is believed only on a loopback (local) server; on a
            # public address anyone could type any id, so the shopper is anonymous there
            trusted = user_id if settings.host in LOOPBACK else None
            return svc.engine.respond(session_id, trusted, message)

        mount_chat_ui(
            app,
            respond,
            path="/ui",
            shop_name=settings.shop_name,
            currency=settings.currency,
            conversation=conversation_of(lambda: app.state.services.engine),
        )
        mount_agent_ui(app, settings)
    from fastapi.staticfiles import StaticFiles

    import ui

    app.mount("/widget", StaticFiles(directory=Path(ui.__file__).parent / "static"), name="widget")
    return app


async def sentiment_watch(registry: TenantRegistry, minutes: float) -> None:
    """Every `minutes`, post each shop's due negative-sentiment alerts to its webhook (shops
    without SHOPMATE_ALERT_WEBHOOK_URL are skipped). A failing check is logged and tried
    again next round; the lifespan cancels the watch at shutdown."""
    import anyio.to_thread

    while True:
        await asyncio.sleep(minutes * 60)
        for _, svc in registry.entries:
            if not svc.growth.alerts.webhook_url:
                continue
            try:
                await anyio.to_thread.run_sync(svc.growth.check_alerts)
            except Exception:
                log.exception("sentiment watch: the check failed; trying again next round")


def app_from_env() -> FastAPI:
    """The app from SHOPMATE_* variables: the factory each of several server workers calls."""
    return create_app(Settings())


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def mount_tenant_pages(app: FastAPI, tenants: list[Tenant]) -> TenantPages:
    """Several shops: each one's chat, agent assist and admin at /t/<id>/ui|agent|admin, on
    its own services and behind its own admin keys. The bare /ui, /agent and /admin would
    have to pick one shop, so they say where each shop's pages are instead."""
    from shopmate.admin_data import ShopAdminData
    from ui.tenant_pages import TenantPages, TenantParts

    def parts_of(tenant_id: str) -> TenantParts:
        registry: TenantRegistry = app.state.tenants  # built by the lifespan before any request
        svc = next(svc for t, svc in registry.entries if t.id == tenant_id)
        return TenantParts(svc.engine, svc.settings.currency, lambda: ShopAdminData(svc))

    pages = TenantPages(tenants, parts_of, mount_path="/t")
    app.mount("/t", pages)
    app.state.tenant_pages = pages

    def elsewhere(page: str) -> Callable[[], JSONResponse]:
        def reply() -> JSONResponse:
            return JSONResponse(
                status_code=404,
                content={
                    "detail": f"this server hosts several shops: each one's page is "
                    f"/t/<shop id>/{page}/ (the id from the tenants file)"
                },
            )

        return reply

    for page in ("ui", "agent", "admin"):
        for path in (f"/{page}", f"/{page}/{{rest:path}}"):
            app.add_api_route(path, elsewhere(page), methods=["GET"], include_in_schema=False)
    return pages


def mount_agent_ui(app: FastAPI, settings: Settings) -> None:
    """Agent assist at /agent and the admin panel at /admin: behind the admin key (users
    "agent" and "admin"), or open on a loopback-only server for local use; not mounted at
    all on a public address without a key."""
    import gradio as gr

    from bot.assist import AgentDesk
    from shopmate.admin_data import ShopAdminData
    from ui.admin_app import build_admin_ui
    from ui.agent_app import build_agent_ui

    key = settings.admin_api_key
    if key is None and settings.host not in LOOPBACK:
        log.warning(
            "agent assist and admin are off: set SHOPMATE_ADMIN_API_KEY to use them on %s",
            settings.host,
        )
        return
    desk = AgentDesk(lambda: app.state.services.engine)
    secret = key.get_secret_value() if key is not None else None
    agent_ui = build_agent_ui(desk, shop_name=settings.shop_name, currency=settings.currency)
    gr.mount_gradio_app(app, agent_ui, path="/agent", auth=("agent", secret) if secret else None)
    admin_ui = build_admin_ui(lambda: ShopAdminData(app.state.services))
    gr.mount_gradio_app(app, admin_ui, path="/admin", auth=("admin", secret) if secret else None)


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", ""))}
        for e in exc.errors()
    ]
