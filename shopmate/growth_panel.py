"""The admin panel's growth figures, read from one shop for ui/growth_app.py's tabs.

Experiments (the A/B report, with the size each main rate needs), retention, demand and
sentiment as frames ready to plot, CSV exports, and a candidate policy's off-policy
estimate beside the live CTR. Each reads the shop itself or, with `simulation`, the last
`shopmate simulate` run. The UI is handed a `ShopGrowthFigures` and imports no shop code
(the import contracts in pyproject.toml).

    figures = ShopGrowthFigures(services)
    summary, returns, differences, comparisons = figures.experiment(False, "suggestions")
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from growth.ab_report import ExperimentReport, build_report
from growth.demand import demand_by_week, rising
from growth.exports import EXPORTS, export_rows
from growth.retention import (
    active_users,
    activity,
    repeat_purchase_rate,
    time_between_visits,
    weekly_cohorts,
    write_csv,
)
from growth.sample_size import required_per_arm
from growth.sentiment_watch import negative_topics
from growth.stats import p_text, wilson_interval
from growth.tracking import Tracker
from growth.wing import Growth
from shop.repository import ShopRepository
from shopmate.simulate import last_simulation
from shopmate.wiring import Services

SHORT = {
    "suggestion_ctr": "CTR",
    "add_to_cart_rate": "cart",
    "conversion": "bought",
    "resolved_without_person": "no person",
    "thumbs_up_rate": "thumbs up",
    "return_7d": "7d return",
    "return_30d": "30d return",
    "handoff_rate": "handoff",
    "complaint_rate": "complaint",
}
MIN_COHORT = 5  # smaller weekly cohorts are left out of the chart (they stay in the CSV)
SIZED = {"suggestion_ctr": "impressions", "conversion": "shoppers", "return_7d": "shoppers"}


def source(svc: Services, simulation: bool) -> tuple[Growth, datetime | None]:
    """The growth wing to read (the shop's, or the last simulation's database) and the end
    of its observed data (None: now)."""
    if simulation and (run := last_simulation(svc.settings.data_dir)):
        return svc.growth.elsewhere(run["database_url"]), datetime.fromisoformat(run["data_end"])
    return svc.growth, None


def report_frames(rep: ExperimentReport) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(return rates per variant, differences from the control per metric, comparisons)."""
    returns = pd.DataFrame(
        [
            {"bar": f"{m.key.split('_')[1]} {f.variant}", "rate": round(f.rate, 4)}
            for m in rep.metrics
            if m.key.startswith("return_")
            for f in m.figures
        ]
    )
    several = len(rep.variants) > 2
    diffs = pd.DataFrame(
        [
            {
                "metric": SHORT.get(m.key, m.key) + (f" ({c.variant})" if several else ""),
                "points": round(100 * c.diff, 1),
            }
            for m in rep.metrics
            for c in m.comparisons
        ]
    )
    comps = pd.DataFrame(
        [
            {
                "metric": m.label,
                "variant vs control": f"{c.variant} vs {rep.control}",
                "difference (points)": round(100 * c.diff, 1),
                "95% CI": f"{100 * c.ci[0]:+.1f} to {100 * c.ci[1]:+.1f}",
                "p": p_text(c.p_value),
                "verdict": c.verdict.split(": ", 2)[-1] if ": " in c.verdict else c.verdict,
            }
            for m in rep.metrics
            for c in m.comparisons
        ]
    )
    return returns, diffs, comps


