"""Product questions with reference answers, asked through the served chat engine.

`shopmate eval served-qa --kb kb.jsonl --questions dev.jsonl` ingests the evidence
passages into a fresh shop and sends every question through `ChatEngine.respond` on its
product's page (a fresh session each, `product_id` set as the widget sets it): the path
`POST /v1/chat` runs, with whatever retriever, judge and generator the settings choose.
Each reply is scored against the people's answers (token F1, ROUGE-L), its citations
against the gold evidence ids (precision), and declines are counted; latency is per reply.

    result = run_served_qa(services, questions)
    result.summary()   # {"n", "answered", "abstain_rate", "token_f1", ...}
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from finetune.qa_data import QAExample
from finetune.qa_metrics import citation_precision, rouge_l, token_f1
from finetune.shop_eval import Responder, declined


@dataclass(frozen=True)
class ServedReply:
    question_id: str
    reply: str
    cited: list[str]
    declined: bool
    method: str  # the engine's action: answer | no_answer | handoff | …
    token_f1: float
    rouge_l: float
    citation_precision: float | None
    seconds: float


@dataclass
class ServedQAResult:
    replies: list[ServedReply] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        rs = self.replies
        answered = [r for r in rs if not r.declined]
        precisions = [r.citation_precision for r in answered if r.citation_precision is not None]
        secs = [r.seconds for r in rs]

        def mean(xs: Sequence[float]) -> float | None:
            return float(np.mean(xs)) if xs else None

        return {
            "n": len(rs),
            "answered": len(answered),
            "abstain_rate": 1 - len(answered) / len(rs) if rs else None,
            # a decline scores 0 against the people's answer: the mean over all questions
            "token_f1": mean([0.0 if r.declined else r.token_f1 for r in rs]),
            "token_f1_answered": mean([r.token_f1 for r in answered]),
            "rouge_l_answered": mean([r.rouge_l for r in answered]),
            "citation_precision": mean(precisions),
            "p50_s": float(np.percentile(secs, 50)) if secs else None,
            "p95_s": float(np.percentile(secs, 95)) if secs else None,
        }

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary(), "replies": [r.__dict__ for r in self.replies]}


def run_served_qa(
    engine: Responder, questions: Sequence[QAExample], progress: bool = False
) -> ServedQAResult:
    """Every question through `engine.respond` on its product's page, scored."""
    out = ServedQAResult()
    for q in tqdm(questions, desc="questions", disable=not progress):
        t0 = time.perf_counter()
        reply = engine.respond(
            f"eval-{uuid.uuid4().hex[:12]}", None, q.question, product_id=q.product_id
        )
        dt = time.perf_counter() - t0
        no = declined(reply)
        cited = [c.id for c in reply.citations]
        out.replies.append(
            ServedReply(
                q.id,
                reply.reply,
                cited,
                no,
                reply.action,
                token_f1(reply.reply, q.answers),
                rouge_l(reply.reply, q.answers),
                None if no else citation_precision(cited, q.evidence_ids),
                dt,
            )
        )
    return out
