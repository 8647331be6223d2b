"""Admin API: handoff queue moves and erasing a shopper, behind a bearer key."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from shopmate.settings import Settings

KEY = "test-admin-key"


@pytest.fixture(scope="module")
def admin(services) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=services.settings.data_dir, admin_api_key=KEY)
    with TestClient(create_app(settings, services, mount_ui=False)) as c:
        yield c


H = {"Authorization": f"Bearer {KEY}"}


def test_admin_needs_the_key(admin: TestClient, client) -> None:  # type: ignore[no-untyped-def]
    assert admin.get("/v1/handoffs").status_code == 401
    assert admin.get("/v1/handoffs", headers={"Authorization": "Bearer wrong"}).status_code == 401
    off = client.get("/v1/handoffs", headers=H)  # the default app has no key configured
    assert off.status_code == 403 and "SHOPMATE_ADMIN_API_KEY" in off.json()["detail"]


def test_handoff_queue_take_reply_resolve(admin: TestClient) -> None:
    s = uuid.uuid4().hex
    admin.post("/v1/chat", json={"session_id": s, "message": "can I speak to a person please"})
    queue = admin.get("/v1/handoffs", headers=H).json()
    mine = next(h for h in queue if h["session_id"] == s)
    assert mine["state"] == "requested" and "speak to a person" in mine["summary"]
    assert admin.post(f"/v1/handoffs/{s}/reply", headers=H, json={"text": "hi"}).status_code == 409
    assert admin.post(f"/v1/handoffs/{s}/take", headers=H).json()["state"] == "human"
    silent = admin.post("/v1/chat", json={"session_id": s, "message": "hello?"}).json()
    assert silent["reply"] == "" and silent["handoff_state"] == "human"
    after = admin.post(f"/v1/handoffs/{s}/reply", headers=H, json={"text": "Hi, Sam here."}).json()
    assert ["agent", "Hi, Sam here."] in after["transcript"]
    polled = admin.get(f"/v1/chat/{s}/messages", params={"after": 0}).json()
    assert polled["handoff_state"] == "human" and [m["text"] for m in polled["messages"]] == [
        "Hi, Sam here."
    ]
    last = polled["messages"][-1]["id"]
    assert admin.get(f"/v1/chat/{s}/messages", params={"after": last}).json()["messages"] == []
    admin.post(f"/v1/handoffs/{s}/resolve", headers=H)
    assert s not in [h["session_id"] for h in admin.get("/v1/handoffs", headers=H).json()]
    assert admin.post("/v1/handoffs/nope/take", headers=H).status_code == 404
    assert admin.post(f"/v1/handoffs/{s}/explode", headers=H).status_code in {404, 422}


def test_forget_erases_the_shopper(admin: TestClient, services) -> None:  # type: ignore[no-untyped-def]
    user = "forget-" + uuid.uuid4().hex[:6]
    s = uuid.uuid4().hex
    # the shop's own server (admin key): the user id is trusted as sent
    admin.post(
        "/v1/events", json={"user_id": user, "product_id": "p0001", "type": "view"}, headers=H
    )
    admin.post("/v1/chat", json={"session_id": s, "user_id": user, "message": "hello"}, headers=H)
    r = admin.delete(f"/v1/users/{user}", headers=H).json()
    assert r["erased"]["events"] == 1 and r["erased"]["messages"] == 2 and r["erased"]["users"] == 1
    assert services.repo.recent_events(user) == [] and services.repo.transcript(s) == []
