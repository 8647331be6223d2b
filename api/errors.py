"""Failures answered politely: a store that is down is a 503 that says which, never a bare 500.

- the vector store (Chroma) down or too slow: `StoreUnavailable` from retrieval/store.py;
- the shop database unreachable or locked: SQLAlchemy's OperationalError / TimeoutError;
- anything else unexpected: a 500 whose body still says what to do (the details go to
  the log only).

`install(app)` registers the handlers; `unavailable_detail(exc)` words the same message
for places that cannot answer with a status (the chat stream's `error` event).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from retrieval.store import StoreUnavailable

log = logging.getLogger(__name__)
RETRY_AFTER = "5"
DATABASE_DOWN = "the shop database is not answering; retry shortly"
INTERNAL = "something went wrong on our side while answering; please retry"


def unavailable_detail(exc: BaseException) -> str:
    """The message for a failure: which store is down, or a plain internal-error line."""
    if isinstance(exc, StoreUnavailable):
        return str(exc)
    if isinstance(exc, OperationalError | PoolTimeout):
        return DATABASE_DOWN
    log.error("unexpected failure: %s", type(exc).__name__, exc_info=exc)
    return INTERNAL


def is_outage(exc: BaseException) -> bool:
    return isinstance(exc, StoreUnavailable | OperationalError | PoolTimeout)


def install(app: FastAPI) -> None:
    async def outage(request: Request, exc: Exception) -> JSONResponse:
        log.warning("%s %s: %s", request.method, request.url.path, unavailable_detail(exc))
        return JSONResponse(
            status_code=503,
            content={"detail": unavailable_detail(exc)},
            headers={"Retry-After": RETRY_AFTER},
        )

    async def internal(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(status_code=500, content={"detail": unavailable_detail(exc)})

    for kind in (StoreUnavailable, OperationalError, PoolTimeout):
        app.add_exception_handler(kind, outage)
    app.add_exception_handler(Exception, internal)
