"""The tool-calling path against an OpenAI-compatible server (our fake of that remote edge)."""

from __future__ import annotations

import json
import uuid

from langchain_core.messages import HumanMessage

from bot.agent import ToolAgent
from bot.remote_llm import OpenAICompatibleChatModel
from shopmate.settings import Settings
from shopmate.wiring import build_services
from tests.fake_openai import fake_openai_server


def test_model_calls_the_faq_tool_and_answers_with_its_citation(services) -> None:  # type: ignore[no-untyped-def]
    with fake_openai_server() as (url, requests):
        agent = ToolAgent(OpenAICompatibleChatModel(base_url=url), services.engine.tools)
        result = agent.run(
            "what is your return policy? write to me at jo@example.com", user_id=None
        )
    assert result.tool_calls == ["faq_answer"] and result.grounded
    assert "30 days" in result.text and result.citations
    offered = {t["function"]["name"] for t in requests[0]["tools"]}
    assert {"faq_answer", "order_status", "search_products"} <= offered
    # nothing personal leaves the shop
    assert all("jo@example.com" not in json.dumps(r) for r in requests)
    assert any("[email]" in json.dumps(r) for r in requests)


def test_engine_uses_the_agent_when_configured(services, embedder) -> None:  # type: ignore[no-untyped-def]
    with fake_openai_server() as (url, requests):
        settings = Settings(
            data_dir=services.settings.data_dir,
            generator="openai",
            openai_base_url=url,
            tool_calling=True,
        )
        engine = build_services(settings, embedder=embedder).engine
        assert engine.agent is not None
        r = engine.respond(uuid.uuid4().hex, None, "how long do I have to return something?")
        assert r.action == "answer" and "faq_answer" in r.tool_calls
        assert r.reply.startswith("According to our policy") and r.citations
        # the policy still rules: a request for a person never reaches the model
        before = len(requests)
        h = engine.respond(uuid.uuid4().hex, None, "I want to talk to a human")
        assert h.handoff_state == "requested" and len(requests) == before


def test_order_tools_act_for_the_session_shopper_only(services) -> None:  # type: ignore[no-untyped-def]
    agent = ToolAgent.__new__(ToolAgent)  # exercise the call guard without a model
    agent.tools = services.engine.tools
    agent._by_name = {t.name: t for t in services.engine.tools.as_langchain()}
    from bot.agent import AgentResult

    res = AgentResult("")
    out = agent._call(
        {"name": "order_status", "args": {"order_id": "o10001", "user_id": "u0001"}}, "u9999", res
    )
    assert "can't find" in out  # the model asked for u0001's order; the session is u9999
    out = agent._call({"name": "order_status", "args": {"order_id": "o10001"}}, None, res)
    assert "not signed in" in out


def test_openai_model_round_trip_without_tools() -> None:
    with fake_openai_server() as (url, _):
        out = OpenAICompatibleChatModel(base_url=url).invoke([HumanMessage("hi")])
    assert "[1]" in str(out.content)
