"""Answering a shopper's question: about a product (its own facts first, never another
product's), about the shop (its pages, with the intent steering retrieval), or honestly
not at all, with an offer of a person (fetched after repeated misses).

    qa = Questions(answerer, embedder, grounder, repo, shopping, agent=None, currency="£")
    step = qa.answer(state, "is the harbour tote waterproof?", vec, evidence, signals)
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

import numpy as np

from bot import replies
from bot.agent import ToolAgent
from bot.answerer import Answer, Answerer, Evidence
from bot.fact_asks import asks
from bot.policy import (
    ORDER_INTENTS,
    Signals,
    effective_intent,
    must_hand_off_after_answer,
    top_intent,
)
from bot.product_answers import answer_about_product, ask_text, doesnt_say, policy_fact
from bot.product_grounding import ProductGrounder
from bot.search_constraints import goes_with
from bot.shopping import Shopping
from bot.state import Changes, DialogueState, Step
from bot.types import BotReply, Citation
from retrieval.embedder import Embedder
from retrieval.store import Hit
from shop.repository import ProductRecord, ShopRepository, Variant

log = logging.getLogger(__name__)

HINT_PENALTY = 0.1  # how far below its own score an intent-steered passage enters the ranking
POLICY_INTENTS = {"return_refund", "shipping", "payment", "account", "contact", *ORDER_INTENTS}
INTENT_HINTS = {
    "return_refund": "returns and refunds",
    "shipping": "shipping and delivery",
    "payment": "payment methods",
    "account": "your account",
    "contact": "contact us, opening hours and visiting us",
    "order_status": "tracking your order",
    "cancel_order": "cancelling an order",
}
_SORRY = re.compile(r"(?i)\W*(i'?m |we'?re |so )?sorry")


def _answered(answer: Answer, tool_calls: list[str] | None = None) -> Step:
    reply = BotReply(
        answer.text, answer.citations, action="answer", tool_calls=tool_calls or ["faq_answer"]
    )
    return Step(reply, Changes(answered=True))


class Questions:
    def __init__(
        self,
        answerer: Answerer,
        embedder: Embedder,
        grounder: ProductGrounder,
        repo: ShopRepository,
        shopping: Shopping,
        agent: ToolAgent | None = None,
        currency: str = "£",
    ) -> None:
        self.answerer, self.embedder, self.grounder = answerer, embedder, grounder
        self.repo, self.shopping, self.agent, self.currency = repo, shopping, agent, currency

    def answer(
        self, st: DialogueState, text: str, vec: np.ndarray, ev: Evidence, sig: Signals
    ) -> Step:
        g = self.grounder.ground(text, vec, st.product_in_focus)
        about_product = top_intent(sig) == "product_question" or (
            ((g.named and bool(asks(text))) or sig.names_product)
            and effective_intent(sig, st) not in POLICY_INTENTS
        )
        if about_product and g.ambiguous:
            return Step(self.shopping.which_one(g))
        if g.product is not None and goes_with(text):  # "I just bought X, what goes with it?"
            return self.shopping.goes_with(st, g.product)
        if about_product and g.product is not None:
            step = self._about(g.product, st, text, vec, ev, sig, g.variant)
            return replace(step, changes=replace(step.changes, focus=g.product.id))
        if self.agent is not None:  # an operator's tool-calling model words the answer
            try:
                by_agent = self.agent.run(text, st.user_id)
            except Exception:  # a remote model being down must not take the bot down
                log.exception("tool-calling model failed; answering without it")
            else:
                if by_agent.text and by_agent.grounded:
                    found = Answer(by_agent.text, by_agent.citations)
                    return _answered(found, by_agent.tool_calls)
        answer = self.knowledge(text, vec, ev, sig, st, only_product=about_product)
        on_page = self.repo.get_product(st.product_in_focus) if st.product_in_focus else None
        if on_page is not None and not about_product and (own := policy_fact(on_page, text)):
            # the shop's rule, and what this product's page says about it
            answer = Answer(
                f"{own.text}\n\n{answer.text}" if answer.grounded else own.text,
                [*own.citations, *(answer.citations if answer.grounded else [])],
            )
        return _answered(answer) if answer.grounded else self.no_answer(st, answer)

    def _about(
        self,
        product: ProductRecord,
        st: DialogueState,
        text: str,
        vec: np.ndarray,
        ev: Evidence,
        sig: Signals,
        variant: Variant | None,
    ) -> Step:
        """A question about one product: its facts, else a shop page that answers the ask,
        else "the product page doesn't say"."""
        found = answer_about_product(
            product,
            text,
            vec,
            self.answerer,
            self.embedder,
            variant,
            self.currency,
        )
        if "contents" in asks(text) and product.links.get("related"):
            found = self._contents(product)  # a set or bundle: what is in it
        if found is not None and found.grounded:
            return _answered(found)
        if found is not None:  # it asked for a field the product lacks: the page doesn't say
            return self.no_answer(st, found)
        # the page lacks it: a shop page may answer what is asked ("how many times can I
        # download the album?"), never another product's page or a page that only shares
        # the product's name (a promotion for "any iPod")
        page = self.knowledge(text, vec, ev, sig, st, only_product=True, product_id=product.id)
        if page.grounded and self._answers_the_ask(page, text, product):
            return _answered(page)
        return self.no_answer(st, doesnt_say(product, ""))

    def no_answer(self, st: DialogueState, answer: Answer) -> Step:
        """Not known: offer a person (fetch one after NO_ANSWER_HANDOFF misses in a row)."""
        if must_hand_off_after_answer(st, grounded=False):
            reply = BotReply(replies.NO_ANSWER_HANDOFF, action="handoff", tool_calls=["faq_answer"])
            return Step(reply, Changes(handoff="requested", answered=True))
        reply = BotReply(answer.text, action="no_answer", tool_calls=["faq_answer"])
        # "yes" now means: fetch a person
        return Step(reply, Changes(answered=False, pending={"action": "handoff_offer"}))

    def complaint(
        self, st: DialogueState, text: str, vec: np.ndarray, ev: Evidence, sig: Signals
    ) -> Step:
        """Sorry, what the shop's pages say about it, and an offer of a person."""
        answer = self.knowledge(text, vec, ev, sig, st)
        body = answer.text if answer.grounded else replies.COMPLAINT_FALLBACK
        sorry = "" if _SORRY.match(body) else replies.SORRY
        reply = BotReply(
            f"{sorry}{body} {replies.OFFER_PERSON}", answer.citations, action="complaint"
        )
        return Step(reply, Changes(pending={"action": "handoff_offer"}))

    def knowledge(
        self,
        text: str,
        vec: np.ndarray,
        ev: Evidence,
        sig: Signals,
        st: DialogueState,
        only_product: bool = False,
        product_id: str | None = None,
    ) -> Answer:
        """Answer from the knowledge base. The intent also steers retrieval: passages found for
        "returns and refunds: <message>" join the candidates, a little below their own score,
        so they win only where the message alone found something off-topic."""
        hint = INTENT_HINTS.get(effective_intent(sig, st))
        product = product_id or st.product_in_focus  # the judge prefers this product's passages
        if hint is not None:
            ev = Evidence(ev.past, self._steered(f"{hint}: {text}", vec, ev))
        return self.answerer.answer(
            text, vector=vec, evidence=ev, product_id=product, only_product=only_product
        )

    def _steered(self, hinted: str, vec: np.ndarray, ev: Evidence) -> list[Hit]:
        found = self.answerer.retrieve(hinted, self.embedder.encode_one(hinted))
        best = {h.id: h for h in ev.passages}
        # a judge reads each passage's cosine to the shopper's own words, not to the hint;
        # without one, a hinted passage is gated like its ranking, a little below its
        # similarity to the hinted question (never by the lexical part of a fused score)
        cosine = {h.id: h.similarity for h in ev.passages}
        judged = self.answerer.judge is not None
        if judged:
            cosine |= self.answerer.cosines([h.id for h in found if h.id not in cosine], vec)
        for h in found:
            gate = cosine.get(h.id, h.similarity) if judged else h.similarity - HINT_PENALTY
            lowered = Hit(h.id, h.text, h.score - HINT_PENALTY, h.metadata, gate)
            if h.id not in best or lowered.score > best[h.id].score:
                best[h.id] = lowered
        return sorted(best.values(), key=lambda h: -h.score)[: self.answerer.depth]

    def _contents(self, p: ProductRecord) -> Answer:
        """What a grouped product (a set, a bundle, a collection) is made of."""
        parts = self.repo.get_products(p.links.get("related", []))
        text = replies.contents(
            p.title, [parts[i].title for i in p.links.get("related", []) if i in parts]
        )
        return Answer(text, [Citation(p.id, p.title, "catalog", text)])

    def _answers_the_ask(self, answer: Answer, text: str, product: ProductRecord) -> bool:
        """Is the cited shop page close to what is asked once the product's name is taken
        out of the question ("does the ipod nano have bluetooth?" -> "does the have
        bluetooth")?"""
        ask = ask_text(text, product)
        if not ask.strip():
            return False
        ids = [c.id for c in answer.citations]
        if any(h.metadata.get("product_id") == product.id for h in self.answerer.passages(ids)):
            return True  # the product's own passages (reviews, Q&A) are about it
        cos = self.answerer.cosines(ids, self.embedder.encode_one(ask))
        return any(c >= self.answerer.min_score for c in cos.values())
