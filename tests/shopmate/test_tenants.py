"""Tenants: keys map to one shop each; one shop never sees another's knowledge, catalog or
conversations; publishable keys reach only chat, events and feedback."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from shop.repository import ProductRecord
from shopmate.settings import Settings
from shopmate.tenants import TenantConfigError, build_registry, load_tenants, tenant_settings

PK = {"a": "pk_alpha_0123456789abcdef", "b": "pk_bravo_0123456789abcdef"}
SK = {"a": "sk_alpha_0123456789abcdef", "b": "sk_bravo_0123456789abcdef"}
SITES = {"a": "https://alpha.example", "b": "https://bravo.example"}
TOML = "\n".join(
    f'[tenants.{t}]\nname = "Shop {t}"\npublishable_keys = ["{PK[t]}"]\n'
    f'admin_keys = ["{SK[t]}"]\norigins = ["{SITES[t]}"]\n'
    for t in ("a", "b")
)
RETURNS = {
    "a": "# Returns\n\nYou can return any item within 45 days of delivery for a full refund.",
    "b": "# Returns\n\nYou can return any item within 10 days of delivery for store credit.",
}


def product(pid: str, title: str) -> ProductRecord:
    return ProductRecord(
        pid, title, f"{title} for every day.", "Outdoor>Tents", "Acme", 99.0, 5, {}
    )


def pk(t: str) -> dict[str, str]:
    return {"x-shopmate-key": PK[t]}


def sk(t: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {SK[t]}"}


@pytest.fixture(scope="module")
def tenants_client(services, tmp_path_factory) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("tenants")
    (root / "tenants.toml").write_text(TOML)
    settings = Settings(
        data_dir=root,
        tenants_file=root / "tenants.toml",
        rate_limit_per_minute=1_000_000,
        rate_limit_per_key_per_minute=1_000_000,
    )
    registry = build_registry(settings, services=services, warm=False)  # the models are shared
    for (t, svc), (pid, title) in zip(
        registry.entries,
        [("alpha-tent", "Alpha Dome Tent"), ("bravo-tent", "Bravo Tunnel Tent")],
        strict=True,
    ):
        assert t.id in ("a", "b") and svc.settings.data_dir == root / "tenants" / t.id
        svc.repo.upsert_products([product(pid, title)])
        svc.item_index.index([product(pid, title)])
    with TestClient(create_app(settings, registry=registry, mount_ui=False)) as c:
        for t in ("a", "b"):
            r = c.post(
                "/v1/kb",
                json={"source": "kb/returns.md", "format": "markdown", "content": RETURNS[t]},
                headers=sk(t),
            )
            assert r.status_code == 201 and r.json()["added"] >= 1, r.text
        yield c


def test_each_shop_answers_from_its_own_knowledge(tenants_client: TestClient) -> None:
    c = tenants_client
    for t, days in (("a", "45"), ("b", "10")):
        r = c.post(
            "/v1/chat",
            json={"session_id": uuid.uuid4().hex, "message": "What is your return policy?"},
            headers=pk(t),
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert days in body["reply"] and ({"45", "10"} - {days}).pop() not in body["reply"]
        assert [x["source"] for x in body["citations"]] == ["kb/returns.md"]
    listed = {t: c.get("/v1/kb", headers=sk(t)).json() for t in ("a", "b")}
    assert listed["a"] == listed["b"] == [{"source": "kb/returns.md", "passages": 1}]
    # deleting in one shop leaves the other's source alone
    assert (
        c.delete("/v1/kb", params={"source": "kb/returns.md"}, headers=sk("a")).status_code == 200
    )
    assert c.get("/v1/kb", headers=sk("a")).json() == []
    assert c.get("/v1/kb", headers=sk("b")).json() == listed["b"]
    gone = c.delete("/v1/kb", params={"source": "kb/returns.md"}, headers=sk("a"))
    assert gone.status_code == 404 and "GET /v1/kb" in gone.json()["detail"]
    r = c.post(
        "/v1/kb",
        json={"source": "kb/returns.md", "format": "markdown", "content": RETURNS["a"]},
        headers=sk("a"),
    )
    assert r.status_code == 201


def test_catalogs_and_events_stay_in_their_shop(tenants_client: TestClient) -> None:
    c = tenants_client
    ok = c.post(
        "/v1/events",
        json={"user_id": "u1", "product_id": "alpha-tent", "type": "view"},
        headers=pk("a"),
    )
    assert ok.status_code == 201
    other = c.post(
        "/v1/events",
        json={"user_id": "u1", "product_id": "alpha-tent", "type": "view"},
        headers=pk("b"),
    )
    assert other.status_code == 422 and "unknown product_id" in other.json()["detail"]
    found = c.get("/v1/products/search", params={"q": "tent"}, headers=sk("b")).json()
    assert [p["id"] for p in found["products"]] == ["bravo-tent"]


def test_conversations_and_handoffs_stay_in_their_shop(tenants_client: TestClient) -> None:
    c = tenants_client
    sid = uuid.uuid4().hex
    r = c.post(
        "/v1/chat",
        json={"session_id": sid, "message": "I want to talk to a person"},
        headers=pk("a"),
    )
    assert r.status_code == 200 and r.json()["handoff"]
    queue = {
        t: [h["session_id"] for h in c.get("/v1/handoffs", headers=sk(t)).json()] for t in "ab"
    }
    assert sid in queue["a"] and sid not in queue["b"]
    assert c.post(f"/v1/handoffs/{sid}/take", headers=sk("b")).status_code == 404
    assert c.post(f"/v1/handoffs/{sid}/take", headers=sk("a")).status_code == 200
    assert (
        c.post(
            f"/v1/handoffs/{sid}/reply", json={"text": "Hi, Sam here."}, headers=sk("a")
        ).status_code
        == 200
    )
    mine = c.get(f"/v1/chat/{sid}/messages", headers=pk("a")).json()
    theirs = c.get(f"/v1/chat/{sid}/messages", headers=pk("b")).json()
    assert [m["text"] for m in mine["messages"]] == ["Hi, Sam here."]
    assert theirs["messages"] == [] and theirs["handoff_state"] != mine["handoff_state"]
    fb = c.post("/v1/feedback", json={"session_id": sid, "thumbs": "up"}, headers=pk("a"))
    assert fb.status_code == 201


def test_keys_reach_only_their_scope(tenants_client: TestClient) -> None:
    c = tenants_client
    assert c.get("/v1/kb", headers=pk("a")).status_code == 403  # publishable: no admin
    assert "publishable key" in c.get("/v1/recommendations/u1", headers=pk("a")).json()["detail"]
    assert c.get("/v1/products/search", params={"q": "tent"}, headers=pk("a")).status_code == 403
    body = {"session_id": "s-open", "message": "hello"}
    assert c.post("/v1/chat", json=body).status_code == 401  # several shops: a key is needed
    bad = c.post("/v1/chat", json=body, headers={"x-shopmate-key": "pk_nobody_0123456789abcdef"})
    assert bad.status_code == 401 and "unknown key" in bad.json()["detail"]
    # a widget key used from another shop's site is refused; from its own it works
    cross = c.post("/v1/chat", json=body, headers={**pk("a"), "Origin": SITES["b"]})
    assert cross.status_code == 403 and SITES["b"] in cross.json()["detail"]
    assert (
        c.post("/v1/chat", json=body, headers={**pk("a"), "Origin": SITES["a"]}).status_code == 200
    )
    pre = c.options(
        "/v1/chat", headers={"Origin": SITES["b"], "Access-Control-Request-Method": "POST"}
    )
    assert pre.headers.get("access-control-allow-origin") == SITES["b"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tenants]\n", "at least one"),
        (
            '[tenants.Bad_Id]\npublishable_keys=["pk_0123456789abcdef"]\nadmin_keys=["sk_0123456789abcdef"]\n',
            "tenant id",
        ),
        (
            '[tenants.a]\npublishable_keys=["short"]\nadmin_keys=["sk_0123456789abcdef"]\n',
            "not a key",
        ),
        ('[tenants.a]\nadmin_keys=["sk_0123456789abcdef"]\n', "at least one publishable key"),
        (
            '[tenants.a]\npublishable_keys=["pk_0123456789abcdef"]\nadmin_keys=["pk_0123456789abcdef"]\n',
            "listed twice",
        ),
        (
            '[tenants.a]\npublishable_keys=["pk_0123456789abcdef"]\nadmin_keys=["sk_0123456789abcdef"]\ncolour="red"\n',
            "unknown fields",
        ),
        ("[tenants.a\n", "not valid TOML"),
    ],
)
def test_bad_tenant_files_are_explained(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "t.toml").write_text(text)
    with pytest.raises(TenantConfigError, match=message):
        load_tenants(Settings(data_dir=tmp_path, tenants_file=tmp_path / "t.toml"))


def test_a_shared_database_url_needs_a_tenant_placeholder(tmp_path: Path) -> None:
    (tmp_path / "t.toml").write_text(TOML)
    s = Settings(data_dir=tmp_path, tenants_file=tmp_path / "t.toml", database_url="sqlite:///x.db")
    t = load_tenants(s)[0]
    with pytest.raises(TenantConfigError, match="tenant"):
        tenant_settings(s, t)
    s2 = s.model_copy(update={"database_url": "postgresql+psycopg://shop@db/shop_{tenant}"})
    assert tenant_settings(s2, t).database_url == "postgresql+psycopg://shop@db/shop_a"
