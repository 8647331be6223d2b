"""Several server workers share one shop through the database and a Chroma server: what one
worker writes (knowledge, conversations, handoffs) the next request on another worker sees.
Two apps with their own stores and engines stand in for two uvicorn workers;
`bench/serve_bench.py --workers 2` runs the same over real processes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from shopmate.settings import Settings
from shopmate.wiring import build_services
from tests.retrieval.test_vector_store_contract import chroma_server  # noqa: F401  (the real `chroma run` fixture)

KEY = "scale-out-admin-key"
ADMIN = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def workers(services, chroma_server, tmp_path_factory) -> Iterator[tuple[TestClient, TestClient]]:  # type: ignore[no-untyped-def]  # noqa: F811
    root = tmp_path_factory.mktemp("scale-out")
    settings = Settings(
        data_dir=root,
        chroma_url=chroma_server,
        admin_api_key=KEY,
        rate_limit_per_minute=1_000_000,
    )
    apps = [
        create_app(settings, build_services(settings, shared=services.shared), mount_ui=False)
        for _ in range(2)
    ]
    with TestClient(apps[0]) as a, TestClient(apps[1]) as b:
        yield a, b


def test_knowledge_ingested_on_one_worker_answers_on_the_other(workers) -> None:  # type: ignore[no-untyped-def]
    a, b = workers
    doc = "# Gift wrapping\n\nEvery order can be gift wrapped for 3 pounds; choose it at checkout."
    r = a.post(
        "/v1/kb",
        json={"source": "kb/gift-wrapping.md", "format": "markdown", "content": doc},
        headers=ADMIN,
    )
    assert r.status_code == 201
    reply = b.post(
        "/v1/chat",
        json={"session_id": uuid.uuid4().hex, "message": "Can you gift wrap my order?"},
    ).json()
    assert "gift wrapped" in reply["reply"]
    assert [c["source"] for c in reply["citations"]] == ["kb/gift-wrapping.md"]


def test_a_conversation_moves_between_workers(workers) -> None:  # type: ignore[no-untyped-def]
    a, b = workers
    sid = uuid.uuid4().hex
    assert a.post(
        "/v1/chat", json={"session_id": sid, "message": "I want to talk to a person"}
    ).json()["handoff"]
    assert sid in [h["session_id"] for h in b.get("/v1/handoffs", headers=ADMIN).json()]
    assert b.post(f"/v1/handoffs/{sid}/take", headers=ADMIN).status_code == 200
    silent = a.post("/v1/chat", json={"session_id": sid, "message": "hello? anyone?"}).json()
    assert silent["reply"] == "" and silent["handoff_state"] == "human"  # a knows b's agent has it
    b.post(f"/v1/handoffs/{sid}/reply", json={"text": "Sam here, how can I help?"}, headers=ADMIN)
    polled = a.get(f"/v1/chat/{sid}/messages").json()
    assert [m["text"] for m in polled["messages"]] == ["Sam here, how can I help?"]
    transcript = [
        t
        for h in b.get("/v1/handoffs", headers=ADMIN).json()
        if h["session_id"] == sid
        for t in h["transcript"]
    ]
    assert any("hello? anyone?" in str(t) for t in transcript)
