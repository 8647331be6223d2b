"""Logged impressions of a suggestion policy: read from Open Bandit Dataset files or from the
shop's own tracked `suggestion_impression` / `suggestion_click` events.

One row per impression: the item shown, its slot (0-based), whether it was clicked and the
probability with which the logging policy showed that item in that slot (`propensity`).
The A/B replay (growth/replay_report.py) needs the first three; off-policy estimates
(growth/offpolicy.py) need all four, and the user and item features for the reward model.

    log = load_obd(Path("obd/random/all"))          # the folder holding all.csv
    log.clicks, log.n, log.n_items, log.n_positions
    arms = impressions_from_events(tracker.events(), experiment="suggestions")

OBD layout (Saito et al., NeurIPS 2021): `<campaign>.csv` with `item_id, position (1-based),
click, propensity_score, user_feature_*`, `user-item_affinity_<item>`, beside
`item_context.csv` with `item_id, item_feature_*`. Campaign name, item count and slot count
are read from the files, never assumed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from growth.tracking import TrackRecord

REQUIRED = ("item_id", "position", "click", "propensity_score")
ITEM_CONTEXT = "item_context.csv"


class LogFormatError(ValueError):
    """Logs that cannot be read; the message says what is accepted."""


@dataclass(frozen=True)
class LoggedImpressions:
    campaign: str
    item_ids: np.ndarray  # (n_items,) the item labels; `action` indexes into it
    action: np.ndarray  # (n,) int, the item shown
    position: np.ndarray  # (n,) int, 0-based slot
    click: np.ndarray  # (n,) int 0/1
    propensity: np.ndarray  # (n,) float; NaN where the logging policy did not record it
    user_features: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=object))
    affinity: np.ndarray | None = None  # (n, n_items) user-item affinity, when logged
    item_numeric: np.ndarray | None = None  # (n_items, p) numeric item features
    item_categorical: np.ndarray | None = None  # (n_items, q) categorical item features
    n_positions_hint: int = 0  # slots on the page, when known beyond the observed ones

    @property
    def n(self) -> int:
        return int(self.action.size)

    @property
    def n_items(self) -> int:
        return int(self.item_ids.size)

    @property
    def n_positions(self) -> int:
        seen = int(self.position.max()) + 1 if self.n else 0
        return max(seen, self.n_positions_hint)

    @property
    def clicks(self) -> int:
        return int(self.click.sum())

    @property
    def has_propensities(self) -> bool:
        return bool(self.n) and bool(np.all(np.isfinite(self.propensity) & (self.propensity > 0)))


def _campaign_csv(path: Path, campaign: str | None) -> Path:
    accepted = (
        "a campaign CSV in the Open Bandit Dataset format (item_id, position, click, "
        "propensity_score, user_feature_*), the folder holding it beside item_context.csv, "
        "or a policy folder of campaign folders with --campaign NAME"
    )
    if not path.exists():
        raise LogFormatError(f"{path}: no such file or folder; expected {accepted}")
    if path.is_file():
        if path.suffix.lower() != ".csv":
            raise LogFormatError(f"{path}: not a .csv; expected {accepted}")
        return path
    if campaign:
        for cand in (path / f"{campaign}.csv", path / campaign / f"{campaign}.csv"):
            if cand.is_file():
                return cand
        raise LogFormatError(
            f"{path}: no {campaign}.csv here or in {campaign}/; expected {accepted}"
        )
    csvs = sorted(p for p in path.glob("*.csv") if p.name != ITEM_CONTEXT)
    if len(csvs) == 1:
        return csvs[0]
    subs = sorted(p.name for p in path.iterdir() if p.is_dir() and (p / f"{p.name}.csv").is_file())
    if csvs:
        names = ", ".join(p.stem for p in csvs)
        raise LogFormatError(f"{path}: several campaign files ({names}); name one with --campaign")
    if subs:
        raise LogFormatError(
            f"{path}: campaign folders {', '.join(subs)}; name one with --campaign (or give its folder)"
        )
    raise LogFormatError(f"{path}: no campaign CSV; expected {accepted}")


def load_obd(path: Path, campaign: str | None = None) -> LoggedImpressions:
    """One campaign's logs in the Open Bandit Dataset format (see the module docstring)."""
    import pandas as pd

    csv = _campaign_csv(Path(path), campaign)
    try:
        df = pd.read_csv(csv, index_col=0)
    except (ValueError, pd.errors.ParserError) as e:
        raise LogFormatError(f"{csv}: not a readable CSV: {e}") from e
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise LogFormatError(
            f"{csv}: missing column(s) {missing}; an OBD log has {', '.join(REQUIRED)}, "
            "user_feature_* and optionally user-item_affinity_*"
        )
    if not set(np.unique(df["click"])) <= {0, 1}:
        raise LogFormatError(f"{csv}: click must be 0 or 1")
    items_ctx = None
    ctx_path = csv.parent / ITEM_CONTEXT
    if ctx_path.is_file():
        items_ctx = pd.read_csv(ctx_path, index_col=0).sort_values("item_id")
    affinity_cols = sorted(
        (c for c in df.columns if c.startswith("user-item_affinity_")),
        key=lambda c: int(c.rsplit("_", 1)[1]),
    )
    n_items = max(
        int(df["item_id"].max()) + 1,
        len(affinity_cols),
        int(items_ctx["item_id"].max()) + 1 if items_ctx is not None else 0,
    )
    if int(df["item_id"].min()) < 0:
        raise LogFormatError(f"{csv}: item_id must be 0..n_items-1")
    positions = np.sort(df["position"].unique())
    # OBD numbers slots from 1; map the sorted distinct values to 0..L-1 (as obp does)
    pos = np.searchsorted(positions, df["position"].to_numpy())
    user_cols = sorted(c for c in df.columns if c.startswith("user_feature_"))
    num_cols: list[str] = []
    cat_cols: list[str] = []
    if items_ctx is not None:
        for c in (c for c in items_ctx.columns if c.startswith("item_feature_")):
            (num_cols if pd.api.types.is_numeric_dtype(items_ctx[c]) else cat_cols).append(c)
        items_ctx = items_ctx.set_index("item_id").reindex(range(n_items))
    return LoggedImpressions(
        campaign=csv.stem,
        item_ids=np.arange(n_items),
        action=df["item_id"].to_numpy(dtype=np.int64),
        position=pos.astype(np.int64),
        click=df["click"].to_numpy(dtype=np.int64),
        propensity=df["propensity_score"].to_numpy(dtype=float),
        user_features=df[user_cols].astype(str).to_numpy(dtype=object),
        affinity=df[affinity_cols].to_numpy(dtype=float) if affinity_cols else None,
        item_numeric=items_ctx[num_cols].fillna(0.0).to_numpy(dtype=float)
        if items_ctx is not None and num_cols
        else None,
        item_categorical=items_ctx[cat_cols].astype(str).to_numpy(dtype=object)
        if items_ctx is not None and cat_cols
        else None,
        n_positions_hint=len(positions),
    )


