"""Each shop's Gradio pages at /t/<id>/ui|agent|admin over the real app, engine and stores:
staff pages open only with that shop's admin key, and a shop's agent desk lists and opens
only that shop's handed-off conversations. (The chat pages answering from each shop's own
knowledge base are driven in a real browser: tests/browser/test_tenant_pages_browser.py.)"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from shopmate.settings import Settings
from shopmate.tenants import TenantRegistry, build_registry
from shopmate.wiring import Services
from tests.two_shops import NAMES, SK, load_returns, two_shop_settings, widget


@pytest.fixture(scope="module")
def two_shops(
    services: Services, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, TenantRegistry]:
    settings = two_shop_settings(tmp_path_factory.mktemp("pages"))
    return settings, build_registry(settings, services=services, warm=False)  # models shared


@pytest.fixture(scope="module")
def shops(two_shops: tuple[Settings, TenantRegistry]) -> Iterator[TestClient]:
    settings, registry = two_shops
    with TestClient(create_app(settings, registry=registry)) as c:
        load_returns(c)
        yield c


@pytest.fixture()
def c(shops: TestClient) -> Iterator[TestClient]:
    shops.cookies.clear()  # each test signs in for itself
    yield shops
    shops.cookies.clear()


def sign_in(c: TestClient, shop: str, page: str, key: str, user: str | None = None) -> int:
    r = c.post(f"/t/{shop}/{page}/login", data={"username": user or page, "password": key})
    return r.status_code


def call(c: TestClient, root: str, api_name: str, *data: Any, session: str = "") -> list[Any]:
    """One event of a Gradio app through its HTTP API (what the page's buttons do), in the
    browser session `session` (Gradio keeps e.g. the queue's current choices per session)."""
    event, payload = raw_call(c, root, api_name, *data, session=session)
    assert event == "complete", payload
    return list(json.loads(payload))


def raw_call(
    c: TestClient, root: str, api_name: str, *data: Any, session: str = ""
) -> tuple[str, str]:
    body = {"data": list(data), "session_hash": session or uuid.uuid4().hex}
    r = c.post(f"{root}/gradio_api/call/{api_name}", json=body)
    assert r.status_code == 200, r.text
    stream = c.get(f"{root}/gradio_api/call/{api_name}/{r.json()['event_id']}").text
    event, payload = stream.strip().split("\n")[-2:]
    return event.removeprefix("event: "), payload.removeprefix("data: ")


def hand_off(c: TestClient, shop: str, message: str) -> str:
    sid = uuid.uuid4().hex
    for text in (message, "I want to talk to a person"):
        r = c.post("/v1/chat", json={"session_id": sid, "message": text}, headers=widget(shop))
        assert r.status_code == 200, r.text
    assert r.json()["handoff_state"] == "requested"
    return sid


def test_each_shop_has_its_own_pages(c: TestClient) -> None:
    for shop, other in (("a", "b"), ("b", "a")):
        page = c.get(f"/t/{shop}/ui/")
        assert page.status_code == 200
        assert NAMES[shop] in page.text and NAMES[other] not in page.text
    unknown = c.get("/t/nobody/ui/")
    assert unknown.status_code == 404 and "/t/<shop id>/agent" in unknown.json()["detail"]
    assert c.get("/t/a/secret/").status_code == 404
    # several shops: the bare pages would have to pick one, so they say where to go instead
    for name in ("ui", "agent", "admin"):
        bare = c.get(f"/{name}/")
        assert bare.status_code == 404 and f"/t/<shop id>/{name}/" in bare.json()["detail"]
    assert c.get("/", follow_redirects=False).headers["location"] == "/docs"


@pytest.mark.parametrize("page", ["agent", "admin"])
def test_staff_pages_open_only_with_that_shops_admin_key(c: TestClient, page: str) -> None:
    assert c.get(f"/t/a/{page}/config").status_code == 401  # Gradio's login stands in front
    assert sign_in(c, "a", page, SK["b"]) == 400  # another shop's admin key
    assert sign_in(c, "a", page, "") == 422  # no password at all: the form refuses it
    other_user = "admin" if page == "agent" else "agent"
    assert sign_in(c, "a", page, SK["a"], user=other_user) == 400
    assert c.get(f"/t/a/{page}/config").status_code == 401
    assert sign_in(c, "a", page, SK["a"]) == 200
    assert c.get(f"/t/a/{page}/config").status_code == 200
    # signed in to shop a's page opens neither shop b's nor a's other staff page
    assert c.get(f"/t/b/{page}/config").status_code == 401
    assert c.get(f"/t/a/{'admin' if page == 'agent' else 'agent'}/config").status_code == 401
    assert sign_in(c, "b", page, SK["b"]) == 200
    assert c.get(f"/t/b/{page}/config").status_code == 200


def test_agent_desk_lists_and_opens_only_its_shops_handoffs(c: TestClient) -> None:
    sid = {"a": hand_off(c, "a", "Alpha: where is my tent?"), "b": hand_off(c, "b", "Bravo here")}
    for shop, other in (("a", "b"), ("b", "a")):
        root = f"/t/{shop}/agent"
        assert call_refused(c, root)
        assert sign_in(c, shop, "agent", SK[shop]) == 200
        session = uuid.uuid4().hex  # one open desk page
        update, _empty_note = call(c, root, "on_refresh", session=session)
        queued = [value for _label, value in update["choices"]]
        assert sid[shop] in queued and sid[other] not in queued
        transcript = json.dumps(call(c, root, "on_open", sid[shop], session=session)[1])
        mine = "Alpha: where is my tent?" if shop == "a" else "Bravo here"
        assert mine in transcript and "I want to talk to a person" in transcript
        # the other shop's session id, typed in by hand, is not in this desk's queue
        event, payload = raw_call(c, root, "on_open", sid[other], session=session)
        assert event == "error" and "not in the list of choices" in payload, payload
        assert "Alpha" not in payload and "Bravo" not in payload
        c.cookies.clear()


def call_refused(c: TestClient, root: str) -> bool:
    """Without signing in, the desk's events are refused too, not only its page."""
    r = c.post(f"{root}/gradio_api/call/on_refresh", json={"data": []})
    return r.status_code == 401


def test_admin_panel_shows_its_shops_name_and_figures(c: TestClient) -> None:
    for shop in ("a", "b"):
        assert sign_in(c, shop, "admin", SK[shop]) == 200
        status = call(c, f"/t/{shop}/admin", "load")[0]
        assert "knowledge passages: 1" in status, status  # its own returns page only
        assert NAMES[shop] in c.get(f"/t/{shop}/admin/config").text


def test_pages_are_built_on_a_shops_first_visit(two_shops: tuple[Settings, TenantRegistry]) -> None:
    settings, registry = two_shops
    with TestClient(create_app(settings, registry=registry)) as fresh:
        pages = fresh.app.state.tenant_pages  # type: ignore[attr-defined]
        assert pages.built == []  # start-up builds no Gradio app, however many shops
        assert fresh.get("/t/b/ui/").status_code == 200
        assert fresh.get("/t/b/agent/config").status_code == 401
        assert pages.built == ["b"]  # the other shop still costs nothing
        assert fresh.get("/t/b/ui", follow_redirects=False).headers["location"].endswith("/t/b/ui/")
    assert pages.built == []  # shutdown stopped its Gradio apps
