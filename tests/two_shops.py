"""Two shops on one server, for the tests of per-shop pages: keys, a tenants file, and each
shop's own returns policy loaded through the real admin API."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from shopmate.settings import Settings

PK = {"a": "pk_alpha_pages_0123456789", "b": "pk_bravo_pages_0123456789"}
SK = {"a": "sk_alpha_pages_0123456789", "b": "sk_bravo_pages_0123456789"}
NAMES = {"a": "Alpha Outfitters", "b": "Bravo Supplies"}
RETURNS = {
    "a": "# Returns\n\nYou can return any item within 45 days of delivery for a full refund.",
    "b": "# Returns\n\nYou can return any item within 10 days of delivery for store credit.",
}
DAYS = {"a": "45 days", "b": "10 days"}


def two_shop_settings(root: Path) -> Settings:
    """Settings of a server hosting shops "a" and "b" under `root`."""
    (root / "tenants.toml").write_text(
        "\n".join(
            f'[tenants.{t}]\nname = "{NAMES[t]}"\npublishable_keys = ["{PK[t]}"]\n'
            f'admin_keys = ["{SK[t]}"]\n'
            for t in ("a", "b")
        )
    )
    return Settings(
        data_dir=root,
        tenants_file=root / "tenants.toml",
        rate_limit_per_minute=1_000_000,
        rate_limit_per_key_per_minute=1_000_000,
        staff_logins_per_minute=1_000_000,  # these tests sign in many times from one client
    )


def admin(t: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {SK[t]}"}


def widget(t: str) -> dict[str, str]:
    return {"x-shopmate-key": PK[t]}


class Poster(Protocol):
    """An httpx.Client or a FastAPI TestClient."""

    def post(self, url: str, *, json: Any = ..., headers: Any = ...) -> Any: ...


def load_returns(client: Poster) -> None:
    """Each shop's own returns page, through POST /v1/kb with that shop's admin key."""
    for t in ("a", "b"):
        r = client.post(
            "/v1/kb",
            json={"source": "kb/returns.md", "format": "markdown", "content": RETURNS[t]},
            headers=admin(t),
        )
        assert r.status_code == 201, r.text
