"""Tracking, experiments and growth analytics routes: thin, like api/routes.py.

Public: POST /v1/events/track (the one event schema), GET /v1/experiments/{name}/assignment.
Admin (bearer SHOPMATE_ADMIN_API_KEY): experiments CRUD and report, analytics CSV exports.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi import Path as PathParam
from fastapi.responses import Response

from api.auth import Admin, Caller, Svc
from api.identity import identify
from api.schemas import EARLIEST, HASH_PATTERN, ID_PATTERN
from api.schemas_growth import (
    AssignmentOut,
    CampaignIn,
    CampaignOut,
    ExperimentIn,
    ExperimentOut,
    ReportOut,
    SponsoredClick,
    SponsoredClickOut,
    SponsoredOut,
    TrackRequest,
    TrackResponse,
)
from growth.ab_report import experiment_report
from growth.experiments import Experiment, ExperimentError, from_dict
from growth.exports import EXPORTS, export_rows
from growth.sponsored import Campaign, CampaignFigures, ClickRefused, ClickRepeated, SponsoredError
from growth.tracking import TrackingError
from growth.wing import Growth
from shop.repository import UnknownProductError

router = APIRouter()
NamePath = Annotated[str, PathParam(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


def _wing(svc: Svc) -> Growth:
    """The shop's growth wing, with SHOPMATE_EXPERIMENTS_FILE saved on first use and whenever
    the file changes."""
    try:
        svc.growth.load_experiments_file()
    except (OSError, ExperimentError) as e:
        raise HTTPException(
            500, f"SHOPMATE_EXPERIMENTS_FILE {svc.growth.experiments_file}: {e}"
        ) from e
    return svc.growth


def _out(e: Experiment) -> ExperimentOut:
    return ExperimentOut(
        name=e.name,
        variants=list(e.variants),
        allocation=list(e.allocation),
        traffic=e.traffic,
        segment=e.segment,
        description=e.description,
        status=e.status,
    )


@router.post(
    "/v1/events/track",
    response_model=TrackResponse,
    status_code=201,
    tags=["events"],
    responses={422: {"description": "Unknown type or product, or a missing field"}},
)
def track(ev: TrackRequest, svc: Svc, access: Caller) -> TrackResponse:
    """Any tracked event: visits, views, suggestion impressions and clicks, carts, purchases,
    chat turns, handoffs, complaints, out-of-stock interest. Without a valid user_hash the
    event is recorded for an anonymous stand-in, never for the claimed user_id."""
    try:
        rec = _wing(svc).tracker.track(
            ev.type,
            user_id=identify(access, ev.user_id, ev.user_hash).event_id(),
            session_id=ev.session_id,
            product_id=ev.product_id,
            value=ev.value,
            props=dict(ev.props),
            ts=ev.ts,
        )
    except (TrackingError, UnknownProductError) as e:
        raise HTTPException(422, str(e)) from e
    return TrackResponse(accepted=True, type=rec.type, ts=rec.ts)


@router.get("/v1/experiments/{name}/assignment", response_model=AssignmentOut, tags=["experiments"])
def assignment(
    svc: Svc,
    name: NamePath,
    user_id: Annotated[str, Query(min_length=1, max_length=128, pattern=ID_PATTERN)],
    session_id: Annotated[str | None, Query(max_length=128, pattern=ID_PATTERN)] = None,
) -> AssignmentOut:
    """The shopper's variant (the same every time); the first call logs the exposure."""
    try:
        variant = _wing(svc).experiments.assign(name, user_id, session_id=session_id)
    except KeyError as e:
        raise HTTPException(404, f"no experiment {name!r}") from e
    return AssignmentOut(experiment=name, user_id=user_id, variant=variant)


@router.get(
    "/v1/admin/experiments",
    response_model=list[ExperimentOut],
    tags=["experiments"],
    dependencies=[Admin],
)
def list_experiments(svc: Svc) -> list[ExperimentOut]:
    return [_out(e) for e in _wing(svc).experiments.all()]


