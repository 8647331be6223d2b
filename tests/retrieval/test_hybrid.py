"""BM25, filters, fusion and the hybrid retriever on a real Chroma with the real MiniLM."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda

from retrieval.bm25 import BM25Index, BM25Retriever, Tokenizer
from retrieval.filters import MetadataFilter
from retrieval.hybrid import HybridRetriever, fuse
from retrieval.ingest import Ingestor, load_file
from retrieval.langchain_retriever import LangChainRetriever
from retrieval.retriever import KnowledgeRetriever
from retrieval.store import Hit
from tests.retrieval_fixtures import QUESTIONS, SMALL_KB, write_jsonl

KB = "small_kb"


@pytest.fixture()
def small_store(tmp_path: Path, store, embedder):  # type: ignore[no-untyped-def]
    Ingestor(embedder, store).ingest(load_file(write_jsonl(tmp_path / "kb.jsonl", SMALL_KB)), KB)
    return store


def test_tokenizer_lowercases_stems_and_drops_stop_words() -> None:
    assert Tokenizer()("The Tents are PITCHED quickly, in 5 minutes!") == [
        "tent",
        "pitch",
        "quick",
        "minut",
    ]
    assert Tokenizer(language=None, stopwords=())("Tents a XT-4410") == ["tents", "xt", "4410"]
    with pytest.raises(ValueError, match="no Snowball stemmer"):
        Tokenizer(language="klingon")


def test_bm25_index_ranks_filters_and_bounds() -> None:
    rows = SMALL_KB
    index = BM25Index().build(
        [r["id"] for r in rows],
        [r["text"] for r in rows],
        [{"product_id": r["product_id"], "kind": r["source"]} for r in rows],
    )
    assert index.search("XT-4410 weight", k=3)[0].id == "k3"
    assert index.search("burrs", k=5, where={"product_id": "p1"}) == []
    assert [h.id for h in index.search("burrs cleaning", k=5, where={"kind": "CQA"})] == ["k12"]
    assert index.search("zebra unicorn", k=5) == [] and index.search("the of", k=5) == []
    s = index.score("hopper capacity beans")
    assert s.bound > 0 and 0 < s.scores.max() <= s.bound  # the WAND bound holds
    assert float(s.normalised(np.arange(len(index))).max()) <= 1.0
    with pytest.raises(ValueError, match="k must be > 0"):
        index.search("tent", k=0)
    with pytest.raises(ValueError, match="unique"):
        BM25Index().build(["a", "a"], ["x", "y"], [{}, {}])
    with pytest.raises(ValueError, match="k1"):
        BM25Index(k1=0)
    assert BM25Index().build([], [], []).search("tent") == []


WHERES = [
    {"product_id": "p1"},
    {"product_id": {"$eq": "p2"}},
    {"product_id": {"$ne": "p1"}},
    {"product_id": {"$in": ["p1", "p3"]}},
    {"product_id": {"$nin": ["p1", "p3"]}},
    {"stock": {"$gt": 2}},
    {"stock": {"$lte": 2}},
    {"stock": 3},
    {"stock": 3.0},
    {"featured": True},
    {"featured": 1},
    {"$and": [{"product_id": "p1"}, {"stock": {"$gte": 1}}]},
    {"$or": [{"kind": "CQA"}, {"featured": True}]},
    {"kind": {"$ne": "review"}},
    {"missing_key": "x"},
]


@pytest.mark.parametrize("where", WHERES, ids=[str(w) for w in WHERES])
def test_filters_match_chroma(store, where) -> None:  # type: ignore[no-untyped-def]
    """The in-memory filter selects exactly what Chroma's `where` selects."""
    metas: list[dict[str, object]] = []
    for n, r in enumerate(SMALL_KB):
        meta: dict[str, object] = {"product_id": r["product_id"], "stock": n % 5}
        if n % 2:
            meta["kind"] = r["source"]  # half the rows lack the key
        if n % 3 == 0:
            meta["featured"] = n % 2 == 0
        metas.append(meta)
    ids = [r["id"] for r in SMALL_KB]
    store.upsert("filters", ids, np.eye(len(ids), 8, dtype=np.float32) + 0.1, ids, metas)
    expected = set(store.ids_where("filters", where))
    mask = MetadataFilter(metas).mask(where)
    assert mask is not None
    assert {i for i, m in zip(ids, mask, strict=True) if m} == expected


def test_filter_rejects_what_chroma_rejects() -> None:
    f = MetadataFilter([{"a": "x"}])
    assert f.mask(None) is None
    for bad in (
        {"a": {"$regex": "x"}},
        {"$not": [{"a": "x"}]},
        {"a": {"$in": "x"}},
        {"a": {"$gt": "x"}},
    ):
        with pytest.raises(ValueError):
            f.mask(bad)


def test_bm25_retriever_follows_ingestion(tmp_path: Path, small_store, embedder) -> None:  # type: ignore[no-untyped-def]
    bm25 = BM25Retriever(small_store, KB)
    assert bm25.retrieve("gift card", top_k=3) == []
    first = bm25.index()
    extra = tmp_path / "gift.md"
    extra.write_text("# Gift cards\n\n## Validity\nGift cards never expire and work online.\n")
    Ingestor(embedder, small_store).ingest(load_file(extra, "kb/gift.md"), KB)
    assert bm25.index() is not first  # rebuilt lazily after the write
    assert bm25.retrieve("gift card", top_k=3)[0].metadata["source"] == "kb/gift.md"
    extra.write_text("# Gift cards\n\n## Validity\nVouchers are valid for two years.\n")
    Ingestor(embedder, small_store).ingest(load_file(extra, "kb/gift.md"), KB)
    assert bm25.retrieve("never expire", top_k=3) == []  # the vanished passage is gone
    assert bm25.index() is bm25.index()  # no rebuild without a change


