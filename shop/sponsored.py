"""Sponsored slots: promoted products with a bid per click, a budget and a per-shopper cap.

A campaign's product is shown (labelled "Sponsored") only when it is relevant enough to
the shopper (relevance >= floor), in stock, under its daily cap for that shopper, with
budget left for one more click, and never while the conversation is a complaint, unhappy
or with a person. Eligible products rank by relevance x bid. Impressions and clicks are
tracked events; a click spends the bid (never more than what is left).

    slots = SponsoredSlots(repo, relevance_floor=0.3)
    slots.create("tents-autumn", "p0042", bid=0.40, budget=50.0)
    picks = slots.pick("u0001", "s1", relevance={"p0042": 0.62})
    slots.click("tents-autumn", "u0001", "s1")
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from shop.growth_models import SponsoredCampaign, TrackEvent
from shop.models import Message, SessionState
from shop.repository import ProductRecord, ShopRepository
from shop.tracking import Tracker

LABEL = "Sponsored"
CAMPAIGN_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
UNHAPPY = -0.3  # a shopper message at or below this sentiment blocks sponsored slots


class SponsoredError(ValueError):
    """A campaign that cannot run; the message says what is accepted."""


@dataclass(frozen=True)
class Campaign:
    id: str
    product_id: str
    bid: float
    budget: float
    spent: float
    cap_per_user_day: int
    status: str

    @property
    def remaining(self) -> float:
        return max(0.0, self.budget - self.spent)


@dataclass(frozen=True)
class SponsoredPick:
    campaign_id: str
    product: ProductRecord
    relevance: float
    score: float  # relevance x bid
    label: str = LABEL


@dataclass(frozen=True)
class CampaignFigures:
    campaign: Campaign
    impressions: int
    clicks: int

    @property
    def click_through(self) -> float:
        return self.clicks / self.impressions if self.impressions else 0.0


def _campaign(c: SponsoredCampaign) -> Campaign:
    return Campaign(c.id, c.product_id, c.bid, c.budget, c.spent, c.cap_per_user_day, c.status)


def session_blocks_ads(repo: ShopRepository, session_id: str | None) -> bool:
    """True while the conversation is with a person, or its last shopper message was a
    complaint or unhappy."""
    if not session_id:
        return False
    with repo.session() as s:
        state = s.get(SessionState, session_id)
        if state is not None and state.handoff != "none":
            return True
        meta = s.scalar(
            select(Message.meta)
            .where(Message.session_id == session_id, Message.role == "shopper")
            .order_by(Message.id.desc())
            .limit(1)
        )
    if not meta:
        return False
    score = meta.get("sentiment")
    return meta.get("intent") == "complaint" or (
        isinstance(score, int | float) and score <= UNHAPPY
    )


class SponsoredSlots:
    """Campaigns, the choice of sponsored products for a shopper, clicks and spend."""

    def __init__(
        self, repo: ShopRepository, tracker: Tracker | None = None, relevance_floor: float = 0.3
    ) -> None:
        if not -1.0 <= relevance_floor <= 1.0:
            raise ValueError(f"relevance_floor must be in [-1, 1], got {relevance_floor}")
        self.repo = repo
        self.tracker = tracker or Tracker(repo)
        self.floor = relevance_floor

    def create(
        self,
        campaign_id: str,
        product_id: str,
        bid: float,
        budget: float,
        cap_per_user_day: int = 3,
    ) -> Campaign:
        if not CAMPAIGN_ID.match(campaign_id):
            raise SponsoredError(
                f"campaign id {campaign_id!r}: 1-64 letters, digits, '.', '_' or '-'"
            )
        if bid <= 0 or budget < bid:
            raise SponsoredError(
                f"bid must be > 0 and budget at least one bid, got bid {bid}, budget {budget}"
            )
        if cap_per_user_day < 1:
            raise SponsoredError(f"cap_per_user_day must be >= 1, got {cap_per_user_day}")
        if self.repo.get_product(product_id) is None:
            raise SponsoredError(f"unknown product_id {product_id!r}")
        with self.repo.session() as s, s.begin():
            s.merge(
                SponsoredCampaign(
                    id=campaign_id,
                    product_id=product_id,
                    bid=bid,
                    budget=budget,
                    spent=0.0,
                    cap_per_user_day=cap_per_user_day,
                    status="active",
                )
            )
        return self.get(campaign_id)  # type: ignore[return-value]

    def get(self, campaign_id: str) -> Campaign | None:
        with self.repo.session() as s:
            c = s.get(SponsoredCampaign, campaign_id)
            return _campaign(c) if c else None

    def campaigns(self) -> list[Campaign]:
        with self.repo.session() as s:
            return [_campaign(c) for c in s.scalars(select(SponsoredCampaign).order_by("id"))]

    def set_status(self, campaign_id: str, status: str) -> Campaign:
        if status not in {"active", "paused"}:
            raise SponsoredError(f"status {status!r}; accepted: active, paused")
        with self.repo.session() as s, s.begin():
            c = s.get(SponsoredCampaign, campaign_id)
            if c is None:
                raise KeyError(campaign_id)
            c.status = status
            return _campaign(c)

    def _shown_today(self, viewer: str, now: datetime) -> Counter[str]:
        start = now - timedelta(days=1)
        with self.repo.session() as s:
            rows = s.scalars(
                select(TrackEvent.props).where(
                    TrackEvent.type == "sponsored_impression",
                    (TrackEvent.user_id == viewer) | (TrackEvent.session_id == viewer),
                    TrackEvent.ts >= start,
                )
            ).all()
        out: Counter[str] = Counter(str((props or {}).get("campaign")) for props in rows)
        return out

    def pick(
        self,
        user_id: str | None,
        session_id: str | None,
        relevance: Mapping[str, float],
        slots: int = 1,
        now: datetime | None = None,
    ) -> list[SponsoredPick]:
        """The sponsored products to show now (impressions logged); [] when none qualify."""
        if slots < 1:
            raise ValueError(f"slots must be >= 1, got {slots}")
        if session_blocks_ads(self.repo, session_id):
            return []
        now = now or datetime.now(UTC)
        viewer = user_id or session_id
        shown = self._shown_today(viewer, now) if viewer else Counter()
        live = [
            c
            for c in self.campaigns()
            if c.status == "active"
            and c.remaining >= c.bid
            and relevance.get(c.product_id, -1.0) >= self.floor
            and shown[c.id] < c.cap_per_user_day
        ]
        products = self.repo.get_products([c.product_id for c in live])
        ranked = sorted(
            (
                SponsoredPick(c.id, p, relevance[c.product_id], relevance[c.product_id] * c.bid)
                for c in live
                if (p := products.get(c.product_id)) is not None and p.in_stock
            ),
            key=lambda x: (-x.score, x.campaign_id),
        )
        picks, seen = [], set()
        for x in ranked:  # one slot per product even if two campaigns promote it
            if x.product.id not in seen:
                picks.append(x)
                seen.add(x.product.id)
            if len(picks) == slots:
                break
        for x in picks:
            self.tracker.track(
                "sponsored_impression",
                user_id=user_id,
                session_id=session_id,
                product_id=x.product.id,
                props={"campaign": x.campaign_id, "relevance": round(x.relevance, 4)},
                ts=now,
            )
        return picks

    def click(
        self, campaign_id: str, user_id: str | None, session_id: str | None
    ) -> tuple[Campaign, float]:
        """Record a click and spend the bid (at most what is left). Returns (campaign, charge)."""
        with self.repo.session() as s, s.begin():
            c = s.get(SponsoredCampaign, campaign_id)
            if c is None:
                raise KeyError(campaign_id)
            charge = round(min(c.bid, max(0.0, c.budget - c.spent)), 4)
            c.spent = round(c.spent + charge, 4)
            campaign = _campaign(c)
        self.tracker.track(
            "sponsored_click",
            user_id=user_id,
            session_id=session_id,
            product_id=campaign.product_id,
            props={"campaign": campaign_id},
            value=charge,
        )
        return campaign, charge

    def report(self) -> list[CampaignFigures]:
        counts: Counter[tuple[str, str]] = Counter()
        for e in self.tracker.events(types={"sponsored_impression", "sponsored_click"}):
            counts[(e.type, str(e.props.get("campaign")))] += 1
        return [
            CampaignFigures(
                c, counts[("sponsored_impression", c.id)], counts[("sponsored_click", c.id)]
            )
            for c in self.campaigns()
        ]
