"""A tool-calling chat model answering with the shop tools, when an operator configures one.

    agent = ToolAgent(OpenAICompatibleChatModel(base_url=...), shop_tools)
    result = agent.run("how long do refunds take?", user_id="u0001")

The deterministic policy still rules the conversation (handoff, silence, suggestion
timing); the agent only words answers, choosing which tools to consult. Order tools
always act for the session's shopper, whatever user id the model puts in its call, and
an answer that consulted no source is not used (the engine falls back to its own).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import ValidationError

from bot.answerer import Answer
from bot.tools import OrderOutcome, ShopTools
from bot.types import Citation
from recommender.recommender import Suggestion

log = logging.getLogger(__name__)

AGENT_PROMPT = (
    "You are the customer-service assistant of an online shop. Use the tools to look things up; "
    "answer only from what the tools return and never invent policies, prices or order details. "
    "If the tools do not give the answer, say you are not sure and offer a person."
)
USER_SCOPED = {"order_status", "cancel_order", "start_return"}


@dataclass
class AgentResult:
    text: str
    tool_calls: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    products: list[Suggestion] = field(default_factory=list)

    @property
    def grounded(self) -> bool:
        """It consulted the shop: cited passages, looked at orders or found products."""
        return bool(self.citations or self.products or set(self.tool_calls) & USER_SCOPED)


class ToolAgent:
    """A short loop: the model asks for tools, we run them, it answers."""

    def __init__(self, chat_model: BaseChatModel, tools: ShopTools, max_steps: int = 3) -> None:
        if max_steps <= 0:
            raise ValueError(f"max_steps must be > 0, got {max_steps}")
        self.tools = tools
        self._by_name = {t.name: t for t in tools.as_langchain()}
        self.model = chat_model.bind_tools(list(self._by_name.values()))
        self.max_steps = max_steps

    def run(self, question: str, user_id: str | None) -> AgentResult:
        messages: list[BaseMessage] = [SystemMessage(AGENT_PROMPT), HumanMessage(question)]
        result = AgentResult("")
        for _ in range(self.max_steps):
            reply = self.model.invoke(messages)
            messages.append(reply)
            calls = getattr(reply, "tool_calls", None) or []
            if not calls:
                result.text = str(reply.content).strip()
                return result
            for call in calls:
                messages.append(
                    ToolMessage(self._call(call, user_id, result), tool_call_id=call["id"])
                )
        result.text = ""  # the model kept calling tools: no answer from the agent
        return result

    def _call(self, call: dict[str, Any], user_id: str | None, result: AgentResult) -> str:
        name, args = call["name"], dict(call.get("args") or {})
        tool = self._by_name.get(name)
        if tool is None:
            return f"error: there is no tool {name!r}"
        if name in USER_SCOPED:
            if not user_id:
                return "error: the shopper is not signed in; ask them to sign in"
            args["user_id"] = user_id  # the session's shopper, never one the model chose
        if name == "cancel_order":
            args["confirm"] = False  # cancelling needs the shopper's own yes, asked by the policy
        try:
            out = tool.invoke(args)
        except (ValidationError, ValueError) as e:
            return f"error: {e}"
        result.tool_calls.append(name)
        return self._describe(out, result)

    @staticmethod
    def _describe(out: Any, result: AgentResult) -> str:
        if isinstance(out, Answer):
            result.citations += out.citations
            return out.text if out.grounded else "no answer in the shop's knowledge base"
        if isinstance(out, OrderOutcome):
            return out.message
        if isinstance(out, list):
            result.products += [s for s in out if isinstance(s, Suggestion)]
            return (
                "; ".join(f"{s.product.title} ({s.product.price:.2f})" for s in out)
                or "nothing found"
            )
        return str(out)
