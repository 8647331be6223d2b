"""The A/B report of one experiment: per-variant metrics, intervals, tests and verdicts.

Shoppers count from their first exposure; only what they did afterwards counts.

| metric | unit | test |
|---|---|---|
| suggestion click-through | clicks / impressions | cluster bootstrap over shoppers |
| add-to-cart rate, conversion | shoppers who carted / bought | two-proportion z-test |
| resolved without a person | chat sessions with no handoff | cluster bootstrap over shoppers |
| thumbs-up rate | up / (up + down) | cluster bootstrap over shoppers |
| 7- and 30-day return | shoppers active again on a later calendar day less than N days after the exposure day, among those whose N days have passed | two-proportion z-test |
| guardrails: handoff rate, complaint rate | chat sessions handed off / with a complaint | cluster bootstrap; higher is worse |

    report = experiment_report(store, "suggestions")
    print(report.summary); json.dumps(report.to_dict())
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from growth.experiments import Experiment, ExperimentStore
from growth.stats import (
    ratio_bootstrap_ci,
    ratio_ci,
    two_proportion_ztest,
    verdict,
    wilson_interval,
)
from growth.tracking import TrackRecord

ACTIVE = {"visit", "view", "add_to_cart", "purchase", "chat_turn", "suggestion_click"}
RETURN_WINDOWS = (7, 30)


@dataclass(frozen=True)
class VariantFigure:
    variant: str
    num: float
    den: float
    rate: float
    ci: tuple[float, float]


@dataclass(frozen=True)
class Comparison:
    variant: str  # compared with the control
    diff: float
    ci: tuple[float, float]
    p_value: float
    significant: bool
    verdict: str
    test: str


@dataclass(frozen=True)
class MetricResult:
    key: str
    label: str
    guardrail: bool
    higher_is_better: bool
    figures: list[VariantFigure]
    comparisons: list[Comparison]


@dataclass(frozen=True)
class ExperimentReport:
    experiment: str
    control: str
    variants: list[str]
    exposed: dict[str, int]
    data_end: str
    alpha: float
    metrics: list[MetricResult] = field(default_factory=list)

    def metric(self, key: str) -> MetricResult:
        return next(m for m in self.metrics if m.key == key)

    @property
    def summary(self) -> str:
        lines = [
            f"Experiment {self.experiment}: "
            + ", ".join(f"{v} {n} shoppers" for v, n in self.exposed.items())
        ]
        for m in self.metrics:
            for c in m.comparisons:
                prefix = "guardrail · " if m.guardrail else ""
                lines.append(f"- {prefix}{c.verdict}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"summary": self.summary}


@dataclass
class _User:
    t0: datetime
    impressions: int = 0
    clicks: int = 0
    carted: bool = False
    bought: bool = False
    sessions: set[str] = field(default_factory=set)
    handed_sessions: set[str] = field(default_factory=set)
    complaint_sessions: set[str] = field(default_factory=set)
    up: int = 0
    down: int = 0
    active_ts: list[datetime] = field(default_factory=list)


def _collect(exp: Experiment, events: list[TrackRecord]) -> dict[str, dict[str, _User]]:
    first: dict[str, tuple[datetime, str]] = {}
    for e in events:
        if (
            e.type == "exposure"
            and e.experiment == exp.name
            and e.user_id
            and e.variant
            and (e.user_id not in first or e.ts < first[e.user_id][0])
        ):
            first[e.user_id] = (e.ts, e.variant)
    users: dict[str, dict[str, _User]] = {v: {} for v in exp.variants}
    for uid, (t0, v) in first.items():
        if v in users:
            users[v][uid] = _User(t0)
    by_id = {uid: u for group in users.values() for uid, u in group.items()}
    for e in events:
        u = by_id.get(e.user_id or "")
        if u is None or e.ts < u.t0:
            continue
        t = e.type
        if t == "suggestion_impression":
            u.impressions += 1
        elif t == "suggestion_click":
            u.clicks += 1
        elif t == "add_to_cart":
            u.carted = True
        elif t == "purchase":
            u.bought = True
        elif t == "chat_turn" and e.session_id:
            u.sessions.add(e.session_id)
        elif t == "handoff" and e.session_id:
            u.handed_sessions.add(e.session_id)
        elif t == "complaint" and e.session_id:
            u.complaint_sessions.add(e.session_id)
        elif t == "thumbs_up":
            u.up += 1
        elif t == "thumbs_down":
            u.down += 1
        if t in ACTIVE:
            u.active_ts.append(e.ts)
    return users


def _returned(u: _User, days: int) -> bool:
    """Active again on a later calendar day, fewer than `days` days after the exposure day."""
    day0 = u.t0.date()
    return any(0 < (ts.date() - day0).days < days for ts in u.active_ts)


def _window_complete(u: _User, days: int, data_end: datetime) -> bool:
    return u.t0.date() + timedelta(days=days) <= data_end.date()


def _binary(
    key: str,
    label: str,
    exp: Experiment,
    groups: dict[str, list[bool]],
    alpha: float,
    guardrail: bool = False,
    higher_is_better: bool = True,
) -> MetricResult:
    figs = []
    for v in exp.variants:
        xs = groups[v]
        x, n = sum(xs), len(xs)
        figs.append(VariantFigure(v, x, n, x / n if n else 0.0, wilson_interval(x, n, 1 - alpha)))
    a = figs[0]
    comps = []
    for f in figs[1:]:
        t = two_proportion_ztest(int(a.num), int(a.den), int(f.num), int(f.den), 1 - alpha)
        comps.append(
            Comparison(
                f.variant,
                t.diff,
                t.ci,
                t.p_value,
                t.p_value < alpha and a.den > 0 and f.den > 0,
                verdict(
                    label,
                    t.rate_a,
                    t.rate_b,
                    t.ci,
                    t.p_value,
                    alpha,
                    higher_is_better,
                    a.variant,
                    f.variant,
                )
                if a.den and f.den
                else not_comparable(label, a, f),
                "two-proportion z-test",
            )
        )
    return MetricResult(key, label, guardrail, higher_is_better, figs, comps)


def not_comparable(label: str, a: VariantFigure, b: VariantFigure) -> str:
    empty = " and ".join(x.variant for x in (a, b) if not x.den)
    return (
        f"{label}: cannot be compared yet; {empty} had nothing to count (no cards shown, "
        "no chats, or no shopper whose window has passed)."
    )


def _ratio(
    key: str,
    label: str,
    exp: Experiment,
    groups: dict[str, list[tuple[float, float]]],
    alpha: float,
    seed: int,
    guardrail: bool = False,
    higher_is_better: bool = True,
) -> MetricResult:
    figs = []
    for v in exp.variants:
        num = sum(x for x, _ in groups[v])
        den = sum(d for _, d in groups[v])
        rate = num / den if den else 0.0
        ci = ratio_ci([x for x, _ in groups[v]], [d for _, d in groups[v]], 2000, 1 - alpha, seed)
        figs.append(VariantFigure(v, num, den, rate, ci))
    a = figs[0]
    comps = []
    for f in figs[1:]:
        ga, gb = groups[a.variant], groups[f.variant]
        if not ga or not gb or a.den == 0 or f.den == 0:
            lo, hi, p = -1.0, 1.0, 1.0
        else:
            lo, hi, p = ratio_bootstrap_ci(
                [x for x, _ in ga],
                [d for _, d in ga],
                [x for x, _ in gb],
                [d for _, d in gb],
                confidence=1 - alpha,
                seed=seed,
            )
        comps.append(
            Comparison(
                f.variant,
                f.rate - a.rate,
                (lo, hi),
                p,
                p < alpha,
                verdict(
                    label,
                    a.rate,
                    f.rate,
                    (lo, hi),
                    p,
                    alpha,
                    higher_is_better,
                    a.variant,
                    f.variant,
                )
                if a.den and f.den
                else not_comparable(label, a, f),
                "cluster bootstrap over shoppers (2000 resamples)",
            )
        )
    return MetricResult(key, label, guardrail, higher_is_better, figs, comps)


def build_report(
    exp: Experiment,
    events: list[TrackRecord],
    data_end: datetime,
    alpha: float = 0.05,
    seed: int = 0,
) -> ExperimentReport:
    """The report from a list of tracked events (pure: no database)."""
    users = _collect(exp, events)
    v = exp.variants
    metrics = [
        _ratio(
            "suggestion_ctr",
            "Suggestion click-through",
            exp,
            {k: [(u.clicks, u.impressions) for u in users[k].values() if u.impressions] for k in v},
            alpha,
            seed,
        ),
        _binary(
            "add_to_cart_rate",
            "Add-to-cart rate",
            exp,
            {k: [u.carted for u in users[k].values()] for k in v},
            alpha,
        ),
        _binary(
            "conversion",
            "Conversion (bought)",
            exp,
            {k: [u.bought for u in users[k].values()] for k in v},
            alpha,
        ),
        _ratio(
            "resolved_without_person",
            "Chats resolved without a person",
            exp,
            {
                k: [
                    (len(u.sessions - u.handed_sessions), len(u.sessions))
                    for u in users[k].values()
                    if u.sessions
                ]
                for k in v
            },
            alpha,
            seed,
        ),
        _ratio(
            "thumbs_up_rate",
            "Thumbs-up rate",
            exp,
            {k: [(u.up, u.up + u.down) for u in users[k].values() if u.up + u.down] for k in v},
            alpha,
            seed,
        ),
    ]
    for days in RETURN_WINDOWS:
        metrics.append(
            _binary(
                f"return_{days}d",
                f"{days}-day return rate",
                exp,
                {
                    k: [
                        _returned(u, days)
                        for u in users[k].values()
                        if _window_complete(u, days, data_end)
                    ]
                    for k in v
                },
                alpha,
            )
        )
    for key, label, bad in (
        ("handoff_rate", "Handoff rate (guardrail)", lambda u: u.handed_sessions),
        ("complaint_rate", "Complaint rate (guardrail)", lambda u: u.complaint_sessions),
    ):
        metrics.append(
            _ratio(
                key,
                label,
                exp,
                {
                    k: [
                        (len(bad(u) & u.sessions), len(u.sessions))
                        for u in users[k].values()
                        if u.sessions
                    ]
                    for k in v
                },
                alpha,
                seed,
                guardrail=True,
                higher_is_better=False,
            )
        )
    return ExperimentReport(
        exp.name,
        exp.control,
        list(v),
        {k: len(users[k]) for k in v},
        data_end.isoformat(),
        alpha,
        metrics,
    )


def experiment_report(
    store: ExperimentStore,
    name: str,
    data_end: datetime | None = None,
    alpha: float = 0.05,
) -> ExperimentReport:
    """The report of a stored experiment over every tracked event; KeyError if unknown."""
    exp = store.get(name)
    if exp is None:
        raise KeyError(name)
    return build_report(exp, store.tracker.events(), data_end or datetime.now(UTC), alpha)
