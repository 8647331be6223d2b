"""Sponsored slots: promoted products with a bid per click, a budget and a per-shopper cap.

A campaign's product is shown (labelled "Sponsored") only when it is relevant enough to
the shopper (relevance >= floor), in stock, under its daily cap for that shopper, with
budget left for one more click, and never while the conversation is a complaint, unhappy
or with a person. Eligible products rank by relevance x bid. Impressions and clicks are
tracked events; a click spends the bid (never more than what is left).

A click is paid only for an impression that was served: each impression shown to a
session carries a token (HMAC-SHA256 over campaign, session, a random impression id and
the time, with the shop's signing key), and a click counts once per token, from the same
session, within a day. Clicks without one are refused (`ClickRefused`), so a budget cannot
be drained by posting clicks. Bids and budgets are finite and positive.

    slots = SponsoredSlots(repo, relevance_floor=0.3, secret=load_signing_key(path))
    slots.create("tents-autumn", "p0042", bid=0.40, budget=50.0)
    picks = slots.pick("u0001", "s1", relevance={"p0042": 0.62})
    slots.click("tents-autumn", picks[0].token, "u0001", "s1")
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import os
import re
import secrets
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from growth.tracking import Tracker
from shop.growth_models import SponsoredCampaign, TrackEvent
from shop.models import Message, SessionState
from shop.repository import ProductRecord, ShopRepository

LABEL = "Sponsored"
CAMPAIGN_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
UNHAPPY = -0.3  # a shopper message at or below this sentiment blocks sponsored slots
TOKEN_TTL = timedelta(days=1)  # how long an impression's click may count


class SponsoredError(ValueError):
    """A campaign that cannot run; the message says what is accepted."""


class ClickRefused(PermissionError):
    """A click that is not paid: no valid impression token for this campaign and session."""


class ClickRepeated(ClickRefused):
    """The impression's click was already counted."""


def load_signing_key(path: Path) -> bytes:
    """The shop's signing key: read from `path`, or created there once (32 random bytes,
    readable by the owner only), so every worker of a server shares it. The wiring reads
    it once per shop (`build_growth` in shopmate/growth_wiring.py)."""
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return bytes.fromhex(path.read_text().strip())
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return bytes.fromhex(key)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def sign_impression(
    secret: bytes, campaign_id: str, session_id: str, nonce: str, at: datetime
) -> str:
    payload = json.dumps(
        {"c": campaign_id, "s": session_id, "n": nonce, "t": int(at.timestamp())},
        separators=(",", ":"),
    ).encode()
    mac = hmac.new(secret, payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(mac)}"


def read_impression(secret: bytes, token: str, now: datetime) -> dict[str, object]:
    """The token's payload, or ClickRefused when it is forged, malformed or too old."""
    try:
        body, mac = token.split(".")
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        given = base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4))
    except ValueError as e:
        raise ClickRefused("the impression token is malformed") from e
    if not hmac.compare_digest(hmac.new(secret, payload, hashlib.sha256).digest(), given):
        raise ClickRefused("the impression token is not one this shop issued")
    data = json.loads(payload)
    if now - datetime.fromtimestamp(int(data["t"]), UTC) > TOKEN_TTL:
        raise ClickRefused("the impression token has expired (clicks count within a day)")
    return dict(data)


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
    token: str | None = None  # for the click; only impressions served to a session get one


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
        self,
        repo: ShopRepository,
        tracker: Tracker | None = None,
        relevance_floor: float = 0.3,
        secret: bytes | None = None,
    ) -> None:
        if not -1.0 <= relevance_floor <= 1.0:
            raise ValueError(f"relevance_floor must be in [-1, 1], got {relevance_floor}")
        self.repo = repo
        self.tracker = tracker or Tracker(repo)
        self.floor = relevance_floor
        self.secret = secret or secrets.token_bytes(32)  # tokens then live as long as this object

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
        if not (math.isfinite(bid) and math.isfinite(budget)) or bid <= 0 or budget < bid:
            raise SponsoredError(
                "bid must be a finite number > 0 and budget a finite number of at least one "
                f"bid, got bid {bid}, budget {budget}"
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
                if (p := products.get(c.product_id)) is not None and p.offerable
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
        served = []
        for x in picks:
            nonce = secrets.token_hex(8)
            token = (
                sign_impression(self.secret, x.campaign_id, session_id, nonce, now)
                if session_id
                else None
            )
            served.append(
                SponsoredPick(x.campaign_id, x.product, x.relevance, x.score, x.label, token)
            )
            self.tracker.track(
                "sponsored_impression",
                user_id=user_id,
                session_id=session_id,
                product_id=x.product.id,
                props={
                    "campaign": x.campaign_id,
                    "relevance": round(x.relevance, 4),
                    "impression": nonce,
                },
                ts=now,
            )
        return served

    def click(
        self,
        campaign_id: str,
        token: str,
        user_id: str | None,
        session_id: str,
        now: datetime | None = None,
    ) -> tuple[Campaign, float]:
        """Count a click on an impression served to `session_id` (its `token`) and spend the
        bid (at most what is left); once per impression. Returns (campaign, charge).
        KeyError: no such campaign; ClickRefused / ClickRepeated: nothing is charged."""
        now = now or datetime.now(UTC)
        data = read_impression(self.secret, token, now)
        if data.get("c") != campaign_id or data.get("s") != session_id:
            raise ClickRefused("the impression token was issued for another campaign or session")
        nonce = str(data["n"])
        with self.repo.session() as s, s.begin():  # check and charge in one transaction
            c = s.get(SponsoredCampaign, campaign_id)
            if c is None:
                raise KeyError(campaign_id)
            earlier = s.scalars(
                select(TrackEvent.props).where(
                    TrackEvent.type == "sponsored_click", TrackEvent.session_id == session_id
                )
            ).all()
            if any((p or {}).get("impression") == nonce for p in earlier):
                raise ClickRepeated("this impression's click was already counted")
            charge = round(min(c.bid, max(0.0, c.budget - c.spent)), 4)
            c.spent = round(c.spent + charge, 4)
            campaign = _campaign(c)
            s.add(
                TrackEvent(
                    type="sponsored_click",
                    user_id=user_id,
                    session_id=session_id,
                    product_id=campaign.product_id,
                    value=charge,
                    props={"campaign": campaign_id, "impression": nonce},
                    ts=now,
                )
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
