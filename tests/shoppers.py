"""The identity secret of the shared test shop, and a verified shopper's fields."""

from __future__ import annotations

from api.identity import user_hash

SECRET = "shared-test-identity-secret-0123"


def verified(user_id: str) -> dict[str, str]:
    """user_id plus its valid user_hash, for a request body or query."""
    return {"user_id": user_id, "user_hash": user_hash(SECRET, user_id)}
