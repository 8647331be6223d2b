"""Request-size and rate limits, as plain ASGI middleware (no web framework state).

- Bodies larger than `max_body_bytes` get 413 before the route reads them (by the
  Content-Length header, and by counting when the client streams without one).
- Each client IP gets `per_minute` requests a minute on the chat, event, feedback and
  catalog routes, and each key (a site's widget key, all its shoppers together, or an
  admin key) `per_key_per_minute`: token buckets refilled continuously. Over either
  limit: 429 with Retry-After. Health checks and docs are not limited.
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

LIMITED_PREFIXES = ("/v1/chat", "/v1/events", "/v1/feedback", "/v1/products", "/v1/recommendations")
STAFF_PREFIXES = ("/agent", "/admin", "/t/")


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
    ) -> None:
        if max_body_bytes <= 0:
            raise ValueError(f"max_body_bytes must be > 0, got {max_body_bytes}")
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.buckets = TokenBuckets(per_minute)  # per client IP
        self.key_buckets = TokenBuckets(per_key_per_minute)  # per key, all its clients together
        self.login_buckets = TokenBuckets(logins_per_minute)  # staff sign-ins per client IP

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
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
                wait = self.key_buckets.take(digest)
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

        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _BodyTooLarge:
            await _reply(send, 413, too_big)


class _BodyTooLarge(Exception):
    pass
