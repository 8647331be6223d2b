"""Tenants: the shops one shopmate server serves, each with its own data and keys.

Without a tenants file there is one tenant, "default", made from the settings
(SHOPMATE_WIDGET_KEYS, SHOPMATE_ADMIN_API_KEY, SHOPMATE_CORS_ORIGINS) and living in the
data dir itself. With SHOPMATE_TENANTS_FILE (TOML) each tenant gets its own SQLite
database and Chroma folder under `<data dir>/tenants/<id>/` (or its own database from a
SQLAlchemy URL with a `{tenant}` placeholder, and its own collection prefix on a shared
Chroma server), so one shop's knowledge base, catalog and conversations never meet
another's. The models are loaded once and shared.

    # tenants.toml
    [tenants.northwind]
    name = "Northwind Outfitters"
    publishable_keys = ["pk_northwind_..."]   # in the widget's data-key: chat, events, feedback
    admin_keys = ["sk_northwind_..."]         # everything else, for the shop's servers and staff
    origins = ["https://northwind.example"]   # sites whose pages may call the API
    identity_secret = "..."                   # verifies shoppers: user_hash = HMAC-SHA256(secret, user_id)
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from shopmate.settings import Settings

if TYPE_CHECKING:
    from retrieval.embedder import Embedder
    from shopmate.wiring import Services, SharedModels

DEFAULT = "default"
TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,30}$")
KEY = re.compile(r"^[A-Za-z0-9_\-]{16,128}$")


class TenantConfigError(ValueError):
    """The tenants file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Tenant:
    id: str
    name: str
    publishable_keys: tuple[str, ...] = ()
    admin_keys: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()
    # verifies shopper ids (api/identity.py); None: every shopper is anonymous
    identity_secret: str | None = field(default=None, repr=False)

    @property
    def widget_open(self) -> bool:
        """Shopper routes without a key: only a single shop that configured no widget keys."""
        return not self.publishable_keys


def _strings(
    tid: str, raw: dict[str, object], field: str, pattern: re.Pattern[str] | None
) -> tuple[str, ...]:
    value = raw.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TenantConfigError(f"tenant {tid!r}: {field} must be a list of strings")
    for v in value:
        if pattern is not None and not pattern.match(v):
            raise TenantConfigError(
                f"tenant {tid!r}: {field} entry {v[:6]}… is not a key: use 16-128 letters, "
                "digits, '_' or '-' (e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(24))'`)"
            )
    return tuple(value)


def load_tenants(settings: Settings) -> list[Tenant]:
    """The tenants of this server, the first being the one the built-in UIs serve."""
    if settings.tenants_file is None:
        admin = settings.admin_api_key.get_secret_value() if settings.admin_api_key else None
        secret = settings.identity_secret
        return [
            Tenant(
                DEFAULT,
                settings.shop_name,
                tuple(settings.widget_keys),
                (admin,) if admin else (),
                tuple(settings.cors_origins),
                secret.get_secret_value() if secret else None,
            )
        ]
    path = Path(settings.tenants_file)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise TenantConfigError(f"tenants file {path} does not exist") from e
    except tomllib.TOMLDecodeError as e:
        raise TenantConfigError(f"tenants file {path} is not valid TOML: {e}") from e
    table = doc.get("tenants")
    if not isinstance(table, dict) or not table:
        raise TenantConfigError(f"{path}: expected at least one [tenants.<id>] table")
    tenants, seen_keys = [], set()
    for tid, raw in table.items():
        if not TENANT_ID.match(tid):
            raise TenantConfigError(
                f"{path}: tenant id {tid!r} must be 1-31 lowercase letters, digits or '-'"
            )
        if not isinstance(raw, dict):
            raise TenantConfigError(f"{path}: [tenants.{tid}] must be a table")
        unknown = set(raw) - {
            "name",
            "publishable_keys",
            "admin_keys",
            "origins",
            "identity_secret",
        }
        if unknown:
            raise TenantConfigError(
                f"{path}: tenant {tid!r} has unknown fields {sorted(unknown)}; accepted: "
                "name, publishable_keys, admin_keys, origins, identity_secret"
            )
        secret = raw.get("identity_secret")
        if secret is not None and (not isinstance(secret, str) or len(secret) < 16):
            raise TenantConfigError(
                f"{path}: tenant {tid!r}: identity_secret must be a string of at least 16 "
                "characters (e.g. from `python -c 'import secrets; print(secrets.token_hex(32))'`)"
            )
        t = Tenant(
            tid,
            str(raw.get("name", tid)),
            _strings(tid, raw, "publishable_keys", KEY),
            _strings(tid, raw, "admin_keys", KEY),
            _strings(tid, raw, "origins", None),
            secret,
        )
        if not t.publishable_keys or not t.admin_keys:
            raise TenantConfigError(
                f"{path}: tenant {tid!r} needs at least one publishable key and one admin key"
            )
        for k in (*t.publishable_keys, *t.admin_keys):
            if k in seen_keys:
                raise TenantConfigError(f"{path}: a key is listed twice (keys must be unique)")
            seen_keys.add(k)
        tenants.append(t)
    return tenants


