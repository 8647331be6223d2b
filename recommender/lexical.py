"""Lexical item vectors: TF-IDF of item texts, L2-normalised, as a sparse matrix.

MiniLM puts "FlashForge Creator Pro platform sticker" close to every other 3D-printer
part; TF-IDF keeps the exact brand and model words apart. The user encoder's fused
score adds a recency-weighted lexical profile of the history to the dense part.
Fitted on the training catalog; a new item's text is vectorised with the same
vocabulary, so it is scored from its words at once.

    lex = Lexicon.fit(texts)
    x = lex.transform(["FlashForge Creator Pro filament"])   # (1, vocab) csr, unit rows
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

TOKEN = re.compile(r"\w[\w.\-]*\w|\w", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Lower-cased words; dots and dashes inside a word are kept (1.75mm, HP-00057)."""
    return TOKEN.findall(text.lower())


class Lexicon:
    """Vocabulary and inverse document frequencies of a catalog's texts."""

    def __init__(self, vocab: Sequence[str], idf: np.ndarray) -> None:
        if len(vocab) != len(idf):
            raise ValueError("vocab and idf must have the same length")
        self.vocab = list(vocab)
        self.index = {w: i for i, w in enumerate(self.vocab)}
        self.idf = np.asarray(idf, dtype=np.float32)

    @classmethod
    def fit(cls, texts: Sequence[str], min_df: int = 1) -> Lexicon:
        """Smoothed idf = ln((1 + n) / (1 + df)) + 1, as in scikit-learn."""
        df: Counter[str] = Counter()
        for t in texts:
            df.update(set(tokens(t)))
        vocab = sorted(w for w, c in df.items() if c >= min_df)
        n = len(texts)
        idf = np.array([np.log((1 + n) / (1 + df[w])) + 1.0 for w in vocab], dtype=np.float32)
        return cls(vocab, idf)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """(len(texts), vocab) TF-IDF with sublinear tf (1 + ln tf), rows L2-normalised."""
        rows, cols, vals = [], [], []
        for r, t in enumerate(texts):
            counts = Counter(self.index[w] for w in tokens(t) if w in self.index)
            for c, tf in counts.items():
                rows.append(r)
                cols.append(c)
                vals.append((1.0 + np.log(tf)) * self.idf[c])
        x = sparse.csr_matrix(
            (np.asarray(vals, dtype=np.float32), (rows, cols)),
            shape=(len(texts), len(self.vocab)),
        )
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.csr_matrix(sparse.diags(1.0 / norms) @ x, dtype=np.float32)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"vocab": self.vocab, "idf": self.idf.tolist()}))

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        d = json.loads(path.read_text())
        return cls(d["vocab"], np.asarray(d["idf"], dtype=np.float32))


def recency_profile(
    histories: Sequence[Sequence[int]], n_items: int, decay: float
) -> sparse.csr_matrix:
    """(rows, n_items) sparse weights decay**j of each history's j-th newest item."""
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"decay must be in [0, 1], got {decay}")
    rows, cols, vals = [], [], []
    for r, h in enumerate(histories):
        for j, item in enumerate(reversed(list(h))):
            w = decay**j if j else 1.0
            if w < 1e-4:
                break
            rows.append(r)
            cols.append(item)
            vals.append(w)
    return sparse.csr_matrix(
        (np.asarray(vals, dtype=np.float32), (rows, cols)), shape=(len(histories), n_items)
    )
