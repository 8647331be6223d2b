"""Retrieval benchmark: quality on hetPQA dev, latency on 10k passages, ingestion throughput.

    .venv/bin/python bench/retrieval_bench.py --write-docs          # (a) (b) (c), updates docs
    .venv/bin/python bench/retrieval_bench.py --tune --write-docs   # also the fusion grid on train

(a) BM25, dense and hybrid on the dev questions, global and product scope (the
    same runner as `shopmate eval retrieval`); (b) p50/p95 query latency, query
    embedding included, on a 10k-passage collection: the kb texts, then the train
    questions and answers as extra passages, then numbered repeats if still short;
    (c) passages/s through Ingestor into Chroma against the bare encoder on the same
    passages, alternating in five parts. --tune sweeps the fusion weight and candidate depth on TRAIN questions.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import sys
import tempfile
import time
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.bm25 import BM25Retriever  # noqa: E402
from retrieval.chunking import Passage  # noqa: E402
from retrieval.embedder import Embedder  # noqa: E402
from retrieval.evaluation import (  # noqa: E402
    RetrievalEvaluator,
    RetrievalReport,
    load_kb,
    load_questions,
    percentile_ms,
    reciprocal_rank,
)
from retrieval.hybrid import BM25_WEIGHT, DEPTH, HybridRetriever  # noqa: E402
from retrieval.ingest import Ingestor  # noqa: E402
from retrieval.retriever import KnowledgeRetriever  # noqa: E402
from retrieval.store import VectorStore  # noqa: E402
from shopmate.models import minilm_path, offline  # noqa: E402

COLUMNS = ["model", "Recall@1", "Recall@5", "Recall@10", "MRR@10", "p50 ms", "p95 ms"]


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join([*lines, *("| " + " | ".join(r) + " |" for r in rows)])


def report_rows(r: RetrievalReport) -> list[list[str]]:
    return [
        [
            name,
            *(f"{v:.3f}" for v in (m.recall_at_1, m.recall_at_5, m.recall_at_10, m.mrr_at_10)),
            f"{m.p50_ms:.1f}",
            f"{m.p95_ms:.1f}",
        ]
        for name, m in r.models.items()
    ]


def padded_passages(data: Path, n: int) -> list[Passage]:
    """n distinct passages: kb texts, then train questions and answers, then numbered repeats."""
    rows = [json.loads(x) for x in (data / "kb.jsonl").read_text().splitlines() if x.strip()]
    texts = [(r["text"], r.get("product_id")) for r in rows]
    for q in (json.loads(x) for x in (data / "train.jsonl").read_text().splitlines() if x.strip()):
        texts += [(q["question"], q.get("product_id")), (q["answer"], q.get("product_id"))]
    seen: set[str] = set()
    unique = [(t, p) for t, p in texts if t.strip() and not (t in seen or seen.add(t))]
    out, rep = [], 0
    while len(out) < n:
        for t, p in unique[: n - len(out)]:
            text = t if rep == 0 else f"{t} (variant {rep})"
            out.append(Passage(f"b{len(out)}", text, "bench/10k", "bench", p))
        rep += 1
    return out


def throughput(
    embedder: Embedder, store: VectorStore, passages: list[Passage], parts: int = 5
) -> tuple[float, float]:
    """Passages/s of the bare encoder and of Ingestor into Chroma, on the same passages.

    The two alternate part by part (each part its own source), so that a change in
    the load of a shared machine hits both alike.
    """
    seconds = {"bare": 0.0, "ingest": 0.0}
    size = -(-len(passages) // parts)
    ingestor = Ingestor(embedder, store)
    for i in range(0, len(passages), size):
        part = [replace(p, source=f"{p.source}/part{i // size}") for p in passages[i : i + size]]
        t0 = time.perf_counter()
        embedder.encode([p.text for p in part], show_progress=True)
        seconds["bare"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        ingestor.ingest(part, "bench_10k", show_progress=True)
        seconds["ingest"] += time.perf_counter() - t0
    return len(passages) / seconds["bare"], len(passages) / seconds["ingest"]


def latency(models: dict[str, object], questions: list[str]) -> dict[str, tuple[float, float]]:
    times: dict[str, list[float]] = {m: [] for m in models}
    for model in models.values():
        model.retrieve(questions[0], top_k=10)  # type: ignore[attr-defined]
    for q in questions:
        for name, model in models.items():
            t0 = time.perf_counter()
            model.retrieve(q, top_k=10)  # type: ignore[attr-defined]
            times[name].append(time.perf_counter() - t0)
    return {m: (percentile_ms(t, 50), percentile_ms(t, 95)) for m, t in times.items()}


def tune(embedder: Embedder, store: VectorStore, collection: str, data: Path) -> list[list[str]]:
    """MRR@10 on the train questions (global scope) over the fusion grid, and plain RRF."""
    qs = load_questions(data / "train.jsonl")
    vecs = embedder.encode([q.question for q in qs], show_progress=True)
    bm25 = BM25Retriever(store, collection)
    rows = []
    for depth in (20, 30, 50):
        for w in (0.1, 0.2, 0.3, 0.4, 0.6, 1.0):
            h = HybridRetriever(embedder, store, collection, bm25=bm25, bm25_weight=w, depth=depth)
            rr = [
                reciprocal_rank(
                    [x.id for x in h.retrieve(q.question, 10, vector=v)], q.evidence_ids, 10
                )
                for q, v in zip(qs, vecs, strict=True)
            ]
            rows.append([f"cosine + {w} x BM25/bound", str(depth), f"{sum(rr) / len(rr):.4f}"])
    rr = []
    for q, v in zip(qs, vecs, strict=True):  # reciprocal rank fusion, k = 60, same depth
        dense = [x.id for x in store.query(collection, v, k=DEPTH)]
        lexical = [x.id for x in bm25.retrieve(q.question, top_k=DEPTH)]
        score: dict[str, float] = {}
        for ranking in (dense, lexical):
            for rank, pid in enumerate(ranking, 1):
                score[pid] = score.get(pid, 0.0) + 1 / (60 + rank)
        rr.append(reciprocal_rank(sorted(score, key=lambda p: -score[p]), q.evidence_ids, 10))
    rows.append(["plain RRF (k=60)", str(DEPTH), f"{sum(rr) / len(rr):.4f}"])
    return rows


def write_section(path: Path, section: str) -> None:
    """Replace (or append) the '## Retrieval' section; other sections stay as they are."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    lines = text.splitlines()
    start = next((i for i, x in enumerate(lines) if x.strip() == "## Retrieval"), None)
    if start is None:
        new = text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        tail = "\n".join(lines[end:])
        new = (
            "\n".join(lines[:start])
            + "\n"
            + section.rstrip("\n")
            + "\n"
            + ("\n" + tail + "\n" if tail else "")
        )
    tmp = path.with_suffix(".md.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(new)
    tmp.replace(path)


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--data",
        type=Path,
        default=ROOT.parent / "shared/data/qa/hetpqa",
        help="qa folder with kb/train/dev.jsonl",
    )
    p.add_argument(
        "--passages", type=int, default=10_000, help="size of the latency/throughput collection"
    )
    p.add_argument(
        "--query-threads",
        type=int,
        default=1,
        help="torch threads while querying (1: no OpenMP stalls when other jobs share the cores)",
    )
    p.add_argument(
        "--ingest-threads", type=int, default=0, help="torch threads for bulk encoding (0: default)"
    )
    p.add_argument(
        "--tune", action="store_true", help="also sweep the fusion on the train questions"
    )
    p.add_argument(
        "--write-docs", action="store_true", help="write the '## Retrieval' section of --docs"
    )
    p.add_argument("--docs", type=Path, default=ROOT / "docs/benchmarks.md")
    args = p.parse_args()

    import torch

    offline()
    threads = {
        "ingest": args.ingest_threads or torch.get_num_threads(),
        "query": args.query_threads,
    }
    load_before = os.getloadavg()
    embedder = Embedder(minilm_path())
    embedder.warm_up()
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="retrieval-bench-") as tmp:
        store = VectorStore.open(path=Path(tmp) / "chroma")
        torch.set_num_threads(threads["ingest"])
        Ingestor(embedder, store).ingest(load_kb(args.data / "kb.jsonl"), "hetpqa_kb", True)
        passages = padded_passages(args.data, args.passages)
        bare, ingest = throughput(embedder, store, passages)

        torch.set_num_threads(threads["query"])
        reports = [  # the kb is in already: the runner's ingestion finds it unchanged
            RetrievalEvaluator(embedder, store, "hetpqa_kb", scope=s).evaluate(
                args.data / "kb.jsonl", args.data / "dev.jsonl"
            )
            for s in ("global", "product")
        ]
        for r in reports:
            out += [
                f"\n### hetPQA dev, {r.scope} scope ({r.n_questions} questions, {r.n_passages} passages)\n",
                table(COLUMNS, report_rows(r)),
            ]
        if args.tune:
            out += [
                "\n### Fusion tuning on hetPQA train, global scope (MRR@10)\n",
                table(["fusion", "depth", "MRR@10"], tune(embedder, store, "hetpqa_kb", args.data)),
            ]
        questions = [q.question for q in load_questions(args.data / "dev.jsonl")]
        bm25 = BM25Retriever(store, "bench_10k")
        lat = latency(
            {
                "bm25": bm25,
                "dense": KnowledgeRetriever(embedder, store, "bench_10k"),
                "hybrid": HybridRetriever(embedder, store, "bench_10k", bm25=bm25),
            },
            questions,
        )
    ok = "meets" if max(v[1] for v in lat.values()) <= 30 else "MISSES"
    out += [
        f"\n### Query latency on {len(passages):,} passages, global scope, query embedding included "
        f"({len(questions)} dev questions; target p95 <= 30 ms: {ok})\n",
        table(
            ["model", "p50 ms", "p95 ms"],
            [[m, f"{a:.1f}", f"{b:.1f}"] for m, (a, b) in lat.items()],
        ),
        f"\n### Ingestion throughput, {len(passages):,} passages\n",
        table(
            ["path", "passages/s"],
            [
                ["bare encoder (MiniLM)", f"{bare:.0f}"],
                ["Ingestor -> Chroma", f"{ingest:.0f}"],
                ["ratio (target >= 80%)", f"{ingest / bare:.0%}"],
            ],
        ),
    ]
    load_after = os.getloadavg()
    head = [
        "## Retrieval\n",
        f"Measured {datetime.datetime.now(datetime.UTC):%Y-%m-%d} on 2 CPU cores "
        f"({platform.machine()}, os.cpu_count() = {os.cpu_count()}; torch threads: "
        f"{threads['query']} while querying, {threads['ingest']} for bulk encoding; load average "
        f"{load_before[0]:.1f} before / {load_after[0]:.1f} after: the machine is shared with other "
        f"jobs, so latencies are upper bounds), bm25s {version('bm25s')}, PyStemmer "
        f"{version('PyStemmer')}, chromadb {version('chromadb')}, torch {version('torch')}, "
        "all-MiniLM-L6-v2.\n",
        f"Command: `{shlex.join(['.venv/bin/python', 'bench/retrieval_bench.py', *sys.argv[1:]])}`\n",
        f"Hybrid = cosine + {BM25_WEIGHT} x BM25 / (the query's WAND bound), {DEPTH} candidates per "
        "side (retrieval/hybrid.py); weight and depth chosen on the train questions only. The 10k "
        "collection is the kb texts, then the train questions and answers as passages, then "
        "numbered repeats if still short.",
    ]
    section = "\n".join(head + out) + "\n"
    print(section)
    if args.write_docs:
        write_section(args.docs, section)
        print(f"wrote the Retrieval section of {args.docs}")


if __name__ == "__main__":
    main()