def retention_frames(tracker: Tracker) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]:
    """(cohort curves, DAU/WAU/MAU, gaps histogram, summary text)."""
    act = activity(tracker)
    cohorts = weekly_cohorts(act)
    curves = pd.DataFrame(
        [
            {
                "weeks since first visit": k,
                "retained": round(r, 4),
                "cohort": f"{c.week.isoformat()} (n={c.size})",
            }
            for c in [c for c in cohorts if c.size >= MIN_COHORT][-8:]
            for k, r in enumerate(c.retention)
        ]
    )
    days = active_users(act)
    active = pd.DataFrame(
        [
            {"day": pd.Timestamp(d.day), "shoppers": n, "series": name}
            for d in days
            for name, n in (("DAU", d.dau), ("WAU", d.wau), ("MAU", d.mau))
        ]
        + [
            {
                "day": pd.Timestamp(d.day),
                "shoppers": round(100 * d.stickiness, 1),
                "series": "DAU/MAU %",
            }
            for d in days
        ]
    )
    gaps = time_between_visits(act)
    hist = pd.DataFrame([{"days between visits": k, "returns": n} for k, n in gaps.histogram])
    rep, buyers, share = repeat_purchase_rate(activity(tracker, ("purchase",)))
    last = days[-1] if days else None
    text = (
        f"**Repeat-purchase rate** {share:.1%} ({rep} of {buyers} buyers bought on two or more days) · "
        f"**time between visits** median {gaps.median_days:g} days, mean {gaps.mean_days:.1f} ({gaps.gaps} returns)"
        + (
            f" · **last day** DAU {last.dau}, WAU {last.wau}, MAU {last.mau}, DAU/MAU {last.stickiness:.2f}"
            if last
            else ""
        )
    )
    return curves, active, hist, text


def demand_frames(tracker: Tracker) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = demand_by_week(tracker, tracker.repo)
    top = [r for r in rising(rows) if r.level != "category"][:10]
    rising_df = pd.DataFrame(
        [{"wanted": r.label[:40], "this week": r.this_week, "change": r.change} for r in top]
    )
    cats = [r for r in rows if r.level == "category"]
    totals: dict[str, int] = {}
    for r in cats:
        totals[r.key] = totals.get(r.key, 0) + r.interest
    keep = set(sorted(totals, key=lambda k: -totals[k])[:5])
    weekly = pd.DataFrame(
        [
            {"week": r.week.isoformat(), "interest": r.interest, "category": r.label}
            for r in cats
            if r.key in keep
        ]
    )
    return rising_df, weekly


def sentiment_frame(repo: ShopRepository) -> pd.DataFrame:
    rows = [r for r in negative_topics(repo) if r.negative]
    return pd.DataFrame(
        [
            {"week": r.week.isoformat(), "negative share": round(r.share, 3), "topic": r.topic}
            for r in rows
        ]
    )


def size_lines(rep: ExperimentReport, lift: float = 0.10, power: float = 0.8) -> list[str]:
    """One line per main rate: the size per arm for a relative `lift`, and the share of it
    the smallest arm has."""
    out = []
    for key, unit in SIZED.items():
        m = next((m for m in rep.metrics if m.key == key), None)
        if m is None:
            continue
        base = m.figures[0].rate
        if not 0 < base < 1:
            out.append(f"{m.label}: no size yet (the control's rate is {base:.0%}).")
            continue
        ans = required_per_arm(base, lift, power, rep.alpha)
        have = min(f.den for f in m.figures)
        out.append(
            f"{m.label}: {ans.n:,} {unit} per arm to detect {lift:+.0%} on {100 * base:.2f}% "
            f"(power {power:.0%}); the smallest arm has {have:,.0f} ({have / ans.n:.0%} of enough)."
        )
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.3f}%"


