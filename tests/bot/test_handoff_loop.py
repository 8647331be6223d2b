"""The handoff loop over the real engine and API: a request for a person is honoured in any
state, a person's replies reach the shopper marked as such, the bot is silent until it is
handed the chat back and then says so; replies carry the id that thumbs are tied to."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from shopmate.settings import Settings

KEY = "handoff-loop-key"
H = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def api(services) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=services.settings.data_dir, admin_api_key=KEY)
    with TestClient(create_app(settings, services, mount_ui=False)) as c:
        yield c


def test_a_complaint_that_asks_for_a_person_is_handed_off(services) -> None:  # type: ignore[no-untyped-def]
    s = uuid.uuid4().hex
    reply = services.engine.respond(s, None, "My parcel is damaged, I want to talk to a person")
    assert reply.action == "handoff" and reply.handoff_state == "requested", reply
    assert s in services.engine.queue()


def test_asking_for_a_person_while_a_question_is_pending(services) -> None:  # type: ignore[no-untyped-def]
    """The bot offered a person after a complaint ("Would you like me to connect you...?");
    the shopper answers with a different question but asks for a person in it."""
    s = uuid.uuid4().hex
    first = services.engine.respond(s, None, "The zip on my jacket broke after two days")
    assert first.action == "complaint"
    reply = services.engine.respond(s, None, "ok, can I speak with someone about it")
    assert reply.action == "handoff" and reply.handoff_state == "requested"


def test_the_loop_over_the_api(api: TestClient) -> None:
    s = uuid.uuid4().hex
    first = api.post("/v1/chat", json={"session_id": s, "message": "What is your return policy?"})
    body = first.json()
    assert body["message_id"] and body["reply"]
    # thumbs on that reply are stored against it; a made-up id is refused with the reason
    ok = api.post(
        "/v1/feedback", json={"session_id": s, "thumbs": "up", "message_id": body["message_id"]}
    )
    assert ok.status_code == 201
    bad = api.post("/v1/feedback", json={"session_id": s, "thumbs": "up", "message_id": 999999999})
    assert bad.status_code == 422 and "message_id" in bad.json()["detail"]

    api.post("/v1/chat", json={"session_id": s, "message": "I want to talk to a person"})
    assert api.post(f"/v1/handoffs/{s}/take", headers=H).status_code == 200
    silent = api.post("/v1/chat", json={"session_id": s, "message": "hello?"}).json()
    assert silent["reply"] == "" and silent["message_id"] is None
    api.post(f"/v1/handoffs/{s}/reply", headers=H, json={"text": "Hi, Sam here."})
    api.post(f"/v1/handoffs/{s}/release", headers=H)

    whole = api.get(f"/v1/chat/{s}/messages", params={"transcript": True}).json()
    rows = [(m["role"], m["text"], m["from_person"]) for m in whole["messages"]]
    assert rows[0] == ("shopper", "What is your return policy?", False)
    assert ("shopper", "hello?", False) in rows
    assert ("agent", "Hi, Sam here.", True) in rows
    assert rows[-1][0] == "bot" and "handed this chat back" in rows[-1][1]
    assert whole["handoff_state"] == "none"
    ids = [m["id"] for m in whole["messages"]]
    assert ids == sorted(ids) and body["message_id"] in ids
    # without transcript=true: a person's replies only, as the widget polled before
    agent_only = api.get(f"/v1/chat/{s}/messages").json()["messages"]
    assert [m["text"] for m in agent_only] == ["Hi, Sam here."]
    # the bot answers again after the release
    again = api.post("/v1/chat", json={"session_id": s, "message": "How long does shipping take?"})
    assert again.json()["reply"] and again.json()["handoff_state"] == "none"


def test_widget_config_names_the_shop_and_offers_questions(api: TestClient) -> None:
    body = api.get("/v1/widget/config").json()
    assert body["shop_name"] == "Northwind Outfitters" and body["currency"] == "£"
    assert "Northwind Outfitters" in body["greeting"]
    assert 2 <= len(body["suggestions"]) <= 3 and 2 <= len(body["product_suggestions"]) <= 3
