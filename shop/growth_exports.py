"""The growth tables a merchandiser can download as CSV: counts and shares, never shopper ids.

rows = export_rows(repo, "cohorts")      # or active_users, demand, rising, sentiment
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from shop.demand import demand_by_week, rising
from shop.repository import ShopRepository
from shop.retention import active_rows, active_users, activity, cohort_rows, weekly_cohorts
from shop.sentiment_watch import negative_topics
from shop.tracking import Tracker

EXPORTS = ("cohorts", "active_users", "demand", "rising", "sentiment")


def export_rows(repo: ShopRepository, table: str) -> list[dict[str, Any]]:
    """Rows of one export table; ValueError names the accepted tables."""
    tracker = Tracker(repo)
    if table == "cohorts":
        return cohort_rows(weekly_cohorts(activity(tracker)))
    if table == "active_users":
        return active_rows(active_users(activity(tracker)))
    if table == "demand":
        return [asdict(r) | {"week": r.week.isoformat()} for r in demand_by_week(tracker, repo)]
    if table == "rising":
        return [asdict(r) | {"change": r.change} for r in rising(demand_by_week(tracker, repo))]
    if table == "sentiment":
        return [
            {
                "week": r.week.isoformat(),
                "topic": r.topic,
                "negative": r.negative,
                "total": r.total,
                "negative_share": round(r.share, 4),
            }
            for r in negative_topics(repo)
        ]
    raise ValueError(f"no export {table!r}; accepted: {', '.join(EXPORTS)}")
