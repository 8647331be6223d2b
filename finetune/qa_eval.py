"""`shopmate eval qa`: base and fine-tuned matcher, judge and generator side by side.

Rows (each a dict with the keys of `METRICS`; a metric that does not apply is None):
- base-matcher / ft-matcher: dense retrieval (exact cosine search over the whole kb,
  or the question's product); the answer is the extractive reply from the top passage;
  scope "shop" is the bot's case on a product page: the matchers search the whole kb, and
  the judge gets those candidates plus the product's own top passages;
- ft-matcher+judge: the ft-matcher's top `depth` reranked by the judge, which also
  abstains when its answer gate (the best passage's score and its lead over the next)
  is below the calibrated threshold; the judge knows the question's product
  (`product_id`, as a product page does) and fuses it, and the ft-matcher's cosine, with
  the cross-encoder's logit; `auc_text_only` is the AUC of the logit alone;
- base-generator / ft-generator: SmolLM2 without and with the LoRA adapter, both fed the
  SAME passages (of the ft-matcher+judge top 3, the best and those the judge scores within
  `CONTENDER_BAND` of it, as the bot does; no answer where the judge abstained),
  so the difference between the rows is the generator's; a reply that fails the
  grounding check (bot/grounding.py) is replaced by the extractive answer.

    report = QAEvaluator(models=Path("var/models/qa"), llm=llm_dir).evaluate(kb, questions)
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from tqdm.auto import tqdm

from bot.answerer import Answer, Answerer
from bot.grounding import default_second_tries, support
from bot.judge import AnswerabilityJudge, in_band
from bot.kernels import QUANTIZE
from bot.passage_text import readable
from finetune.matcher import retrieval_scores
from finetune.qa_data import QAData, QAExample
from finetune.qa_metrics import citation_precision, roc_auc, rouge_l, token_f1
from retrieval.embedder import Embedder
from retrieval.store import Hit

log = logging.getLogger(__name__)

METRICS = (
    "mrr@10",
    "recall@5",
    "auc",
    "token_f1",
    "rouge_l",
    "citation_precision",
    "faithfulness",
    "abstain_rate",
    "p50_s",
    "p95_s",
    "tokens_per_s",
)
Scope = Literal["global", "product", "shop"]


@dataclass(frozen=True)
class QAArtifacts:
    """The folder `shopmate finetune ...` fills: matcher/, judge/, generator/."""

    root: Path

    @property
    def matcher(self) -> Path:
        return self.root / "matcher"

    @property
    def judge(self) -> Path:
        return self.root / "judge"

    @property
    def generator(self) -> Path:
        return self.root / "generator"

    def missing(self, generator: bool = True) -> list[str]:
        """What is not there of what will be scored (the generator only when it is)."""
        need = {"matcher": self.matcher / "model", "judge": self.judge / "model"}
        if generator:
            need["generator"] = self.generator / "adapter"
        return [name for name, p in need.items() if not p.is_dir()]


@dataclass
class QAReport:
    scope: Scope
    n_questions: int
    n_passages: int
    n_generated: int  # questions the generator rows were scored on
    models: dict[str, dict[str, float | None]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    # per generator row and question: what was replied and how it scored (error analysis)
    replies: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "models": self.models,
            "scope": self.scope,
            "n_questions": self.n_questions,
            "n_passages": self.n_passages,
            "n_generated": self.n_generated,
            **self.extra,
        }


def _mean(values: Sequence[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if kept else None


def hits_of(ids: Sequence[str], by_id: dict[str, Any]) -> list[Hit]:
    """Passages of the eval's kb as the retriever hands them to the answerer."""
    return [
        Hit(
            p,
            by_id[p].text,
            1.0,
            {
                "title": by_id[p].title,
                "source": by_id[p].source,
                "product_id": by_id[p].product_id or "",
            },
            1.0,
        )
        for p in ids
    ]


def answer_scores(
    replies: Sequence[Answer],
    cited_ids: Sequence[list[str]],
    cited_texts: Sequence[list[str]],
    questions: Sequence[QAExample],
    seconds: Sequence[float],
) -> dict[str, float | None]:
    """Answer metrics of one row. Abstentions score their reply text (near 0 F1) and
    count in abstain_rate; citation precision and faithfulness are over answered questions."""
    answered = [r.method != "none" for r in replies]
    return {
        "token_f1": _mean(
            [token_f1(r.text, q.answers) for r, q in zip(replies, questions, strict=True)]
        ),
        "rouge_l": _mean(
            [rouge_l(r.text, q.answers) for r, q in zip(replies, questions, strict=True)]
        ),
        "citation_precision": _mean(
            [
                citation_precision(ids, q.evidence_ids)
                for ids, q, a in zip(cited_ids, questions, answered, strict=True)
                if a
            ]
        ),
        "faithfulness": _mean(
            [
                support(r.text, texts)
                for r, texts, a in zip(replies, cited_texts, answered, strict=True)
                if a
            ]
        ),
        "abstain_rate": 1.0 - float(np.mean(answered)),
        "p50_s": float(np.percentile(seconds, 50)),
        "p95_s": float(np.percentile(seconds, 95)),
    }


