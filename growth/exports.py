"""The growth tables a merchandiser can download as CSV: counts and shares, never shopper ids.

rows = export_rows(wing, "cohorts")   # or active_users, demand, rising, sentiment, sponsored
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from growth.demand import demand_by_week, rising
from growth.retention import active_rows, active_users, activity, cohort_rows, weekly_cohorts
from growth.sentiment_watch import negative_topics
from growth.wing import Growth

EXPORTS = ("cohorts", "active_users", "demand", "rising", "sentiment", "sponsored")


def export_rows(wing: Growth, table: str) -> list[dict[str, Any]]:
    """Rows of one export table of the wing's shop; ValueError names the accepted tables."""
    tracker, repo = wing.tracker, wing.repo
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
    if table == "sponsored":
        return [
            {
                "campaign": f.campaign.id,
                "product_id": f.campaign.product_id,
                "status": f.campaign.status,
                "impressions": f.impressions,
                "clicks": f.clicks,
                "click_through": round(f.click_through, 4),
                "bid": f.campaign.bid,
                "spent": f.campaign.spent,
                "budget": f.campaign.budget,
            }
            for f in wing.sponsored.report()
        ]
    raise ValueError(f"no export {table!r}; accepted: {', '.join(EXPORTS)}")
