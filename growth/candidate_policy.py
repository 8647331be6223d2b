"""Candidate suggestion policies to evaluate off-policy, as action probabilities per slot.

A policy answers `probs_at(log)`: for every logged impression i, the probability
pi_e(a | x_i, k_i) that it would show item a in that impression's slot k_i, an (n, n_items)
array whose rows sum to 1 (the Open Bandit Dataset convention: the reward of a slot depends
on the user, the item and the slot).

Specs (`shopmate experiments estimate --policy SPEC`):

- `bts:PRIORS_FILE:CAMPAIGN`: Bernoulli Thompson sampling with the Beta(alpha, beta) priors
  of that campaign (obp's `prior_bts.yaml` layout: `CAMPAIGN: {alpha: [...], beta: [...]}`,
  one entry per item). Each draw samples theta_a ~ Beta(alpha_a, beta_a), ranks the items by
  theta and gives slot k the k-th; P(item at slot k) by Monte Carlo over `n_sim` seeded draws.
- `model:PATH`: the ranking of a click model trained by shopmate on other logs
  (`shopmate experiments train-policy`, finetune/log_policy.py): slot k shows the item with
  the k-th highest predicted click probability for that user.

    policy = parse_policy("bts:prior_bts.yaml:all")
    pi = policy.probs_at(log)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from growth.bandit_logs import LoggedImpressions
from growth.reward_model import ClickModel

SPECS = "bts:PRIORS_FILE:CAMPAIGN (Thompson sampling with those priors) or model:PATH (a policy from `shopmate experiments train-policy`)"


class PolicySpecError(ValueError):
    """A policy spec that cannot be used; the message says what is accepted."""


class CandidatePolicy(Protocol):
    name: str

    def probs_at(self, log: LoggedImpressions) -> np.ndarray: ...


def load_priors(path: Path, campaign: str) -> tuple[np.ndarray, np.ndarray]:
    """(alpha, beta) of one campaign from a prior_bts.yaml-style file."""
    import yaml

    if not Path(path).is_file():
        raise PolicySpecError(f"priors file {path} not found; expected {SPECS}")
    try:
        data = yaml.safe_load(Path(path).read_text())
    except yaml.YAMLError as e:
        raise PolicySpecError(f"{path} is not valid YAML: {e}") from e
    if not isinstance(data, dict) or campaign not in data:
        have = ", ".join(map(str, data)) if isinstance(data, dict) else "none"
        raise PolicySpecError(f"{path}: no campaign {campaign!r}; campaigns there: {have}")
    entry = data[campaign]
    try:
        alpha = np.asarray(entry["alpha"], dtype=float)
        beta = np.asarray(entry["beta"], dtype=float)
    except (KeyError, TypeError, ValueError) as e:
        raise PolicySpecError(
            f"{path}: campaign {campaign!r} needs lists 'alpha' and 'beta' of numbers"
        ) from e
    if alpha.shape != beta.shape or alpha.ndim != 1 or (alpha <= 0).any() or (beta <= 0).any():
        raise PolicySpecError(
            f"{path}: campaign {campaign!r} needs positive 'alpha' and 'beta' of equal length"
        )
    return alpha, beta


def bts_action_dist(
    alpha: np.ndarray,
    beta: np.ndarray,
    n_positions: int,
    n_sim: int = 100_000,
    seed: int = 12345,
    batch: int = 10_000,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """(n_items, n_positions): P(item a at slot k) under Thompson sampling, by Monte Carlo.
    `progress(done)` is called after each batch of draws."""
    m = alpha.size
    if not 0 < n_positions <= m:
        raise ValueError(f"n_positions must be in 1..{m}, got {n_positions}")
    if n_sim <= 0:
        raise ValueError(f"n_sim must be > 0, got {n_sim}")
    rng = np.random.default_rng(seed)
    counts = np.zeros((m, n_positions))
    done = 0
    while done < n_sim:
        b = min(batch, n_sim - done)
        theta = rng.beta(alpha, beta, size=(b, m))
        top = np.argsort(-theta, axis=1, kind="stable")[:, :n_positions]
        for k in range(n_positions):
            counts[:, k] += np.bincount(top[:, k], minlength=m)
        done += b
        if progress:
            progress(done)
    return counts / n_sim


@dataclass
class ThompsonPolicy:
    name: str
    alpha: np.ndarray
    beta: np.ndarray
    n_sim: int = 100_000
    seed: int = 12345
    progress: Callable[[int], None] | None = None
    _dist: np.ndarray | None = None

    def action_dist(self, n_positions: int) -> np.ndarray:
        if self._dist is None or self._dist.shape[1] != n_positions:
            self._dist = bts_action_dist(
                self.alpha, self.beta, n_positions, self.n_sim, self.seed, progress=self.progress
            )
        return self._dist

    def probs_at(self, log: LoggedImpressions) -> np.ndarray:
        if self.alpha.size != log.n_items:
            raise PolicySpecError(
                f"{self.name}: the priors name {self.alpha.size} items, the logs {log.n_items}; "
                "use the priors of the logged campaign"
            )
        return self.action_dist(log.n_positions)[:, log.position].T


@dataclass
class ModelPolicy:
    name: str
    model: ClickModel

    def probs_at(self, log: LoggedImpressions) -> np.ndarray:
        known = set(self.model.item_ids)
        if not any(str(i) in known for i in log.item_ids):
            raise PolicySpecError(f"{self.name}: the model knows none of the logged items")
        logits = self.model.logits_all(log)  # the slot term is the same for every item
        ranked = np.argsort(-logits, axis=1, kind="stable")
        shown = ranked[np.arange(log.n), np.minimum(log.position, log.n_items - 1)]
        out = np.zeros((log.n, log.n_items))
        out[np.arange(log.n), shown] = 1.0
        return out


def parse_policy(
    spec: str,
    n_sim: int = 100_000,
    seed: int = 12345,
    progress: Callable[[int], None] | None = None,
) -> CandidatePolicy:
    """A policy from its spec (see the module docstring); PolicySpecError says what is accepted."""
    kind, _, rest = spec.partition(":")
    if kind == "bts":
        path, sep, campaign = rest.rpartition(":")
        if not sep or not path or not campaign:
            raise PolicySpecError(
                f"policy {spec!r}: write bts:PRIORS_FILE:CAMPAIGN; accepted: {SPECS}"
            )
        alpha, beta = load_priors(Path(path), campaign)
        return ThompsonPolicy(f"bts:{campaign}", alpha, beta, n_sim, seed, progress)
    if kind == "model":
        p = Path(rest)
        if p.is_dir():
            p = p / "policy.json"
        if not rest or not p.is_file():
            raise PolicySpecError(
                f"policy {spec!r}: no policy.json at {rest or '(empty path)'}; train one with "
                f"`shopmate experiments train-policy`; accepted: {SPECS}"
            )
        try:
            model = ClickModel.load(p)
        except (ValueError, TypeError, KeyError) as e:
            raise PolicySpecError(f"policy {spec!r}: {e}") from e
        return ModelPolicy(f"model:{p.parent.name}", model)
    raise PolicySpecError(f"policy {spec!r}: unknown kind {kind!r}; accepted: {SPECS}")
