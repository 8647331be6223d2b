"""`shopmate eval ...`: measure retrieval on a knowledge base and shopper questions.

shopmate eval retrieval --kb kb.jsonl --questions dev.jsonl --scope product --json out.json

Mounted in shopmate/cli.py with `app.add_typer(eval_app, name="eval")`. It only
parses options; the work lives in retrieval/evaluation.py.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from shopmate.cli_setup import cli_settings
from shopmate.console import make_console

eval_app = typer.Typer(
    help="Measure retrieval quality on a knowledge base and shopper questions.",
    no_args_is_help=True,
)
console = make_console()


@eval_app.callback()
def _group() -> None:
    """Measure retrieval quality (one group, even with a single command)."""


class ScopeOption(StrEnum):
    global_ = "global"
    product = "product"


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write to a temp file next to the target and rename: never a half-written file."""
    _write_atomic(path, json.dumps(data, indent=2) + "\n")


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """JSON lines, written like `write_json`."""
    _write_atomic(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@eval_app.command("retrieval")
def retrieval(
    kb: Annotated[
        Path,
        typer.Option(
            "--kb", help='Knowledge base, JSON lines {"id", "text", "product_id", "source"}.'
        ),
    ],
    questions: Annotated[
        Path,
        typer.Option(
            "--questions",
            help='Questions, JSON lines {"id", "question", "product_id", "evidence_ids"}.',
        ),
    ],
    scope: Annotated[
        ScopeOption,
        typer.Option(
            help="global: search the whole kb; product: only the question's product passages."
        ),
    ] = ScopeOption.global_,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the figures to this JSON file.")
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
    threads: Annotated[
        int,
        typer.Option(
            min=0,
            help="torch threads (0: torch's default; 1 avoids OpenMP stalls on a busy machine).",
        ),
    ] = 0,
) -> None:
    """Recall@1/5/10, MRR@10 and p50/p95 query latency of bm25, dense and hybrid retrieval."""
    from retrieval.embedder import Embedder
    from retrieval.evaluation import EvalDataError, RetrievalEvaluator
    from retrieval.ingest import IngestError
    from shopmate.models import minilm_path

    settings = cli_settings(models=True, threads=threads)
    embedder = Embedder(settings.embedder_path or minilm_path())
    evaluator = RetrievalEvaluator(embedder, scope=scope.value, show_progress=progress)
    try:
        report = evaluator.evaluate(kb, questions)
    except (EvalDataError, IngestError) as e:
        console.print(f"[red]error:[/red] {e}", soft_wrap=True)
        raise typer.Exit(2) from e

    table = Table(
        "model",
        "Recall@1",
        "Recall@5",
        "Recall@10",
        "MRR@10",
        "p50 ms",
        "p95 ms",
        title=f"{report.scope} scope: {report.n_questions} questions, {report.n_passages} passages",
    )
    for name, m in report.models.items():
        table.add_row(
            name,
            f"{m.recall_at_1:.3f}",
            f"{m.recall_at_5:.3f}",
            f"{m.recall_at_10:.3f}",
            f"{m.mrr_at_10:.3f}",
            f"{m.p50_ms:.1f}",
            f"{m.p95_ms:.1f}",
        )
    console.print(table)
    if json_out is not None:
        write_json(json_out, report.as_dict())
        console.print(f"wrote {json_out}")


def _load_shop(services: Any, shop: Path) -> str:
    """Ingest a shop folder into fresh stores: its catalog export(s) at the top (a
    `map.toml` beside them is used as the column mapping) and its help pages under kb/."""
    from retrieval.ingest import KNOWLEDGE_SUFFIXES, load_file
    from shop.catalog_import import load_mapping, read_catalog
    from shop.catalog_io import is_catalog_csv

    mapping = shop / "map.toml"
    variants_file = ""
    if mapping.exists():
        variants_file = str(load_mapping(mapping).get("variants", {}).get("file", ""))
    notes = []
    for f in sorted(shop.glob("*.csv")):
        if f.name == variants_file or not (mapping.exists() or is_catalog_csv(f)):
            continue
        report = read_catalog(f, mapping if mapping.exists() else None)
        services.repo.upsert_products(report.products)
        services.item_index.index(report.products)
        notes.append(report.summary()[0])
    for f in sorted((shop / "kb").rglob("*")):
        if f.is_file() and f.suffix.lower() in KNOWLEDGE_SUFFIXES:
            list(services.ingestor.ingest(load_file(f, source=f"kb/{f.name}"), "knowledge"))
    return "; ".join(notes)


@eval_app.command("shop")
def eval_shop(
    questions: Annotated[
        Path, typer.Option(help="Question lines (see bench/shops/README.md).", exists=True)
    ],
    shop: Annotated[
        Path | None,
        typer.Option(
            help="A shop folder (catalog export + kb/): built into a fresh data dir first. "
            "Without it, the configured shop (SHOPMATE_DATA_DIR) is asked.",
            exists=True,
            file_okay=False,
        ),
    ] = None,
    product_field: Annotated[
        str, typer.Option(help="The question field naming the product page, sent as product_id.")
    ] = "sku",
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the results here.")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Send each question through the served chat engine (a fresh session each) and print
    right/total per kind, search precision, latency and every wrong answer."""
    from finetune.shop_eval import QuestionError, load_questions, run_shop_eval
    from shopmate.wiring import build_services, load_shared

    try:
        qs = load_questions(questions)
    except QuestionError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from e
    settings = cli_settings(log_level="warning")
    with tempfile.TemporaryDirectory(prefix="shopmate-eval-") as tmp:
        if shop is not None:
            with console.status("loading models"):
                shared = load_shared(settings)
            update: dict[str, Any] = {
                "data_dir": Path(tmp),
                "database_url": None,
                "chroma_url": None,
            }
            if (shop / "shop.toml").exists():  # the shop's own name and currency
                import tomllib

                own = tomllib.loads((shop / "shop.toml").read_text(encoding="utf-8"))
                update |= {k: own[k] for k in ("currency", "shop_name") if k in own}
            shop_settings = settings.model_copy(update=update)
            services = build_services(shop_settings, shared=shared)
            with console.status(f"building {shop.name}"):
                note = _load_shop(services, shop)
            console.print(f"shop: {note}")
        else:
            services = build_services(settings)
        result = run_shop_eval(services.engine, services.repo, qs, product_field, progress)
    table = Table(title=f"served path on {questions}")
    for col in ("kind", "right", "total", "p50 s", "p95 s"):
        table.add_column(col)
    for kind, (r, t) in sorted(result.by_kind().items()):
        p50, p95 = result.latency([kind])
        table.add_row(kind, str(r), str(t), f"{p50:.3f}", f"{p95:.3f}")
    p50, p95 = result.latency()
    table.add_row("all", str(result.right), str(len(result.outcomes)), f"{p50:.3f}", f"{p95:.3f}")
    console.print(table)
    sp = result.search_precision()
    console.print(f"search precision: {'n/a' if sp is None else f'{sp:.2f}'}")
    for w in result.to_json()["wrong"]:
        console.print(
            f"[yellow]wrong[/yellow] {w['id']}: {w['question']!r}\n  got: {w['reply'][:300]!r}"
            f" cards={w['cards']}\n  why: {w['why']}\n  expected: {w['answer'][:200]!r}",
            soft_wrap=True,
        )
    if json_out is not None:
        json_out.write_text(json.dumps(result.to_json(), indent=2, ensure_ascii=False))


@eval_app.command("served-qa")
def eval_served_qa(
    kb: Annotated[
        Path,
        typer.Option(
            help='Evidence passages, JSON lines {"id", "text", "product_id", "source"}.',
            exists=True,
            dir_okay=False,
        ),
    ],
    questions: Annotated[
        Path,
        typer.Option(
            help='Questions, JSON lines {"id", "question", "product_id", "answers", '
            '"evidence_ids"} (the hetPQA format of ../shared/DATASETS.md).',
            exists=True,
            dir_okay=False,
        ),
    ],
    limit: Annotated[int, typer.Option(min=0, help="Ask only the first N questions (0: all).")] = 0,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the results here.")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Product questions through the served chat engine: the evidence is ingested into a
    fresh shop, each question is asked on its product's page (a fresh session each), and the
    replies are scored against the people's answers and the gold evidence. The retriever,
    judge and generator are the ones the settings (SHOPMATE_*) choose, as in serving."""
    from finetune.qa_data import QADataError, load_qa
    from finetune.served_qa import run_served_qa
    from retrieval.evaluation import EvalDataError, load_kb
    from retrieval.ingest import IngestError
    from shopmate.wiring import build_services, load_shared

    try:
        passages = load_kb(kb)
        qs = load_qa(questions, need_answers=True)
    except (QADataError, EvalDataError, IngestError) as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from e
    qs = qs[:limit] if limit else qs
    settings = cli_settings(log_level="warning")
    with tempfile.TemporaryDirectory(prefix="shopmate-eval-") as tmp:
        with console.status("loading models"):
            shared = load_shared(settings)
        update = {"data_dir": Path(tmp), "database_url": None, "chroma_url": None}
        services = build_services(settings.model_copy(update=update), shared=shared)
        list(services.ingestor.ingest(passages, "knowledge"))
        result = run_served_qa(services.engine, qs, progress)
    s = result.summary()
    table = Table(title=f"served path on {questions} ({settings.generator} replies)")
    for col in ("measure", "value"):
        table.add_column(col)
    for k, v in s.items():
        table.add_row(k, "n/a" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v))
    console.print(table)
    if json_out is not None:
        json_out.write_text(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
