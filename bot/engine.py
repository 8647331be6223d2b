"""The dialogue engine: one shopper message in, one reply out, state remembered.

    engine.respond("session-1", "u0001", "where is my order?")

Per turn: load the session's state; embed the message once; read intent, sentiment and
slots (order id, budget, colour, size); ask the pure policy what to do; act through the
shop tools; decide whether product cards belong in the reply; save state and the
redacted transcript in one transaction. While a person has the conversation the bot
stays silent; `take`, `release` and `resolve` are the agent-side moves.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np

from bot.abuse import REFUND_OFFER, Screened, screen
from bot.agent import ToolAgent
from bot.answerer import Answer, Answerer, Evidence
from bot.intents import IntentRouter
from bot.policy import (
    ORDER_INTENTS,
    PRODUCT_MIN,
    Signals,
    asks_for_person,
    decide,
    effective_intent,
    may_suggest,
    must_hand_off_after_answer,
    top_intent,
)
from bot.product_answers import (
    answer_about_product,
    ask_text,
    asks,
    doesnt_say,
    money,
    policy_fact,
)
from bot.product_grounding import Grounding, ProductGrounder
from bot.redact import redact
from bot.search_constraints import (
    Constraints,
    accessory_for,
    asks_for_products,
    constraints_of,
    goes_with,
    open_request,
)
from bot.sentiment import is_angry, sentiment
from bot.slots import (
    asks_about_it,
    asks_for_variant,
    budget,
    colour,
    is_no,
    is_yes,
    order_id,
    refines_search,
    size,
    wants_cheaper,
)
from bot.state import DialogueState
from bot.tools import ShopTools
from bot.types import BotReply, Citation, ProductCard
from recommender.recommender import Filters, Recommender, Suggestion
from retrieval.embedder import Embedder
from retrieval.store import Hit
from shop.experiments import ExperimentStore
from shop.repository import ProductRecord, ShopRepository
from shop.tracking import Tracker, TrackRecord

log = logging.getLogger(__name__)

GREETING_REPLY = (
    "Hi! I can answer questions about orders, delivery, returns, payments and our products, "
    "or help you find something. What can I do for you?"
)
THANKS_REPLY = "You're welcome! Is there anything else I can help with?"
HANDOFF_REQUESTED_REPLY = "Of course. I'm passing this conversation to a person from our support team; they'll reply here."
UPSET_HANDOFF_REPLY = "I'm really sorry about this. I'm bringing in a person from our support team right now; they'll reply here."
NO_ANSWER_HANDOFF_REPLY = "I couldn't find that in our shop's information, so I've asked a person from our team to help; they'll reply here."
DECLINE_REPLY = (
    "That's outside what I can help with here. I can answer questions about our products, "
    "orders, delivery, returns and payments."
)
NO_PRODUCTS_REPLY = (
    "I couldn't find anything in stock that fits. Could you tell me a bit more about what you need?"
)
HOLD_REPLY = "A person from our team will be with you shortly; they can help with that too."
SIGN_IN_REPLY = (
    "Please sign in so I can look up your orders, or send me the order number together with "
    "the e-mail address on the order."
)
WHICH_ORDER_REPLY = "Which order is it about? The order number looks like o10023."
BACK_TO_BOT_REPLY = (
    "Our team has handed this chat back to me, the shop's assistant. "
    "Ask me anything, or ask for a person again at any time."
)


# the shopper's own order, not ordering in general ("if I order on a Sunday…" is policy)
REFUND_POLICY_QUESTION = "How do refunds work and how long do they take?"
_ORDER_WORDS = re.compile(
    r"(?i)\b(?:my|our|an|the|this|that|his|her)\s+(?:\w+\s+){0,2}?"
    r"(?:orders?|parcels?|package|purchases?|shipment|stuff)\b"
    r"|\b(?:my|our)\s+(?:\w+\s+){0,2}?deliver(?:y|ies)\b"
    r"|\bI\s+(?:have\s+|had\s+|just\s+|already\s+|recently\s+)?(?:ordered|bought|purchased|placed)\b"
    r"|\b(?:orders?|parcels?|package|purchase|shipment)\s+(?:hasn'?t|has not|never|didn'?t|is late|arrived|came)\b"
)
_GENERAL = re.compile(
    r"(?i)\b(?:if|when|once|before|after)\s+(?:i|we|you|someone)\s+(?:order|buy|purchase|place)"
)
_REFERS_BACK = re.compile(r"(?i)\b(it|this|that|them|these|those|one)\b")
WEAK_CARD_COSINE = 0.08  # an explicit search's card this far below the best is dropped
WEAK_CARD_Z = 0.6  # the same on the trained recommender's blended z-scores
HINT_PENALTY = 0.1  # how far below its own score an intent-steered passage enters the ranking
POLICY_INTENTS = {"return_refund", "shipping", "payment", "account", "contact", *ORDER_INTENTS}
LINK_ORDER = ("cross_sell", "related", "upsell")  # the shop's own links, most fitting first
INTENT_HINTS = {
    "return_refund": "returns and refunds",
    "shipping": "shipping and delivery",
    "payment": "payment methods",
    "account": "your account",
    "contact": "contact us, opening hours and visiting us",
    "order_status": "tracking your order",
    "cancel_order": "cancelling an order",
}


class MessageError(ValueError):
    """The shopper's message cannot be processed; the text says why."""


