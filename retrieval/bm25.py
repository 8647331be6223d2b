"""BM25 keyword search (bm25s) over the passages of a collection, with `where` filters.

`BM25Index` is an in-memory index over (id, text, metadata) rows. `BM25Retriever`
keeps one in step with a Chroma collection: it rebuilds the index from the
collection's documents, lazily, on the first query after `VectorStore.version()`
moved (any write through the same store, or a count change made by another
process), so ingestion never has to know about it.

    bm25 = BM25Retriever(store, "knowledge")
    hits = bm25.retrieve("mcx2 battery", top_k=5, where={"product_id": "B0088W63AS"})
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from retrieval.filters import MetadataFilter
from retrieval.store import Hit, VectorStore

log = logging.getLogger(__name__)

_WORD = re.compile(r"\b\w\w+\b")


def english_stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


class Tokenizer:
    """Lower-cased words of two or more characters, stop words dropped, Snowball-stemmed."""

    def __init__(
        self, language: str | None = "english", stopwords: Collection[str] | None = None
    ) -> None:
        self.stopwords = frozenset(english_stopwords() if stopwords is None else stopwords)
        self.language = language
        if language is None:
            self._stem = None
        else:
            import Stemmer  # PyStemmer

            try:
                stemmer = Stemmer.Stemmer(language)
            except KeyError as e:
                raise ValueError(
                    f"no Snowball stemmer for {language!r}; accepted: {Stemmer.algorithms()}"
                ) from e
            self._stem = lru_cache(maxsize=100_000)(stemmer.stemWord)

    def __call__(self, text: str) -> list[str]:
        words = [w for w in _WORD.findall(text.lower()) if w not in self.stopwords]
        stem = self._stem
        return words if stem is None else [stem(w) for w in words]


@dataclass(frozen=True)
class BM25Scores:
    """Raw BM25 score of every row for one query, and an upper bound for any row.

    The bound is the sum over the query's terms of each term's highest score in the
    index (the WAND bound), so `scores / bound` lies in [0, 1] whatever the filter.
    """

    scores: np.ndarray
    bound: float

    def normalised(self, rows: np.ndarray) -> np.ndarray:
        if self.bound <= 0:
            return np.zeros(len(rows), dtype=np.float32)
        return self.scores[rows] / self.bound


class BM25Index:
    """An in-memory BM25 index over passages; rows keep their id, text and metadata."""

    def __init__(self, k1: float = 0.9, b: float = 0.4, tokenizer: Tokenizer | None = None) -> None:
        if k1 <= 0:
            raise ValueError(f"k1 must be > 0, got {k1}")
        if not 0 <= b <= 1:
            raise ValueError(f"b must be in [0, 1], got {b}")
        self.k1 = k1
        self.b = b
        self.tokenizer = tokenizer or Tokenizer()
        self.ids: list[str] = []
        self.texts: list[str] = []
        self.metadatas: list[dict[str, Any]] = []
        self._rows: dict[str, int] = {}
        self._model: Any = None
        self._term_max = np.zeros(0, dtype=np.float32)
        self._filter = MetadataFilter([])

    def build(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[Mapping[str, Any]],
    ) -> BM25Index:
        """(Re)build the index over these rows; returns self."""
        if not (len(ids) == len(texts) == len(metadatas)):
            raise ValueError("ids, texts and metadatas must have the same length")
        if len(set(ids)) != len(ids):
            raise ValueError("ids must be unique")
        import bm25s

        bm25s_log = logging.getLogger("bm25s")
        if bm25s_log.level == logging.DEBUG:  # bm25s sets DEBUG on import: one line per build
            bm25s_log.setLevel(logging.WARNING)
        self.ids, self.texts = list(ids), list(texts)
        self.metadatas = [dict(m) for m in metadatas]
        self._rows = {i: n for n, i in enumerate(self.ids)}
        self._filter = MetadataFilter(self.metadatas)
        self._model = None
        self._term_max = np.zeros(0, dtype=np.float32)
        tokens = [self.tokenizer(t) for t in self.texts]
        if not any(tokens):
            return self  # nothing a query could match
        model = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        model.index(tokens, show_progress=False)
        data, indptr = model.scores["data"], model.scores["indptr"]
        term_max = np.zeros(len(indptr) - 1, dtype=np.float32)
        nonempty = np.flatnonzero(np.diff(indptr) > 0)
        if len(nonempty):
            term_max[nonempty] = np.maximum.reduceat(data, indptr[nonempty])
        self._model, self._term_max = model, term_max
        return self

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, passage_id: str) -> int | None:
        return self._rows.get(passage_id)

    def score(self, query: str) -> BM25Scores:
        """BM25 of every row (unfiltered); zeros when no query word is in the index."""
        scores = np.zeros(len(self.ids), dtype=np.float32)
        if self._model is None:
            return BM25Scores(scores, 0.0)
        vocab = self._model.vocab_dict
        token_ids = [vocab[t] for t in self.tokenizer(query) if t in vocab]
        if not token_ids:
            return BM25Scores(scores, 0.0)
        scores = np.asarray(self._model.get_scores(token_ids), dtype=np.float32)
        return BM25Scores(scores, float(self._term_max[token_ids].sum()))

    def mask(self, where: Mapping[str, Any] | None) -> np.ndarray | None:
        """Rows matching a Chroma-style `where` dict (None: no filter)."""
        return self._filter.mask(where)

    def top(self, scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
        """Rows of the k best scores above zero among the rows the mask allows, best first."""
        if k <= 0:
            raise ValueError(f"k must be > 0, got {k}")
        s = scores if mask is None else np.where(mask, scores, 0.0)
        candidates = np.flatnonzero(s > 0)
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-s[candidates], k - 1)[:k]]
        return candidates[np.argsort(-s[candidates], kind="stable")]

    def hit(self, row: int, score: float) -> Hit:
        return Hit(self.ids[row], self.texts[row], float(score), dict(self.metadatas[row]))

    def search(self, query: str, k: int = 5, where: Mapping[str, Any] | None = None) -> list[Hit]:
        """The k best rows for the query; Hit.score is the raw BM25 score."""
        s = self.score(query)
        return [self.hit(r, s.scores[r]) for r in self.top(s.scores, k, self.mask(where))]


class BM25Retriever:
    """BM25 over a collection of the vector store, rebuilt when the collection changes."""

    def __init__(
        self,
        store: VectorStore,
        collection: str,
        top_k: int = 5,
        k1: float = 0.9,
        b: float = 0.4,
        tokenizer: Tokenizer | None = None,
    ) -> None:
        if top_k <= 0:
            raise ValueError(f"top_k must be > 0, got {top_k}")
        if not collection:
            raise ValueError("collection name must not be empty")
        BM25Index(k1, b)  # validates k1 and b
        self.store = store
        self.collection = collection
        self.top_k = top_k
        self.k1, self.b = k1, b
        self.tokenizer = tokenizer or Tokenizer()
        self._index: BM25Index | None = None
        self._version: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def index(self) -> BM25Index:
        """The index, rebuilt first when the collection changed since it was built."""
        version = self.store.version(self.collection)
        index = self._index
        if index is not None and version == self._version:
            return index
        with self._lock:
            version = self.store.version(self.collection)
            if self._index is None or version != self._version:
                self._index = self._rebuild()
                self._version = version
            return self._index

    def refresh(self) -> BM25Index:
        """Rebuild now, whatever the version says (e.g. after another process re-ingested)."""
        with self._lock:
            self._version = self.store.version(self.collection)
            self._index = self._rebuild()
            return self._index

    def _rebuild(self) -> BM25Index:
        t0 = time.perf_counter()
        rows = self.store.scan(self.collection)
        index = BM25Index(self.k1, self.b, self.tokenizer).build(
            [h.id for h in rows], [h.text for h in rows], [h.metadata for h in rows]
        )
        log.info(
            "built BM25 over %s: %d passages in %.2fs",
            self.collection,
            len(index),
            time.perf_counter() - t0,
        )
        return index

    def retrieve(
        self, query: str, top_k: int | None = None, where: Mapping[str, Any] | None = None
    ) -> list[Hit]:
        """Top passages by BM25; Hit.score is the raw BM25 score."""
        if not query.strip():
            return []
        return self.index().search(query, top_k or self.top_k, where)
