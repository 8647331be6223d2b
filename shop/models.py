"""SQLAlchemy tables of the shop. SQLite by default, any SQLAlchemy URL (PostgreSQL) works."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    inspect,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

EVENT_TYPES = ("view", "add_to_cart", "purchase")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(300), default="", index=True)
    brand: Mapped[str] = mapped_column(String(120), default="")
    price: Mapped[float | None] = mapped_column(Float, nullable=True)  # None: not in the export
    stock: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: not tracked
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sku: Mapped[str] = mapped_column(String(120), default="", index=True)
    sale_price: Mapped[float | None] = mapped_column(Float, nullable=True)
    variants: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    links: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    images: Mapped[list[str]] = mapped_column(JSON, default=list)
    url: Mapped[str] = mapped_column(String(1000), default="")
    # False: hidden from the shop's catalog and search (reachable by its own link only)
    listed: Mapped[bool | None] = mapped_column(Boolean, nullable=True, default=True)


def add_missing_columns(engine: Engine) -> None:
    """Columns added to the products table since a database was created, added in place
    (all nullable or defaulted), so an older shop database keeps working."""
    have = {c["name"] for c in inspect(engine).get_columns("products")}
    table = Product.__table__
    with engine.begin() as conn:
        for col in table.columns:
            if col.name in have:
                continue
            kind = col.type.compile(dialect=engine.dialect)
            default = " DEFAULT ''" if isinstance(col.type, String) else ""
            conn.exec_driver_sql(f"ALTER TABLE products ADD COLUMN {col.name} {kind}{default}")


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_user_ts", "user_id", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(128))
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    product_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    total: Mapped[float] = mapped_column(Float)


class QAPair(Base):
    """A question a shopper asked before and the answer a person gave."""

    __tablename__ = "qa_pairs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    product_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    topic: Mapped[str] = mapped_column(String(64), default="")


class Message(Base):
    """One turn of a conversation; text is stored redacted."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_session", "session_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    role: Mapped[str] = mapped_column(String(16))  # shopper | bot
    text: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SessionState(Base):
    """The dialogue state of one chat session, as JSON (see bot.state.DialogueState)."""

    __tablename__ = "sessions"

    session_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    handoff: Mapped[str] = mapped_column(String(16), default="none", index=True)
    state: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Feedback(Base):
    """A shopper's thumbs, CSAT score or comment on a reply or a whole conversation."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(128), index=True)
    user_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    thumbs: Mapped[str | None] = mapped_column(String(8), nullable=True)  # up | down
    csat: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 1..5
    comment: Mapped[str] = mapped_column(Text, default="")  # redacted
    message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TrainingPair(Base):
    """A shopper question with the reply a person approved (possibly edited from the bot's
    draft): training data for `shopmate finetune`. Stored redacted."""

    __tablename__ = "training_pairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(128), index=True)
    question: Mapped[str] = mapped_column(Text)
    draft: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    edited: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
