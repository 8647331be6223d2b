"""Agent assist: what a support agent needs for one conversation, and sending their reply.

    desk = AgentDesk(engine)
    desk.entries()                         # the queue: waiting time, last message, reason
    view = desk.open("session-1")          # transcript, draft with sources, profile, suggestions
    desk.send("session-1", edited_text, view.draft)   # takes over, replies, saves a training pair

The draft answers what the shopper actually asked before the handoff (up to the last
:data:`DRAFT_QUESTIONS` questions), not their "I want to talk to a person": the request for
a person is cut from each message and greetings such as "hello?" are skipped. It is worded
for the agent to send ("Hi, thanks for waiting. ..."), from the shop's knowledge, cited.
Whatever the agent sends is saved with the question (redacted) as a training pair for
`shopmate finetune`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from bot.engine import INTENT_HINTS, ChatEngine, HandoffPacket
from bot.policy import asks_for_person
from bot.redact import redact
from bot.types import Citation
from shop.models import Message

RECENT_EVENTS = 8
DRAFT_QUESTIONS = 2  # the draft answers at most this many of the shopper's latest questions
DRAFT_OPENING = "Hi, thanks for waiting."
# "hello?", "anyone there?", "thanks": nothing for the draft to answer
_SMALL_TALK = re.compile(
    r"(?i)^\W*(hi|hello|hey|hallo|anyone( there)?|is anyone there|are you there|thanks?( you)?|"
    r"ok(ay)?|yes|no|please|still waiting|waiting)\W*$"
)
_CLAUSES = re.compile(r"(?<=[.!?;,])\s+|\s+(?:and|but|so)\s+(?=i\b|can\b|could\b|please\b)", re.I)


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
    # product id -> (price, page url) of the suggestions, for inserting one into a reply
    details: dict[str, tuple[float | None, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class DeskView:
    packet: HandoffPacket
    draft: Draft
    profile: Profile


@dataclass(frozen=True)
class QueueEntry:
    """One conversation in the queue, as the agent scans it."""

    session_id: str
    user_id: str | None
    state: str  # requested (waiting for a person) | human (a person has it)
    waiting_seconds: float  # since the shopper's last message with no reply from a person
    last_message: str  # the shopper's latest message (redacted)
    reason: str  # why a person was fetched


def real_question(text: str) -> str:
    """What is left of a shopper message once the request for a person is cut out:
    "My parcel is damaged, I want to talk to a person" -> "My parcel is damaged";
    "" when nothing is left but small talk."""
    kept = [c for c in _CLAUSES.split(text.strip()) if c and not asks_for_person(c)]
    rest = " ".join(kept).strip(" ,;")
    if not rest or _SMALL_TALK.match(rest) or len(re.findall(r"\w+", rest)) < 3:
        return ""
    return rest


def handoff_reason(
    shopper_text: str, shopper_meta: dict[str, object], bot_meta: dict[str, object]
) -> str:
    """Why the bot fetched a person, from the turn that did it."""
    tools = bot_meta.get("tools") or []
    if bot_meta.get("action") == "handoff" and "faq_answer" in (
        tools if isinstance(tools, list) else []
    ):
        return "the bot could not answer twice"
    intent = str(shopper_meta.get("intent", ""))
    sentiment = shopper_meta.get("sentiment", 0.0)
    if asks_for_person(shopper_text) or intent == "human_agent":
        return "complaint; asked for a person" if intent == "complaint" else "asked for a person"
    if isinstance(sentiment, int | float) and sentiment <= -0.5:
        return "upset shopper"
    if bot_meta.get("action") in {"handoff", "confirm"}:
        return "accepted the offer of a person"
    return "asked for a person"


def waiting_label(seconds: float) -> str:
    """'just now', '4 min', '2 h 5 min'."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


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

    def _rows(self, session_id: str) -> list[tuple[int, str, str, dict[str, object], datetime]]:
        with self.engine.repo.session() as s:
            rows = s.scalars(
                select(Message).where(Message.session_id == session_id).order_by(Message.id)
            ).all()
            return [(m.id, m.role, m.text, dict(m.meta or {}), m.created_at) for m in rows]

    def entries(self, now: datetime | None = None) -> list[QueueEntry]:
        """The queue with what an agent needs to pick the next conversation, oldest first."""
        now = now or datetime.now(UTC)
        out = []
        for sid in self.engine.queue():
            rows = self._rows(sid)
            st = self.engine.state(sid)
            shopper = [r for r in rows if r[1] == "shopper"]
            last = shopper[-1] if shopper else None
            answered = last is not None and any(r[1] == "agent" and r[0] > last[0] for r in rows)
            since = last[4] if last is not None and not answered else now
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            reason = "asked for a person"
            for i, (_, role, _, meta, _) in enumerate(rows):
                if role == "bot" and meta.get("handoff") == "requested":
                    before = [r for r in rows[:i] if r[1] == "shopper"]
                    if before:
                        reason = handoff_reason(before[-1][2], before[-1][3], meta)
                    break
            out.append(
                QueueEntry(
                    sid,
                    st.user_id,
                    st.handoff,
                    max(0.0, (now - since).total_seconds()),
                    last[2] if last else "",
                    reason,
                )
            )
        return out

    def open(self, session_id: str) -> DeskView:
        packet = self.engine.packet(session_id)
        context = " ".join(self.questions(packet))
        return DeskView(packet, self.draft(packet), self.profile(packet.user_id, context))

    def questions(self, packet: HandoffPacket) -> list[str]:
        """The shopper's real questions, oldest first: the last DRAFT_QUESTIONS messages
        that ask something once a request for a person is cut out."""
        found: list[str] = []
        for role, text in reversed(packet.transcript):
            if role != "shopper":
                continue
            q = real_question(text)
            if q and q not in found:
                found.append(q)
            if len(found) == DRAFT_QUESTIONS:
                break
        return list(reversed(found))

    def draft(self, packet: HandoffPacket) -> Draft:
        asked = self.questions(packet)
        if not asked:
            return Draft("", "")
        focus = self.engine.state(packet.session_id).product_in_focus  # as the bot saw it
        parts: list[str] = []
        cited: list[Citation] = []
        for question in asked:
            vec = self.engine.embedder.encode_one(question)
            scores = self.engine.router.scores(question, vec)
            intent = max(scores, key=lambda k: scores[k])
            hint = INTENT_HINTS.get(intent)  # steers retrieval to the topic's page, as the bot does
            if hint is not None:
                question_asked = f"{hint}: {question}"
                vec = self.engine.embedder.encode_one(question_asked)
            else:
                question_asked = question
            answer = self.engine.answerer.answer(
                question_asked,
                vector=vec,
                product_id=focus if intent == "product_question" else None,
            )
            if answer.grounded and answer.text.strip() and answer.text not in parts:
                parts.append(answer.text.strip())
                cited += [c for c in answer.citations if c.id not in {x.id for x in cited}]
        question = " / ".join(asked)
        if not parts:
            return Draft(question, "")
        return Draft(question, " ".join([DRAFT_OPENING, *parts]), cited)

    def profile(self, user_id: str | None, context: str = "") -> Profile:
        """The customer's recent activity and latest order, and products to suggest: from
        their history and what they asked (`context`); for an anonymous shopper, from what
        they asked only (none when they asked nothing)."""
        repo = self.engine.repo
        recent: list[tuple[str, str]] = []
        orders: list[tuple[str, str, float]] = []
        if user_id:
            events = repo.recent_events(user_id, limit=RECENT_EVENTS)
            titles = repo.get_products([e.product_id for e in events])
            recent = [
                (e.type, titles[e.product_id].title if e.product_id in titles else e.product_id)
                for e in reversed(events)
            ]
            latest = repo.latest_order(user_id)
            orders = [(latest.id, latest.status, latest.total)] if latest else []
        if not user_id and not context.strip():
            return Profile(None, [], [], [])
        found = self.engine.recommender.recommend(user_id, context=context or None, k=4)
        sugg = [(s.product.id, s.product.title, s.reason) for s in found]
        details = {
            s.product.id: (
                getattr(s.product, "current_price", s.product.price),
                str(getattr(s.product, "url", "") or ""),
            )
            for s in found
        }
        return Profile(user_id, recent, orders, sugg, details)

    def take(self, session_id: str) -> None:
        """The agent takes the conversation: the bot goes silent for it."""
        if self.engine.state(session_id).handoff != "human":
            self.engine.take(session_id)

    def send(self, session_id: str, text: str, draft: Draft | None = None) -> int:
        """Take the conversation if needed, send the agent's reply, save the training pair."""
        text = text.strip()
        if not text:
            raise ValueError("the reply is empty")
        self.take(session_id)
        self.engine.agent_reply(session_id, text)
        d = draft or Draft("", "")
        return self.engine.repo.add_training_pair(
            session_id,
            redact(d.question),
            redact(d.text),
            redact(text),
            [c.id for c in d.citations],
        )