@router.post(
    "/v1/admin/experiments",
    response_model=ExperimentOut,
    status_code=201,
    tags=["experiments"],
    dependencies=[Admin],
)
def put_experiment(body: ExperimentIn, svc: Svc) -> ExperimentOut:
    """Create or replace an experiment (changing variants of a running one re-buckets shoppers)."""
    try:
        exp = from_dict(body.model_dump())
    except ExperimentError as e:
        raise HTTPException(422, str(e)) from e
    return _out(_wing(svc).experiments.save(exp))


@router.post(
    "/v1/admin/experiments/{name}/stop",
    response_model=ExperimentOut,
    tags=["experiments"],
    dependencies=[Admin],
)
def stop_experiment(svc: Svc, name: NamePath) -> ExperimentOut:
    try:
        return _out(_wing(svc).experiments.set_status(name, "stopped"))
    except KeyError as e:
        raise HTTPException(404, f"no experiment {name!r}") from e


@router.get(
    "/v1/admin/experiments/{name}/report",
    response_model=ReportOut,
    tags=["experiments"],
    dependencies=[Admin],
)
def report(
    svc: Svc,
    name: NamePath,
    until: Annotated[
        date | None, Query(description="End of the observed data (YYYY-MM-DD); default now.")
    ] = None,
) -> ReportOut:
    end = datetime.combine(until, time(), tzinfo=UTC) if until else None
    if end is not None and not EARLIEST <= end <= datetime.now(UTC) + timedelta(days=1):
        raise HTTPException(
            422, f"until {until}: accepted from 2000-01-01 to tomorrow (YYYY-MM-DD)"
        )
    try:
        rep = experiment_report(_wing(svc).experiments, name, data_end=end)
    except KeyError as e:
        raise HTTPException(404, f"no experiment {name!r}") from e
    return ReportOut(**rep.to_dict())


