"""Any chat server that speaks OpenAI's /chat/completions (vLLM, Ollama, llama.cpp server, a
hosted model) behind LangChain's BaseChatModel, and the message format it takes. What is
sent is redacted first: no raw personal data leaves the shop.

    chat = OpenAICompatibleChatModel(base_url="http://localhost:8001/v1", model="my-model")
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from bot.redact import redact

log = logging.getLogger(__name__)

_ROLE = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}


def to_openai_messages(
    messages: list[BaseMessage], redact_pii: bool = False
) -> list[dict[str, Any]]:
    """LangChain messages in OpenAI's chat format, tool calls and tool results included."""
    out: list[dict[str, Any]] = []
    for m in messages:
        text = m.content if isinstance(m.content, str) else json.dumps(m.content)
        msg: dict[str, Any] = {
            "role": _ROLE.get(m.type, "user"),
            "content": redact(text) if redact_pii else text,
        }
        if isinstance(m, ToolMessage):
            msg["tool_call_id"] = m.tool_call_id
        if isinstance(m, AIMessage) and m.tool_calls:
            msg["tool_calls"] = [
                {
                    "id": c["id"],
                    "type": "function",
                    "function": {"name": c["name"], "arguments": json.dumps(c["args"])},
                }
                for c in m.tool_calls
            ]
        out.append(msg)
    return out


class OpenAICompatibleChatModel(BaseChatModel):
    """Any server that speaks OpenAI's /chat/completions (vLLM, Ollama, llama.cpp server)."""

    base_url: str
    model: str = "default"
    api_key: str | None = None
    max_tokens: int = 300
    timeout_s: float = 60.0

    @property
    def _llm_type(self) -> str:
        return "openai-compatible"

    def _payload(self, messages: list[BaseMessage], stream: bool, **kwargs: Any) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": to_openai_messages(messages, redact_pii=True),
            "max_tokens": self.max_tokens,
            "temperature": kwargs.get("temperature", 0),
            "stream": stream,
        }
        for key in ("top_p", "seed", "stop"):  # sampled second tries (bot.llm.sample_replies)
            if kwargs.get(key) is not None:
                payload[key] = kwargs[key]
        if kwargs.get("tools"):
            payload["tools"] = kwargs["tools"]
            payload["tool_choice"] = kwargs.get("tool_choice") or "auto"
        return payload

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[Any, AIMessage]:
        """Offer tools to the server in OpenAI's function-calling format."""
        formatted = [convert_to_openai_tool(t) for t in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        url = self.base_url.rstrip("/") + "/chat/completions"
        payload = self._payload(messages, False, stop=stop, **kwargs)
        r = httpx.post(url, json=payload, headers=self._headers(), timeout=self.timeout_s)
        r.raise_for_status()
        msg = r.json()["choices"][0]["message"]
        calls = [
            {
                "name": c["function"]["name"],
                "args": json.loads(c["function"].get("arguments") or "{}"),
                "id": c.get("id") or f"call_{i}",
            }
            for i, c in enumerate(msg.get("tool_calls") or [])
        ]
        message = AIMessage(content=msg.get("content") or "", tool_calls=calls)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        url = self.base_url.rstrip("/") + "/chat/completions"
        payload = self._payload(messages, True, stop=stop, **kwargs)
        with httpx.stream(
            "POST", url, json=payload, headers=self._headers(), timeout=self.timeout_s
        ) as r:
            r.raise_for_status()
            for line in r.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                delta = json.loads(data)["choices"][0].get("delta", {}).get("content") or ""
                if delta:
                    if run_manager:
                        run_manager.on_llm_new_token(delta)
                    yield ChatGenerationChunk(message=AIMessageChunk(content=delta))
