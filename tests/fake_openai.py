"""A tiny OpenAI-compatible server for tests: the edge we do not own (a remote LLM).

It answers /v1/chat/completions by a script: the first call asks for the `faq_answer`
tool with the user's question; once a tool result is in the conversation it answers with
that result, citing [1]. It records every request so tests can check what left the shop.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI


def make_app(requests: list[dict[str, Any]]) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    def complete(body: dict[str, Any]) -> dict[str, Any]:
        requests.append(body)
        msgs = body["messages"]
        tool_results = [m for m in msgs if m["role"] == "tool"]
        if body.get("tools") and not tool_results:
            question = next(m["content"] for m in msgs if m["role"] == "user")
            call = {
                "id": "call_1",
                "type": "function",
                "function": {
                    "name": "faq_answer",
                    "arguments": f'{{"question": {question!r}}}'.replace("'", '"'),
                },
            }
            message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [call]}
        elif tool_results:
            message = {
                "role": "assistant",
                "content": f"According to our policy: {tool_results[-1]['content']} [1]",
            }
        else:
            message = {"role": "assistant", "content": "I can only help with the shop [1]."}
        return {"choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}

    return app


@contextmanager
def fake_openai_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Yields (base_url, recorded requests) of a server running in a background thread."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    requests: list[dict[str, Any]] = []
    server = uvicorn.Server(
        uvicorn.Config(make_app(requests), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/v1", requests
    finally:
        server.should_exit = True
        thread.join(timeout=10)
