"""One event schema for everything a shop measures: visits, product views, suggestion
impressions and clicks, carts, purchases, chat turns, handoffs, thumbs, CSAT, exposures.

Product-bound events (view, add_to_cart, purchase) are stored in the `events` table the
recommender reads, thumbs and CSAT in `feedback` (written by POST /v1/feedback), and the
rest in `track_events`; `Tracker.events()` reads all three back as one stream of
`TrackRecord`s, so analytics never care where a row lives.

    tracker = Tracker(repo)
    tracker.track("visit", user_id="u0001", session_id="s1")
    tracker.track("suggestion_click", user_id="u0001", product_id="p0003")
    rows = tracker.events(types={"visit"})
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select

from shop.growth_models import ExperimentRow, SponsoredCampaign, TrackEvent
from shop.models import EVENT_TYPES, Base, Event, Feedback
from shop.repository import EventRecord, ShopRepository, UnknownProductError

__all__ = [
    "PRODUCT_TYPES",
    "TRACK_TYPES",
    "TrackRecord",
    "Tracker",
    "TrackingError",
    "UnknownProductError",
]

PRODUCT_TYPES = EVENT_TYPES  # view, add_to_cart, purchase: stored in `events`
FEEDBACK_TYPES = ("thumbs_up", "thumbs_down", "csat")  # stored in `feedback`
OWN_TYPES = (
    "visit",  # the shopper opened the shop (one per session)
    "suggestion_impression",  # a suggested product card was shown
    "suggestion_click",  # the shopper clicked a suggested product card
    "chat_turn",  # the shopper sent a chat message
    "handoff",  # the conversation was handed to a person
    "complaint",  # the shopper complained (intent or sentiment)
    "exposure",  # the shopper was assigned a variant of an experiment
    "sponsored_impression",
    "sponsored_click",
    "out_of_stock_interest",  # asked for / tried to buy something out of stock
    "demand_query",  # asked for something the catalog does not have
    "sentiment_alert",  # a negative-sentiment alert was posted (growth/sentiment_watch.py)
)
TRACK_TYPES = PRODUCT_TYPES + FEEDBACK_TYPES + OWN_TYPES
NEEDS_PRODUCT = set(PRODUCT_TYPES) | {
    "suggestion_impression",
    "suggestion_click",
    "sponsored_impression",
    "sponsored_click",
}


class TrackingError(ValueError):
    """An event that does not fit the schema; the message says what is accepted."""


@dataclass(frozen=True)
class TrackRecord:
    type: str
    ts: datetime
    user_id: str | None = None
    session_id: str | None = None
    product_id: str | None = None
    experiment: str | None = None
    variant: str | None = None
    value: float | None = None
    props: dict[str, Any] = field(default_factory=dict, hash=False)


def _aware(ts: datetime) -> datetime:
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def validate(r: TrackRecord) -> None:
    if r.type not in TRACK_TYPES:
        raise TrackingError(f"unknown event type {r.type!r}; accepted: {', '.join(TRACK_TYPES)}")
    if r.type in FEEDBACK_TYPES:
        raise TrackingError(
            f"{r.type} is recorded through POST /v1/feedback (thumbs, csat), not as an event"
        )
    if r.type in NEEDS_PRODUCT and not r.product_id:
        raise TrackingError(f"a {r.type} event needs product_id")
    if r.type in PRODUCT_TYPES and not r.user_id:
        raise TrackingError(f"a {r.type} event needs user_id")
    if r.type == "exposure" and not (r.experiment and r.variant):
        raise TrackingError("an exposure event needs experiment and variant")


class Tracker:
    """Writes and reads tracked events of one shop database."""

    def __init__(self, repo: ShopRepository) -> None:
        self.repo = repo
        Base.metadata.create_all(
            repo.engine,
            tables=[
                TrackEvent.__table__,  # type: ignore[list-item]
                ExperimentRow.__table__,  # type: ignore[list-item]
                SponsoredCampaign.__table__,  # type: ignore[list-item]
            ],
        )

    def track(self, type: str, **fields: Any) -> TrackRecord:
        """Record one event now (or at `ts=`); product events must name a catalog product."""
        ts = fields.pop("ts", None) or datetime.now(UTC)
        r = TrackRecord(type, _aware(ts), **fields)
        validate(r)
        if r.type in PRODUCT_TYPES:
            assert r.user_id and r.product_id
            self.repo.add_event(r.user_id, r.product_id, r.type, r.ts)
        else:
            self.track_many([r])
        return r

    def track_many(self, records: Iterable[TrackRecord]) -> int:
        """Record many events in one transaction (the bot and the simulator use this)."""
        rows = list(records)
        for r in rows:
            validate(r)
        product = [r for r in rows if r.type in PRODUCT_TYPES]
        if product:
            self.repo.add_events(
                EventRecord(r.user_id or "", r.product_id or "", r.type, r.ts) for r in product
            )
        own = [r for r in rows if r.type not in PRODUCT_TYPES]
        with self.repo.session() as s, s.begin():
            s.add_all(
                TrackEvent(
                    type=r.type,
                    user_id=r.user_id,
                    session_id=r.session_id,
                    product_id=r.product_id,
                    experiment=r.experiment,
                    variant=r.variant,
                    value=r.value,
                    props=r.props,
                    ts=r.ts,
                )
                for r in own
            )
        return len(rows)

    def events(
        self,
        types: Collection[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[TrackRecord]:
        """Every tracked event (from all three tables) in time order, optionally filtered."""
        want = set(types) if types is not None else set(TRACK_TYPES)
        out: list[TrackRecord] = []
        with self.repo.session() as s:
            if want & set(PRODUCT_TYPES):
                q = select(Event.user_id, Event.product_id, Event.type, Event.ts).where(
                    Event.type.in_(sorted(want & set(PRODUCT_TYPES)))
                )
                if since is not None:
                    q = q.where(Event.ts >= since)
                if until is not None:
                    q = q.where(Event.ts < until)
                out += [
                    TrackRecord(t, _aware(ts), user_id=u, product_id=p)
                    for u, p, t, ts in s.execute(q)
                ]
            if want & set(FEEDBACK_TYPES):
                fq = select(Feedback)
                if since is not None:
                    fq = fq.where(Feedback.created_at >= since)
                if until is not None:
                    fq = fq.where(Feedback.created_at < until)
                for fb in s.scalars(fq):
                    ts = _aware(fb.created_at)
                    if fb.thumbs in {"up", "down"} and f"thumbs_{fb.thumbs}" in want:
                        out.append(
                            TrackRecord(f"thumbs_{fb.thumbs}", ts, fb.user_id, fb.session_id)
                        )
                    if fb.csat is not None and "csat" in want:
                        out.append(
                            TrackRecord("csat", ts, fb.user_id, fb.session_id, value=float(fb.csat))
                        )
            own = want & set(OWN_TYPES)
            if own:
                tq = select(TrackEvent).where(TrackEvent.type.in_(sorted(own)))
                if since is not None:
                    tq = tq.where(TrackEvent.ts >= since)
                if until is not None:
                    tq = tq.where(TrackEvent.ts < until)
                out += [
                    TrackRecord(
                        e.type,
                        _aware(e.ts),
                        e.user_id,
                        e.session_id,
                        e.product_id,
                        e.experiment,
                        e.variant,
                        e.value,
                        dict(e.props or {}),
                    )
                    for e in s.scalars(tq)
                ]
        out.sort(key=lambda r: r.ts)
        return out

    def forget_user(self, user_id: str) -> int:
        """Erase the shopper's tracked events (the other tables go with ShopRepository.forget_user)."""
        with self.repo.session() as s, s.begin():
            result = s.execute(delete(TrackEvent).where(TrackEvent.user_id == user_id))
            return int(getattr(result, "rowcount", 0) or 0)
