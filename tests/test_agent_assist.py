"""Agent assist: the desk over the real engine, and the Gradio app mounted at /agent."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from bot.assist import AgentDesk
from shopmate.settings import Settings
from ui.agent_app import build_agent_ui, describe, queue_choices


def test_desk_drafts_shows_profile_and_saves_the_sent_reply(services) -> None:  # type: ignore[no-untyped-def]
    e = services.engine
    s = uuid.uuid4().hex
    e.respond(s, "u0001", "what is your return policy? mail me at jo@example.com")
    e.respond(s, "u0001", "I want to talk to a person")
    desk = AgentDesk(e)
    assert s in [p.session_id for p in desk.queue()]
    view = desk.open(s)
    assert view.draft.question.startswith("I want to talk")
    assert view.profile.user_id == "u0001" and view.profile.recent and view.profile.suggestions
    transcript, profile, suggestions, _draft, _sources = describe(view)
    assert "jo@example.com" not in transcript and "[email]" in transcript
    assert "u0001" in profile and suggestions

    # the agent edits the bot's draft of an answerable question and sends it
    e.respond(s, "u0001", "how long do refunds take?")  # silent? not yet: nobody has taken it
    view = desk.open(s)
    assert view.draft.text and view.draft.citations
    pair_id = desk.send(s, view.draft.text + " Anything else?", view.draft)
    assert pair_id > 0 and e.state(s).handoff == "human"
    q, a, edited = services.repo.training_pairs()[-1]
    assert q == "how long do refunds take?" and a.endswith("Anything else?") and edited
    assert ("agent", a) in e.packet(s).transcript
    with pytest.raises(ValueError, match="empty"):
        desk.send(s, "   ")
    e.resolve(s)
    assert s not in [p.session_id for p in desk.queue()]


def test_queue_choices_and_blocks_build(services) -> None:  # type: ignore[no-untyped-def]
    desk = AgentDesk(services.engine)
    s = uuid.uuid4().hex
    services.engine.respond(s, None, "get me a human please")
    labels = dict((v, k) for k, v in queue_choices(desk))
    assert s in labels and "requested" in labels[s]
    assert build_agent_ui(desk) is not None


def test_agent_ui_needs_the_key_off_loopback(services) -> None:  # type: ignore[no-untyped-def]
    public = Settings(data_dir=services.settings.data_dir, host="0.0.0.0")
    with TestClient(create_app(public, services)) as c:
        assert c.get("/agent/").status_code == 404  # not mounted without a key
    keyed = Settings(data_dir=services.settings.data_dir, host="0.0.0.0", admin_api_key="k")
    with TestClient(create_app(keyed, services)) as c:
        assert c.get("/agent/config").status_code == 401  # Gradio's login stands in front
        assert (
            c.post("/agent/login", data={"username": "agent", "password": "wrong"}).status_code
            == 400
        )
        assert (
            c.post("/agent/login", data={"username": "agent", "password": "k"}).status_code == 200
        )
        assert c.get("/agent/config").status_code == 200
    local = Settings(data_dir=services.settings.data_dir)
    with TestClient(create_app(local, services)) as c:
        assert c.get("/agent/config").status_code == 200  # loopback only: no login
