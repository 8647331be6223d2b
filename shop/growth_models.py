"""Tables of the growth features: tracked events, experiments, sponsored campaigns, alerts.

They share `Base` with shop/models.py, so `ShopRepository.create_tables()` creates them
with the rest of the shop. Product-bound events (view, add_to_cart, purchase) stay in the
`events` table the recommender reads; everything else a shop tracks lands in
`track_events` (see growth/tracking.py for the one schema over both).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shop.models import Base, utcnow


class TrackEvent(Base):
    """One tracked event that is not a product view, cart or purchase."""

    __tablename__ = "track_events"
    __table_args__ = (
        Index("ix_track_type_ts", "type", "ts"),
        Index("ix_track_user_ts", "user_id", "ts"),
        Index("ix_track_experiment", "experiment", "variant"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    session_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    product_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    experiment: Mapped[str | None] = mapped_column(String(64), nullable=True)
    variant: Mapped[str | None] = mapped_column(String(64), nullable=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    props: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExperimentRow(Base):
    """An A/B experiment: variants with their allocation weights and optional targeting."""

    __tablename__ = "experiments"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    variants: Mapped[list[str]] = mapped_column(JSON)
    allocation: Mapped[list[float]] = mapped_column(JSON)
    targeting: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | stopped
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SponsoredCampaign(Base):
    """A promoted product: bid per click, total budget, daily impression cap per shopper."""

    __tablename__ = "sponsored_campaigns"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(64), index=True)
    bid: Mapped[float] = mapped_column(Float)  # paid per click
    budget: Mapped[float] = mapped_column(Float)  # total; the campaign stops when spent
    spent: Mapped[float] = mapped_column(Float, default=0.0)
    cap_per_user_day: Mapped[int] = mapped_column(Integer, default=3)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | paused
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
