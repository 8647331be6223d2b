"""Retention analytics as pure functions over (shopper, time) activity: weekly cohorts and
their retention curves, DAU/WAU/MAU and DAU/MAU, repeat-purchase rate, time between visits.

Only counts and shares come out; shopper ids never leave this module.

    act = activity(Tracker(repo))
    for c in weekly_cohorts(act): print(c.week, c.size, c.retention)
    write_csv(path, cohort_rows(weekly_cohorts(act)))
"""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from growth.tracking import Tracker

ACTIVE_TYPES = ("visit", "view", "add_to_cart", "purchase", "chat_turn", "suggestion_click")
GAP_BUCKETS = ((1, 1), (2, 3), (4, 7), (8, 14), (15, 30), (31, 10_000))

Activity = Sequence[tuple[str, datetime]]


def activity(tracker: Tracker, types: Sequence[str] = ACTIVE_TYPES) -> list[tuple[str, datetime]]:
    """(shopper, when) of every event that shows a shopper was there."""
    return [(e.user_id, e.ts) for e in tracker.events(types=set(types)) if e.user_id]


def week_of(d: date) -> date:
    """The Monday of the ISO week."""
    return d - timedelta(days=d.weekday())


@dataclass(frozen=True)
class Cohort:
    week: date  # Monday of the week the shoppers were first seen
    size: int
    retention: tuple[float, ...]  # share active in week 0, 1, 2, ... (only observed weeks)


def weekly_cohorts(act: Activity, max_weeks: int = 12) -> list[Cohort]:
    """Shoppers grouped by the week they were first active; the share active k weeks later."""
    weeks: dict[str, set[date]] = defaultdict(set)
    for user, ts in act:
        weeks[user].add(week_of(ts.date()))
    if not weeks:
        return []
    last = max(w for ws in weeks.values() for w in ws)
    members: dict[date, list[set[date]]] = defaultdict(list)
    for ws in weeks.values():
        members[min(ws)].append(ws)
    out = []
    for start in sorted(members):
        group = members[start]
        observed = min(max_weeks, (last - start).days // 7 + 1)
        shares = tuple(
            sum(1 for ws in group if start + timedelta(weeks=k) in ws) / len(group)
            for k in range(observed)
        )
        out.append(Cohort(start, len(group), shares))
    return out


@dataclass(frozen=True)
class DayActive:
    day: date
    dau: int
    wau: int  # distinct shoppers in the 7 days ending that day
    mau: int  # distinct shoppers in the 30 days ending that day

    @property
    def stickiness(self) -> float:
        """DAU/MAU: the share of the month's shoppers who came that day."""
        return self.dau / self.mau if self.mau else 0.0


def active_users(act: Activity) -> list[DayActive]:
    """DAU, WAU and MAU for every day from the first to the last activity."""
    by_day: dict[date, set[str]] = defaultdict(set)
    for user, ts in act:
        by_day[ts.date()].add(user)
    if not by_day:
        return []
    first, last = min(by_day), max(by_day)
    out = []
    d = first
    while d <= last:

        def window(n: int, d: date = d) -> int:
            users: set[str] = set()
            for i in range(n):
                users |= by_day.get(d - timedelta(days=i), set())
            return len(users)

        out.append(DayActive(d, len(by_day.get(d, set())), window(7), window(30)))
        d += timedelta(days=1)
    return out


def repeat_purchase_rate(purchases: Activity) -> tuple[int, int, float]:
    """(buyers who bought on two or more days, buyers, their share)."""
    days: dict[str, set[date]] = defaultdict(set)
    for user, ts in purchases:
        days[user].add(ts.date())
    buyers = len(days)
    repeat = sum(1 for ds in days.values() if len(ds) >= 2)
    return repeat, buyers, repeat / buyers if buyers else 0.0


@dataclass(frozen=True)
class VisitGaps:
    gaps: int  # returns counted
    median_days: float
    mean_days: float
    histogram: tuple[tuple[str, int], ...]  # ("1 day", n), ("2-3 days", n), ...


def time_between_visits(act: Activity) -> VisitGaps:
    """Days between a shopper's consecutive active days, over all shoppers."""
    days: dict[str, set[date]] = defaultdict(set)
    for user, ts in act:
        days[user].add(ts.date())
    gaps = []
    for ds in days.values():
        ordered = sorted(ds)
        gaps += [(b - a).days for a, b in pairwise(ordered)]
    hist = tuple(
        (
            f"{lo:02d} day"
            if lo == hi == 1
            else (f"{lo}+ days" if hi > 1000 else f"{lo:02d}-{hi:02d} days"),
            sum(1 for g in gaps if lo <= g <= hi),
        )
        for lo, hi in GAP_BUCKETS
    )
    if not gaps:
        return VisitGaps(0, 0.0, 0.0, hist)
    return VisitGaps(len(gaps), float(statistics.median(gaps)), statistics.fmean(gaps), hist)


def cohort_rows(cohorts: Iterable[Cohort]) -> list[dict[str, Any]]:
    """One CSV row per cohort: week, size, week_0 ... week_n retention."""
    rows = []
    for c in cohorts:
        row: dict[str, Any] = {"cohort_week": c.week.isoformat(), "shoppers": c.size}
        row |= {f"week_{k}": round(r, 4) for k, r in enumerate(c.retention)}
        rows.append(row)
    return rows


def active_rows(days: Iterable[DayActive]) -> list[dict[str, Any]]:
    return [asdict(d) | {"day": d.day.isoformat(), "dau_mau": round(d.stickiness, 4)} for d in days]


def write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> int:
    """Write rows (columns: the union of keys, in first-seen order) atomically."""
    columns: list[str] = []
    for r in rows:
        columns += [k for k in r if k not in columns]
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)
    return len(rows)
