"""The demo shop's past support chats, so the admin panel's charts have weeks to show.

:func:`generate_support_history` draws anonymous chat sessions over the :data:`DAYS` days
before the build day: shoppers ask the demo's policy questions (``data/policy_qa.jsonl``,
answered with the team's answer to them), some ask for a person (who replies with one of the
agents' sign-offs in ``data/shop.json`` and resolves),
and some leave thumbs. More chats at weekends and a slow rise over the weeks. Only the dates
follow the build day; everything else comes from the seed. The history carries no product
cards (and so no click-through): that chart shows the shop's own days.

    content = packaged_content()
    chats = generate_support_history(
        random.Random(7), date(2026, 12, 5), content.policy_questions, content.agent_replies
    )
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from shopmate.demo.records import PolicyQuestion

DAYS = 42  # six weeks
SESSION_PREFIX = "demo-history-"
PERSON_SHARE = 0.12  # sessions that end with a person
FEEDBACK_SHARE = 0.35  # answered sessions that leave thumbs
THUMBS_UP_SHARE = 0.82
HANDOFF_REPLY = (
    "Of course. I'm passing this conversation to a person from our support team; "
    "they'll reply here."
)


@dataclass
class PastChat:
    session_id: str
    messages: list[tuple[str, str, dict[str, Any], datetime]]  # role, text, meta, time
    thumbs: list[tuple[str, int, datetime]] = field(default_factory=list)  # kind, msg index


def generate_support_history(
    rng: random.Random,
    end: date,
    policy: Sequence[PolicyQuestion],
    agent_replies: Sequence[str],
    days: int = DAYS,
) -> list[PastChat]:
    """Chats on each of the `days` days up to and including `end`, asking `policy` questions."""
    if not policy or not agent_replies:
        raise ValueError("the support history needs policy questions and agent replies")
    chats: list[PastChat] = []
    for back in range(days - 1, -1, -1):
        day = end - timedelta(days=back)
        weekend = day.weekday() >= 5
        trend = 1 + 0.4 * (days - back) / days  # slowly more chats
        n = max(1, round(rng.gauss(9 if weekend else 6, 2) * trend))
        for i in range(n):
            start = datetime.combine(day, time(8), tzinfo=UTC) + timedelta(
                minutes=rng.randrange(14 * 60)
            )
            session_id = f"{SESSION_PREFIX}{day.isoformat()}-{i:02d}"
            chats.append(_chat(rng, session_id, start, policy, agent_replies))
    return chats


def _chat(
    rng: random.Random,
    session_id: str,
    start: datetime,
    policy: Sequence[PolicyQuestion],
    agent_replies: Sequence[str],
) -> PastChat:
    at = start
    msgs: list[tuple[str, str, dict[str, Any], datetime]] = []

    def say(role: str, text: str, meta: dict[str, Any]) -> None:
        nonlocal at
        at += timedelta(seconds=rng.randrange(5, 90))
        msgs.append((role, text, meta, at))

    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        pq = rng.choice(policy)
        say("shopper", rng.choice(pq.questions), {"intent": _intent(pq.topic), "sentiment": 0.0})
        say("bot", pq.answer, _bot_meta("answer", "none"))
    chat = PastChat(session_id, msgs)
    if rng.random() < PERSON_SHARE:
        say("shopper", "I want to talk to a person", {"intent": "human_agent", "sentiment": 0.0})
        say("bot", HANDOFF_REPLY, _bot_meta("handoff", "requested"))
        say("agent", rng.choice(agent_replies), {})
        say("system", "resolved", {"handoff": "none"})
        if rng.random() < FEEDBACK_SHARE:
            chat.thumbs.append(("up" if rng.random() < 0.6 else "down", len(msgs) - 2, at))
    elif rng.random() < FEEDBACK_SHARE:
        kind = "up" if rng.random() < THUMBS_UP_SHARE else "down"
        chat.thumbs.append((kind, len(msgs) - 1, at + timedelta(seconds=20)))
    return chat


def _bot_meta(action: str, handoff: str) -> dict[str, Any]:
    return {"action": action, "citations": [], "products": [], "tools": [], "handoff": handoff}


def _intent(topic: str) -> str:
    for word, intent in (
        ("return", "return_refund"),
        ("refund", "return_refund"),
        ("ship", "shipping"),
        ("deliver", "shipping"),
        ("pay", "payment"),
        ("account", "account"),
        ("contact", "contact"),
    ):
        if word in topic:
            return intent
    return "product_question"