def test_fuse_by_hand() -> None:
    dense = [Hit("a", "A", 0.8), Hit("b", "B", 0.6)]
    lexical = {"a": 0.0, "b": 1.0, "c": 0.5}
    fused = fuse(dense, lexical, [Hit("c", "C", 0.0), Hit("b", "B", 0.0)], 1.0, 0.3)
    # a: 0.8; b: 0.6 + 0.3 = 0.9; c (BM25 only) gets the lowest dense score: 0.6 + 0.15
    assert [(h.id, round(h.score, 6)) for h in fused] == [("b", 0.9), ("a", 0.8), ("c", 0.75)]
    assert fuse([], {"c": 1.0}, [Hit("c", "C", 0.0)], 1.0, 0.3)[0].score == pytest.approx(0.3)


def test_hybrid_finds_what_each_side_finds(small_store, embedder) -> None:  # type: ignore[no-untyped-def]
    hybrid = HybridRetriever(embedder, small_store, KB)
    bm25 = BM25Retriever(small_store, KB)
    dense = KnowledgeRetriever(embedder, small_store, KB)
    for q in QUESTIONS:
        ranked = [h.id for h in hybrid.retrieve(q["question"], top_k=3)]
        assert q["evidence_ids"][0] in ranked, q
    # a paraphrase with no shared word: BM25 finds nothing, hybrid keeps the dense answer
    assert bm25.retrieve("is it quiet?", top_k=3) == []
    assert hybrid.retrieve("is it quiet?", top_k=1)[0].id == dense.retrieve("is it quiet?")[0].id
    # hybrid outranks dense alone when the words match exactly
    assert (
        hybrid.retrieve("hopper capacity", top_k=1)[0].score
        > dense.retrieve("hopper capacity", top_k=1)[0].score
    )


def test_hybrid_filters_both_sides_and_validates(small_store, embedder) -> None:  # type: ignore[no-untyped-def]
    hybrid = HybridRetriever(embedder, small_store, KB, top_k=2)
    hits = hybrid.retrieve("burr grinder settings", where={"product_id": "p2"})
    assert len(hits) == 2 and {h.metadata["product_id"] for h in hits} == {"p2"}
    assert len(hybrid.retrieve("tent", top_k=50)) == len(SMALL_KB)
    assert hybrid.retrieve("  ") == []
    assert hybrid.retrieve("tent", where={"product_id": "nope"}) == []
    assert HybridRetriever(embedder, small_store, "empty_kb").retrieve("tent") == []
    for kwargs in ({"top_k": 0}, {"depth": 0}, {"dense_weight": 0, "bm25_weight": 0}):
        with pytest.raises(ValueError):
            HybridRetriever(embedder, small_store, KB, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="same store and collection"):
        HybridRetriever(embedder, small_store, KB, bm25=BM25Retriever(small_store, "other"))


class PreferSource:
    """A reranker behind our own Reranker protocol: puts one kind of evidence first."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.seen = 0

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        self.seen = len(hits)
        return sorted(hits, key=lambda h: h.metadata.get("kind") != self.kind)


def test_reranker_reorders_fused_candidates(small_store, embedder) -> None:  # type: ignore[no-untyped-def]
    reranker = PreferSource("review")
    hybrid = HybridRetriever(embedder, small_store, KB, reranker=reranker, rerank_depth=8)
    hits = hybrid.retrieve("how heavy is the tent to carry?", top_k=3)
    assert hits[0].metadata["kind"] == "review" and len(hits) == 3
    assert reranker.seen == 8


def test_langchain_adapter_composes_in_a_chain(small_store, embedder) -> None:  # type: ignore[no-untyped-def]
    adapter = LangChainRetriever(retriever=HybridRetriever(embedder, small_store, KB), top_k=2)
    docs = adapter.invoke("is the grinder noisy?")
    assert all(isinstance(d, Document) for d in docs) and len(docs) == 2
    assert docs[0].metadata["id"] == docs[0].id == "k10"
    assert docs[0].metadata["product_id"] == "p3" and docs[0].metadata["score"] > 0
    chain = adapter | RunnableLambda(lambda ds: [d.metadata["id"] for d in ds])
    assert chain.invoke("will these keep my feet dry in the rain?")[0] == "k4"
    scoped = adapter.invoke("weight", where={"product_id": "p2"}, top_k=4)
    assert len(scoped) == 4 and {d.metadata["product_id"] for d in scoped} == {"p2"}
    bm25_docs = LangChainRetriever(retriever=BM25Retriever(small_store, KB)).invoke("XT-4410")
    assert [d.id for d in bm25_docs] == ["k3"]
    with pytest.raises(ValueError, match="retrieve"):
        LangChainRetriever(retriever=object())
    with pytest.raises(ValueError, match="top_k"):
        LangChainRetriever(retriever=adapter.retriever, top_k=0)
