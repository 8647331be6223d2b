"""Streaming chat (SSE) through TestClient on the demo shop: tokens, then one final event."""

from __future__ import annotations

import json
import uuid


def parse_sse(text: str) -> list[tuple[str, dict[str, object]]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_chat_stream_sends_tokens_then_a_final_event(client) -> None:  # type: ignore[no-untyped-def]
    with client.stream(
        "POST",
        "/v1/chat/stream",
        json={"session_id": uuid.uuid4().hex, "message": "What is your return policy?"},
    ) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(r.read().decode())
    kinds = [k for k, _ in events]
    assert kinds[-1] == "final" and kinds.count("token") > 5 and set(kinds[:-1]) == {"token"}
    final = events[-1][1]
    assert "".join(str(d["text"]) for k, d in events if k == "token") == final["reply"]
    assert final["citations"] and final["handoff"] is False


def test_chat_stream_bad_input(client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/v1/chat/stream", json={"session_id": "s1", "message": ""})
    assert r.status_code == 422
