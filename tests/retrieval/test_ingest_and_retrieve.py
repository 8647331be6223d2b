"""Ingestion and retrieval on a real Chroma in a temp dir with the real MiniLM."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.chunking import chunk_markdown, split_sentences
from retrieval.ingest import IngestError, Ingestor, html_to_markdown, load_file
from retrieval.retriever import KnowledgeRetriever

RETURNS_MD = """# Returns policy

## Our promise
You can return any unworn item within 30 days of delivery for a full refund.

## How to start a return
Open your account, choose the order and click "Return items". We e-mail a free label.

## Refund timing
Refunds reach your card 5 to 7 working days after we receive the parcel.
"""

SHIPPING_HTML = """<html><head><title>x</title><style>p{}</style></head><body>
<nav>Home | Shop</nav><h1>Shipping</h1><h2>Delivery times</h2><p>Standard delivery takes 3 to 5 working days.</p>
<h2>Costs</h2><p>Shipping is free on orders over 50 pounds.</p><script>alert(1)</script></body></html>"""


def test_markdown_is_split_into_titled_sections() -> None:
    ps = chunk_markdown(RETURNS_MD, "kb/returns.md")
    assert [p.title for p in ps] == [
        "Returns policy — Our promise",
        "Returns policy — How to start a return",
        "Returns policy — Refund timing",
    ]
    assert ps[0].text.startswith("Returns policy — Our promise\n")
    assert len({p.id for p in ps}) == 3
    # ids depend only on source and content
    assert [p.id for p in chunk_markdown(RETURNS_MD, "kb/returns.md")] == [p.id for p in ps]
    assert ps[0].id != chunk_markdown(RETURNS_MD, "kb/other.md")[0].id


def test_long_sections_are_cut_at_sentence_boundaries() -> None:
    body = " ".join(f"Sentence number {i} is about tents." for i in range(100))
    ps = chunk_markdown(f"# Tents\n\n## Care\n{body}\n", "kb/tents.md", max_words=60)
    assert len(ps) > 1
    for p in ps:
        assert len(p.text.split()) <= 60 + 4  # + the title line
        assert p.text.rstrip().endswith(".")


def test_split_sentences() -> None:
    assert split_sentences("One. Two! Three? four") == ["One.", "Two!", "Three? four"]


def test_html_drops_scripts_and_navigation() -> None:
    md = html_to_markdown(SHIPPING_HTML)
    assert "alert" not in md and "Home | Shop" not in md
    assert "## Delivery times" in md


def test_unsupported_and_broken_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(IngestError, match=r"unsupported file type \.pdf"):
        load_file(tmp_path / "a.pdf")
    (tmp_path / "b.jsonl").write_text('{"id": "1", "text": "ok"}\n{not json}\n')
    with pytest.raises(IngestError, match=r"b.jsonl:2: not valid JSON"):
        load_file(tmp_path / "b.jsonl")
    (tmp_path / "c.csv").write_text("name,price\nx,1\n")
    with pytest.raises(IngestError, match="needs a 'text' column"):
        load_file(tmp_path / "c.csv")
    (tmp_path / "d.md").write_text("   \n")
    with pytest.raises(IngestError, match="empty"):
        load_file(tmp_path / "d.md")


def test_ingest_all_formats_and_retrieve(tmp_path: Path, store, embedder) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "returns.md").write_text(RETURNS_MD)
    (tmp_path / "shipping.html").write_text(SHIPPING_HTML)
    (tmp_path / "care.txt").write_text("Wash fleeces at 30 degrees and do not tumble dry.")
    (tmp_path / "kb.jsonl").write_text(
        json.dumps(
            {
                "id": "ev1",
                "text": "The Alpine tent sleeps two and weighs 1.9 kg.",
                "product_id": "p9",
                "source": "description",
            }
        )
        + "\n"
    )
    (tmp_path / "faq.csv").write_text('id,title,text\nf1,Gift cards,"Gift cards never expire."\n')
    ingestor = Ingestor(embedder, store)
    passages = [p for f in sorted(tmp_path.glob("*.*")) for p in load_file(f, source=f.name)]
    reports = ingestor.ingest(passages, "help_kb")
    assert sum(r.added for r in reports) == store.count("help_kb") == len(passages) == 8

    r = KnowledgeRetriever(embedder, store, "help_kb")
    assert (
        r.retrieve("can I send back something I bought?")[0].metadata["title"]
        == "Returns policy — Our promise"
    )
    assert r.retrieve("how many days does delivery take")[0].metadata["source"] == "shipping.html"
    hit = r.retrieve("how heavy is the tent", top_k=1)[0]
    assert hit.id == "ev1" and hit.metadata["product_id"] == "p9"
    # metadata filter: only passages of one product
    only = r.retrieve("returns", where={"product_id": "p9"})
    assert [h.id for h in only] == ["ev1"]
    assert r.retrieve("   ") == []


def test_reingest_upserts_changes_and_deletes_vanished(tmp_path: Path, store, embedder) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "returns.md"
    path.write_text(RETURNS_MD)
    ingestor = Ingestor(embedder, store)
    first = ingestor.ingest(load_file(path, "kb/returns.md"), "help_kb")
    assert (first[0].added, first[0].unchanged, first[0].removed) == (3, 0, 0)

    again = ingestor.ingest(load_file(path, "kb/returns.md"), "help_kb")
    assert (again[0].added, again[0].unchanged, again[0].removed) == (0, 3, 0)
    assert store.count("help_kb") == 3

    changed = RETURNS_MD.replace("30 days", "60 days").replace(
        "## Refund timing\nRefunds reach your card 5 to 7 working days after we receive the parcel.\n",
        "",
    )
    path.write_text(changed)
    third = ingestor.ingest(load_file(path, "kb/returns.md"), "help_kb")
    assert (third[0].added, third[0].unchanged, third[0].removed) == (1, 1, 2)
    texts = [
        h.text
        for h in store.get("help_kb", store.ids_where("help_kb", {"source": "kb/returns.md"}))
    ]
    assert len(texts) == 2
    assert any("60 days" in t for t in texts) and not any("30 days" in t for t in texts)
    assert not any("Refund timing" in t for t in texts)


def test_store_rejects_mismatched_batches(store) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    with pytest.raises(ValueError, match="same length"):
        store.upsert("help_kb", ["a", "b"], np.zeros((1, 3), dtype=np.float32), ["x"], [{}])
    with pytest.raises(ValueError, match="k must be > 0"):
        store.query("help_kb", np.zeros(3, dtype=np.float32), k=0)
