"""Scoring the served chat engine on a shop's own questions (`shopmate eval shop`).

    questions = load_questions(Path("bench/shops/woocommerce-sample/questions.jsonl"))
    result = run_shop_eval(engine, repo, questions, product_field="sku")
    result.by_kind()  # {"policy": (right, total), ...}

Each question goes through `ChatEngine.respond` — the path the server runs — in a fresh
session, with the page's product when the question names one. A reply is right when every
`must_match` regex matches it (case-insensitive); a product search or recommendation when
at least one card is acceptable and none is in `must_not_skus`; an unanswerable question
when the bot declines or offers a person. Question lines:
{"id","question","kind","answerable","must_match":[regex…],"sku"?,"acceptable_skus"?,
"must_not_skus"?,"answer"}.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bot.types import BotReply
from shop.repository import ProductRecord, ShopRepository

KINDS = ("policy", "product_fact", "product_search", "recommendation", "unanswerable")
DECLINE_ACTIONS = {"no_answer", "handoff", "decline", "clarify"}
_OFFERS_PERSON = re.compile(
    r"(?i)\b(person|someone|human|agent|our team)\b.*\?|I'?m not sure|I don'?t know|doesn'?t say"
)


class QuestionError(ValueError):
    """A question line is unusable; the message names the line."""


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    kind: str
    answerable: bool
    must_match: list[str]
    sku: str | None = None
    acceptable: list[str] = field(default_factory=list)
    must_not: list[str] = field(default_factory=list)
    answer: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def load_questions(path: Path) -> list[Question]:
    out: list[Question] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            raise QuestionError(f"{path}:{n}: not JSON ({e.msg})") from e
        if not isinstance(d, dict) or not str(d.get("question") or "").strip():
            raise QuestionError(f"{path}:{n}: needs an object with a non-empty 'question'")
        kind = str(d.get("kind") or ("unanswerable" if d.get("answerable") is False else ""))
        if kind not in KINDS:
            raise QuestionError(f"{path}:{n}: kind {kind!r} is not one of {', '.join(KINDS)}")
        for rx in d.get("must_match") or []:
            try:
                re.compile(rx)
            except re.error as e:
                raise QuestionError(f"{path}:{n}: must_match {rx!r} is not a regex ({e})") from e
        out.append(
            Question(
                str(d.get("id") or n),
                str(d["question"]),
                kind,
                bool(d.get("answerable", kind != "unanswerable")),
                list(d.get("must_match") or []),
                d.get("sku"),
                [str(x) for x in d.get("acceptable_skus") or []],
                [str(x) for x in d.get("must_not_skus") or []],
                str(d.get("answer") or ""),
                {k: v for k, v in d.items() if k not in Question.__dataclass_fields__},
            )
        )
    return out


def declined(reply: BotReply) -> bool:
    """The bot said it does not know, offered a person, or declined."""
    return reply.action in DECLINE_ACTIONS or bool(_OFFERS_PERSON.search(reply.reply))


def _names(p: ProductRecord | None, card_id: str) -> set[str]:
    names = {card_id.lower()}
    if p is not None:
        names |= {x.lower() for x in (p.sku, *(v.sku for v in p.variants)) if x}
    return names


@dataclass(frozen=True)
class Outcome:
    question: Question
    reply: str
    cards: list[str]
    right: bool
    why: str
    seconds: float
    card_hits: int = 0  # cards that are acceptable (searches)


def score(
    q: Question, reply: BotReply, products: dict[str, ProductRecord]
) -> tuple[bool, str, int]:
    """(right, why not, acceptable cards) for one reply."""
    if not q.answerable:
        return (declined(reply), "" if declined(reply) else "answered instead of declining", 0)
    missing = [rx for rx in q.must_match if not re.search(rx, reply.reply, re.I)]
    hits = 0
    if q.kind in {"product_search", "recommendation"} and (q.acceptable or q.must_not):
        ok_names = {x.lower() for x in q.acceptable}
        bad_names = {x.lower() for x in q.must_not}
        names = [_names(products.get(c.id), c.id) for c in reply.products]
        hits = sum(bool(n & ok_names) for n in names)
        bad = [c.id for c, n in zip(reply.products, names, strict=True) if n & bad_names]
        if q.acceptable and not hits:
            return False, "no acceptable product card", hits
        if bad:
            return False, f"cards it must not show: {bad}", hits
    if missing:
        return False, f"reply does not match {missing}", hits
    if declined(reply) and not q.must_match and q.kind not in {"product_search", "recommendation"}:
        return False, "declined an answerable question", hits
    return True, "", hits


class Responder(Protocol):
    def respond(
        self, session_id: str, user_id: str | None, message: str, product_id: str | None = None
    ) -> BotReply: ...


@dataclass
class ShopEvalResult:
    outcomes: list[Outcome]

    def by_kind(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for o in self.outcomes:
            r, t = out.get(o.question.kind, (0, 0))
            out[o.question.kind] = (r + o.right, t + 1)
        return out

    @property
    def right(self) -> int:
        return sum(o.right for o in self.outcomes)

    def search_precision(self) -> float | None:
        """Share of the cards shown for product searches that were what was asked for."""
        shown = [
            o
            for o in self.outcomes
            if o.question.kind == "product_search" and o.question.acceptable
        ]
        n = sum(len(o.cards) for o in shown)
        return sum(o.card_hits for o in shown) / n if n else None

    def latency(self, kinds: Sequence[str] | None = None) -> tuple[float, float]:
        xs = [o.seconds for o in self.outcomes if kinds is None or o.question.kind in kinds]
        if not xs:
            return (0.0, 0.0)
        return float(np.percentile(xs, 50)), float(np.percentile(xs, 95))

    def to_json(self) -> dict[str, Any]:
        p50, p95 = self.latency()
        return {
            "right": self.right,
            "total": len(self.outcomes),
            "by_kind": {k: {"right": r, "total": t} for k, (r, t) in self.by_kind().items()},
            "search_precision": self.search_precision(),
            "latency_s": {"p50": p50, "p95": p95},
            "wrong": [
                {
                    "id": o.question.id,
                    "question": o.question.question,
                    "reply": o.reply,
                    "cards": o.cards,
                    "why": o.why,
                    "answer": o.question.answer,
                }
                for o in self.outcomes
                if not o.right
            ],
        }


def run_shop_eval(
    engine: Responder,
    repo: ShopRepository,
    questions: Iterable[Question],
    product_field: str | None = "sku",
    progress: bool = False,
) -> ShopEvalResult:
    from tqdm import tqdm

    qs = list(questions)
    products = {p.id: p for p in repo.all_products()}
    outcomes: list[Outcome] = []
    for q in tqdm(qs, desc="questions", disable=not progress):
        page = q.sku if product_field == "sku" else q.extra.get(product_field or "")
        pid = None
        if page:
            found = repo.get_product(str(page)) or repo.find_by_sku(str(page))
            pid = found.id if found else None
        t0 = time.perf_counter()
        reply = engine.respond(f"eval-{uuid.uuid4().hex[:12]}", None, q.question, product_id=pid)
        dt = time.perf_counter() - t0
        right, why, hits = score(q, reply, products)
        outcomes.append(
            Outcome(q, reply.reply, [c.id for c in reply.products], right, why, dt, hits)
        )
    return ShopEvalResult(outcomes)
