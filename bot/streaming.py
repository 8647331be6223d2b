"""Token streaming from the chat model to whoever shows the reply, without threading a
callback through every layer of the dialogue engine.

    for item in stream_reply(lambda: engine.respond(session_id, user_id, text)):
        if isinstance(item, str):
            send_token(item)      # generated text, as the model writes it
        else:
            send_final(item)      # the BotReply: whole reply, citations, products, handoff

The reply is composed by the engine in a worker thread; while it runs, every chat-model
call made through `complete()` pushes its pieces to the caller as they are generated.
Replies that use no generator (extractive answers, tools, handoffs) stream nothing here;
the caller sends the final reply's text. A generated reply that the grounding check
rejects is replaced by the final reply: clients show the final text, not the streamed one.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage

T = TypeVar("T")

_sink: contextvars.ContextVar[Callable[[str], None] | None] = contextvars.ContextVar(
    "shopmate_token_sink", default=None
)


def complete(model: BaseChatModel, messages: list[BaseMessage], **kwargs: Any) -> str:
    """The model's reply text; streamed to the current token sink, if there is one."""
    sink = _sink.get()
    if sink is None:
        return str(model.invoke(messages, **kwargs).content)
    parts: list[str] = []
    for chunk in model.stream(messages, **kwargs):
        piece = str(chunk.content)
        if piece:
            parts.append(piece)
            sink(piece)
    return "".join(parts)


_DONE = object()


def stream_reply(compose: Callable[[], T]) -> Iterator[str | T]:
    """Run `compose` in a worker thread; yield generated pieces as they come, then its result
    (its exception is raised here instead)."""
    q: queue.Queue[Any] = queue.Queue()
    outcome: dict[str, Any] = {}

    def work() -> None:
        _sink.set(q.put)
        try:
            outcome["value"] = compose()
        except BaseException as e:  # handed to the caller's thread
            outcome["error"] = e
        finally:
            q.put(_DONE)

    ctx = contextvars.copy_context()
    threading.Thread(target=ctx.run, args=(work,), name="shopmate-reply", daemon=True).start()
    while (item := q.get()) is not _DONE:
        yield item
    if "error" in outcome:
        raise outcome["error"]
    yield outcome["value"]
