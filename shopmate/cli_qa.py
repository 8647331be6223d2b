"""CLI of the fine-tuned QA models: `shopmate finetune matcher|judge|generator`, `shopmate eval qa`.

shopmate finetune matcher --kb kb.jsonl --train train.jsonl --out var/models/qa/matcher
shopmate eval qa --kb kb.jsonl --questions dev.jsonl --models var/models/qa --json out.json

Registered in shopmate/cli.py. It only parses options; the work lives in finetune/.
"""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from finetune.generator_config import GeneratorTrainConfig as _G  # the recipes' defaults, no torch
from finetune.judge_config import JudgeTrainConfig as _J
from finetune.matcher_config import MatcherTrainConfig as _M
from shopmate.cli_eval import write_json, write_jsonl
from shopmate.cli_setup import cli_settings
from shopmate.console import make_console

console = make_console()

KbOpt = Annotated[
    Path,
    typer.Option("--kb", help='Knowledge base, JSON lines {"id", "text", "product_id", "source"}.'),
]
TrainOpt = Annotated[
    Path,
    typer.Option(
        "--train",
        help='Training questions, JSON lines {"id", "question", "product_id", "answer", "evidence_ids"}.',
    ),
]
ThreadsOpt = Annotated[int, typer.Option(min=1, help="torch threads (2 cores: 2 alone, 1 shared).")]
ProgressOpt = Annotated[bool, typer.Option(help="Show progress bars.")]


def _fail(e: Exception) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(str(e))}", soft_wrap=True)
    return typer.Exit(2)


def _done(kind: str, path: Path, t0: float) -> None:
    import json

    metrics = json.loads((path / "metrics.json").read_text())
    shown = {k: v for k, v in metrics.items() if not isinstance(v, dict)}
    console.print(
        f"{kind} written to {path} in {time.perf_counter() - t0:.0f} s: {escape(str(shown))}",
        soft_wrap=True,
    )


def finetune_matcher(
    kb: KbOpt,
    train: TrainOpt,
    out: Annotated[Path, typer.Option(help="Artifact folder.")] = Path("var/models/qa/matcher"),
    epochs: Annotated[float, typer.Option(min=0.01, help="Passes over the pairs.")] = _M.epochs,
    max_steps: Annotated[
        int, typer.Option(help="Stop after this many steps (-1: epochs).")
    ] = _M.max_steps,
    max_pairs: Annotated[int, typer.Option(min=0, help="Subsample pairs (0: all).")] = _M.max_pairs,
    batch_size: Annotated[
        int,
        typer.Option(
            min=2,
            help="Pairs per step: each question must beat every other pair's passages in "
            "the batch, so a bigger batch is a harder, more global task (same cost per epoch).",
        ),
    ] = _M.batch_size,
    lr: Annotated[float, typer.Option(min=0.0, help="Learning rate.")] = _M.lr,
    max_seq_length: Annotated[
        int, typer.Option(min=16, help="Tokens per text (training).")
    ] = _M.max_seq_length,
    freeze_layers: Annotated[
        int, typer.Option(min=-1, help="Freeze embeddings + N bottom layers (-1: none).")
    ] = _M.freeze_layers,
    negatives: Annotated[
        int,
        typer.Option(
            min=0,
            help="BM25 hard negatives per pair, from other products (0: the batch's other "
            "passages only; on hetPQA one added nothing at 1.6x the time per step).",
        ),
    ] = _M.negatives,
    own_product_negatives: Annotated[
        bool,
        typer.Option(help="The --negatives from the question's own product first, then BM25's."),
    ] = _M.own_product_negatives,
    answer_pairs: Annotated[
        bool, typer.Option(help="Also learn (question, reference answer) pairs.")
    ] = _M.answer_pairs,
    threads: ThreadsOpt = 2,
    progress: ProgressOpt = True,
) -> None:
    """Fine-tune MiniLM contrastively on (question, evidence) pairs (in-batch negatives,
    optionally BM25 hard negatives)."""
    from finetune.matcher import MatcherTrainConfig, train_matcher
    from finetune.qa_data import QADataError
    from shopmate.models import minilm_path

    cli_settings(models=True, threads=threads)
    t0 = time.perf_counter()
    cfg = MatcherTrainConfig(
        kb=kb,
        train=train,
        base=minilm_path(),
        out=out,
        epochs=epochs,
        max_steps=max_steps,
        max_pairs=max_pairs,
        batch_size=batch_size,
        lr=lr,
        max_seq_length=max_seq_length,
        freeze_layers=freeze_layers,
        negatives=negatives,
        own_product_negatives=own_product_negatives,
        answer_pairs=answer_pairs,
    )
    try:
        path = train_matcher(cfg, progress)
    except (QADataError, ValueError) as e:
        raise _fail(e) from e
    _done("matcher", path, t0)


