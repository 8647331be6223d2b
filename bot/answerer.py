"""Answering a shopper's question from the shop's knowledge, with citations, or not at all.

Order of preference:
1. a past answer by the shop's team to the same question (similarity above `qa_min_score`);
2. the best knowledge passages (above `min_score`): the most relevant sentences are
   quoted (extractive), or a chat model words a reply citing them as [1], [2]; a
   generated reply that cites nothing falls back to the extractive one;
3. otherwise an honest "I don't know — let me get a person".
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from langchain_core.language_models.chat_models import BaseChatModel

from bot import replies
from bot.grounding import clip_passage, keep_or_retry, passage_words, prompt_messages
from bot.judge import AnswerabilityJudge
from bot.kernels import threads_for_prompt
from bot.llm import LocalChatModel
from bot.passage_text import readable
from bot.passage_units import MAX_LIST_ITEMS, content_words, join_units, list_run, overlap, units
from bot.streaming import complete
from bot.types import Citation
from retrieval.embedder import Embedder
from retrieval.hybrid import HybridRetriever
from retrieval.retriever import KnowledgeRetriever
from retrieval.store import Hit

log = logging.getLogger(__name__)

HANDOFF_REPLY = replies.NOT_SURE


@dataclass(frozen=True)
class Answer:
    text: str
    citations: list[Citation] = field(default_factory=list)
    grounded: bool = True  # False: the bot does not know and offers a person
    method: str = "extractive"  # qa_reuse | extractive | generated | none
    raw: str = ""  # what a chat model wrote, before the grounding check ("" without one)
    second_try: bool = False  # the first generated reply failed the check; a sampled one passed


def _body(hit: Hit) -> str:
    """The passage without its title, attribute records in words (bot.passage_text)."""
    title = str(hit.metadata.get("title", ""))
    text = hit.text
    return readable(text[len(title) :].strip() if title and text.startswith(title) else text)


def _scored_units_of(hit: Hit) -> list[tuple[str, bool]]:
    return [u for u in units(_body(hit)) if len(u[0]) > 2]  # those given a vector and a score


_AMOUNT = re.compile(
    r"(?:[£$€¥]\s?\d|\d+(?:[.,]\d+)?\s?(?:£|\$|€|eur|usd|gbp|dollars?|pounds?|euros?)\b|\b(?:over|above|under|below|about|around|spend|spent|basket|cart|order of)\s+\D{0,3}\d)",
    re.I,
)
_ASKS_AMOUNT = re.compile(r"(?i)\b(how much|cost|costs|price|fee|fees|charge|charged|free)\b")
SECOND_MARGIN = 0.03  # a second page this close to the best one is quoted too
SECOND_MARGIN_AMOUNT = 0.15  # ... or this close when both talk amounts (cart rules)
OVERLAP_WEIGHT = 0.3  # a unit sharing all the question's content words gains this much
ROW_KEY_WEIGHT = 0.15  # ... and a table row whose first cell the question names, this much


# a passage this close to the best one (cosine) is quoted first instead when its best
# sentence scores this much higher than the best one's
LEAD_GAP = 0.05
LEAD_UNIT_MARGIN = 0.2
UNIT_CACHE = 4096  # passages whose sentence vectors are kept (a shop's pages change rarely)


def citation_of(hit: Hit, snippet_chars: int = 280) -> Citation:
    body = " ".join(_body(hit).split())
    snippet = body if len(body) <= snippet_chars else body[:snippet_chars].rsplit(" ", 1)[0] + "…"
    return Citation(
        hit.id,
        str(hit.metadata.get("title") or hit.metadata.get("source") or ""),
        str(hit.metadata.get("source", "")),
        snippet,
    )


@dataclass(frozen=True)
class Evidence:
    """What the shop knows about a question: past answers and knowledge passages, best first."""

    past: list[Hit]
    passages: list[Hit]

    @property
    def past_score(self) -> float:
        return self.past[0].score if self.past else 0.0


class Answerer:
    """Turns a question into a grounded answer or a handoff."""

    def __init__(
        self,
        embedder: Embedder,
        knowledge: KnowledgeRetriever | HybridRetriever | None,
        qa_history: KnowledgeRetriever | None = None,
        min_score: float = 0.35,
        qa_min_score: float = 0.82,
        chat_model: BaseChatModel | None = None,
        top_k: int = 3,
        max_sentences: int = 3,
        judge: AnswerabilityJudge | None = None,
        rerank_depth: int = 10,
        second_tries: int = 0,
        burst_threads: int = 0,
    ) -> None:
        if top_k <= 0 or max_sentences <= 0:
            raise ValueError("top_k and max_sentences must be > 0")
        if second_tries < 0:
            raise ValueError(f"second_tries must be >= 0, got {second_tries}")
        if rerank_depth < top_k:
            raise ValueError(f"rerank_depth must be >= top_k ({top_k}), got {rerank_depth}")
        self.embedder = embedder
        self.knowledge = knowledge
        self.qa_history = qa_history
        self.min_score = min_score
        self.qa_min_score = qa_min_score
        self.chat_model = chat_model
        self.top_k = top_k
        self.max_sentences = max_sentences
        # with a judge: retrieve rerank_depth passages, rerank them, and answer only when the
        # best one clears the judge's calibrated threshold (instead of min_score)
        self.judge = judge
        self.rerank_depth = rerank_depth
        # sampled replies drawn when the generated one fails the grounding check (0: none)
        self.second_tries = second_tries
        # threads for a batch of sentence vectors (0: the idle cores, bot.kernels)
        self.burst_threads = burst_threads
        self._question = ""
        self._unit_vectors: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()

    @property
    def kb(self) -> KnowledgeRetriever | HybridRetriever:
        """The knowledge base; an answerer built without one only writes replies from
        passages it is given (`reply_from`, as `shopmate eval qa` does)."""
        if self.knowledge is None:
            raise RuntimeError("this answerer has no knowledge base to search; use reply_from")
        return self.knowledge

    @property
    def depth(self) -> int:
        """Passages retrieved per question: the judge's rerank depth, or the reply's top_k."""
        return self.rerank_depth if self.judge is not None else self.top_k

    def retrieve(self, text: str, vector: np.ndarray) -> list[Hit]:
        """Knowledge passages for `text` (its vector given), as many as an answer weighs."""
        return self.kb.retrieve(text, top_k=self.depth, vector=vector)

    def passages(self, ids: list[str]) -> list[Hit]:
        """Knowledge passages by id (those a reply cited)."""
        return self.kb.store.get(self.kb.collection, ids)

    def cosines(self, ids: list[str], vector: np.ndarray) -> dict[str, float]:
        """Each passage's cosine to a vector, from the stored embeddings."""
        embs = self.kb.store.get_embeddings(self.kb.collection, ids)
        return {i: float(e @ vector) for i, e in embs.items()}

    def evidence(self, question: str, vector: np.ndarray) -> Evidence:
        """Past answers and knowledge passages for a question, best first."""
        past = self.qa_history.retrieve(question, top_k=1, vector=vector) if self.qa_history else []
        return Evidence(past, self.kb.retrieve(question, top_k=self.depth, vector=vector))

    def answer(
        self,
        question: str,
        vector: np.ndarray | None = None,
        evidence: Evidence | None = None,
        product_id: str | None = None,
        only_product: bool = False,
    ) -> Answer:
        """The answer to `question`; `product_id` is the product the shopper is looking at
        (the judge, when there is one, also searches that product's own passages and
        prefers them to other products')."""
        v = self.embedder.encode_one(question) if vector is None else vector
        self._question = question  # the words a quoted sentence or table row should share
        ev = evidence or self.evidence(question, v)
        passages = ev.passages
        if only_product:  # a fact of another product is never this product's answer
            passages = [
                h
                for h in passages
                if str(h.metadata.get("product_id") or "") in {"", product_id or ""}
            ]
            if product_id and self.judge is None:
                # the page's own passages (reviews, Q&A, its description) compete too: a
                # whole-shop search often ranks other products' passages on the topic first
                own = self.kb.retrieve(
                    question, top_k=self.top_k, where={"product_id": product_id}, vector=v
                )
                seen = {h.id for h in passages}
                passages = sorted(
                    [*passages, *(h for h in own if h.id not in seen)], key=lambda h: -h.score
                )
        if self.judge is not None:
            # the judge's best passage must clear its calibrated gate (its score and its lead
            # over the next one); the reply is then written from it and the passages the
            # judge scores nearly as high, as in `eval qa`
            if product_id:
                passages = self._with_product(question, v, passages, product_id)
            ranked = self.judge.rerank(question, passages, product_id) if passages else []
            ok = self.judge.clears(ranked, product_id)
            hits = self.judge.contenders(ranked[: self.top_k]) if ok else []
        else:
            # ranked by the retriever's score (fused with BM25 when hybrid); answered only
            # when the dense similarity clears min_score, as calibrated
            hits = [h for h in passages[: self.top_k] if h.similarity >= self.min_score]
            hits = self._lead_first(hits, v)

        if ev.past and ev.past[0].score >= self.qa_min_score:
            h = ev.past[0]
            answer = str(h.metadata.get("answer", ""))
            cite = Citation(h.id, f"Answered before by our team: {h.text}", "qa-history", answer)
            # the policy passage behind the curated answer is the source a shopper can check
            support = [citation_of(p) for p in hits[:1]]
            return Answer(answer, [*support, cite], True, "qa_reuse")
        return self.reply_from(question, hits, v, passages if self.judge is None else None)

    def reply_from(
        self,
        question: str,
        hits: list[Hit],
        vector: np.ndarray | None = None,
        others: list[Hit] | None = None,
    ) -> Answer:
        """The reply written from trusted passages (best first): a chat model's, when it cites
        them and passes the grounding check (or a sampled second try does), else the
        best passage's sentences that answer, with a second page from `others` when the
        question needs two; no passages: an honest offer of a person. This is what the bot
        shows once its passages are chosen, and what `shopmate eval qa` scores."""
        if not hits:
            return Answer(HANDOFF_REPLY, [], False, "none")
        v = self.embedder.encode_one(question) if vector is None else vector
        self._question = question
        raw = ""
        if self.chat_model is not None:
            generated, raw = self._generate(question, hits, v)
            if generated is not None:
                return generated
        text, cited = self._extract(hits[0], v), [citation_of(hits[0])]
        if others is not None and (second := self._second(question, hits[0], others)) is not None:
            text += "\n\n" + self._extract(second, v, max_units=2)
            cited.append(citation_of(second))
        return Answer(text, cited, True, "extractive", raw=raw)

    def _with_product(
        self, question: str, v: np.ndarray, passages: list[Hit], product_id: str
    ) -> list[Hit]:
        """The shop-wide hits and, after them, the product page's own best passages. The
        judge prefers the shopper's product, but it can only pick what retrieval found, and
        a whole-shop search often ranks other products' passages on the same topic first
        ("is it waterproof?"). The judge's gate is calibrated on both kinds of list."""
        own = self.kb.retrieve(
            question, top_k=self.rerank_depth, where={"product_id": product_id}, vector=v
        )
        seen = {h.id for h in passages}
        return [*passages, *(h for h in own if h.id not in seen)]

    def _encode_units(self, hits: list[Hit]) -> None:
        """Cache the vectors of the hits' units not cached yet: one batch on the idle cores
        (bot.kernels.threads_for_prompt), most of the time before a new reply starts."""
        todo: dict[tuple[str, int], list[str]] = {}
        for h in hits:
            key = (h.id, hash(h.text))
            if key not in self._unit_vectors and key not in todo:
                todo[key] = [t for t, _ in _scored_units_of(h)]
        flat = [t for texts in todo.values() for t in texts]
        if not flat:
            return
        with threads_for_prompt(self.burst_threads):
            vectors = self.embedder.encode(flat)
        at = 0
        for key, texts in todo.items():
            self._unit_vectors[key] = vectors[at : at + len(texts)]
            at += len(texts)
        while len(self._unit_vectors) > UNIT_CACHE:
            self._unit_vectors.popitem(last=False)

    def _scored_units(self, hit: Hit, v: np.ndarray) -> tuple[list[tuple[str, bool]], np.ndarray]:
        """The passage's sentences, list items and table rows with how well each answers the
        question: cosine, plus the share of the question's words it holds, plus a bonus for
        a table row named by its first cell ("Standard (UPS Ground) · …")."""
        units_ = _scored_units_of(hit)
        if not units_:
            return units_, np.zeros(0, dtype=np.float32)
        texts = [t for t, _ in units_]
        key = (hit.id, hash(hit.text))
        if key not in self._unit_vectors:
            self._encode_units([hit])
        vectors = self._unit_vectors[key]
        self._unit_vectors.move_to_end(key)
        asked = content_words(self._question)
        rows = [bool(" · " in t and asked & content_words(t.split(" · ")[0])) for t in texts]
        sims = (
            vectors @ v
            + OVERLAP_WEIGHT * overlap(self._question, texts)
            + ROW_KEY_WEIGHT * np.array(rows, dtype=np.float32)
        )
        return units_, sims

    def _lead_first(self, hits: list[Hit], v: np.ndarray) -> list[Hit]:
        """The passage to quote first: the best ranked, unless one ranked nearly as high has
        a sentence (or row) that answers the question far better: a section about returns
        that mentions "gift cards" must not win over the section on returning gifts."""
        if len(hits) < 2:
            return hits
        top = hits[0]
        self._encode_units(hits)
        best = {h.id: self._best_unit(h, v) for h in hits}
        rivals = [
            h
            for h in hits[1:]
            if top.similarity - h.similarity <= LEAD_GAP
            and best[h.id] - best[top.id] >= LEAD_UNIT_MARGIN
        ]
        if not rivals:
            return hits
        lead = max(rivals, key=lambda h: best[h.id])
        return [lead, *(h for h in hits if h.id != lead.id)]

    def _best_unit(self, hit: Hit, v: np.ndarray) -> float:
        _, sims = self._scored_units(hit, v)
        return float(sims.max()) if len(sims) else 0.0

    def _extract(self, hit: Hit, v: np.ndarray, max_units: int | None = None) -> str:
        """The passage's sentences (or list items, table rows) that best answer the
        question, in reading order; a bullet list is quoted whole."""
        keep_n = max_units or self.max_sentences
        units_, sims = self._scored_units(hit, v)
        if len(units_) > keep_n:
            keep = set(np.argsort(-sims)[:keep_n].tolist())
            # a bullet list is answered whole ("we accept: Visa, …, PayPal"), table rows not
            for i in list(keep):
                if units_[i][1] and " · " not in units_[i][0]:
                    run = list_run(units_, i)
                    if len(run) <= MAX_LIST_ITEMS:
                        keep |= set(run)
                        # and what introduces it ("Additional non-returnable items:")
                        if run[0] > 0 and units_[run[0] - 1][0].rstrip().endswith(":"):
                            keep.add(run[0] - 1)
            units_ = [units_[i] for i in sorted(keep)]
        return join_units(units_)

    def _second(self, question: str, first: Hit, hits: list[Hit]) -> Hit | None:
        """A passage of another page the answer needs as well: one nearly as relevant as
        the best, or, when the question names an amount ("my basket is about 150"), a
        close one that states amounts too (a promotion's threshold next to a rate table)."""
        amount = bool(_AMOUNT.search(question) or _ASKS_AMOUNT.search(question))
        for h in hits:
            if h.metadata.get("source") == first.metadata.get("source") or h.text == first.text:
                continue
            margin = SECOND_MARGIN_AMOUNT if amount and _AMOUNT.search(h.text) else SECOND_MARGIN
            if h.score >= first.score - margin and h.similarity >= self.min_score:
                return h
        return None

    def _prompt_passage(self, hit: Hit, v: np.ndarray, place: int) -> str:
        """The hit as the generator reads it at `place` in the prompt: cut, when longer than
        that place's words, to the units that answer the question best by the answerer's
        own scores (cosine and shared words, as for a quote)."""
        body = _body(hit)
        budget = passage_words(place)
        if len(body.split()) <= budget:
            return " ".join(body.split())
        scored, sims = self._scored_units(hit, v)
        by_text = {t: float(s) for (t, _), s in zip(scored, sims, strict=True)}
        scores = [by_text.get(t, -1.0) for t, _ in units(body)]
        return clip_passage(body, self._question, budget, scores)

    def _generate(self, question: str, hits: list[Hit], v: np.ndarray) -> tuple[Answer | None, str]:
        """The generated reply when it passes the check (else None), and what was written."""
        assert self.chat_model is not None
        bodies = [self._prompt_passage(h, v, i) for i, h in enumerate(hits)]  # read, checked
        messages = prompt_messages(question, bodies)  # the prompt the generator was tuned on
        # a small local model answers in its first line, then recites the passages
        stop = ["\n"] if isinstance(self.chat_model, LocalChatModel) else None
        try:
            text = complete(self.chat_model, messages, stop=stop).strip()
        except Exception:  # a remote model being down must not take the bot down
            log.exception("chat model failed; answering extractively")
            return None, ""
        # cites, supported by what it cites, no invented numbers; else a sampled second try
        kept = keep_or_retry(self.chat_model, messages, bodies, text, self.second_tries, stop=stop)
        if kept is None:
            return None, text
        reply, verdict, again = kept
        cited = [citation_of(hits[i]) for i in sorted(verdict.cited)]
        return Answer(reply, cited, True, "generated", raw=text, second_try=again), text