def csv_response(rows: list[dict[str, object]], filename: str) -> Response:
    buf = io.StringIO()
    columns: list[str] = []
    for r in rows:
        columns += [k for k in r if k not in columns]
    w = csv.DictWriter(buf, fieldnames=columns or ["empty"])
    w.writeheader()
    w.writerows(rows)
    return Response(
        buf.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/v1/admin/analytics/{table}.csv",
    tags=["analytics"],
    dependencies=[Admin],
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def analytics_csv(
    svc: Svc,
    table: Annotated[
        str,
        PathParam(description="cohorts | active_users | demand | rising | sentiment | sponsored"),
    ],
) -> Response:
    """Counts and shares only: no shopper ids."""
    if table not in EXPORTS:
        raise HTTPException(404, f"no table {table!r}; accepted: {', '.join(EXPORTS)}")
    return csv_response(export_rows(svc.growth, table), f"{table}.csv")


def _campaign_out(c: Campaign, f: CampaignFigures | None = None) -> CampaignOut:
    return CampaignOut(
        id=c.id,
        product_id=c.product_id,
        bid=c.bid,
        budget=c.budget,
        spent=c.spent,
        remaining=c.remaining,
        cap_per_user_day=c.cap_per_user_day,
        status=c.status,
        impressions=f.impressions if f else 0,
        clicks=f.clicks if f else 0,
        click_through=round(f.click_through, 4) if f else 0.0,
    )


@router.get("/v1/sponsored", response_model=list[SponsoredOut], tags=["sponsored"])
def sponsored(
    svc: Svc,
    access: Caller,
    user_id: Annotated[str | None, Query(max_length=128, pattern=ID_PATTERN)] = None,
    user_hash: Annotated[str | None, Query(pattern=HASH_PATTERN)] = None,
    session_id: Annotated[str | None, Query(max_length=128, pattern=ID_PATTERN)] = None,
    context: Annotated[str | None, Query(max_length=500)] = None,
    slots: Annotated[int, Query(ge=1, le=4)] = 1,
    exclude: Annotated[
        list[str] | None,
        Query(max_length=20, description="Products already on screen (never promoted twice)."),
    ] = None,
) -> list[SponsoredOut]:
    """Promoted products for this shopper, labelled "Sponsored": relevant enough, in stock,
    under their caps and budgets, never during a complaint or with a person. Each carries
    the token its click must send (only with a session_id)."""
    from bot.sponsored import sponsored_relevance

    user_id = identify(access, user_id, user_hash).user_id  # history only when verified
    s = _wing(svc).sponsored
    shown = set(exclude or ())
    live = [
        c.product_id for c in s.campaigns() if c.status == "active" and c.product_id not in shown
    ]
    rel = sponsored_relevance(svc.embedder, svc.store, svc.repo, user_id, context, live)
    return [
        SponsoredOut(
            campaign_id=x.campaign_id,
            label="Sponsored",
            product_id=x.product.id,
            title=x.product.title,
            price=x.product.current_price,
            category=x.product.category,
            relevance=round(x.relevance, 4),
            token=x.token,
        )
        for x in s.pick(user_id, session_id, rel, slots)
    ]


@router.post(
    "/v1/sponsored/{campaign_id}/click",
    response_model=SponsoredClickOut,
    tags=["sponsored"],
    responses={409: {"description": "This impression's click was already counted"}},
)
def sponsored_click(
    svc: Svc,
    access: Caller,
    campaign_id: Annotated[str, PathParam(min_length=1, max_length=64)],
    body: SponsoredClick,
) -> SponsoredClickOut:
    """A click on a sponsored card: paid once per impression served to this session (its
    token); anything else is refused and costs the campaign nothing."""
    user_id = identify(access, body.user_id, body.user_hash).user_id
    try:
        c, charge = _wing(svc).sponsored.click(campaign_id, body.token, user_id, body.session_id)
    except KeyError as e:
        raise HTTPException(404, f"no campaign {campaign_id!r}") from e
    except ClickRepeated as e:
        raise HTTPException(409, f"{e}; each impression is paid once") from e
    except ClickRefused as e:
        raise HTTPException(
            403,
            f"{e}; a click counts only with the token of an impression served to this "
            "session by GET /v1/sponsored",
        ) from e
    return SponsoredClickOut(campaign_id=c.id, charged=charge, remaining=c.remaining)


@router.get(
    "/v1/admin/sponsored",
    response_model=list[CampaignOut],
    tags=["sponsored"],
    dependencies=[Admin],
)
def sponsored_report(svc: Svc) -> list[CampaignOut]:
    """Every campaign with its impressions, clicks, click-through and spend."""
    return [_campaign_out(f.campaign, f) for f in _wing(svc).sponsored.report()]


@router.post(
    "/v1/admin/sponsored",
    response_model=CampaignOut,
    status_code=201,
    tags=["sponsored"],
    dependencies=[Admin],
)
def create_campaign(body: CampaignIn, svc: Svc) -> CampaignOut:
    try:
        c = _wing(svc).sponsored.create(
            body.id, body.product_id, body.bid, body.budget, body.cap_per_user_day
        )
    except SponsoredError as e:
        raise HTTPException(422, str(e)) from e
    return _campaign_out(c)


@router.post(
    "/v1/admin/sponsored/{campaign_id}/{move}",
    response_model=CampaignOut,
    tags=["sponsored"],
    dependencies=[Admin],
)
def move_campaign(
    svc: Svc,
    campaign_id: Annotated[str, PathParam(min_length=1, max_length=64)],
    move: Annotated[str, PathParam(pattern="^(pause|resume)$")],
) -> CampaignOut:
    try:
        c = _wing(svc).sponsored.set_status(campaign_id, "paused" if move == "pause" else "active")
    except KeyError as e:
        raise HTTPException(404, f"no campaign {campaign_id!r}") from e
    return _campaign_out(c)


@router.post("/v1/admin/sentiment/check", tags=["analytics"], dependencies=[Admin])
def sentiment_check(svc: Svc) -> dict[str, object]:
    """Topics whose recent negative share passes the thresholds; each posted once per window
    to SHOPMATE_ALERT_WEBHOOK_URL (when set)."""
    from dataclasses import asdict

    wing = svc.growth
    due = wing.due_alerts()
    sent = wing.check_alerts()
    return {
        "due": [asdict(a) for a in due],
        "posted": [a.topic for a in sent],
        "webhook": bool(wing.alerts.webhook_url),
    }