@dataclass(frozen=True)
class HandoffPacket:
    """What a person gets when taking over: summary, sources and suggestions already shown."""

    session_id: str
    user_id: str | None
    state: str
    summary: str
    cited: list[str]
    suggested: list[str]
    transcript: list[tuple[str, str]]


def product_card(p: ProductRecord, reason: str) -> ProductCard:
    return ProductCard(
        p.id,
        p.title,
        p.current_price,
        p.category,
        reason,
        p.brand,
        p.in_stock,
        image=p.images[0] if p.images else "",
        url=p.url,
    )


def _cheaper_card(p: ProductRecord, focus: ProductRecord) -> ProductCard:
    return product_card(p, f"cheaper than the {focus.title}")


def card_of(s: Suggestion) -> ProductCard:
    return replace(product_card(s.product, s.reason), propensity=s.propensity)


def _price(p: ProductRecord) -> float:
    return p.current_price if p.current_price is not None else float("inf")


class ChatEngine:
    """Answers, acts, suggests or hands off; remembers the conversation."""

    def __init__(
        self,
        embedder: Embedder,
        router: IntentRouter,
        answerer: Answerer,
        recommender: Recommender,
        repo: ShopRepository,
        tools: ShopTools,
        agent: ToolAgent | None = None,
        suggestions_per_reply: int = 4,
        max_message_chars: int = 4000,
        suggestions_experiment: str | None = None,
        grounder: ProductGrounder | None = None,
        currency: str = "£",
    ) -> None:
        if max_message_chars <= 0:
            raise ValueError(f"max_message_chars must be > 0, got {max_message_chars}")
        self.embedder, self.router, self.answerer = embedder, router, answerer
        self.recommender, self.repo, self.tools = recommender, repo, tools
        self.agent = agent
        self.suggestions_per_reply = suggestions_per_reply
        self.max_message_chars = max_message_chars
        self.tracker = Tracker(repo)  # the bot's own tracking events (shop/tracking.py)
        # an A/B experiment whose variant "off" keeps unasked product cards from a shopper
        self.suggestions_experiment = suggestions_experiment
        self.experiments = ExperimentStore(repo, self.tracker)
        # which product a message names (titles, SKUs, typos, variant words)
        self.grounder = grounder or ProductGrounder(repo, recommender.store, recommender.collection)
        self.currency = currency

    # state ---------------------------------------------------------------------
    def state(self, session_id: str, user_id: str | None = None) -> DialogueState:
        raw = self.repo.load_state(session_id)
        st = DialogueState.from_json(raw) if raw else DialogueState(session_id)
        if user_id:
            st.user_id = user_id
        return st

    def _save(self, st: DialogueState, messages: list[tuple[str, str, dict[str, object]]]) -> None:
        self.repo.save_turn(st.session_id, st.user_id, st.handoff, st.to_json(), messages)

    # the shopper's turn ---------------------------------------------------------
    def respond(
        self,
        session_id: str,
        user_id: str | None,
        message: str,
        product_id: str | None = None,
        guest_order: str | None = None,
    ) -> BotReply:
        """The bot's reply to one shopper message; `product_id`: the product page the
        shopper is on (it becomes the product in focus). `user_id` must be verified by the
        caller (api/identity.py); an anonymous guest may instead have proved one order
        (`guest_order`, by its number and e-mail), whose status they may then see."""
        text = message.strip()
        if not text:
            raise MessageError(
                f"message is empty; send the shopper's text (1 to {self.max_message_chars} characters)"
            )
        if len(text) > self.max_message_chars:
            raise MessageError(
                f"message has {len(text)} characters; at most {self.max_message_chars} are accepted"
            )
        st = self.state(session_id, user_id)
        if guest_order:
            st.guest_order = guest_order
        if st.handoff == "human":  # a person has the conversation: the bot stays silent
            self._save(st, [("shopper", redact(text), {"to": "agent"})])
            return BotReply(
                "", intent="agent_active", handoff=True, handoff_state="human", action="silent"
            )
        attempt = screen(text)  # an attempt to steer the bot rather than shop (bot/abuse.py)
        if attempt is not None and not (attempt.kind == "refund_demand" and is_angry(text)):
            return self._screened(st, attempt, product_id)  # (angry: a person is fetched)

        handoff_before = st.handoff
        if product_id:  # the page's product, also when the page names it by a (variant) SKU
            page = self.grounder.resolve(product_id)
            st.product_in_focus = page.id if page is not None else product_id
        vec = self.embedder.encode_one(text)
        evidence = self.answerer.evidence(text, vec)
        self._remember_slots(st, text)
        refining = refines_search(text) and st.last_query is not None and st.last_action == "search"
        product_score = self.recommender.catalog_match(vec)
        grounded = self.grounder.ground(text, vec, None)  # does the message name a product?
        sig = Signals(
            intent_scores=self.router.scores(text, vec),
            sentiment=sentiment(text),
            product_score=product_score,
            past_question_score=evidence.past_score,
            mentions_order=order_id(text) is not None,
            order_context=(bool(_ORDER_WORDS.search(text)) and not _GENERAL.search(text))
            or order_id(text) is not None,
            refers_back=bool(_REFERS_BACK.search(text)),
            has_history=bool(st.user_id and self.repo.recent_events(st.user_id, limit=1)),
            angry=is_angry(text),
            refines_search=refining,
            asks_about_focus=st.product_in_focus is not None
            and not refining
            and asks_for_variant(text),
            asks_about_it=st.product_in_focus is not None and asks_about_it(text),
            is_yes=is_yes(text),
            is_no=is_no(text),
            wants_cheaper=wants_cheaper(text),
            asks_for_person=asks_for_person(text),
            asks_for_products=asks_for_products(text, self.grounder.vocabulary())
            or (open_request(text) and product_score >= PRODUCT_MIN),
            names_product=grounded.clearly,
            asks_fact=bool(asks(text)),
        )
        if st.pending is not None and not (sig.is_yes or sig.is_no):
            st.pending = None  # the shopper moved on: the offer or confirmation lapses
        action = decide(st, sig)
        st.order_talk = st.order_talk or sig.order_context  # "where is it?" may follow
        if action in {"search", "recommend", "cheaper"} and not may_suggest(st, sig, action):
            action = "hold"  # a person is being fetched: no shopping until they have helped
        reply = self._act(action, st, text, vec, evidence, sig)
        unasked = reply.action not in {"search", "recommend", "cheaper", "hold"}
        if (
            unasked
            and not reply.products
            and may_suggest(st, sig, reply.action)
            and self._suggestions_on(st)
        ):
            reply = self._with_suggestions(reply, st, text)
        if reply.products:
            st.suggestion_turns += 1
            if reply.action in {"search", "recommend"}:  # what "the cheaper one" refers to
                st.last_products = [p.id for p in reply.products]
            st.shown_products += [p.id for p in reply.products if p.id not in st.shown_products]
        st.cited += [c.id for c in reply.citations if c.id not in st.cited]
        if st.handoff == "requested" and reply.action not in {"handoff", "hold"}:
            reply = BotReply(
                f"{reply.reply} A person from our team will join this chat shortly.".strip(),
                reply.citations,
                reply.products,
                reply.intent,
                True,
                st.handoff,
                reply.action,
                reply.tool_calls,
            )
        st.turns += 1
        st.last_action = reply.action
        reply = BotReply(
            reply.reply,
            reply.citations,
            reply.products,
            top_intent(sig),
            st.handoff != "none",
            st.handoff,
            reply.action,
            reply.tool_calls,
        )
        self._save(
            st,
            [
                (
                    "shopper",
                    redact(text),
                    {"intent": reply.intent, "sentiment": round(sig.sentiment, 2)},
                ),
                (
                    "bot",
                    redact(reply.reply),
                    {
                        "action": reply.action,
                        "citations": [c.id for c in reply.citations],
                        "products": [{"id": p.id, "reason": p.reason} for p in reply.products],
                        "tools": reply.tool_calls,
                        "handoff": reply.handoff_state,
                    },
                ),
            ],
        )
        self._track(st, reply, text, handoff_before)
        log.info(
            "session=%s intent=%s action=%s products=%d handoff=%s",
            session_id[:12],
            reply.intent,
            reply.action,
            len(reply.products),
            reply.handoff_state,
        )
        return reply

    def _suggestions_on(self, st: DialogueState) -> bool:
        """False only for a shopper in the "off" variant of the suggestions experiment (the
        first time they are asked, their exposure is logged)."""
        if not self.suggestions_experiment or not st.user_id:
            return True
        try:
            variant = self.experiments.assign(
                self.suggestions_experiment, st.user_id, session_id=st.session_id
            )
        except KeyError:
            log.warning("suggestions experiment %r does not exist", self.suggestions_experiment)
            return True
        return variant != "off"

    def _track(self, st: DialogueState, reply: BotReply, text: str, handoff_before: str) -> None:
        """The turn as tracking events: chat turn, cards shown, handoff, complaint, unmet demand
        (a search with no result, a question about a product that is out of stock)."""
        ts = datetime.now(UTC)

        def ev(kind: str, product_id: str | None = None, **props: object) -> TrackRecord:
            return TrackRecord(kind, ts, st.user_id, st.session_id, product_id, props=props)

        rows = [ev("chat_turn", intent=reply.intent)]
        rows += [
            ev("suggestion_impression", p.id, position=i)
            if p.propensity is None
            else ev("suggestion_impression", p.id, position=i, propensity=p.propensity)
            for i, p in enumerate(reply.products)
        ]
        if handoff_before == "none" and st.handoff != "none":
            rows.append(ev("handoff"))
        if reply.intent == "complaint":
            rows.append(ev("complaint"))
        if reply.action == "search" and not reply.products:
            rows.append(ev("demand_query", query=redact(text)[:200]))
        if reply.intent == "product_question" and st.product_in_focus:
            asked = self.repo.get_product(st.product_in_focus)
            if asked is not None and not asked.in_stock:  # wanted, but not there to buy
                rows.append(ev("out_of_stock_interest", asked.id))
        try:
            self.tracker.track_many(rows)
        except Exception:  # measuring must never cost the shopper their reply
            log.exception("session=%s: tracking events were not saved", st.session_id[:12])

    def _remember_slots(self, st: DialogueState, text: str) -> None:
        st.order_id = order_id(text) or st.order_id
        st.budget_max = budget(text) or st.budget_max
        st.colour = colour(text) or st.colour
        st.size = size(text) or st.size

    def _act(
        self, action: str, st: DialogueState, text: str, vec: np.ndarray, ev: Evidence, sig: Signals
    ) -> BotReply:
        if action == "handoff":
            st.handoff = "requested"
            upset = top_intent(sig) != "human_agent"
            return BotReply(
                UPSET_HANDOFF_REPLY if upset else HANDOFF_REQUESTED_REPLY, action=action
            )
        if action == "hold":
            return BotReply(HOLD_REPLY, action=action)
        if action == "greet":
            return BotReply(
                THANKS_REPLY
                if re.search(r"(?i)\b(thank|thanks|cheers)\b", text)
                else GREETING_REPLY,
                action=action,
            )
        if action == "decline":
            return BotReply(DECLINE_REPLY, action=action)
        if action in {"confirm", "abort"} and (st.pending or {}).get("action") == "handoff_offer":
            st.pending = None
            if action == "abort":
                return BotReply("Alright. Is there anything else I can help with?", action=action)
            st.handoff = "requested"
            return BotReply(HANDOFF_REQUESTED_REPLY, action="handoff")
        if action in {"order_status", "cancel_order", "start_return", "confirm", "abort"}:
            return self._order_action(action, st)
        if action == "cheaper":
            return self._cheaper(st)
        if action in {"search", "recommend"}:
            return self._products(action, st, text)
        if action == "complaint":
            answer = self._knowledge_answer(text, vec, ev, sig, st)
            body = answer.text if answer.grounded else "Let me make sure a person looks at this."
            sorry = (
                ""
                if re.match(r"(?i)\W*(i'?m |we'?re |so )?sorry", body)
                else "I'm sorry to hear that. "
            )
            st.pending = {"action": "handoff_offer"}
            return BotReply(
                f"{sorry}{body} Would you like me to connect you with a person from our team?",
                answer.citations,
                action=action,
            )
        return self._answer(st, text, vec, ev, sig)

    def _answer(
        self, st: DialogueState, text: str, vec: np.ndarray, ev: Evidence, sig: Signals
    ) -> BotReply:
        g = self.grounder.ground(text, vec, st.product_in_focus)
        about_product = top_intent(sig) == "product_question" or (
            ((g.named and bool(asks(text))) or sig.names_product)
            and effective_intent(sig, st) not in POLICY_INTENTS
        )
        if about_product and g.ambiguous:
            return self._which_one(g)
        if g.product is not None and goes_with(text):  # "I just bought X, what goes with it?"
            return self._goes_with(st, g.product)
        if about_product and g.product is not None:
            product = g.product
            st.product_in_focus = product.id
            found = answer_about_product(
                product, text, vec, self.answerer, self.embedder, g.variant, self.currency
            )
            if "contents" in asks(text) and product.links.get("related"):
                found = self._contents(product)  # a set or bundle: what is in it
            if found is not None and found.grounded:
                st.no_answer_streak = 0
                return BotReply(
                    found.text, found.citations, action="answer", tool_calls=["faq_answer"]
                )
            # the page lacks it: a shop page may answer what is asked ("how many times can I
            # download the album?"), never another product's page or a page that only
            # shares the product's name (a promotion for "any iPod")
            if found is not None:  # it asked for a field the product lacks: the page doesn't say
                return self._no_answer(st, found)
            page = self._knowledge_answer(text, vec, ev, sig, st, only_product=True)
            if page.grounded and self._answers_the_ask(page, text, product):
                st.no_answer_streak = 0
                return BotReply(
                    page.text, page.citations, action="answer", tool_calls=["faq_answer"]
                )
            return self._no_answer(st, doesnt_say(product, ""))
        if self.agent is not None:  # an operator's tool-calling model words the answer
            try:
                found_by_agent = self.agent.run(text, st.user_id)
            except Exception:  # a remote model being down must not take the bot down
                log.exception("tool-calling model failed; answering without it")
            else:
                if found_by_agent.text and found_by_agent.grounded:
                    st.no_answer_streak = 0
                    return BotReply(
                        found_by_agent.text,
                        found_by_agent.citations,
                        action="answer",
                        tool_calls=found_by_agent.tool_calls,
                    )
        answer = self._knowledge_answer(text, vec, ev, sig, st, only_product=about_product)
        on_page = self.repo.get_product(st.product_in_focus) if st.product_in_focus else None
        if on_page is not None and not about_product and (own := policy_fact(on_page, text)):
            # the shop's rule, and what this product's page says about it
            answer = Answer(
                f"{own.text}\n\n{answer.text}" if answer.grounded else own.text,
                [*own.citations, *(answer.citations if answer.grounded else [])],
            )
        if answer.grounded:
            st.no_answer_streak = 0
            return BotReply(
                answer.text, answer.citations, action="answer", tool_calls=["faq_answer"]
            )
        return self._no_answer(st, answer)

    def _no_answer(self, st: DialogueState, answer: Answer) -> BotReply:
        """Not known: offer a person (fetch one after NO_ANSWER_HANDOFF misses in a row)."""
        if must_hand_off_after_answer(st, grounded=False):
            st.handoff, st.no_answer_streak = "requested", 0
            return BotReply(NO_ANSWER_HANDOFF_REPLY, action="handoff", tool_calls=["faq_answer"])
        st.no_answer_streak += 1
        st.pending = {"action": "handoff_offer"}  # "yes" now means: fetch a person
        return BotReply(answer.text, action="no_answer", tool_calls=["faq_answer"])

    def _knowledge_answer(
        self,
        text: str,
        vec: np.ndarray,
        ev: Evidence,
        sig: Signals,
        st: DialogueState,
        only_product: bool = False,
    ) -> Answer:
        """Answer from the knowledge base. The intent also steers retrieval: passages found for
        "returns and refunds: <message>" join the candidates, a little below their own score,
        so they win only where the message alone found something off-topic."""
        hint = INTENT_HINTS.get(effective_intent(sig, st))
        product = st.product_in_focus  # the judge prefers this product's passages
        if hint is None:
            return self.answerer.answer(
                text, vector=vec, evidence=ev, product_id=product, only_product=only_product
            )
        hinted = f"{hint}: {text}"
        hv = self.embedder.encode_one(hinted)
        knowledge, depth = self.answerer.knowledge, self.answerer.depth
        best = {h.id: h for h in ev.passages}
        found = knowledge.retrieve(hinted, top_k=depth, vector=hv)
        # a judge reads each passage's cosine to the shopper's own words, not to the hint;
        # without one, a hinted passage is gated like its ranking, a little below its
        # similarity to the hinted question (never by the lexical part of a fused score)
        cosine = {h.id: h.similarity for h in ev.passages}
        if self.answerer.judge is not None:
            fresh = [h.id for h in found if h.id not in cosine]
            for i, e in knowledge.store.get_embeddings(knowledge.collection, fresh).items():
                cosine[i] = float(e @ vec)
        for h in found:
            gate = (
                cosine.get(h.id, h.similarity)
                if self.answerer.judge is not None
                else h.similarity - HINT_PENALTY
            )
            lowered = Hit(h.id, h.text, h.score - HINT_PENALTY, h.metadata, gate)
            if h.id not in best or lowered.score > best[h.id].score:
                best[h.id] = lowered
        passages = sorted(best.values(), key=lambda h: -h.score)[:depth]
        return self.answerer.answer(
            text,
            vector=vec,
            evidence=Evidence(ev.past, passages),
            product_id=product,
            only_product=only_product,
        )

    def _contents(self, p: ProductRecord) -> Answer:
        """What a grouped product (a set, a bundle, a collection) is made of."""
        parts = self.repo.get_products(p.links.get("related", []))
        names = [parts[i].title for i in p.links.get("related", []) if i in parts]
        text = f"The {p.title} includes: {', '.join(names)}."
        return Answer(text, [Citation(p.id, p.title, "catalog", text)])

    def _answers_the_ask(self, answer: Answer, text: str, product: ProductRecord) -> bool:
        """Is the cited shop page close to what is asked once the product's name is taken
        out of the question ("does the ipod nano have bluetooth?" -> "does the have
        bluetooth")?"""
        ask = ask_text(text, product)
        if not ask.strip():
            return False
        v = self.embedder.encode_one(ask)
        knowledge = self.answerer.knowledge
        ids = [c.id for c in answer.citations]
        own = knowledge.store.get(knowledge.collection, ids)
        if any(h.metadata.get("product_id") == product.id for h in own):
            return True  # the product's own passages (reviews, Q&A) are about it
        embs = knowledge.store.get_embeddings(knowledge.collection, ids)
        return any(float(e @ v) >= self.answerer.min_score for e in embs.values())

    def _which_one(self, g: Grounding) -> BotReply:
        """Two or more products fit the message about equally: ask, with cards to pick from."""
        cands = g.candidates[:3]
        names = " or ".join(f"the {p.title}" for p in cands)
        return BotReply(
            f"Which one do you mean: {names}?",
            products=[product_card(p, "one of the products you may mean") for p in cands],
            action="clarify",
        )

    def _products(self, action: str, st: DialogueState, text: str) -> BotReply:
        # "under £130 please" refines the last search instead of starting a new one
        base = f"{st.last_query} {text}" if refines_search(text) and st.last_query else text
        query = base if (st.colour or "") in base.lower() else f"{base} {st.colour}"
        if action == "search":
            st.last_query = redact(base)
        if goes_with(text):
            g = self.grounder.ground(text, None, st.product_in_focus)
            if g.product is not None:
                return self._goes_with(st, g.product)
        if (acc := accessory_for(text)) is not None:  # "a case for my ipod nano"
            owned = self.grounder.ground(acc[1], None, None)
            if owned.product is not None and owned.named and not owned.ambiguous:
                return self._accessories(st, acc[0], owned.product)
        k = max(self.suggestions_per_reply, 1)
        lead = "Here are some products that fit what you're looking for"
        if action == "recommend":  # what they asked for still narrows it ("on sale")
            wanted = constraints_of(text, self.grounder.vocabulary())
            found = self._search(text, st, wanted) if wanted else []
            found = found or self.recommender.recommend(
                st.user_id,
                context=text,
                k=max(self.suggestions_per_reply, 1),
                filters=Filters(max_price=st.budget_max),
            )
            lead = "You might like"
        else:
            wanted = constraints_of(query, self.grounder.vocabulary())
            found = self._search(query, st, wanted)
            if not found and wanted:
                found = self._search(query, st, wanted.relaxed())
                lead = "Nothing matches all of that exactly; these come closest"
        cards = [card_of(s) for s in found][:k]
        if not cards:
            return BotReply(
                NO_PRODUCTS_REPLY,
                action=action,
                tool_calls=[f"{'recommend' if action == 'recommend' else 'search_products'}"],
            )
        st.product_in_focus = cards[0].id
        names = ", ".join(c.title for c in cards[:3])
        budget_note = (
            f" (all under {money(st.budget_max, self.currency, whole=True)})"
            if st.budget_max and action == "search"
            else ""
        )
        return BotReply(
            f"{lead}{budget_note}: {names}.",
            products=cards,
            action=action,
            tool_calls=["recommend" if action == "recommend" else "search_products"],
        )

    def _search(self, query: str, st: DialogueState, wanted: Constraints) -> list[Suggestion]:
        """An explicit search: the shopper's constraints filter, and no per-category cap
        (asked for hats, they get hats)."""
        found = self.recommender.recommend(
            st.user_id,
            context=query,
            k=max(self.suggestions_per_reply, 1),
            filters=Filters(max_price=st.budget_max),
            keep=wanted.keep if wanted else None,
            max_per_category=max(self.suggestions_per_reply, 1),
        )
        return found if wanted.kinds else self._without_weak(found)

    def _without_weak(self, found: list[Suggestion]) -> list[Suggestion]:
        """With no kind of product to filter on, cards far weaker than the best are noise."""
        margin = WEAK_CARD_COSINE if self.recommender.model is None else WEAK_CARD_Z
        return [s for s in found if s.score >= found[0].score - margin] if found else found

    def _goes_with(self, st: DialogueState, p: ProductRecord) -> BotReply:
        """What goes with a product: the shop's own cross-sell, up-sell and related links
        first, then products of other kinds that suit it (never the product itself)."""
        k = max(self.suggestions_per_reply, 1)
        linked_ids = [i for kind in LINK_ORDER for i in p.links.get(kind, [])]
        linked = self.repo.get_products(list(dict.fromkeys(linked_ids)))
        picks = [
            product_card(linked[i], f"goes with the {p.title}")
            for i in dict.fromkeys(linked_ids)
            if i in linked and linked[i].offerable and i != p.id
        ][:k]
        if len(picks) < k:
            shown = {c.id for c in picks} | {p.id}
            more = self.recommender.recommend(
                st.user_id,
                context=f"{p.title} {p.category}",
                k=k,
                keep=lambda x: x.id not in shown and x.category != p.category,
            )
            picks += [product_card(s.product, f"goes with the {p.title}") for s in more]
        picks = picks[:k]
        st.product_in_focus = p.id
        if not picks:
            return BotReply(NO_PRODUCTS_REPLY, action="recommend", tool_calls=["recommend"])
        names = ", ".join(c.title for c in picks[:3])
        return BotReply(
            f"These go well with the {p.title}: {names}.",
            products=picks,
            action="recommend",
            tool_calls=["recommend"],
        )

    def _accessories(self, st: DialogueState, want: str, owned: ProductRecord) -> BotReply:
        """Something for a product the shopper has: never that product or its kind (asked
        for a case for an iPod, not iPods); the shop's own links to it first."""
        wanted = constraints_of(want, self.grounder.vocabulary())

        def fits(x: ProductRecord) -> bool:
            return x.id != owned.id and x.category != owned.category and (wanted.keep(x))

        k = max(self.suggestions_per_reply, 1)
        linked_ids = [i for kind in LINK_ORDER for i in owned.links.get(kind, [])]
        linked = self.repo.get_products(list(dict.fromkeys(linked_ids)))
        cards = [
            product_card(linked[i], f"for your {owned.title}")
            for i in dict.fromkeys(linked_ids)
            if i in linked and linked[i].offerable and fits(linked[i])
        ]
        if len(cards) < k:
            shown = {c.id for c in cards}
            more = self.recommender.recommend(
                st.user_id,
                context=f"{want} for {owned.title}",
                k=k,
                filters=Filters(max_price=st.budget_max),
                keep=lambda x: x.id not in shown and fits(x),
                max_per_category=k,
            )
            cards += [card_of(s) for s in (more if wanted.kinds else self._without_weak(more))]
        cards = cards[:k]
        if not cards:
            return BotReply(NO_PRODUCTS_REPLY, action="search", tool_calls=["search_products"])
        st.product_in_focus = cards[0].id
        names = ", ".join(c.title for c in cards[:3])
        return BotReply(
            f"For your {owned.title}: {names}.",
            products=cards,
            action="search",
            tool_calls=["search_products"],
        )

    def _cheaper(self, st: DialogueState) -> BotReply:
        """A cheaper alternative to the product in focus: among the cards shown in the same
        category first, else from the catalog (same category, below its price)."""
        shown = self.repo.get_products(st.last_products)
        focus = self.repo.get_product(st.product_in_focus) if st.product_in_focus else None
        focus = focus or (shown.get(st.last_products[0]) if st.last_products else None)
        if focus is None:
            return BotReply(NO_PRODUCTS_REPLY, action="cheaper")
        same = [
            p
            for p in shown.values()
            if p.offerable and p.category == focus.category and _price(p) < _price(focus)
        ]
        pick = max(same, key=_price) if same else None  # the next one down in price
        if pick is None and focus.current_price is None:
            return BotReply(
                f"The {focus.title} has no price listed, so I can't compare it.", action="cheaper"
            )
        if pick is None:  # nothing cheaper among the cards: say so, and look in the catalog
            top = focus.category.split(">")[0].strip()
            found = self.recommender.recommend(
                st.user_id,
                context=f"{focus.title} {focus.category}",
                k=5,
                filters=Filters(max_price=round(_price(focus) - 0.01, 2), category=top),
            )
            similar = [
                f.product for f in found if f.product.category == focus.category and f.score >= 0.75
            ]
            lead = f"The {focus.title} is already the cheapest of the ones I showed you"
            if not similar:
                return BotReply(f"{lead}.", action="cheaper")
            alt = similar[0]
            st.product_in_focus = alt.id
            return BotReply(
                f"{lead}, but the {alt.title} at {money(_price(alt), self.currency)} is similar "
                "and cheaper.",
                products=[_cheaper_card(alt, focus)],
                action="cheaper",
                tool_calls=["search_products"],
            )
        st.product_in_focus = pick.id
        return BotReply(
            f"A cheaper option is the {pick.title} at {money(_price(pick), self.currency)}.",
            products=[_cheaper_card(pick, focus)],
            action="cheaper",
            tool_calls=["search_products"],
        )

    def _order_action(self, action: str, st: DialogueState) -> BotReply:
        if not st.user_id:  # a guest: only the status of the one order they proved
            if action == "order_status" and st.guest_order and st.order_id == st.guest_order:
                out = self.tools.order_status(st.guest_order, None, guest_order=st.guest_order)
                return BotReply(out.message, action=action, tool_calls=["order_status"])
            return BotReply(SIGN_IN_REPLY, action=action)
        if action == "abort":
            pending, st.pending = st.pending or {}, None
            return BotReply(
                f"Alright, I've left order {pending.get('order_id', '')} as it is.", action=action
            )
        if action == "confirm":
            pending, st.pending = st.pending or {}, None
            out = self.tools.cancel_order(str(pending.get("order_id")), st.user_id, confirm=True)
            return BotReply(out.message, out.citations, action=action, tool_calls=["cancel_order"])
        oid = st.order_id or (o.id if (o := self.repo.latest_order(st.user_id)) else None)
        if oid is None:
            return BotReply(WHICH_ORDER_REPLY, action=action)
        st.order_id = oid
        if action == "order_status":
            return BotReply(
                self.tools.order_status(oid, st.user_id).message,
                action=action,
                tool_calls=["order_status"],
            )
        if action == "start_return":
            out = self.tools.start_return(oid, st.user_id)
            return BotReply(out.message, out.citations, action=action, tool_calls=["start_return"])
        out = self.tools.cancel_order(oid, st.user_id, confirm=False)
        if out.message == "confirmation needed" and out.order is not None:
            st.pending = {"action": "cancel_order", "order_id": oid}
            n = len(out.order.product_ids)
            return BotReply(
                f"Shall I cancel order {oid} ({n} item{'s' if n != 1 else ''}, "
                f"{money(out.order.total, self.currency)})? Please reply yes or no.",
                action=action,
                tool_calls=["cancel_order"],
            )
        return BotReply(out.message, action=action, tool_calls=["cancel_order"])

    def _with_suggestions(self, reply: BotReply, st: DialogueState, text: str) -> BotReply:
        focus = self.repo.get_product(st.product_in_focus) if st.product_in_focus else None
        context = f"{focus.title} {focus.category}" if focus else text
        found = [
            s
            for s in self.recommender.recommend(
                st.user_id,
                context=context,
                k=self.suggestions_per_reply + 1,
                exclude_ids=[st.product_in_focus] if st.product_in_focus else (),
            )
            if s.product.id != st.product_in_focus
        ][:3]
        if not found:
            return reply
        cards = [card_of(s) for s in found]
        return BotReply(
            reply.reply,
            reply.citations,
            cards,
            reply.intent,
            reply.handoff,
            reply.handoff_state,
            reply.action,
            [*reply.tool_calls, "recommend"],
        )

    def _screened(self, st: DialogueState, found: Screened, product_id: str | None) -> BotReply:
        """A short refusal (role-play, injected instructions, codes it cannot know), or the
        shop's refund policy with an offer of a person for a refund demanded now; then the
        rest of the message, if it asks something else, answered as an ordinary turn."""
        if found.kind == "refund_demand":
            policy = self.tools.faq_answer(REFUND_POLICY_QUESTION)
            cited = policy.grounded and bool(policy.citations)
            body = policy.text if cited else "Refunds follow our returns and refunds policy."
            first = BotReply(
                f"{body} {REFUND_OFFER}",
                policy.citations if cited else [],
                intent="return_refund",
                action="refund_policy",
                tool_calls=["faq_answer"],
            )
            st.pending = {"action": "handoff_offer"}  # "yes" now fetches a person
        else:
            first = BotReply(found.note, intent="out_of_scope", action="decline")
        meta: dict[str, object] = {"intent": first.intent, "screened": found.kind}
        said: dict[str, object] = {
            "action": first.action,
            "citations": [c.id for c in first.citations],
        }
        self._save(st, [("shopper", redact(found.attempt), meta), ("bot", first.reply, said)])
        if not found.rest:
            return first
        more = self.respond(st.session_id, st.user_id, found.rest, product_id)
        return BotReply(
            f"{first.reply} {more.reply}".strip(),
            [*first.citations, *more.citations],
            more.products,
            more.intent,
            more.handoff,
            more.handoff_state,
            more.action,
            [*first.tool_calls, *more.tool_calls],
        )

    # the agent's side -------------------------------------------------------------
    def queue(self) -> list[str]:
        return self.repo.sessions_in_handoff()

    def packet(self, session_id: str) -> HandoffPacket:
        st = self.state(session_id)
        rows = self.repo.transcript_meta(session_id)
        asked = [t for role, t, _ in rows if role == "shopper"]
        summary = (
            f"{len(asked)} shopper message(s). First: “{asked[0][:120]}”"
            if asked
            else "No messages."
        )
        if len(asked) > 1:
            summary += f" Latest: “{asked[-1][:120]}”"
        return HandoffPacket(
            session_id,
            st.user_id,
            st.handoff,
            summary,
            list(st.cited),
            list(st.shown_products),
            [(r, t) for r, t, _ in rows],
        )

    def take(self, session_id: str) -> None:
        self._set_handoff(session_id, "human", "agent took the conversation")

    def release(self, session_id: str) -> None:
        """The person hands the conversation back to the bot."""
        self._set_handoff(session_id, "none", "agent released the conversation")
        self._save(self.state(session_id), [("bot", BACK_TO_BOT_REPLY, {"action": "released"})])

    def resolve(self, session_id: str) -> None:
        """Resolved: back to the bot with a clean slate, so no loop back into handoff."""
        st = self.state(session_id)
        st.handoff, st.no_answer_streak, st.pending = "none", 0, None
        self._save(
            st,
            [
                ("system", "resolved", {"handoff": "none"}),
                ("bot", BACK_TO_BOT_REPLY, {"action": "released"}),
            ],
        )

    def agent_reply(self, session_id: str, text: str) -> None:
        st = self.state(session_id)
        if st.handoff != "human":
            raise MessageError("take the conversation before replying to it")
        self._save(st, [("agent", redact(text), {})])

    def _set_handoff(self, session_id: str, value: str, note: str) -> None:
        st = self.state(session_id)
        st.handoff = value
        self._save(st, [("system", note, {"handoff": value})])