def _from_shop(settings: Any, min_score: float) -> tuple[Path, Path]:
    """The shop's knowledge and past answers as qa files (evidence matched by similarity)."""
    from finetune.shop_qa import shop_qa_files
    from retrieval.embedder import Embedder
    from shopmate.models import minilm_path
    from shopmate.wiring import KNOWLEDGE, QA_HISTORY, open_store

    emb = Embedder(settings.embedder_path or minilm_path())
    store = open_store(settings, emb)
    kb, train, stats = shop_qa_files(
        store.scan(KNOWLEDGE),
        store.scan(QA_HISTORY),
        emb.encode,
        settings.data_dir / "shop-qa",
        min_score,
    )
    console.print(f"training data from the shop: {stats} -> {kb.parent}", soft_wrap=True)
    return kb, train


def finetune_judge(
    kb: Annotated[
        Path | None,
        typer.Option(
            "--kb", help='Knowledge base, JSON lines {"id", "text", "product_id", "source"}.'
        ),
    ] = None,
    train: Annotated[
        Path | None,
        typer.Option("--train", help="Questions with evidence_ids (the qa format)."),
    ] = None,
    from_shop: Annotated[
        bool,
        typer.Option(
            "--from-shop",
            help="Instead of --kb/--train: this shop's knowledge and past answers, each "
            "answer's evidence being the passage most like it.",
        ),
    ] = False,
    min_evidence_score: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="--from-shop: least answer-passage cosine kept."),
    ] = 0.5,
    out: Annotated[Path, typer.Option(help="Artifact folder.")] = Path("var/models/qa/judge"),
    matcher: Annotated[
        Path | None,
        typer.Option(
            help="Matcher artifact whose top passages are the negatives (default MiniLM)."
        ),
    ] = None,
    epochs: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            help="Passes over the data (default 1; 10 with --from-shop, whose few hundred "
            "answers need more passes).",
        ),
    ] = None,
    max_steps: Annotated[
        int, typer.Option(help="Stop after this many steps (-1: epochs).")
    ] = _J.max_steps,
    max_pairs: Annotated[
        int, typer.Option(min=0, help="Subsample training rows (pairs for bce; 0: all).")
    ] = _J.max_pairs,
    lr: Annotated[float, typer.Option(min=0.0, help="Learning rate.")] = _J.lr,
    max_length: Annotated[int, typer.Option(min=16, help="Tokens per pair.")] = _J.max_length,
    freeze_layers: Annotated[
        int, typer.Option(min=-1, help="Freeze embeddings + N bottom layers (-1: none).")
    ] = _J.freeze_layers,
    same_product_negatives: Annotated[
        int, typer.Option(min=0, help="Negatives per question from its own product.")
    ] = _J.same_product_negatives,
    dense_negatives: Annotated[
        int, typer.Option(min=0, help="Negatives per question from the matcher's top 10.")
    ] = _J.dense_negatives,
    bm25_negatives: Annotated[
        int, typer.Option(min=0, help="BM25 negatives per question.")
    ] = _J.bm25_negatives,
    loss: Annotated[
        str, typer.Option(help="listwise (evidence vs its negatives in one softmax) or bce.")
    ] = _J.loss,
    batch_size: Annotated[int, typer.Option(min=2)] = _J.batch_size,
    answer_precision: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Where the judge lets the bot answer, the top passage must be the evidence "
            "at least this often on the held-out questions...",
        ),
    ] = _J.answer_precision,
    answer_confidence: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=0.999,
            help="...with this confidence (a Clopper-Pearson lower bound; 0: the point estimate).",
        ),
    ] = _J.answer_confidence,
    recalibrate: Annotated[
        bool,
        typer.Option(
            help="Do not train: refit the fusion and thresholds of the judge at --out on its "
            "held-out questions (same --matcher as its training)."
        ),
    ] = False,
    threads: ThreadsOpt = 2,
    progress: ProgressOpt = True,
) -> None:
    """Fine-tune the answerability cross-encoder (from MiniLM), fit its product fusion and
    calibrate its thresholds (product known, and unknown)."""
    from finetune.judge import JudgeTrainConfig, recalibrate_judge, train_judge
    from finetune.qa_data import QADataError
    from shopmate.models import minilm_path

    settings = cli_settings(models=True, threads=threads)
    t0 = time.perf_counter()
    if from_shop == (kb is not None or train is not None):
        raise _fail(ValueError("give --kb and --train, or --from-shop (not both)"))
    try:
        if from_shop:
            kb, train = _from_shop(settings, min_evidence_score)
    except ValueError as e:
        raise _fail(e) from e
    if kb is None or train is None:
        raise _fail(ValueError("give both --kb and --train"))
    cfg = JudgeTrainConfig(
        kb=kb,
        train=train,
        base=minilm_path(),
        matcher=matcher / "model" if matcher else minilm_path(),
        out=out,
        epochs=epochs if epochs is not None else 10.0 if from_shop else _J.epochs,
        max_steps=max_steps,
        max_pairs=max_pairs,
        lr=lr,
        max_length=max_length,
        freeze_layers=freeze_layers,
        same_product_negatives=same_product_negatives,
        dense_negatives=dense_negatives,
        bm25_negatives=bm25_negatives,
        loss=loss,
        batch_size=batch_size,
        answer_precision=answer_precision,
        answer_confidence=answer_confidence,
    )
    try:
        if recalibrate:
            m = recalibrate_judge(cfg)
            typer.echo(
                f"answer thresholds: {m['answer_threshold']:.3f} with the product known, "
                f"{m['answer_threshold_text']:.3f} without"
            )
        path = out if recalibrate else train_judge(cfg, progress)
    except (QADataError, ValueError) as e:
        raise _fail(e) from e
    _done("judge", path, t0)


