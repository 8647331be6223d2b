"""Tokens reach the shopper while the model is still writing: the reply streams end to end."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from bot.streaming import complete, stream_reply


class GatedChatModel(BaseChatModel):
    """Writes its first words, then waits for the test to open the gate: a slow remote model."""

    gate: Any
    first: str = "You can return items "
    rest: str = "within 30 days of delivery [1]."

    @property
    def _llm_type(self) -> str:
        return "gated-test-model"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        return ChatResult(
            generations=[ChatGeneration(message=AIMessage(content=self.first + self.rest))]
        )

    def _stream(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> Iterator[ChatGenerationChunk]:
        yield ChatGenerationChunk(message=AIMessageChunk(content=self.first))
        assert self.gate.wait(30), "the test never opened the gate"
        yield ChatGenerationChunk(message=AIMessageChunk(content=self.rest))


def test_complete_without_a_sink_is_a_plain_call() -> None:
    gate = threading.Event()
    gate.set()
    assert (
        complete(GatedChatModel(gate=gate), [])
        == "You can return items within 30 days of delivery [1]."
    )


def test_first_tokens_arrive_before_the_reply_is_done() -> None:
    gate = threading.Event()
    model = GatedChatModel(gate=gate)
    items = stream_reply(lambda: complete(model, []).upper())
    assert next(items) == "You can return items "  # the model is still blocked on the gate
    gate.set()
    assert list(items) == [
        "within 30 days of delivery [1].",
        "YOU CAN RETURN ITEMS WITHIN 30 DAYS OF DELIVERY [1].",
    ]


def test_errors_of_the_composer_reach_the_caller() -> None:
    def boom() -> str:
        raise ValueError("bad message")

    with pytest.raises(ValueError, match="bad message"):
        list(stream_reply(boom))


def test_the_stream_route_sends_model_tokens_before_the_final_event(client, services) -> None:  # type: ignore[no-untyped-def]
    gate = threading.Event()
    answerer = services.engine.answerer
    saved = answerer.chat_model, answerer.qa_min_score
    answerer.chat_model = GatedChatModel(gate=gate)
    answerer.qa_min_score = 1.01  # no past answer reused: the generator must write this one
    try:
        body = {"session_id": uuid.uuid4().hex, "message": "What is your return policy?"}
        with client.stream("POST", "/v1/chat/stream", json=body) as r:
            assert r.status_code == 200
            lines = r.iter_lines()
            first = next(line for line in lines if line.startswith("data:"))
            assert json.loads(first[5:]) == {"text": "You can return items "}
            gate.set()  # only now may the model finish
            rest = [json.loads(line[5:]) for line in lines if line.startswith("data:")]
    finally:
        answerer.chat_model, answerer.qa_min_score = saved
        gate.set()
    assert rest[0] == {"text": "within 30 days of delivery [1]."}
    final = rest[-1]
    assert final["reply"] == "You can return items within 30 days of delivery [1]."
    assert [c["source"] for c in final["citations"]] == ["kb/returns.md"]
