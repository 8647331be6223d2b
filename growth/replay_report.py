"""The A/B report on logged impressions: click-through per arm and per slot with 95% Wilson
intervals, the difference from the control with its two-proportion z-test, a verdict in
plain words, and how far the data is from the size the test needs.

It returns the same `ExperimentReport` as growth/ab_report.py (so `experiments report` and
`experiments replay` print alike), plus the size answer. Units are impressions: the logs
name no shopper, so the test treats impressions as independent.

    arms = {"random": load_obd(Path("obd/random/all")), "bts": load_obd(Path("obd/bts/all"))}
    rep = replay_report(arms)
    rep.report.metric("suggestion_ctr").figures[0].num      # the control's raw clicks
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from growth.ab_report import Comparison, ExperimentReport, MetricResult, VariantFigure
from growth.bandit_logs import LoggedImpressions
from growth.sample_size import SizeAnswer, power_of, required_per_arm
from growth.stats import p_text, two_proportion_ztest, wilson_interval

SPARSE_CLICKS = 10  # fewer clicks than this in an arm: no verdict, whatever the p-value
DEFAULT_LIFT = 0.10  # the lift to size for when the data show none


@dataclass(frozen=True)
class ReplayReport:
    report: ExperimentReport
    size: SizeAnswer | None  # impressions per arm the test needs (None: no clicks at all)
    power: float  # the power the data have for the size's lift
    enough: float  # impressions in the smallest arm / impressions needed
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        r = self.report
        lines = [
            f"Replay {r.experiment}: "
            + ", ".join(f"{v} {n:,} impressions" for v, n in r.exposed.items())
        ]
        lines += [f"- {c.verdict}" for m in r.metrics for c in m.comparisons]
        return "\n".join(lines + [f"- {n}" for n in self.notes])

    def to_dict(self) -> dict[str, Any]:
        return self.report.to_dict() | {
            "size": asdict(self.size) if self.size else None,
            "power": self.power,
            "enough": self.enough,
            "notes": self.notes,
            "summary": self.summary,
        }


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def ctr_verdict(
    label: str, a: VariantFigure, b: VariantFigure, ci: tuple[float, float], p: float, alpha: float
) -> str:
    """One sentence that claims no more than the clicks allow: no verdict under
    SPARSE_CLICKS clicks in an arm, "no clear difference" when p >= alpha."""
    head = (
        f"{label}: {b.variant} {_pct(b.rate)} vs {a.variant} {_pct(a.rate)} "
        f"({100 * (b.rate - a.rate):+.2f} points, 95% CI {100 * ci[0]:+.2f} to {100 * ci[1]:+.2f}; "
        f"{p_text(p)}; {b.num:g} and {a.num:g} clicks)"
    )
    if min(a.num, b.num) < SPARSE_CLICKS:
        return f"{head}: too few clicks to tell (a verdict needs at least {SPARSE_CLICKS} per arm)."
    if p >= alpha:
        return f"{head}: no clear difference; the data fit no change as well as a change."
    word = "higher" if b.rate > a.rate else "lower"
    return f"{head}: {b.variant}'s click-through is {word}, and the difference is unlikely to be chance."


def _metric(key: str, label: str, counts: list[tuple[str, int, int]], alpha: float) -> MetricResult:
    figs = [
        VariantFigure(v, float(x), float(n), x / n if n else 0.0, wilson_interval(x, n, 1 - alpha))
        for v, x, n in counts
    ]
    a = figs[0]
    comps = []
    for f in figs[1:]:
        t = two_proportion_ztest(int(a.num), int(a.den), int(f.num), int(f.den), 1 - alpha)
        sparse = min(a.num, f.num) < SPARSE_CLICKS
        if not (a.den and f.den):
            text = f"{label}: cannot be compared; an arm has no impressions."
        else:
            text = ctr_verdict(label, a, f, t.ci, t.p_value, alpha)
        comps.append(
            Comparison(
                f.variant,
                t.diff,
                t.ci,
                t.p_value,
                bool(t.p_value < alpha and a.den and f.den and not sparse),
                text,
                "two-proportion z-test over impressions",
            )
        )
    return MetricResult(key, label, False, True, figs, comps)


def replay_report(
    arms: dict[str, LoggedImpressions],
    name: str = "replay",
    alpha: float = 0.05,
    power: float = 0.8,
    lift: float | None = None,
) -> ReplayReport:
    """The report of logged arms, the first one the control. `lift`: the relative change to
    size the test for (default: the one observed, else 10%)."""
    if len(arms) < 2:
        raise ValueError(f"a replay needs at least two arms, got {len(arms)}: {list(arms)}")
    names = list(arms)
    overall = [(v, arms[v].clicks, arms[v].n) for v in names]
    metrics = [_metric("suggestion_ctr", "Suggestion click-through", overall, alpha)]
    slots = max(log.n_positions for log in arms.values())
    for k in range(slots):
        per = [
            (v, int(arms[v].click[arms[v].position == k].sum()), int((arms[v].position == k).sum()))
            for v in names
        ]
        metrics.append(_metric(f"ctr_slot_{k + 1}", f"Click-through, slot {k + 1}", per, alpha))
    report = ExperimentReport(
        name, names[0], names, {v: arms[v].n for v in names}, "", alpha, metrics
    )
    ctr = report.metric("suggestion_ctr").figures
    base = ctr[0].rate
    notes: list[str] = []
    size: SizeAnswer | None = None
    got_power, enough = 0.0, 0.0
    if 0 < base < 1:
        observed = max((f.rate / base - 1 for f in ctr[1:]), key=abs)
        use = lift if lift is not None else (observed if observed else DEFAULT_LIFT)
        try:
            size = required_per_arm(base, use, power, alpha)
        except ValueError as e:
            notes.append(f"no size: {e}")
        if size is not None:
            smallest = min(log.n for log in arms.values())
            got_power = power_of(smallest, smallest, size.baseline, size.target, alpha)
            enough = smallest / size.n
            which = "the lift asked for" if lift is not None else "the observed lift"
            notes.append(
                f"Size ({which}): {size.sentence('impressions')} The smallest arm has "
                f"{smallest:,} ({enough:.0%} of enough; power {got_power:.0%})."
                if enough >= 0.01
                else f"{smallest:,} ({enough:.2%} of enough; power {got_power:.0%})."
            )
    else:
        notes.append("no size: the control has no clicks (or only clicks) to size against.")
    return ReplayReport(report, size, got_power, enough, notes)