def finetune_generator(
    kb: KbOpt,
    train: TrainOpt,
    out: Annotated[Path, typer.Option(help="Artifact folder.")] = Path("var/models/qa/generator"),
    base: Annotated[
        Path | None, typer.Option(help="Causal LM folder (default SHOPMATE_LLM_PATH or SmolLM2).")
    ] = None,
    max_examples: Annotated[
        int, typer.Option(min=0, help="Training triples (0: all).")
    ] = _G.max_examples,
    epochs: Annotated[int, typer.Option(min=1, help="Passes over the triples.")] = _G.epochs,
    lr: Annotated[float, typer.Option(min=0.0, help="LoRA learning rate.")] = _G.lr,
    max_steps: Annotated[
        int, typer.Option(help="Stop after this many steps (-1: --epochs decide).")
    ] = _G.max_steps,
    max_minutes: Annotated[
        float, typer.Option(min=0, help="Stop training after this many minutes (0: no cap).")
    ] = _G.max_minutes,
    order: Annotated[
        str,
        typer.Option(help="Passage order in the prompts: retrieval (as served) or shuffled."),
    ] = _G.order,
    lora_layers: Annotated[
        int, typer.Option(min=0, help="Adapt only the top N layers (0: all of them).")
    ] = _G.lora_layers,
    passages: Annotated[
        int,
        typer.Option(min=1, help="Passages per training prompt: the evidence and N-1 distractors."),
    ] = _G.passages,
    passage_mix: Annotated[
        str,
        typer.Option(
            help="Instead of --passages, weights of 1, 2, 3, ... passages per prompt, e.g. "
            "0.6,0.2,0.2 (as the judge hands over 1-3 contenders)."
        ),
    ] = "",
    rank: Annotated[
        int, typer.Option(min=1, help="LoRA rank (its alpha is twice the rank).")
    ] = _G.rank,
    target: Annotated[
        str,
        typer.Option(
            help="What the model learns to say: reference (the shop's answer as written) or "
            "grounded (the reference when the grounding check keeps it, else the gold "
            "passage's best words)."
        ),
    ] = _G.target,
    seed: Annotated[
        int, typer.Option(help="Seed of the held-out split, the prompts and the LoRA weights.")
    ] = _G.seed,
    threads: ThreadsOpt = 2,
    progress: ProgressOpt = True,
) -> None:
    """LoRA-tune the generator on grounded (question, passages -> cited answer) triples."""
    from finetune.generator import GeneratorTrainConfig, train_generator
    from finetune.qa_data import QADataError
    from shopmate.models import minilm_path, prepare_llm

    settings = cli_settings(models=True, threads=threads)
    t0 = time.perf_counter()
    llm = base or settings.llm_path or prepare_llm(settings.models_dir)
    cfg = GeneratorTrainConfig(
        kb=kb,
        train=train,
        base=llm,
        ranker=minilm_path(),
        out=out,
        max_examples=max_examples,
        epochs=epochs,
        lr=lr,
        max_steps=max_steps,
        max_minutes=max_minutes,
        order=order,  # type: ignore[arg-type]  # checked by train_generator
        lora_layers=lora_layers,
        passages=passages,
        passage_mix=_weights(passage_mix),
        rank=rank,
        alpha=2 * rank,
        target=target,  # type: ignore[arg-type]  # checked by train_generator
        seed=seed,
    )
    try:
        path = train_generator(cfg, progress)
    except (QADataError, ValueError) as e:
        raise _fail(e) from e
    _done("generator", path, t0)


