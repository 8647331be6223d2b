"""Wire schemas of tracking, experiments and growth analytics (domain types live in shop/)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.schemas import HASH_PATTERN, ID_PATTERN, SaneTime

TRACKABLE = Literal[
    "visit",
    "view",
    "add_to_cart",
    "purchase",
    "suggestion_impression",
    "suggestion_click",
    "chat_turn",
    "handoff",
    "complaint",
    "out_of_stock_interest",
    "demand_query",
]


class TrackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: TRACKABLE = Field(
        ...,
        description="What happened (thumbs and CSAT: POST /v1/feedback; sponsored impressions "
        "and clicks are recorded by the server itself).",
    )
    user_id: str | None = Field(None, min_length=1, max_length=128, pattern=ID_PATTERN)
    user_hash: str | None = Field(
        None,
        pattern=HASH_PATTERN,
        description="hex HMAC-SHA256(identity secret, user_id); without a valid one the event "
        "is recorded for an anonymous stand-in, not for user_id.",
    )
    session_id: str | None = Field(None, min_length=1, max_length=128, pattern=ID_PATTERN)
    product_id: str | None = Field(None, min_length=1, max_length=64)
    value: float | None = Field(
        None, allow_inf_nan=False, description="A finite number that goes with it, if any."
    )
    props: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Up to 20 extra fields (strings up to 200 characters)."
    )
    ts: SaneTime | None = Field(
        None, description="When it happened (ISO 8601, 2000-01-01 to tomorrow); default now."
    )

    @field_validator("props")
    @classmethod
    def _small(cls, v: dict[str, str | int | float | bool]) -> dict[str, str | int | float | bool]:
        if len(v) > 20:
            raise ValueError(f"at most 20 props, got {len(v)}")
        long = [k for k, x in v.items() if len(k) > 64 or (isinstance(x, str) and len(x) > 200)]
        if long:
            raise ValueError(f"props keys up to 64 and values up to 200 characters: {long}")
        odd = [k for k, x in v.items() if isinstance(x, float) and not math.isfinite(x)]
        if odd:
            raise ValueError(f"props numbers must be finite (no NaN or Infinity): {odd}")
        big = [k for k, x in v.items() if isinstance(x, int) and abs(x) > 2**53]
        if big:
            raise ValueError(f"props integers must be within +/-2**53: {big}")
        return v


class TrackResponse(BaseModel):
    accepted: bool
    type: str
    ts: datetime


class ExperimentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., description="1-64 lowercase letters, digits, '-' or '_'.")
    variants: list[str] = Field(..., min_length=2, description="Control first.")
    allocation: list[float] = Field(default_factory=list, description="Weights; default equal.")
    traffic: float = Field(1.0, description="Share of shoppers in the experiment, (0, 1].")
    segment: Literal["all", "new", "returning"] = "all"
    description: str = Field("", max_length=500)


class ExperimentOut(BaseModel):
    name: str
    variants: list[str]
    allocation: list[float]
    traffic: float
    segment: str
    description: str
    status: str


class AssignmentOut(BaseModel):
    experiment: str
    user_id: str
    variant: str | None = Field(description="None: the shopper does not take part.")


class ReportOut(BaseModel):
    """The A/B report (see growth/ab_report.py for the metric definitions)."""

    experiment: str
    control: str
    variants: list[str]
    exposed: dict[str, int]
    data_end: str
    alpha: float
    metrics: list[dict[str, Any]]
    summary: str


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(..., min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    product_id: str = Field(..., min_length=1, max_length=64)
    bid: float = Field(
        ..., gt=0, allow_inf_nan=False, description="Paid per click: a finite number > 0."
    )
    budget: float = Field(
        ...,
        gt=0,
        allow_inf_nan=False,
        description="Total, a finite number of at least one bid; the campaign stops when it is spent.",
    )
    cap_per_user_day: int = Field(3, ge=1, le=100, description="Impressions per shopper per day.")


class CampaignOut(BaseModel):
    id: str
    product_id: str
    bid: float
    budget: float
    spent: float
    remaining: float
    cap_per_user_day: int
    status: str
    impressions: int = 0
    clicks: int = 0
    click_through: float = 0.0


class SponsoredOut(BaseModel):
    campaign_id: str
    label: Literal["Sponsored"]
    product_id: str
    title: str
    price: float | None  # null: the catalog lists no price
    category: str
    relevance: float
    token: str | None = Field(
        description="Send it with the click (POST /v1/sponsored/{campaign_id}/click); null "
        "when no session_id was given, as only impressions served to a session are paid."
    )


class SponsoredClick(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(
        ...,
        min_length=1,
        max_length=400,
        description="The token of the impression the shopper clicked (from GET /v1/sponsored).",
    )
    session_id: str = Field(
        ...,
        min_length=1,
        max_length=128,
        pattern=ID_PATTERN,
        description="The session the impression was served to.",
    )
    user_id: str | None = Field(None, min_length=1, max_length=128, pattern=ID_PATTERN)
    user_hash: str | None = Field(None, pattern=HASH_PATTERN)


class SponsoredClickOut(BaseModel):
    campaign_id: str
    charged: float
    remaining: float
