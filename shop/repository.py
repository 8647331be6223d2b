"""Small repositories over the shop tables; every write is one transaction.

repo = ShopRepository.from_url("sqlite:///var/shop.db")
repo.add_event("u1", "p0001", "view")
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult, Engine, case, create_engine, delete, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from shop.growth_models import TrackEvent  # imported here so create_tables() makes them too
from shop.models import (
    EVENT_TYPES,
    Base,
    Event,
    Feedback,
    Message,
    Order,
    Product,
    QAPair,
    SessionState,
    TrainingPair,
    User,
    add_missing_columns,
)

_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


class UnknownProductError(ValueError):
    """An event or lookup named a product the catalog does not have."""


@dataclass(frozen=True)
class Variant:
    """One buyable version of a product (a size, a colour, a length…), as the export lists it."""

    sku: str
    options: dict[str, str]  # option name -> value, e.g. {"Size": "M", "Colour": "Navy"}
    price: float | None = None  # None: the export gives no price for it (the parent's applies)
    sale_price: float | None = None
    stock: int | None = None  # None: the export does not say

    def label(self) -> str:
        return ", ".join(v for v in self.options.values() if v) or self.sku

    def to_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "options": dict(self.options),
            "price": self.price,
            "sale_price": self.sale_price,
            "stock": self.stock,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Variant:
        return cls(
            str(d.get("sku") or ""),
            {str(k): str(v) for k, v in (d.get("options") or {}).items()},
            d.get("price"),
            d.get("sale_price"),
            d.get("stock"),
        )


LINK_KINDS = ("cross_sell", "upsell", "related")


@dataclass(frozen=True)
class ProductRecord:
    """A product of the catalog. `price` and `stock` are None when the shop's export leaves
    them blank: unknown, never 0 (an unknown stock is not "sold out")."""

    id: str
    title: str
    description: str
    category: str
    brand: str
    price: float | None
    stock: int | None
    attributes: dict[str, Any]
    sku: str = ""
    sale_price: float | None = None  # the current price when the product is on sale
    variants: tuple[Variant, ...] = ()
    links: dict[str, list[str]] = field(default_factory=dict)  # LINK_KINDS -> product ids
    images: tuple[str, ...] = ()
    url: str = ""
    listed: bool = True  # False: hidden in the shop's catalog; answered on its page, never offered

    @property
    def offerable(self) -> bool:
        """May be suggested or found by search: listed in the catalog and in stock."""
        return self.listed and self.in_stock

    @property
    def in_stock(self) -> bool:
        """Buyable as far as the shop says: unknown stock counts as available (shops that do
        not track stock leave it blank), a stock of 0 does not."""
        if self.variants and any(v.stock is not None for v in self.variants):
            return any(v.stock is None or v.stock > 0 for v in self.variants)
        return self.stock is None or self.stock > 0

    @property
    def current_price(self) -> float | None:
        """What the shopper pays now: the sale price when there is one, else the price (the
        lowest variant's when the product itself has none)."""
        if self.sale_price is not None:
            return self.sale_price
        if self.price is not None:
            return self.price
        prices = [v.sale_price if v.sale_price is not None else v.price for v in self.variants]
        known = [x for x in prices if x is not None]
        return min(known) if known else None


@dataclass(frozen=True)
class OrderRecord:
    id: str
    user_id: str
    product_ids: list[str]
    status: str
    created_at: datetime
    total: float


@dataclass(frozen=True)
class EventRecord:
    user_id: str
    product_id: str
    type: str
    ts: datetime


def _as_record(p: Product) -> ProductRecord:
    return ProductRecord(
        p.id,
        p.title,
        p.description,
        p.category,
        p.brand,
        p.price,
        p.stock,
        dict(p.attributes or {}),
        p.sku or "",
        p.sale_price,
        tuple(Variant.from_json(v) for v in (p.variants or [])),
        {str(k): list(v) for k, v in (p.links or {}).items()},
        tuple(p.images or ()),
        p.url or "",
        p.listed is not False,  # None: a database from before the column, all listed
    )


def _order(o: Order) -> OrderRecord:
    return OrderRecord(
        o.id, o.user_id, list(o.product_ids or []), o.status, _aware(o.created_at), o.total
    )


def _aware(ts: datetime) -> datetime:
    # SQLite returns naive datetimes; everything we store is UTC.
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


class ShopRepository:
    """Reads and writes the shop database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> ShopRepository:
        sqlite = url.startswith("sqlite")
        # SQLite: wait up to 30 s for another writer instead of failing at once
        engine = create_engine(url, connect_args={"timeout": 30} if sqlite else {})
        if sqlite:

            @event.listens_for(engine, "connect")
            def _sqlite_pragmas(conn: Any, _record: Any) -> None:
                conn.isolation_level = None  # transactions are begun below, not by pysqlite
                cur = conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.close()

            @event.listens_for(engine, "begin")
            def _immediate(conn: Any) -> None:
                # take the write lock when the transaction starts: a read-then-write
                # transaction (save a turn) can then never fail with "database is locked"
                # when another thread wrote in between, it waits its turn (WAL readers
                # outside transactions are not blocked)
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        repo = cls(engine)
        repo.create_tables()
        return repo

    def create_tables(self) -> None:
        Base.metadata.create_all(self.engine)
        add_missing_columns(self.engine)

    def session(self) -> Session:
        return self._sessions()

    # catalog -----------------------------------------------------------------
    def upsert_products(self, products: Iterable[ProductRecord]) -> int:
        n = 0
        with self.session() as s, s.begin():
            for p in products:
                s.merge(
                    Product(
                        id=p.id,
                        title=p.title,
                        description=p.description,
                        category=p.category,
                        brand=p.brand,
                        price=p.price,
                        stock=p.stock,
                        attributes=p.attributes,
                        sku=p.sku,
                        sale_price=p.sale_price,
                        variants=[v.to_json() for v in p.variants],
                        links=p.links,
                        images=list(p.images),
                        url=p.url,
                        listed=p.listed,
                    )
                )
                n += 1
        return n

    def get_product(self, product_id: str) -> ProductRecord | None:
        with self.session() as s:
            p = s.get(Product, product_id)
            return _as_record(p) if p else None

    def find_by_sku(self, sku: str) -> ProductRecord | None:
        """The product whose own SKU or one of whose variants' SKUs is `sku` (any case)."""
        want = sku.strip().lower()
        if not want:
            return None
        for p in self.all_products():
            if p.sku.lower() == want or any(v.sku.lower() == want for v in p.variants):
                return p
        return None

    def get_products(self, ids: Sequence[str]) -> dict[str, ProductRecord]:
        if not ids:
            return {}
        with self.session() as s:
            rows = s.scalars(select(Product).where(Product.id.in_(list(ids)))).all()
            return {p.id: _as_record(p) for p in rows}

    def count_products(self) -> int:
        with self.session() as s:
            return int(s.scalar(select(func.count()).select_from(Product)) or 0)

    def all_products(self) -> list[ProductRecord]:
        with self.session() as s:
            return [_as_record(p) for p in s.scalars(select(Product).order_by(Product.id))]

    # users and events ----------------------------------------------------------
    def add_event(
        self, user_id: str, product_id: str, type: str, ts: datetime | None = None
    ) -> EventRecord:
        if type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {type!r}; accepted: {', '.join(EVENT_TYPES)}")
        ts = ts or datetime.now(UTC)
        with self.session() as s, s.begin():
            if s.get(Product, product_id) is None:
                raise UnknownProductError(f"unknown product_id {product_id!r}")
            if s.get(User, user_id) is None:
                s.add(User(id=user_id))
            s.add(Event(user_id=user_id, product_id=product_id, type=type, ts=ts))
        return EventRecord(user_id, product_id, type, ts)

    def add_events(self, events: Iterable[EventRecord]) -> int:
        n = 0
        with self.session() as s, s.begin():
            for e in events:
                s.add(Event(user_id=e.user_id, product_id=e.product_id, type=e.type, ts=e.ts))
                n += 1
        return n

    def recent_events(self, user_id: str, limit: int = 50) -> list[EventRecord]:
        """The user's latest events, oldest first."""
        with self.session() as s:
            rows = s.scalars(
                select(Event)
                .where(Event.user_id == user_id)
                .order_by(Event.ts.desc(), Event.id.desc())
                .limit(limit)
            ).all()
        return [EventRecord(e.user_id, e.product_id, e.type, _aware(e.ts)) for e in reversed(rows)]

    def event_sequences(self) -> dict[str, list[EventRecord]]:
        """Every user's events, oldest first (for exporting training data)."""
        out: dict[str, list[EventRecord]] = {}
        with self.session() as s:
            for e in s.scalars(select(Event).order_by(Event.user_id, Event.ts, Event.id)):
                out.setdefault(e.user_id, []).append(
                    EventRecord(e.user_id, e.product_id, e.type, _aware(e.ts))
                )
        return out

    def purchased_ids(self, user_id: str) -> set[str]:
        with self.session() as s:
            rows = s.scalars(
                select(Event.product_id).where(Event.user_id == user_id, Event.type == "purchase")
            ).all()
        return set(rows)

    def popular_product_ids(self, limit: int = 50) -> list[str]:
        """Products by weighted event count (purchase 3, cart 2, view 1), ties by id."""
        weight = func.sum(
            case((Event.type == "purchase", 3), (Event.type == "add_to_cart", 2), else_=1)
        )
        with self.session() as s:
            rows = s.execute(
                select(Event.product_id, weight.label("w"))
                .group_by(Event.product_id)
                .order_by(weight.desc(), Event.product_id)
                .limit(limit)
            ).all()
        return [r[0] for r in rows]

    def replace_history(
        self,
        users: Sequence[tuple[str, str, str]],
        events: Sequence[EventRecord],
        orders: Sequence[Order],
    ) -> None:
        """Replace these users' events and orders in one transaction (used to (re)load a demo shop)."""
        first_seen: dict[str, datetime] = {}
        for e in events:
            first_seen[e.user_id] = min(e.ts, first_seen.get(e.user_id, e.ts))
        ids = [u[0] for u in users]
        with self.session() as s, s.begin():
            s.execute(delete(Event).where(Event.user_id.in_(ids)))
            s.execute(delete(Order).where(Order.user_id.in_(ids)))
            for uid, name, email in users:
                s.merge(
                    User(id=uid, name=name, email=email, created_at=first_seen.get(uid, _EPOCH))
                )
            s.add_all(
                Event(user_id=e.user_id, product_id=e.product_id, type=e.type, ts=e.ts)
                for e in events
            )
            for o in orders:
                s.merge(o)

    # Q/A history ---------------------------------------------------------------
    def upsert_qa(self, pairs: Iterable[tuple[str, str, str, str | None, str]]) -> None:
        with self.session() as s, s.begin():
            for qid, q, a, pid, topic in pairs:
                s.merge(QAPair(id=qid, question=q, answer=a, product_id=pid, topic=topic))

    # orders --------------------------------------------------------------------
    def get_order(self, order_id: str) -> OrderRecord | None:
        with self.session() as s:
            o = s.get(Order, order_id)
            return _order(o) if o else None

    def latest_order(self, user_id: str) -> OrderRecord | None:
        with self.session() as s:
            o = s.scalars(
                select(Order)
                .where(Order.user_id == user_id)
                .order_by(Order.created_at.desc())
                .limit(1)
            ).first()
            return _order(o) if o else None

    def set_order_status(self, order_id: str, expected: str, new: str) -> bool:
        """Move an order from `expected` to `new` status; False if it was not in `expected`."""
        with self.session() as s, s.begin():
            o = s.get(Order, order_id)
            if o is None or o.status != expected:
                return False
            o.status = new
            return True

    # conversations -------------------------------------------------------------
    def load_state(self, session_id: str) -> str | None:
        with self.session() as s:
            row = s.get(SessionState, session_id)
            return row.state if row else None

    def save_turn(
        self,
        session_id: str,
        user_id: str | None,
        handoff: str,
        state_json: str,
        messages: Sequence[tuple[str, str, dict[str, Any]]],
    ) -> None:
        """Persist the new dialogue state and the turn's messages (role, redacted text, meta) atomically."""
        with self.session() as s, s.begin():
            row = s.get(SessionState, session_id)
            if row is None:
                s.add(
                    SessionState(
                        session_id=session_id, user_id=user_id, handoff=handoff, state=state_json
                    )
                )
            else:
                row.user_id, row.handoff, row.state = user_id or row.user_id, handoff, state_json
                row.updated_at = datetime.now(UTC)
            for role, text, meta in messages:
                s.add(
                    Message(session_id=session_id, user_id=user_id, role=role, text=text, meta=meta)
                )

    def sessions_in_handoff(self) -> list[str]:
        with self.session() as s:
            return list(
                s.scalars(
                    select(SessionState.session_id)
                    .where(SessionState.handoff != "none")
                    .order_by(SessionState.updated_at)
                )
            )

    def messages_after(
        self, session_id: str, after_id: int, roles: Sequence[str]
    ) -> list[tuple[int, str, str]]:
        """(id, role, text) of the session's messages newer than `after_id`, of the given roles."""
        with self.session() as s:
            rows = s.scalars(
                select(Message)
                .where(
                    Message.session_id == session_id,
                    Message.id > after_id,
                    Message.role.in_(list(roles)),
                )
                .order_by(Message.id)
            ).all()
        return [(m.id, m.role, m.text) for m in rows]

    def last_message_id(self, session_id: str) -> int:
        """The id of the session's newest message (0 when it has none)."""
        with self.session() as s:
            found = s.scalar(select(func.max(Message.id)).where(Message.session_id == session_id))
        return int(found or 0)

    def transcript_meta(self, session_id: str) -> list[tuple[str, str, dict[str, Any]]]:
        with self.session() as s:
            rows = s.scalars(
                select(Message).where(Message.session_id == session_id).order_by(Message.id)
            ).all()
        return [(m.role, m.text, dict(m.meta or {})) for m in rows]

    def add_messages(
        self, rows: Sequence[tuple[str, str | None, str, str, dict[str, Any]]]
    ) -> None:
        """Append turns (session_id, user_id, role, redacted text, meta) in one transaction."""
        with self.session() as s, s.begin():
            for session_id, user_id, role, text, meta in rows:
                s.add(
                    Message(session_id=session_id, user_id=user_id, role=role, text=text, meta=meta)
                )

    def transcript(self, session_id: str) -> list[tuple[str, str]]:
        with self.session() as s:
            rows = s.scalars(
                select(Message).where(Message.session_id == session_id).order_by(Message.id)
            ).all()
        return [(m.role, m.text) for m in rows]

    def add_feedback(
        self,
        session_id: str,
        user_id: str | None,
        thumbs: str | None,
        csat: int | None,
        comment: str,
        message_id: int | None = None,
    ) -> int:
        """`message_id`: the reply the thumbs are about (None: the conversation as a whole)."""
        with self.session() as s, s.begin():
            fb = Feedback(
                session_id=session_id,
                user_id=user_id,
                thumbs=thumbs,
                csat=csat,
                comment=comment,
                message_id=message_id,
            )
            s.add(fb)
            s.flush()
            return int(fb.id)

    def add_training_pair(
        self, session_id: str, question: str, draft: str, answer: str, sources: list[str]
    ) -> int:
        with self.session() as s, s.begin():
            row = TrainingPair(
                session_id=session_id,
                question=question,
                draft=draft,
                answer=answer,
                sources=sources,
                edited=draft.strip() != answer.strip(),
            )
            s.add(row)
            s.flush()
            return int(row.id)

    def training_pairs(self) -> list[tuple[str, str, bool]]:
        """(question, approved answer, edited) in the order they were saved."""
        with self.session() as s:
            rows = s.scalars(select(TrainingPair).order_by(TrainingPair.id)).all()
        return [(r.question, r.answer, r.edited) for r in rows]

    def forget_user(self, user_id: str) -> dict[str, int]:
        """Erase a shopper's events, conversations, dialogue states, orders and account row (one transaction)."""
        with self.session() as s, s.begin():
            sessions = list(
                s.scalars(select(SessionState.session_id).where(SessionState.user_id == user_id))
            )
            statements = {
                "events": delete(Event).where(Event.user_id == user_id),
                "messages": delete(Message).where(
                    (Message.user_id == user_id) | Message.session_id.in_(sessions)
                ),
                "sessions": delete(SessionState).where(SessionState.user_id == user_id),
                "orders": delete(Order).where(Order.user_id == user_id),
                "training_pairs": delete(TrainingPair).where(TrainingPair.session_id.in_(sessions)),
                "feedback": delete(Feedback).where(
                    (Feedback.user_id == user_id) | Feedback.session_id.in_(sessions)
                ),
                "users": delete(User).where(User.id == user_id),
                "track_events": delete(TrackEvent).where(
                    (TrackEvent.user_id == user_id) | TrackEvent.session_id.in_(sessions)
                ),
            }
            counts = {}
            for name, stmt in statements.items():
                result: CursorResult[Any] = s.execute(stmt)  # type: ignore[assignment]
                counts[name] = int(result.rowcount or 0)
        return counts

    def table_counts(self) -> dict[str, int]:
        out = {}
        with self.session() as s:
            for model in (Product, User, Event, Order, QAPair, Message, Feedback):
                out[model.__tablename__] = int(
                    s.scalar(select(func.count()).select_from(model)) or 0
                )
        return out