class QAScope(StrEnum):
    global_ = "global"
    product = "product"
    shop = "shop"


def _weights(text: str) -> tuple[float, ...]:
    """'0.6,0.2,0.2' -> (0.6, 0.2, 0.2); '' -> ()."""
    try:
        return tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise typer.BadParameter(
            f"expected comma-separated weights like 0.6,0.2,0.2, got {text!r}",
            param_hint="--passage-mix",
        ) from None


def _fmt(v: Any) -> str:
    return "—" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def eval_qa(
    kb: KbOpt,
    questions: Annotated[
        Path, typer.Option("--questions", help="Questions with answers and evidence_ids.")
    ],
    models: Annotated[
        Path | None,
        typer.Option(help="Folder with matcher/, judge/, generator/ to evaluate (no training)."),
    ] = None,
    train: Annotated[
        Path | None, typer.Option("--train", help="Without --models: train on these questions.")
    ] = None,
    train_kb: Annotated[
        Path | None, typer.Option("--train-kb", help="Without --models: their kb (default --kb).")
    ] = None,
    out: Annotated[
        Path, typer.Option(help="Without --models: where the trained models go.")
    ] = Path("var/models/qa"),
    scope: Annotated[
        QAScope,
        typer.Option(
            help="global: the whole kb; product: the question's product; shop: the whole kb, "
            "and the judge also gets the product's own passages (the bot on a product page)."
        ),
    ] = QAScope.global_,
    generate: Annotated[bool, typer.Option(help="Score the base and fine-tuned generator.")] = True,
    generate_limit: Annotated[
        int, typer.Option(min=0, help="Score the generators on a seeded sample of N questions.")
    ] = 0,
    max_new_tokens: Annotated[int, typer.Option(min=1)] = 64,
    second_tries: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Sampled replies drawn when a generated reply fails the grounding check "
            "(SHOPMATE_LLM_SECOND_TRIES), for both generators; 0: straight to the extractive "
            "answer. Default: as the bot serves each, 6 for the fine-tuned one, none for the base.",
        ),
    ] = None,
    llm_quantize: Annotated[
        str | None,
        typer.Option(
            help="Generator weights: auto or int8 (int8, prompt kernel chosen for the CPU), "
            "int8-bf16, int8-fp32, or none (fp32). Default: as the bot serves them "
            "(SHOPMATE_LLM_QUANTIZE, auto unless set). Figures before 2026-11-30 were fp32.",
        ),
    ] = None,
    abstain: Annotated[
        bool,
        typer.Option(help="Generator rows abstain where the judge does (--no-abstain: never)."),
    ] = True,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the figures to this JSON file.")
    ] = None,
    replies_out: Annotated[
        Path | None,
        typer.Option(
            "--replies",
            help="Also write each generator reply (question id, passages, raw text, reply, "
            "citations, token-F1) to this JSON-lines file, for error analysis. "
            "Question and reply text are the dataset's, not shoppers'.",
        ),
    ] = None,
    threads: ThreadsOpt = 1,
    progress: ProgressOpt = True,
) -> None:
    """Retrieval, judge AUC and answer quality of base and fine-tuned QA models, side by side."""
    from finetune.generator import GeneratorTrainConfig, train_generator
    from finetune.judge import JudgeTrainConfig, train_judge
    from finetune.matcher import MatcherTrainConfig, train_matcher
    from finetune.qa_data import QADataError
    from finetune.qa_eval import METRICS, QAEvaluator
    from shopmate.models import minilm_path, prepare_llm

    settings = cli_settings(models=True, threads=threads)
    llm = (settings.llm_path or prepare_llm(settings.models_dir)) if generate else None
    minilm = minilm_path()
    try:
        if models is None:
            if train is None:
                raise ValueError("give --models PATH (trained artifacts) or --train Q.jsonl")
            tkb = train_kb or kb
            times = {}
            t0 = time.perf_counter()
            m = train_matcher(
                MatcherTrainConfig(kb=tkb, train=train, base=minilm, out=out / "matcher"), progress
            )
            times["matcher"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            cfg = JudgeTrainConfig(
                kb=tkb, train=train, base=minilm, matcher=m / "model", out=out / "judge"
            )
            train_judge(cfg, progress)
            times["judge"] = time.perf_counter() - t0
            if llm is not None:
                t0 = time.perf_counter()
                gcfg = GeneratorTrainConfig(
                    kb=tkb, train=train, base=llm, ranker=minilm, out=out / "generator"
                )
                train_generator(gcfg, progress)
                times["generator"] = time.perf_counter() - t0
            console.print(
                "trained in " + ", ".join(f"{k} {v:.0f} s" for k, v in times.items()),
                soft_wrap=True,
            )
            models = out
        evaluator = QAEvaluator(
            models,
            llm,
            settings.embedder_path or minilm_path(),
            scope=scope.value,
            generate_limit=generate_limit,
            max_new_tokens=max_new_tokens,
            progress=progress,
            abstain=abstain,
            second_tries=second_tries,
            quantize=settings.llm_quantize if llm_quantize is None else llm_quantize,
        )
        report = evaluator.evaluate(kb, questions)
    except (QADataError, ValueError) as e:
        raise _fail(e) from e
    table = Table(
        "model",
        *METRICS,
        title=f"{report.scope} scope: {report.n_questions} questions "
        f"(generators on {report.n_generated}), {report.n_passages} passages",
    )
    for name, row in report.models.items():
        table.add_row(name, *[_fmt(row.get(k)) for k in METRICS])
    console.print(table)
    if json_out is not None:
        write_json(json_out, report.as_dict())
        console.print(f"wrote {json_out}")
    if replies_out is not None:
        write_jsonl(replies_out, report.replies)
        console.print(f"wrote {len(report.replies)} replies to {replies_out}")
