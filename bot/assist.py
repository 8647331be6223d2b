"""Agent assist: what a support agent needs for one conversation, and sending their reply.

    desk = AgentDesk(engine)
    view = desk.open("session-1")          # transcript, draft with sources, profile, suggestions
    desk.send("session-1", edited_text, view.draft)   # takes over, replies, saves a training pair

The draft is the bot's own best answer to the shopper's latest message. Whatever the agent
sends is saved with the question (redacted) as a training pair for `shopmate finetune`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.engine import ChatEngine, HandoffPacket
from bot.redact import redact
from bot.types import Citation

RECENT_EVENTS = 8


@dataclass(frozen=True)
class Draft:
    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)


@dataclass(frozen=True)
class Profile:
    user_id: str | None
    recent: list[tuple[str, str]]  # (event type, product title), newest first
    orders: list[tuple[str, str, float]]  # (order id, status, total) — the latest only
    suggestions: list[tuple[str, str, str]]  # (product id, title, reason)


@dataclass(frozen=True)
class DeskView:
    packet: HandoffPacket
    draft: Draft
    profile: Profile


class AgentDesk:
    """Assist mode over the dialogue engine (no web code: the UI and API present it)."""

    def __init__(self, engine: ChatEngine | Callable[[], ChatEngine]) -> None:
        # a callable lets a web app build the desk before its lifespan has loaded the engine
        self._engine = engine

    @property
    def engine(self) -> ChatEngine:
        return self._engine if isinstance(self._engine, ChatEngine) else self._engine()

    def queue(self) -> list[HandoffPacket]:
        return [self.engine.packet(s) for s in self.engine.queue()]

    def open(self, session_id: str) -> DeskView:
        packet = self.engine.packet(session_id)
        return DeskView(packet, self.draft(packet), self.profile(packet.user_id))

    def draft(self, packet: HandoffPacket) -> Draft:
        asked = [t for role, t in packet.transcript if role == "shopper"]
        if not asked:
            return Draft("", "")
        question = asked[-1]
        product = self.engine.state(packet.session_id).product_in_focus  # as the bot saw it
        answer = self.engine.answerer.answer(question, product_id=product)
        text = answer.text if answer.grounded else ""
        return Draft(question, text, answer.citations)

    def profile(self, user_id: str | None) -> Profile:
        if not user_id:
            return Profile(None, [], [], [])
        repo = self.engine.repo
        events = repo.recent_events(user_id, limit=RECENT_EVENTS)
        titles = repo.get_products([e.product_id for e in events])
        recent = [
            (e.type, titles[e.product_id].title if e.product_id in titles else e.product_id)
            for e in reversed(events)
        ]
        latest = repo.latest_order(user_id)
        orders = [(latest.id, latest.status, latest.total)] if latest else []
        sugg = [
            (s.product.id, s.product.title, s.reason)
            for s in self.engine.recommender.recommend(user_id, k=4)
        ]
        return Profile(user_id, recent, orders, sugg)

    def send(self, session_id: str, text: str, draft: Draft | None = None) -> int:
        """Take the conversation if needed, send the agent's reply, save the training pair."""
        text = text.strip()
        if not text:
            raise ValueError("the reply is empty")
        if self.engine.state(session_id).handoff != "human":
            self.engine.take(session_id)
        self.engine.agent_reply(session_id, text)
        d = draft or Draft("", "")
        return self.engine.repo.add_training_pair(
            session_id,
            redact(d.question),
            redact(d.text),
            redact(text),
            [c.id for c in d.citations],
        )
