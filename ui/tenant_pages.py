"""Each shop's own Gradio pages on a server that hosts several shops.

With a tenants file, every shop gets its shopper chat, agent assist and admin panel under
its own prefix, bound to that shop's services (engine, knowledge base, conversations,
handoff queue, analytics):

    /t/<tenant>/ui      shopper chat, open like the shop's widget
    /t/<tenant>/agent   agent assist: Gradio login, user "agent", password one of the shop's admin keys
    /t/<tenant>/admin   admin panel:  Gradio login, user "admin", password one of the shop's admin keys

One ASGI app mounted at /t builds a shop's three Gradio apps on the first request for that
shop (0.3 s on two loaded cores; 2 s for the first shop, which also imports Gradio), in a
worker thread so other requests keep flowing, and keeps them until shutdown. Start-up does
not grow with the number of shops, and a shop whose pages nobody opens costs nothing. Each
Gradio app keeps its own login tokens, so signing in to one shop's page opens no other.

    pages = TenantPages(tenants, parts_of=lambda tenant_id: ...)  # that shop's TenantParts
    app.mount("/t", pages)
    ...
    await pages.aclose()  # in the app's lifespan, after `yield`
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import anyio.to_thread
from fastapi import FastAPI
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

if TYPE_CHECKING:
    from bot.engine import ChatEngine
    from ui.admin_app import AdminData

log = logging.getLogger(__name__)

PAGES = ("ui", "agent", "admin")


class Tenant(Protocol):
    """A shop of the tenants file (shopmate.tenants.Tenant): its id, name and staff keys."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def admin_keys(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class TenantParts:
    """What one shop's pages use, handed in by the app factory on the shop's first visit."""

    engine: ChatEngine  # answers the chat; agent assist reads its conversations
    currency: str
    admin: Callable[[], AdminData]  # the admin panel's figures


def admin_login(tenant: Tenant, user: str) -> Callable[[str, str], bool]:
    """Gradio's login check for one shop's staff page: `user` and one of the shop's admin keys.

    Keys are compared as sha256 digests in constant time, never byte by byte as typed."""
    if not tenant.admin_keys:
        raise ValueError(f"tenant {tenant.id!r} has no admin key: its staff pages would be open")
    digests = [hashlib.sha256(k.encode()).digest() for k in tenant.admin_keys]

    def check(username: str, password: str) -> bool:
        given = hashlib.sha256((password or "").encode()).digest()
        hit = False
        for d in digests:  # look at every key, so the time taken does not tell which matched
            hit |= hmac.compare_digest(given, d)
        return hit and hmac.compare_digest((username or "").encode(), user.encode())

    return check


def build_tenant_app(tenant: Tenant, parts: TenantParts) -> FastAPI:
    """One shop's three Gradio apps at `/{tenant.id}/ui|agent|admin` of a small FastAPI app
    (mounted at /t, the pages' public paths are /t/{tenant.id}/...)."""
    import gradio as gr

    from bot.assist import AgentDesk
    from ui.admin_app import build_admin_ui
    from ui.agent_app import build_agent_ui
    from ui.gradio_app import conversation_of, mount_chat_ui

    base = f"/{tenant.id}"
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    mount_chat_ui(
        app,
        parts.engine.respond,
        path=f"{base}/ui",
        shop_name=tenant.name,
        currency=parts.currency,
        conversation=conversation_of(lambda: parts.engine),
    )
    hint = f"{tenant.name}: sign in as {{user}} with the shop's admin key."
    gr.mount_gradio_app(
        app,
        build_agent_ui(AgentDesk(parts.engine), shop_name=tenant.name, currency=parts.currency),
        path=f"{base}/agent",
        auth=admin_login(tenant, "agent"),
        auth_message=hint.format(user='"agent"'),
    )
    gr.mount_gradio_app(
        app,
        build_admin_ui(parts.admin, shop_name=tenant.name),
        path=f"{base}/admin",
        auth=admin_login(tenant, "admin"),
        auth_message=hint.format(user='"admin"'),
    )
    return app


def _route_path(scope: Scope) -> str:
    """The path below the mount point (Starlette keeps the full path and grows root_path)."""
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("/", ""):
        return path[len(root) :]
    return path


class TenantPages:
    """ASGI app for /t: finds the shop in the path and hands the request to its Gradio apps,
    building them on the shop's first request."""

    def __init__(
        self,
        tenants: Sequence[Tenant],
        parts_of: Callable[[str], TenantParts],
        *,
        mount_path: str = "/t",
    ) -> None:
        if not tenants:
            raise ValueError("TenantPages needs at least one tenant")
        for t in tenants:
            if not t.admin_keys:
                raise ValueError(f"tenant {t.id!r} has no admin key: its staff pages would be open")
        self.tenants = {t.id: t for t in tenants}
        self.mount_path = mount_path
        self._parts_of = parts_of
        self._apps: dict[str, FastAPI] = {}
        self._lock: asyncio.Lock | None = None
        self._stack = AsyncExitStack()

    @property
    def built(self) -> list[str]:
        """The shops whose pages have been opened (and so built) so far."""
        return list(self._apps)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return  # lifespan belongs to the parent app, which calls aclose()
        parts = _route_path(scope).split("/", 3)  # "", tenant, page, rest
        tenant = self.tenants.get(parts[1] if len(parts) > 1 else "")
        page = parts[2] if len(parts) > 2 else ""
        if tenant is None or page not in PAGES:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            what = "no shop by that id here" if tenant is None else f"no page {page!r}"
            detail = (
                f"{what}: each shop's pages are {self.mount_path}/<shop id>/ui (chat), "
                f"{self.mount_path}/<shop id>/agent and {self.mount_path}/<shop id>/admin "
                "(sign in with the shop's admin key)"
            )
            await JSONResponse({"detail": detail}, status_code=404)(scope, receive, send)
            return
        app = self._apps.get(tenant.id) or await self._build(tenant)
        await app(scope, receive, send)

    async def _build(self, tenant: Tenant) -> FastAPI:
        if self._lock is None:  # made here so that it belongs to the server's event loop
            self._lock = asyncio.Lock()
        async with self._lock:  # one build at a time; a second request waits for the first
            if tenant.id in self._apps:
                return self._apps[tenant.id]
            parts = self._parts_of(tenant.id)
            started = time.perf_counter()
            app = await anyio.to_thread.run_sync(build_tenant_app, tenant, parts)
            # start its Gradio queues and cleanup tasks; they stop in aclose()
            await self._stack.enter_async_context(app.router.lifespan_context(app))
            self._apps[tenant.id] = app
            log.info(
                "built the Gradio pages of shop %s in %.2f s",
                tenant.id,
                time.perf_counter() - started,
            )
            return app

    async def aclose(self) -> None:
        """Stop every built shop's Gradio apps (queues, cleanup tasks)."""
        await self._stack.aclose()
        self._apps.clear()