def tenant_settings(settings: Settings, tenant: Tenant) -> Settings:
    """The settings one tenant's data lives under (models stay in the root data dir)."""
    if tenant.id == DEFAULT and settings.tenants_file is None:
        return settings
    url = settings.database_url
    if url is not None:
        if "{tenant}" not in url:
            raise TenantConfigError(
                "with several tenants, SHOPMATE_DATABASE_URL must contain '{tenant}' "
                "(e.g. postgresql+psycopg://shop@db/shopmate_{tenant}) so shops do not share tables"
            )
        url = url.replace("{tenant}", tenant.id.replace("-", "_"))
    return settings.model_copy(
        update={
            "data_dir": settings.data_dir / "tenants" / tenant.id,
            "database_url": url,
            "shop_name": tenant.name,
            "cors_origins": list(tenant.origins),
            "user_encoder_path": settings.user_encoder_path,
        }
    )


# the running registry ---------------------------------------------------------------
Scope = Literal["widget", "admin", "open"]


class KeyError401(PermissionError):
    """No key, or a key no tenant holds."""


@dataclass(frozen=True)
class Access:
    """Who is calling: the tenant a key belongs to, that tenant's services, and the scope."""

    tenant: Tenant
    services: Services
    scope: Scope


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class TenantRegistry:
    """Maps keys to tenants and their services; the first tenant serves the built-in UIs."""

    def __init__(self, entries: list[tuple[Tenant, Services]], multi: bool) -> None:
        if not entries:
            raise ValueError("a registry needs at least one tenant")
        self.entries = entries
        self.multi = multi
        self._keys: dict[bytes, tuple[int, Scope]] = {}
        for i, (t, _) in enumerate(entries):
            for k in t.publishable_keys:
                self._keys[_digest(k)] = (i, "widget")
            for k in t.admin_keys:
                self._keys[_digest(k)] = (i, "admin")

    @property
    def default(self) -> Access:
        t, svc = self.entries[0]
        return Access(t, svc, "open")

    def resolve(self, key: str | None) -> Access:
        """The caller's access; KeyError401 for an unknown key or a missing one where needed."""
        if key:
            # dictionary lookup on a digest: the key itself is never compared byte by byte
            hit = self._keys.get(_digest(key))
            if hit is None and not self.multi and self.entries[0][0].widget_open:
                t, svc = self.entries[0]
                return Access(t, svc, "open")  # a single open shop: keys are not in use
            if hit is None:
                raise KeyError401(
                    "unknown key: use the publishable key of your site's widget "
                    "(X-Shopmate-Key) or an admin key (Authorization: Bearer ...)"
                )
            t, svc = self.entries[hit[0]]
            return Access(t, svc, hit[1])
        t, svc = self.entries[0]
        if not self.multi and t.widget_open:
            return Access(t, svc, "open")
        raise KeyError401(
            "a key is required: send your site's publishable key as X-Shopmate-Key "
            "(the widget's data-key) or an admin key as Authorization: Bearer <key>"
        )

    def origins(self) -> list[str]:
        return sorted({o for t, _ in self.entries for o in t.origins})


def build_registry(
    settings: Settings,
    services: Services | None = None,
    embedder: Embedder | None = None,
    warm: bool = True,
) -> TenantRegistry:
    """Every tenant's services around one set of models (`services`: an already-built
    single shop, as in tests)."""
    from shopmate.wiring import build_services, load_shared

    tenants = load_tenants(settings)
    multi = settings.tenants_file is not None
    if services is not None and not multi:
        return TenantRegistry([(tenants[0], services)], multi=False)
    shared: SharedModels | None = services.shared if services is not None else None
    shared = shared or load_shared(settings, warm, embedder)
    entries = []
    for t in tenants:
        ts = tenant_settings(settings, t)
        prefix = f"t-{t.id}-" if multi and settings.chroma_url else ""
        entries.append((t, build_services(ts, warm, shared=shared, store_prefix=prefix)))
    return TenantRegistry(entries, multi)
