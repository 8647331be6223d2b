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
    # the draft answers the shopper's question, not their request for a person
    assert view.draft.question.startswith("what is your return policy")
    assert view.draft.text.startswith("Hi, thanks for waiting.") and view.draft.citations
    assert "shopping assistant" not in view.draft.text
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
    assert q.endswith("how long do refunds take?") and a.endswith("Anything else?") and edited
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
    assert s in labels and "waiting" in labels[s] and "asked for a person" in labels[s]
    assert labels[s].startswith("just now")
    assert build_agent_ui(desk) is not None


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("My parcel is damaged, I want to talk to a person", "My parcel is damaged"),
        ("I want to talk to a person", ""),
        ("hello?", ""),
        ("anyone there?", ""),
        ("Can I return a jacket I wore once?", "Can I return a jacket I wore once?"),
        ("how long do refunds take? can I speak with someone", "how long do refunds take?"),
    ],
)
def test_real_question_drops_the_request_for_a_person(text: str, question: str) -> None:
    from bot.assist import real_question

    assert real_question(text) == question


def test_queue_entry_waiting_time_reason_and_last_message(services) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    from ui.agent_app import short

    desk = AgentDesk(services.engine)
    s = uuid.uuid4().hex
    services.engine.respond(s, None, "My parcel is damaged, I want to talk to a person")
    later = datetime.now(UTC) + timedelta(minutes=7)
    mine = next(e for e in desk.entries(now=later) if e.session_id == s)
    assert mine.state == "requested" and 6 * 60 < mine.waiting_seconds < 8 * 60
    assert mine.last_message.startswith("My parcel is damaged")
    assert "asked for a person" in mine.reason
    view = desk.open(s)
    assert view.draft.question == "My parcel is damaged"
    desk.send(s, "Sam here, so sorry: a new one is on its way.")
    answered = next(e for e in desk.entries(now=later) if e.session_id == s)
    assert answered.state == "human" and answered.waiting_seconds == 0  # a person replied
    assert short("word " * 40, 30).endswith("…") and not short("word " * 40, 30).endswith("wo…")
    services.engine.resolve(s)


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
