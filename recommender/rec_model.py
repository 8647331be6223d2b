"""Our recommender model: BERT user encoders fused with a lexical and an item-to-item signal.

score(item) = mean over encoders m of cos(user_m, item_m) / temperature     (dense, BERT)
            + lex_weight   * sum_j lex_decay**j * tfidf(h_j) . tfidf(item)   (words of the text)
            + trans_weight * log(1 + sum_j decay**j * T[h_j, item] / eps)     (who bought what next)

with h_j the j-th newest history item. Every term is a dot product of a user vector
(computed from the current history at request time) and an item vector, so the whole
score is one dot product in the concatenated space. New items (unknown to the artifact)
get their dense vector from the text alone, the same TF-IDF vocabulary, and no
item-to-item term. Fusion weights are chosen on the validation rows.

    model = RecModel.load(Path("var/models/user-encoder"))
    cat = model.catalog(ids, text_vectors, texts)          # once per catalog version
    scores = model.score(cat, [[3, 17, 42]])[0]            # history = catalog rows
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from recommender.baselines import Transitions
from recommender.lexical import Lexicon, recency_profile
from recommender.user_encoder import CONFIG, ITEM_IDS, UserEncoder, UserEncoderNet, unit_rows

LEXICON, TRANSITIONS = "lexicon.json", "transitions.npz"


@dataclass(frozen=True)
class Fusion:
    """How the three signals are added (saved in config.json; chosen on valid)."""

    lex_weight: float = 5.0  # weight of the lexical (TF-IDF) similarity
    lex_decay: float = 0.6  # recency decay of the lexical profile per older item
    trans_weight: float = 0.5  # weight of the item-to-item log-bonus (0 disables it)
    trans_decay: float = 0.6  # recency decay of the item-to-item evidence
    trans_eps: float = 1e-4  # evidence scale of the log-bonus
    dense_weight: float = 1.0  # weight of the encoders' term (0 only for ablations)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Fusion:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


@dataclass
class Catalog:
    """Item vectors of one catalog (row = item), precomputed for scoring."""

    ids: list[str]
    text: np.ndarray  # (n, text_dim) unit sentence vectors
    raw: list[np.ndarray]  # per encoder, (n, dim) inputs of the transformer
    unit: list[np.ndarray]  # per encoder, (n, dim) unit item vectors
    lex: sparse.csr_matrix  # (n, vocab) unit TF-IDF rows
    art: np.ndarray  # (n,) row in the artifact's item list, -1 if unknown

    def __len__(self) -> int:
        return len(self.ids)


class RecModel:
    """The fused scorer; serving and the offline evaluation use this same class."""

    def __init__(
        self,
        encoders: Sequence[UserEncoder],
        lexicon: Lexicon,
        transitions: sparse.csr_matrix | None,
        item_ids: Sequence[str],
        fusion: Fusion,
        embedder: str | None = None,
    ) -> None:
        if not encoders:
            raise ValueError("at least one user encoder is needed")
        if transitions is not None and transitions.shape != (len(item_ids), len(item_ids)):
            raise ValueError("transitions must be (n_items, n_items) over item_ids")
        self.encoders = list(encoders)
        self.lexicon = lexicon
        self.transitions = transitions
        self.item_ids = list(item_ids)
        self.index = {iid: i for i, iid in enumerate(self.item_ids)}
        self.fusion = fusion
        self.temperature = self.encoders[0].spec.temperature
        # fingerprint of the embedder whose item vectors the encoders were trained on
        self.embedder = embedder

    @classmethod
    def load(cls, path: Path) -> RecModel:
        path = Path(path)
        if not (path / CONFIG).exists():
            raise ValueError(f"{path} is not a user-encoder artifact: {CONFIG} is missing")
        meta = json.loads((path / CONFIG).read_text())
        members = [UserEncoder.load(path, name) for name in meta["members"]]
        item_ids = json.loads((path / ITEM_IDS).read_text())
        trans = (
            sparse.csr_matrix(sparse.load_npz(path / TRANSITIONS))
            if (path / TRANSITIONS).exists()
            else None
        )
        fusion = Fusion.from_dict(meta["fusion"])
        lexicon = Lexicon.load(path / LEXICON)
        return cls(members, lexicon, trans, item_ids, fusion, meta.get("embedder"))

    @classmethod
    def from_parts(
        cls,
        nets: Sequence[UserEncoderNet],
        lexicon: Lexicon,
        transitions: Transitions | None,
        item_ids: Sequence[str],
        fusion: Fusion,
    ) -> RecModel:
        encs = [UserEncoder(n, item_ids, {}) for n in nets]
        return cls(encs, lexicon, transitions.trans if transitions else None, item_ids, fusion)

    def with_fusion(self, fusion: Fusion) -> RecModel:
        return RecModel(self.encoders, self.lexicon, self.transitions, self.item_ids, fusion)

    def save_parts(self, path: Path) -> None:
        """Lexicon and transitions (the encoders' weights are saved by the trainer)."""
        self.lexicon.save(path / LEXICON)
        if self.transitions is not None:
            sparse.save_npz(path / TRANSITIONS, self.transitions.astype(np.float32))
        (path / ITEM_IDS).write_text(json.dumps(self.item_ids))

    def fusion_dict(self) -> dict[str, float]:
        return asdict(self.fusion)

    # scoring -------------------------------------------------------------------
    def catalog(self, ids: Sequence[str], text_vecs: np.ndarray, texts: Sequence[str]) -> Catalog:
        if not (len(ids) == len(text_vecs) == len(texts)):
            raise ValueError("ids, text vectors and texts must have the same length")
        raw = [e.raw_item_vectors(ids, text_vecs) for e in self.encoders]
        return Catalog(
            list(ids),
            np.asarray(text_vecs, dtype=np.float32),
            raw,
            [unit_rows(r) for r in raw],
            self.lexicon.transform(texts),
            np.array([self.index.get(i, -1) for i in ids], dtype=np.int64),
        )

    def user_vectors(self, cat: Catalog, histories: Sequence[Sequence[int]]) -> list[np.ndarray]:
        """Per encoder, (rows, dim) unit user vectors of histories given as catalog rows."""
        rows = [np.asarray(list(h), dtype=np.int64) for h in histories]
        return [
            e.user_vectors([r[h] for h in rows])
            for e, r in zip(self.encoders, cat.raw, strict=True)
        ]

    def score(self, cat: Catalog, histories: Sequence[Sequence[int]]) -> np.ndarray:
        """(rows, n) fused scores of every catalog item for each history (catalog rows)."""
        f = self.fusion
        dense, lex, trans = self.terms(
            cat,
            histories,
            f.lex_decay if f.lex_weight else None,
            f.trans_decay if f.trans_weight else None,
        )
        out = f.dense_weight * dense
        if lex is not None and f.lex_weight:
            out += f.lex_weight * lex
        if trans is not None and f.trans_weight:
            out += f.trans_weight * trans
        return out

    def terms(
        self,
        cat: Catalog,
        histories: Sequence[Sequence[int]],
        lex_decay: float | None,
        trans_decay: float | None,
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        """The three unweighted (rows, n) terms; a decay of None skips that term."""
        dense = sum(
            u @ it.T for u, it in zip(self.user_vectors(cat, histories), cat.unit, strict=True)
        )
        out = np.asarray(dense, dtype=np.float32) / (len(self.encoders) * self.temperature)
        lex = None
        if lex_decay is not None:
            prof = recency_profile(histories, len(cat), lex_decay) @ cat.lex
            lex = np.asarray((prof @ cat.lex.T).todense(), dtype=np.float32)
        trans = None
        if trans_decay is not None and self.transitions is not None:
            trans = self._trans_bonus(cat, histories, trans_decay)
        return out, lex, trans

    def _trans_bonus(
        self, cat: Catalog, histories: Sequence[Sequence[int]], decay: float
    ) -> np.ndarray:
        assert self.transitions is not None
        art_hist = [[int(cat.art[h]) for h in hist if cat.art[h] >= 0] for hist in histories]
        ev = recency_profile(art_hist, len(self.item_ids), decay)
        ev = sparse.csr_matrix(ev @ self.transitions)  # (rows, artifact items)
        known = cat.art >= 0
        bonus = np.zeros((len(histories), len(cat)), dtype=np.float32)
        dense_ev = np.asarray(ev[:, cat.art[known]].todense(), dtype=np.float32)
        bonus[:, known] = np.log1p(dense_ev / self.fusion.trans_eps)
        return bonus

    def contributions(self, cat: Catalog, history: Sequence[int], item: int) -> np.ndarray:
        """How much each history item (oldest first) adds to the item's score: the lexical and
        item-to-item terms split exactly, the dense term by item-item cosine, recency-weighted."""
        h = np.asarray(list(history), dtype=np.int64)
        if not len(h):
            return np.zeros(0)
        f = self.fusion
        age = np.arange(len(h))[::-1]
        dense = np.mean([u[h] @ u[item] for u in cat.unit], axis=0) / self.temperature
        out = f.dense_weight * dense * np.power(f.lex_decay, age)
        lex = np.asarray((cat.lex[h] @ cat.lex[item].T).todense()).ravel()
        out = out + f.lex_weight * np.power(f.lex_decay, age) * lex
        if f.trans_weight and self.transitions is not None and cat.art[item] >= 0:
            rows = cat.art[h]
            t = np.array(
                [self.transitions[r, cat.art[item]] if r >= 0 else 0.0 for r in rows],
                dtype=np.float64,
            )
            out = out + f.trans_weight * np.power(f.trans_decay, age) * t / f.trans_eps
        return np.asarray(out, dtype=np.float64)
