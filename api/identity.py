"""Who the shopper is: a user id is believed only with proof, resolved once per request.

The shop's own server knows who is signed in, so it signs the id: the page passes
`user_hash` = hex HMAC-SHA256(identity secret, user_id) beside `user_id` (the widget's
`data-user-hash`), the scheme of Intercom's and Chatwoot's identity verification. The
secret is SHOPMATE_IDENTITY_SECRET, or a tenant's `identity_secret`.

- an admin key (the shop's own servers): the id is trusted as sent;
- a valid hash: the id is verified;
- anything else (no hash, a wrong one, or no secret configured): the shopper is
  anonymous. The engine then gets no user id, so no orders, purchases, profile or
  history-based suggestions; events are recorded against `anon:<digest>`, never against
  the claimed shopper.

A guest may still look up one order: a message holding its order number and the e-mail
on it (`guest_order`) makes that order visible, for status only, in that conversation.

    shopper = identify(access, "u0003", request_hash)
    shopper.user_id   # "u0003" when verified, else None
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import HTTPException

from bot.slots import order_id

if TYPE_CHECKING:
    from shopmate.tenants import Access
    from shopmate.wiring import Services

HASH_PATTERN = r"^[0-9a-fA-F]{64}$"
ANONYMOUS_PREFIX = "anon:"
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


def user_hash(secret: str, user_id: str) -> str:
    """What the shop's server computes: hex HMAC-SHA256(secret, user_id)."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Shopper:
    """The caller's shopper: `user_id` is set only when verified (or sent with an admin key)."""

    user_id: str | None
    claimed: str | None = None  # the id that was sent, verified or not

    @property
    def anonymous(self) -> bool:
        return self.user_id is None

    def event_id(self) -> str | None:
        """The id events are recorded under: the verified id, else a stand-in derived from
        the claimed one (so they never steer the claimed shopper's suggestions)."""
        if self.user_id is not None or self.claimed is None:
            return self.user_id
        return ANONYMOUS_PREFIX + hashlib.sha256(self.claimed.encode()).hexdigest()[:16]


def identify(access: Access, user_id: str | None, hash_: str | None) -> Shopper:
    if user_id is None:
        return Shopper(None)
    if access.scope == "admin":
        return Shopper(user_id, user_id)
    secret = access.tenant.identity_secret
    if secret and hash_ and hmac.compare_digest(user_hash(secret, user_id), hash_.lower()):
        return Shopper(user_id, user_id)
    return Shopper(None, user_id)


def guest_order(svc: Services, shopper: Shopper, message: str) -> str | None:
    """An anonymous shopper's message naming an order and the e-mail on it: that order's id
    when the two match (checked by the order tools), else None. Nothing is logged."""
    if not shopper.anonymous:
        return None
    oid, email = order_id(message), _EMAIL.search(message)
    if oid is None or email is None:
        return None
    return oid if svc.engine.tools.guest_owns(oid, email.group(0)) else None


def check_session(svc: Services, session_id: str, shopper: Shopper) -> None:
    """A conversation started by a verified shopper stays theirs: anyone else (another id,
    or an anonymous caller) who sends its session id gets 403 instead of their orders."""
    owner = svc.engine.state(session_id).user_id
    if owner is not None and owner != shopper.user_id:
        raise HTTPException(
            403,
            "this conversation belongs to a signed-in shopper: send their user_id with a valid "
            "user_hash, or start a new session_id",
        )