@dataclass
class _Shown:
    arm: str
    item: str
    position: int
    propensity: float
    click: int = 0


def _propensity(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def impressions_from_events(
    records: Iterable[TrackRecord], experiment: str | None = None
) -> dict[str, LoggedImpressions]:
    """The shop's own cards as logged impressions, one log per arm.

    Arms are the variants of `experiment` (a shopper counts from their first exposure), or a
    single arm "all" without one. A `suggestion_click` is the click of the latest unclicked
    impression of the same product in the same session (else the same shopper) before it;
    clicks with no such impression are left out. The propensity is the card's
    `props["propensity"]` (NaN when the suggestion policy did not record it)."""
    recs = sorted(records, key=lambda r: r.ts)
    arm_of: dict[str, tuple[str, datetime]] = {}
    if experiment:
        for r in recs:
            if r.type == "exposure" and r.experiment == experiment and r.user_id and r.variant:
                arm_of.setdefault(r.user_id, (r.variant, r.ts))
    shown: list[_Shown] = []
    open_: dict[tuple[str, str], list[_Shown]] = defaultdict(list)
    for r in recs:
        if r.type not in {"suggestion_impression", "suggestion_click"} or not r.product_id:
            continue
        arm = "all"
        if experiment:
            got = arm_of.get(r.user_id or "")
            if got is None or r.ts < got[1]:
                continue
            arm = got[0]
        key = (arm, r.session_id or f"user:{r.user_id}")
        if r.type == "suggestion_impression":
            pos = r.props.get("position", 0)
            s = _Shown(
                arm,
                r.product_id,
                int(pos) if isinstance(pos, int | float | str) else 0,
                _propensity(r.props.get("propensity")),
            )
            shown.append(s)
            open_[key].append(s)
        else:
            for s in reversed(open_[key]):
                if s.item == r.product_id and not s.click:
                    s.click = 1
                    break
    out: dict[str, LoggedImpressions] = {}
    for arm in sorted({s.arm for s in shown}):
        mine = [s for s in shown if s.arm == arm]
        labels = np.array(sorted({s.item for s in mine}), dtype=object)
        index = {lab: i for i, lab in enumerate(labels)}
        out[arm] = LoggedImpressions(
            campaign=experiment or "shop",
            item_ids=labels,
            action=np.array([index[s.item] for s in mine], dtype=np.int64),
            position=np.array([s.position for s in mine], dtype=np.int64),
            click=np.array([s.click for s in mine], dtype=np.int64),
            propensity=np.array([s.propensity for s in mine], dtype=float),
        )
    return out