def estimate_view(
    tracker: Tracker, logs: str, policy: str, on_policy: str, campaign: str = ""
) -> tuple[str, pd.DataFrame]:
    """(a sentence, a table: the live policy's observed CTR and the candidate's estimates);
    the shop's tracked cards (`tracker`) are read only when `logs` is empty."""
    from growth.bandit_logs import LogFormatError, impressions_from_events, load_obd
    from growth.candidate_policy import parse_policy
    from growth.offpolicy import estimate, subset

    empty = pd.DataFrame(columns=["policy", "figure", "CTR", "95% interval", "relative error"])
    try:
        if logs.strip():
            log = load_obd(Path(logs.strip()), campaign.strip() or None)
        else:
            types = {"suggestion_impression", "suggestion_click"}
            arms = impressions_from_events(tracker.events(types=types))
            if not arms:
                return "This shop has logged no suggestion cards yet.", empty
            log = arms["all"]
            log = subset(log, np.flatnonzero(np.isfinite(log.propensity)))
            if log.n == 0:
                return (
                    "No card carries a propensity: set SHOPMATE_SUGGESTION_EXPLORATION above 0, "
                    "or give an Open Bandit Dataset folder.",
                    empty,
                )
        truth = (
            load_obd(Path(on_policy.strip()), campaign.strip() or None)
            if on_policy.strip()
            else None
        )
        cand = parse_policy(policy.strip())
        res = estimate(log, cand.probs_at(log), cand.name, truth)
    except (LogFormatError, ValueError, OSError) as err:
        return f"**Cannot estimate:** {err}", empty
    live = wilson_interval(log.clicks, log.n)
    rows: list[dict[str, Any]] = [
        {
            "policy": f"live ({log.campaign} logs)",
            "figure": "observed",
            "CTR": _pct(res.logged_ctr),
            "95% interval": f"{_pct(live[0])} to {_pct(live[1])}",
            "relative error": "",
        }
    ]
    for k, e in res.estimators.items():
        rows.append(
            {
                "policy": res.policy,
                "figure": f"{k.upper()} estimate",
                "CTR": _pct(e.value),
                "95% interval": f"{_pct(e.ci[0])} to {_pct(e.ci[1])}",
                "relative error": f"{e.relative_error:.2f}" if e.relative_error is not None else "",
            }
        )
    if res.on_policy:
        rows.append(
            {
                "policy": res.policy,
                "figure": "observed (its own logs)",
                "CTR": _pct(res.on_policy.value),
                "95% interval": f"{_pct(res.on_policy.ci[0])} to {_pct(res.on_policy.ci[1])}",
                "relative error": "",
            }
        )
    text = (
        f"{res.n:,} logged impressions, {res.clicks} clicks; the weights amount to "
        f"{res.effective_n:,.0f} impressions. " + " ".join(res.notes)
    )
    return text, pd.DataFrame(rows)


class ShopGrowthFigures:
    """The growth tabs' figures for one shop's services (ui.growth_app.GrowthFigures)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def experiment_names(self, simulation: bool) -> list[str]:
        wing, _ = source(self.services, simulation)
        return [e.name for e in wing.experiments.all()]

    def experiment(
        self, simulation: bool, name: str
    ) -> tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame] | None:
        """(summary, return rates, differences, comparisons), or None for no such experiment."""
        wing, end = source(self.services, simulation)
        exp = wing.experiments.get(name)
        if exp is None:
            return None
        rep = build_report(exp, wing.tracker.events(), end or datetime.now(UTC))
        returns, diffs, table = report_frames(rep)
        head = f"**{rep.experiment}** · " + ", ".join(
            f"{v}: {n} shoppers" for v, n in rep.exposed.items()
        )
        lines = [
            f"- {'guardrail · ' if m.guardrail else ''}{c.verdict}"
            for m in rep.metrics
            for c in m.comparisons
        ]
        sizes = "\n".join(f"- {x}" for x in size_lines(rep))
        text = head + "\n\n" + "\n".join(lines) + "\n\n**Size for a 10% lift**\n\n" + sizes
        return text, returns, diffs, table

    def retention(self, simulation: bool) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]:
        wing, _ = source(self.services, simulation)
        return retention_frames(wing.tracker)

    def demand(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """(rising interest, weekly interest by category, negative sentiment by topic)."""
        wing = self.services.growth
        rising_df, weekly = demand_frames(wing.tracker)
        return rising_df, weekly, sentiment_frame(wing.repo)

    def export_tables(self) -> list[str]:
        return list(EXPORTS)

    def export_csv(self, table: str, simulation: bool) -> Path:
        wing, _ = source(self.services, simulation)
        path = Path(tempfile.mkdtemp(prefix="shopmate-export-")) / f"{table}.csv"
        write_csv(path, export_rows(wing, table))
        return path

    def estimate(
        self, logs: str, policy: str, on_policy: str, campaign: str = ""
    ) -> tuple[str, pd.DataFrame]:
        return estimate_view(self.services.growth.tracker, logs, policy, on_policy, campaign)
