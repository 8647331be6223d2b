"""Training recipe of a ranking policy from logged impressions: the click model of
growth/reward_model.py, fitted on one policy's logs, ranks items per user; the result can be
evaluated off-policy on another policy's logs (`--policy model:OUT`).

    out = train_log_policy(LogPolicyConfig(logs=Path("obd/bts/all"), out=Path("var/policy")))

Writes OUT/policy.json (the model's weights: items, slots, user-feature values, affinity),
OUT/config.json (this config) and OUT/metrics.json (impressions, clicks, held-out log loss
against the constant click rate, training seconds). Written to a temporary folder first and
renamed, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from growth.bandit_logs import load_obd
from growth.offpolicy import subset
from growth.reward_model import ClickModel


@dataclass
class LogPolicyConfig:
    logs: Path  # an OBD campaign folder or CSV (growth/bandit_logs.py)
    out: Path  # the artifact folder
    campaign: str | None = None  # when `logs` holds several campaigns
    c: float = 0.1  # inverse L2 strength of the logistic regression
    holdout: float = 0.2  # share of impressions kept out to report the log loss
    seed: int = 0


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())


def train_log_policy(cfg: LogPolicyConfig) -> Path:
    """Fit, report the held-out log loss, refit on everything, write the artifact."""
    if not 0.0 <= cfg.holdout < 1.0:
        raise ValueError(f"holdout must be in [0, 1), got {cfg.holdout}")
    started = time.monotonic()
    log = load_obd(cfg.logs, cfg.campaign)
    metrics: dict[str, float | int | str] = {
        "campaign": log.campaign,
        "impressions": log.n,
        "clicks": log.clicks,
    }
    if cfg.holdout > 0:
        perm = np.random.default_rng(cfg.seed).permutation(log.n)
        cut = round(log.n * (1 - cfg.holdout))
        train, test = subset(log, perm[:cut]), subset(log, perm[cut:])
        held = ClickModel.fit(train, cfg.c, cfg.seed)
        q = held.predict_all(test)[np.arange(test.n), test.action]
        base = np.full(test.n, train.clicks / train.n)
        metrics["holdout_log_loss"] = _log_loss(test.click, q)
        metrics["holdout_log_loss_constant"] = _log_loss(test.click, base)
    model = ClickModel.fit(log, cfg.c, cfg.seed)
    metrics["seconds"] = round(time.monotonic() - started, 2)
    cfg.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{cfg.out.name}-", dir=cfg.out.parent))
    try:
        model.save(tmp / "policy.json")
        config = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(cfg).items()}
        (tmp / "config.json").write_text(json.dumps(config, indent=2))
        clean = {k: v for k, v in metrics.items() if not isinstance(v, float) or math.isfinite(v)}
        (tmp / "metrics.json").write_text(json.dumps(clean, indent=2))
        if cfg.out.exists():
            shutil.rmtree(cfg.out)
        tmp.rename(cfg.out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return cfg.out
