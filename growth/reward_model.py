"""A click model on logged impressions: logistic regression on the user's features, the item
(its id and features), the slot and the user-item affinity, additive in the logit.

It is the reward model of the doubly robust estimate (growth/offpolicy.py) and the scorer of a
ranking policy trained on logs (finetune/log_policy.py). Being additive, it is stored as
blocks of weights and scores every (impression, item) pair without building the full design
matrix:

    logit(x, a, k) = b + user(x) + item(a) + slot(k) + w_aff * affinity(x, a)

    model = ClickModel.fit(log, c=0.1)
    q = model.predict_all(log)             # (n, n_items): P(click | x_i, a, k_i) for every a
    model.save(Path("policy.json")); ClickModel.load(Path("policy.json"))
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from growth.bandit_logs import LoggedImpressions


@dataclass(frozen=True)
class ClickModel:
    item_ids: list[str]  # the items `item_weight` belongs to, as strings
    n_positions: int
    intercept: float
    item_weight: list[float]  # per item: id, numeric and categorical features folded in
    slot_weight: list[float]  # per slot
    user_weight: list[dict[str, float]]  # per user-feature column: value -> weight
    affinity_weight: float

    @classmethod
    def fit(cls, log: LoggedImpressions, c: float = 0.1, seed: int = 0) -> ClickModel:
        """L2-regularised logistic regression (scikit-learn, lbfgs) on the logged impressions;
        `c` is the inverse regularisation strength."""
        from scipy import sparse
        from sklearn.linear_model import LogisticRegression

        if c <= 0:
            raise ValueError(f"c must be > 0, got {c}")
        if log.n == 0 or log.clicks == 0 or log.clicks == log.n:
            raise ValueError(
                f"a click model needs both clicks and non-clicks; the log has {log.clicks} of {log.n}"
            )
        n, m, big_l = log.n, log.n_items, log.n_positions
        vocabs = [sorted(set(log.user_features[:, j])) for j in range(log.user_features.shape[1])]
        blocks = [_onehot(log.action, m), _onehot(log.position, big_l)]
        item_feats = _item_matrix(log)
        if item_feats.shape[1]:
            blocks.append(sparse.csr_matrix(item_feats[log.action]))
        for j, vocab in enumerate(vocabs):
            idx = {v: i for i, v in enumerate(vocab)}
            blocks.append(_onehot(np.array([idx[v] for v in log.user_features[:, j]]), len(vocab)))
        aff = log.affinity[np.arange(n), log.action] if log.affinity is not None else np.zeros(n)
        blocks.append(sparse.csr_matrix(aff[:, None]))
        x = sparse.hstack(blocks).tocsr()
        clf = LogisticRegression(C=c, max_iter=2000, random_state=seed)
        clf.fit(x, log.click)
        w = clf.coef_[0]
        at = 0
        w_item = w[at : at + m].copy()
        at += m
        w_slot = w[at : at + big_l]
        at += big_l
        if item_feats.shape[1]:
            w_item += item_feats @ w[at : at + item_feats.shape[1]]
            at += item_feats.shape[1]
        users = []
        for vocab in vocabs:
            users.append({str(v): float(w[at + i]) for i, v in enumerate(vocab)})
            at += len(vocab)
        return cls(
            [str(i) for i in log.item_ids],
            big_l,
            float(clf.intercept_[0]),
            [float(v) for v in w_item],
            [float(v) for v in w_slot],
            users,
            float(w[at]),
        )

    def _align(self, log: LoggedImpressions) -> np.ndarray:
        """This model's item weights in the log's item order (unknown items get the mean)."""
        own = {k: v for k, v in zip(self.item_ids, self.item_weight, strict=True)}
        mean = float(np.mean(self.item_weight)) if self.item_weight else 0.0
        return np.array([own.get(str(i), mean) for i in log.item_ids])

    def logits_all(self, log: LoggedImpressions) -> np.ndarray:
        """(n, n_items) logits at each impression's own slot, for every item of the log."""
        user = np.zeros(log.n)
        for j, table in enumerate(self.user_weight[: log.user_features.shape[1]]):
            user += np.array([table.get(str(v), 0.0) for v in log.user_features[:, j]])
        slot = np.array(self.slot_weight + [0.0] * max(0, log.n_positions - len(self.slot_weight)))
        out = (
            self.intercept + user[:, None] + self._align(log)[None, :] + slot[log.position][:, None]
        )
        if log.affinity is not None:
            out = out + self.affinity_weight * log.affinity
        return out

    def predict_all(self, log: LoggedImpressions) -> np.ndarray:
        """(n, n_items) click probabilities at each impression's slot."""
        return 1.0 / (1.0 + np.exp(-self.logits_all(log)))

    def save(self, path: Path) -> Path:
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps({"kind": "click_model"} | asdict(self)))
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: Path) -> ClickModel:
        data = json.loads(Path(path).read_text())
        if data.pop("kind", None) != "click_model":
            raise ValueError(f"{path}: not a shopmate click model (policy.json)")
        return cls(**data)


def _onehot(idx: np.ndarray, width: int) -> object:
    from scipy import sparse

    n = idx.size
    return sparse.csr_matrix((np.ones(n), (np.arange(n), idx)), shape=(n, width))


def _item_matrix(log: LoggedImpressions) -> np.ndarray:
    """(n_items, p) numeric features, standardised, and one-hot categorical ones."""
    parts = []
    if log.item_numeric is not None:
        x = log.item_numeric
        parts.append((x - x.mean(0)) / np.where(x.std(0) > 0, x.std(0), 1.0))
    if log.item_categorical is not None:
        for j in range(log.item_categorical.shape[1]):
            col = log.item_categorical[:, j]
            vocab = sorted(set(col))
            parts.append((col[:, None] == np.array(vocab, dtype=object)[None, :]).astype(float))
    return np.hstack(parts) if parts else np.zeros((log.n_items, 0))
