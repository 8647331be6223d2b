"""Shop analytics over conversations, feedback and events: plain queries returning rows.

Shopper ids are never returned: figures are counts and shares per day.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from shop.models import Event, Feedback, Message
from shop.repository import ShopRepository


@dataclass(frozen=True)
class DayFigures:
    day: date
    conversations: int  # sessions with at least one shopper message that day
    handed_off: int  # of those, sessions where the bot asked for a person
    cards_shown: int  # product cards shown by the bot
    cards_carted: int  # shown products the same shopper added to the cart later that day
    thumbs_up: int
    thumbs_down: int

    @property
    def answered_without_person(self) -> float:
        return 1 - self.handed_off / self.conversations if self.conversations else 0.0

    @property
    def card_click_through(self) -> float:
        return self.cards_carted / self.cards_shown if self.cards_shown else 0.0


def daily_figures(repo: ShopRepository) -> list[DayFigures]:
    with repo.session() as s:
        messages = s.execute(
            select(
                Message.session_id, Message.user_id, Message.role, Message.meta, Message.created_at
            )
        ).all()
        feedback = s.execute(select(Feedback.thumbs, Feedback.created_at)).all()
        carts = s.execute(
            select(Event.user_id, Event.product_id, Event.ts).where(Event.type == "add_to_cart")
        ).all()
    sessions: dict[date, set[str]] = defaultdict(set)
    handed: dict[date, set[str]] = defaultdict(set)
    shown: dict[date, list[tuple[str | None, str]]] = defaultdict(list)
    for session_id, user_id, role, meta, ts in messages:
        day = ts.date()
        if role == "shopper":
            sessions[day].add(session_id)
        if role == "bot" and meta:
            if meta.get("handoff") in {"requested", "human"}:
                handed[day].add(session_id)
            shown[day] += [
                (user_id, p["id"]) for p in meta.get("products", []) if isinstance(p, dict)
            ]
    carted_by_day: dict[date, set[tuple[str, str]]] = defaultdict(set)
    for user_id, product_id, ts in carts:
        carted_by_day[ts.date()].add((user_id, product_id))
    thumbs: dict[date, Counter[str]] = defaultdict(Counter)
    for t, ts in feedback:
        if t:
            thumbs[ts.date()][t] += 1
    days = sorted(set(sessions) | set(thumbs))
    return [
        DayFigures(
            day,
            len(sessions[day]),
            len(handed[day] & sessions[day]),
            len(shown[day]),
            sum(1 for u, p in shown[day] if u and (u, p) in carted_by_day[day]),
            thumbs[day]["up"],
            thumbs[day]["down"],
        )
        for day in days
    ]
