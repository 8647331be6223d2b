"""Request-size and rate limits, as plain ASGI middleware (no web framework state).

- Bodies larger than `max_body_bytes` get 413 before the route reads them: by the
  Content-Length header, or, for a body sent without one (chunked), by reading it here
  up to the limit before the route sees it.
- A header value that is not UTF-8 gets 400 (it would otherwise break every route).
- Every /v1 route (chat, events, feedback, catalog, sponsored, admin) is limited: each
  client IP gets `per_minute` requests a minute, and each client of a key (a site's
  widget key or an admin key) `per_key_per_minute`, so one client cannot use up a key for
  the site's other shoppers. Sponsored clicks get `clicks_per_minute` more per client IP.
  Token buckets refilled continuously; over a limit: 429 with Retry-After. Health checks
  and docs are not limited.
- Sign-ins to the staff pages (agent assist and admin, of one shop or of each tenant)
  get `logins_per_minute` attempts a minute per client IP, so an admin key cannot be
  guessed by trying.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LIMITED_PREFIXES = ("/v1/",)
STAFF_PREFIXES = ("/agent", "/admin", "/t/")


def is_sponsored_click(method: str, path: str) -> bool:
    return method == "POST" and path.startswith("/v1/sponsored/") and path.endswith("/click")


def is_login(path: str) -> bool:
    """A Gradio sign-in of a staff page: /agent/login, /admin/login, /t/<shop>/agent/login."""
    return path.startswith(STAFF_PREFIXES) and path.rstrip("/").endswith("/login")


class TokenBuckets:
    """`per_minute` tokens per key, refilled continuously; thread-safe."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute <= 0:
            raise ValueError(f"per_minute must be > 0, got {per_minute}")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when allowed; otherwise the seconds until a token is back."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate


async def _reply(
    send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class LimitsMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        per_minute: int,
        per_key_per_minute: int = 600,
        logins_per_minute: int = 10,
        clicks_per_minute: int = 10,
    ) -> None:
        if max_body_bytes <= 0:
            raise ValueError(f"max_body_bytes must be > 0, got {max_body_bytes}")
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.buckets = TokenBuckets(per_minute)  # per client IP
        self.key_buckets = TokenBuckets(per_key_per_minute)  # per client within a key
        self.login_buckets = TokenBuckets(logins_per_minute)  # staff sign-ins per client IP
        self.click_buckets = TokenBuckets(clicks_per_minute)  # sponsored clicks per client IP

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        except UnicodeDecodeError:
            bad = next(k.decode("latin-1") for k, v in scope.get("headers", []) if not _utf8(k + v))
            await _reply(
                send,
                400,
                f"header {bad!r} is not valid UTF-8; send header names and values as text "
                "(ASCII, or UTF-8 at most)",
            )
            return
        too_big = f"request body over {self.max_body_bytes} bytes; send less (chat messages: at most 4000 characters)"
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body_bytes:
            await _reply(send, 413, too_big)
            return
        path = scope.get("path", "")
        client = (scope.get("client") or ("?", 0))[0]
        wait = 0.0
        if path.startswith(LIMITED_PREFIXES):
            wait = self.buckets.take(client)
            key = headers.get("x-shopmate-key") or headers.get("authorization", "")
            if key and not wait:
                digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # keys never kept as is
                wait = self.key_buckets.take(f"{digest}|{client}")
            if not wait and is_sponsored_click(scope.get("method", ""), path):
                wait = self.click_buckets.take(client)
        elif scope.get("method") == "POST" and is_login(path):
            wait = self.login_buckets.take(client)
        if wait > 0:
            retry = str(max(1, math.ceil(wait))).encode()
            await _reply(
                send,
                429,
                "too many requests; slow down and retry after the given seconds",
                [(b"retry-after", retry)],
            )
            return

        if scope.get("method") in {"POST", "PUT", "PATCH", "DELETE"} and not length.isdigit():
            # no Content-Length (chunked): read the body here, up to the limit, and replay it
            chunks: list[bytes] = []
            received = 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away
                chunks.append(message.get("body", b""))
                received += len(chunks[-1])
                if received > self.max_body_bytes:
                    await _reply(send, 413, too_big)
                    return
                if not message.get("more_body", False):
                    break
            body, replayed = b"".join(chunks), False

            async def replay() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await self.app(scope, replay, send)
            return
        await self.app(scope, receive, send)


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode()
    except UnicodeDecodeError:
        return False
    return True