SELECTIVE_SHARES = (0.25, 0.5, 0.75)  # shares of questions answered, most confident first


def selective_precision(
    cited_ids: Sequence[list[str]],
    questions: Sequence[QAExample],
    confidence: Sequence[float],
    shares: Sequence[float] = SELECTIVE_SHARES,
) -> dict[str, float | None]:
    """Citation precision if the bot answered only the given share of the questions, those
    the judge is most sure of, and offered a person for the rest: the precision a shop
    buys with a higher answer threshold. Keys `citation_precision@50%` and so on."""
    order = np.argsort(-np.asarray(confidence, dtype=np.float64), kind="stable")
    precision = [citation_precision(cited_ids[i], questions[i].evidence_ids) for i in order]
    out: dict[str, float | None] = {}
    for share in shares:
        n = max(1, round(share * len(order)))
        out[f"citation_precision@{share:.0%}"] = _mean(precision[:n]) if len(order) else None
    return out


class QAEvaluator:
    """Scores the base and fine-tuned QA models on one kb and its questions."""

    def __init__(
        self,
        models: Path,
        llm: Path | None,
        base_embedder: Path,
        scope: Scope = "global",
        depth: int = 20,
        generate_limit: int = 0,
        max_new_tokens: int = 64,
        seed: int = 0,
        progress: bool = True,
        abstain: bool = True,
        second_tries: int | None = None,
        quantize: str = "none",
    ) -> None:
        if scope not in ("global", "product", "shop"):
            raise ValueError(f"scope must be 'global', 'product' or 'shop', got {scope!r}")
        if depth < 10:
            raise ValueError(f"depth must be >= 10 (MRR@10 needs ten candidates), got {depth}")
        if generate_limit < 0 or max_new_tokens <= 0 or (second_tries or 0) < 0:
            raise ValueError("generate_limit and second_tries must be >= 0 and max_new_tokens > 0")
        if quantize not in QUANTIZE:  # bot.kernels: auto, none, int8, int8-bf16, int8-fp32
            raise ValueError(
                f"quantize must be 'none' or 'int8' (or {', '.join(QUANTIZE[3:])}, auto), "
                f"got {quantize!r}"
            )
        self.artifacts = QAArtifacts(models)
        missing = self.artifacts.missing(generator=llm is not None)  # --no-generate: no adapter
        if missing:
            raise ValueError(
                f"{models} lacks {', '.join(missing)}: train them with "
                "`shopmate finetune matcher|judge|generator --out ...` or run `shopmate eval qa` "
                "without --models"
            )
        self.llm = llm
        self.base_embedder = base_embedder
        self.scope: Scope = scope
        self.depth = depth
        self.generate_limit = generate_limit
        self.max_new_tokens = max_new_tokens
        self.seed = seed
        self.progress = progress
        self.abstain = abstain  # False: the generators answer every question (judge not asked)
        # sampled replies after a failed check; None: as the bot does by default (the
        # fine-tuned generator SECOND_TRIES, the base model none)
        self.second_tries = second_tries
        self.quantize = quantize  # generator weights: "int8" as the bot serves them, or fp32
        self._quoting: Answerer | None = None

    def evaluate(self, kb: Path, questions: Path) -> QAReport:
        data = QAData.load(kb, questions, need_answers=True)
        qs, passages, by_id = data.questions, data.passages, data.by_id
        report = QAReport(self.scope, len(qs), len(passages), 0)

        for name, path in (
            ("base-matcher", self.base_embedder),
            ("ft-matcher", self.artifacts.matcher / "model"),
        ):
            rankings, retrieve_s, cosine, own = self._dense(Embedder(path), qs, passages)
            every = [True] * len(qs)  # a matcher alone always answers
            report.models[name] = self._quote_row(qs, by_id, rankings, every, retrieve_s)
        ft_rankings, ft_cosine = rankings, cosine  # the ft-matcher's, from the loop's last pass
        if own is not None:  # shop scope: the product page's own passages join, as in the bot
            ft_rankings = [
                list(dict.fromkeys([*r, *o])) for r, o in zip(rankings, own, strict=True)
            ]

        judge = AnswerabilityJudge.load(self.artifacts.judge)
        reranked: list[list[str]] = []
        contenders: list[list[str]] = []
        confidence: list[float] = []  # the judge's answer gate, per question
        text_reranked: list[list[str]] = []  # as a shopper with no product page would get
        text_confidence: list[float] = []
        auc_scores: list[float] = []
        auc_logits: list[float] = []  # the cross-encoder alone, without product context
        auc_labels: list[int] = []
        judge_s: list[float] = []
        for i, (q, ranked) in enumerate(
            tqdm(list(zip(qs, ft_rankings, strict=True)), desc="judge", disable=not self.progress)
        ):
            cand = list(dict.fromkeys([*ranked, *q.evidence_ids]))
            t0 = time.perf_counter()
            logits = judge.logits(q.question, [by_id[p].text for p in cand])
            cos = ft_cosine(i, cand)
            same = (
                np.array([by_id[p].product_id == q.product_id for p in cand])
                if q.product_id
                else None
            )
            s = judge.fusion.apply(logits, same, cos)
            judge_s.append(time.perf_counter() - t0 + retrieve_s[len(judge_s)])
            scored = dict(zip(cand, s.tolist(), strict=True))
            raw = dict(zip(cand, logits.tolist(), strict=True))
            gold = set(q.evidence_ids)
            for p in dict.fromkeys([*q.evidence_ids, *ranked[:10]]):
                auc_scores.append(scored[p])
                auc_logits.append(raw[p])
                auc_labels.append(int(p in gold))
            order = sorted(ranked, key=lambda p: -scored[p])
            reranked.append(order)
            # what the reply is written from: the best and those within the judge's band
            ranked_scores = [scored[p] for p in order]
            contenders.append(order[: in_band(ranked_scores)])
            confidence.append(judge.gate(ranked_scores, q.product_id is not None))
            text = dict(zip(cand, judge.fusion.apply(logits, None, cos).tolist(), strict=True))
            # without a product page the bot searches the whole shop only
            text_order = sorted(rankings[i], key=lambda p: -text[p])
            text_reranked.append(text_order)
            text_confidence.append(judge.gate([text[p] for p in text_order], False))
        cut = judge.threshold
        answerable = [c >= cut for c in confidence]
        row = self._quote_row(qs, by_id, reranked, answerable, judge_s)
        row |= selective_precision([r[:1] for r in reranked], qs, confidence)
        row["auc"] = roc_auc(auc_scores, auc_labels)
        row["auc_text_only"] = roc_auc(auc_logits, auc_labels)
        report.models["ft-matcher+judge"] = row
        # the same judge when the shopper's product is unknown: logit-only fit and threshold
        text_ok = [c >= judge.threshold_text for c in text_confidence]
        row = self._quote_row(qs, by_id, text_reranked, text_ok, judge_s)
        row["auc"] = row["auc_text_only"] = roc_auc(auc_logits, auc_labels)
        report.models["ft-matcher+judge (no product)"] = row
        report.extra["judge_threshold"] = judge.threshold
        report.extra["judge_threshold_text"] = judge.threshold_text

        if self.llm is not None:
            self._generators(report, qs, contenders, answerable, confidence, by_id, judge_s)
        return report

    def _quoter(self) -> Answerer:
        """The bot's answerer without a chat model: it quotes what answers from a passage."""
        if self._quoting is None:
            self._quoting = Answerer(Embedder(self.base_embedder), None)
        return self._quoting

    def _quote_row(
        self,
        qs: list[QAExample],
        by_id: dict[str, Any],
        ranking: list[list[str]],
        answerable: list[bool],
        seconds: list[float],
    ) -> dict[str, float | None]:
        """Retrieval and answer scores of a ranking (a matcher's or the judge's), answering
        extractively from the top passage, as the bot shows it, where the bot may answer."""
        row: dict[str, float | None] = dict.fromkeys(METRICS)
        row |= retrieval_scores(ranking, qs)
        shown = [readable(by_id[r[0]].text) if r else "" for r in ranking]
        quoter = self._quoter()
        replies = [
            quoter.reply_from(q.question, hits_of(r[:1], by_id))
            if ok and r
            else Answer("", [], False, "none")
            for q, r, ok in zip(qs, ranking, answerable, strict=True)
        ]
        cited = [[top] if r else [] for r, top in zip(ranking, shown, strict=True)]
        return row | answer_scores(replies, [r[:1] for r in ranking], cited, qs, seconds)

    def _dense(
        self, emb: Embedder, qs: list[QAExample], passages: list[Any]
    ) -> tuple[
        list[list[str]],
        list[float],
        Callable[[int, list[str]], np.ndarray],
        list[list[str]] | None,
    ]:
        """Top-`depth` passage ids per question, seconds per question (query embedding,
        exact cosine search over the pre-embedded kb, scope filter), the cosine of
        question i and any passages (for the judge's fusion), and in shop scope the top
        `depth` of the question's own product as well (else None); the rankings are then
        the whole kb's."""
        pv = emb.encode([p.text for p in passages], show_progress=self.progress)
        ids = np.array([p.id for p in passages])
        row_of = {p.id: n for n, p in enumerate(passages)}
        products = np.array([p.product_id or "" for p in passages])
        emb.encode_one(qs[0].question)  # warm
        rankings, seconds, qvs = [], [], []
        own: list[list[str]] | None = [] if self.scope == "shop" else None

        def top(sims: np.ndarray) -> list[str]:
            best = np.argsort(-sims, kind="stable")[: self.depth]
            return [str(x) for x in ids[best[np.isfinite(sims[best])]]]

        for q in tqdm(qs, desc=f"{emb.name} queries", disable=not self.progress):
            t0 = time.perf_counter()
            qv = emb.encode_one(q.question)
            sims = pv @ qv
            in_product = (
                np.where(products == (q.product_id or ""), sims, -np.inf)
                if self.scope != "global"
                else sims
            )
            rankings.append(top(in_product if self.scope == "product" else sims))
            if own is not None:
                own.append(top(in_product) if q.product_id else [])
            seconds.append(time.perf_counter() - t0)
            qvs.append(qv)

        def cosine(i: int, pids: list[str]) -> np.ndarray:
            return np.asarray(pv[[row_of[p] for p in pids]] @ qvs[i], dtype=np.float64)

        return rankings, seconds, cosine, own

    def _generators(
        self,
        report: QAReport,
        qs: list[QAExample],
        passages: list[list[str]],  # per question, what the reply is written from
        answerable: list[bool],
        confidence: list[float],  # the judge's answer gate per question
        by_id: dict[str, Any],
        upstream_s: list[float],
    ) -> None:
        from bot.llm import LocalChatModel

        assert self.llm is not None
        idx = list(range(len(qs)))
        if self.generate_limit and len(idx) > self.generate_limit:
            idx = sorted(random.Random(self.seed).sample(idx, self.generate_limit))
        report.n_generated = len(idx)
        report.extra["generator_weights"] = "fp32" if self.quantize == "none" else "int8"
        sub = [qs[i] for i in idx]
        for name, adapter in (
            ("base-generator", None),
            ("ft-generator", self.artifacts.generator / "adapter"),
        ):
            chat = LocalChatModel.load(
                self.llm, self.max_new_tokens, adapter=adapter, quantize=self.quantize
            )
            tries = self.second_tries
            if tries is None:
                tries = default_second_tries(fine_tuned=adapter is not None)
            # the bot's own reply writer: prompt, grounding check, second tries, the quote
            writer = Answerer(self._quoter().embedder, None, chat_model=chat, second_tries=tries)
            replies, ids, texts, seconds = [], [], [], []
            tokens, gen_s, raw_f1, fell_back, retried = 0, 0.0, [], 0, 0
            for i in tqdm(idx, desc=name, disable=not self.progress):
                q = qs[i]
                ok = answerable[i] or not self.abstain
                top = passages[i][: writer.top_k] if ok else []
                t0 = time.perf_counter()
                r = writer.reply_from(q.question, hits_of(top, by_id))
                dt = time.perf_counter() - t0
                seconds.append(dt + upstream_s[i])
                if r.raw:
                    tokens += chat.count_tokens(r.raw)
                    gen_s += dt
                    raw_f1.append(token_f1(r.raw, q.answers))
                    fell_back += r.method != "generated"
                    retried += r.second_try
                replies.append(r)
                ids.append([c.id for c in r.citations])
                texts.append([readable(by_id[c.id].text) for c in r.citations])  # as shown
                report.replies.append(
                    {
                        "model": name,
                        "question_id": q.id,
                        "passage_ids": top,
                        "raw": r.raw,
                        "reply": r.text,
                        "method": r.method,
                        "cited_ids": ids[-1],
                        "token_f1": token_f1(r.text, q.answers),
                        "citation_precision": citation_precision(ids[-1], q.evidence_ids)
                        if r.method != "none"
                        else None,
                    }
                )
            row: dict[str, float | None] = dict.fromkeys(METRICS)
            row |= answer_scores(replies, ids, texts, sub, seconds)
            row["tokens_per_s"] = tokens / gen_s if gen_s else None
            row["raw_token_f1"] = _mean(raw_f1)  # the generator's own words, before the check
            row["fallback_rate"] = fell_back / len(raw_f1) if raw_f1 else None
            row["second_try_rate"] = retried / len(raw_f1) if raw_f1 else None
            row |= selective_precision(ids, sub, [confidence[i] for i in idx])
            report.models[name] = row
