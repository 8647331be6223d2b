"""The dialogue engine: one shopper message in, one reply out, state remembered.

    engine.respond("session-1", "u0001", "where is my order?")

A turn, top to bottom (`respond`): load the session's state; screen for attempts to steer
the bot; embed the message once and read it into signals (bot/signals.py); ask the pure
policy what to do (bot/policy.py); let the part that owns that action reply — questions
(bot/questions.py), shopping (bot/shopping.py), the shopper's orders (bot/orders.py) —
each returning its reply and the changes it decided; apply the changes (the one place the
state changes, bot/state.py); add unasked product cards where they belong; save the state
and the redacted transcript in one transaction and log the turn for the shop's
measurements (bot/turn_log.py). While a person has the conversation the bot stays silent;
the agent's side is the handoff desk (bot/handoff_desk.py).
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

import numpy as np

from bot import replies
from bot.abuse import REFUND_OFFER, Screened, screen
from bot.agent import ToolAgent
from bot.answerer import Answerer, Evidence
from bot.handoff_desk import HandoffDesk, HandoffPacket, MessageError
from bot.intents import IntentRouter
from bot.orders import ORDER_ACTIONS, OrderReplies
from bot.policy import Signals, decide, may_suggest, top_intent
from bot.product_grounding import ProductGrounder
from bot.questions import INTENT_HINTS, Questions
from bot.redact import redact
from bot.sentiment import is_angry
from bot.sessions import Sessions
from bot.shopping import Shopping
from bot.signals import SignalReader, remember_slots
from bot.state import Changes, DialogueState, Step
from bot.tools import ShopTools
from bot.turn_log import TurnLog
from bot.types import BotReply
from growth.experiments import ExperimentStore
from growth.tracking import Tracker
from recommender.recommender import Recommender
from retrieval.embedder import Embedder
from shop.repository import ShopRepository

__all__ = ["INTENT_HINTS", "ChatEngine", "HandoffPacket", "MessageError"]

log = logging.getLogger(__name__)

SHOPPING_ACTIONS = {"search", "recommend", "cheaper"}
_THANKS = re.compile(r"(?i)\b(thank|thanks|cheers)\b")


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
        tracker: Tracker | None = None,
        experiments: ExperimentStore | None = None,
    ) -> None:
        if max_message_chars <= 0:
            raise ValueError(f"max_message_chars must be > 0, got {max_message_chars}")
        self.embedder, self.router, self.answerer = embedder, router, answerer
        self.recommender, self.repo, self.tools, self.agent = recommender, repo, tools, agent
        self.max_message_chars = max_message_chars
        # which product a message names (titles, SKUs, typos, variant words)
        self.grounder = grounder or ProductGrounder.over(repo, recommender)
        self.sessions = Sessions(repo)
        self.desk = HandoffDesk(self.sessions)
        self.signals = SignalReader(router, recommender, self.grounder, repo)
        self.shopping = Shopping(recommender, repo, self.grounder, suggestions_per_reply, currency)
        self.questions = Questions(
            answerer, embedder, self.grounder, repo, self.shopping, agent, currency
        )
        self.orders = OrderReplies(tools, repo, currency)
        # the bot's own tracking events and experiments (growth/), the shop's wing when wired
        tracker = tracker or Tracker(repo)
        experiments = experiments or ExperimentStore(repo, tracker)
        self.log = TurnLog(tracker, experiments, repo, suggestions_experiment)

    def state(self, session_id: str, user_id: str | None = None) -> DialogueState:
        return self.sessions.load(session_id, user_id)

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
        text = self._checked(message)
        st = self.sessions.load(session_id, user_id)
        st.guest_order = guest_order or st.guest_order
        if st.handoff == "human":  # a person has the conversation: the bot stays silent
            self.sessions.save(st, [("shopper", redact(text), {"to": "agent"})])
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
        remember_slots(st, text)
        sig = self.signals.read(st, text, vec, evidence)
        if st.pending is not None and not (sig.is_yes or sig.is_no):
            st.pending = None  # the shopper moved on: the offer or confirmation lapses
        action = decide(st, sig)
        st.order_talk = st.order_talk or sig.order_context  # "where is it?" may follow
        if action in SHOPPING_ACTIONS and not may_suggest(st, sig, action):
            action = "hold"  # a person is being fetched: no shopping until they have helped
        step = self._act(action, st, text, vec, evidence, sig)
        st.apply(step.changes)
        reply = self._turn_over(st, self._with_cards(step.reply, st, sig, text), sig)
        self._record(st, text, reply, sig, handoff_before)
        return reply

    def _checked(self, message: str) -> str:
        text = message.strip()
        most = self.max_message_chars
        if not text:
            raise MessageError(
                f"message is empty; send the shopper's text (1 to {most} characters)"
            )
        if len(text) > most:
            raise MessageError(f"message has {len(text)} characters; at most {most} are accepted")
        return text

    def _act(
        self, action: str, st: DialogueState, text: str, vec: np.ndarray, ev: Evidence, sig: Signals
    ) -> Step:
        """The reply of the part that owns the action, with the changes it decided."""
        if action == "handoff":
            upset = top_intent(sig) != "human_agent"
            text_ = replies.UPSET_HANDOFF if upset else replies.HANDOFF_REQUESTED
            return Step(BotReply(text_, action=action), Changes(handoff="requested"))
        if action in {"hold", "greet", "decline"}:
            said = {"hold": replies.HOLD, "decline": replies.DECLINE}.get(action)
            said = said or (replies.THANKS if _THANKS.search(text) else replies.GREETING)
            return Step(BotReply(said, action=action))
        if action in {"confirm", "abort"} and (st.pending or {}).get("action") == "handoff_offer":
            if action == "abort":
                return Step(
                    BotReply(replies.ANYTHING_ELSE, action=action), Changes(clear_pending=True)
                )
            reply = BotReply(replies.HANDOFF_REQUESTED, action="handoff")
            return Step(reply, Changes(clear_pending=True, handoff="requested"))
        if action in ORDER_ACTIONS:
            return self.orders.act(action, st)
        if action == "cheaper":
            return self.shopping.cheaper(st)
        if action in {"search", "recommend"}:
            return self.shopping.products(action, st, text)
        if action == "complaint":
            return self.questions.complaint(st, text, vec, ev, sig)
        return self.questions.answer(st, text, vec, ev, sig)

    def _with_cards(self, reply: BotReply, st: DialogueState, sig: Signals, text: str) -> BotReply:
        """Unasked product cards, where the policy and the suggestions experiment allow them."""
        unasked = reply.action not in {*SHOPPING_ACTIONS, "hold"}
        if (
            unasked
            and not reply.products
            and may_suggest(st, sig, reply.action)
            and self.log.suggestions_on(st)
        ):
            return self.shopping.beside(reply, st, text)
        return reply

    @staticmethod
    def _turn_over(st: DialogueState, reply: BotReply, sig: Signals) -> BotReply:
        """What the turn leaves in the state (cards shown, passages cited) and the reply as
        sent: with the intent read, and a note when a person is on the way."""
        if reply.products:
            st.suggestion_turns += 1
            if reply.action in {"search", "recommend"}:  # what "the cheaper one" refers to
                st.last_products = [p.id for p in reply.products]
            st.shown_products += [p.id for p in reply.products if p.id not in st.shown_products]
        st.cited += [c.id for c in reply.citations if c.id not in st.cited]
        st.turns += 1
        st.last_action = reply.action
        text = reply.reply
        if st.handoff == "requested" and reply.action not in {"handoff", "hold"}:
            text = f"{text} {replies.PERSON_WILL_JOIN}".strip()
        return replace(
            reply,
            reply=text,
            intent=top_intent(sig),
            handoff=st.handoff != "none",
            handoff_state=st.handoff,
        )

    def _record(
        self, st: DialogueState, text: str, reply: BotReply, sig: Signals, handoff_before: str
    ) -> None:
        """The state and the redacted transcript in one transaction, then the turn's events."""
        said: dict[str, object] = {"intent": reply.intent, "sentiment": round(sig.sentiment, 2)}
        meta: dict[str, object] = {
            "action": reply.action,
            "citations": [c.id for c in reply.citations],
            "products": [{"id": p.id, "reason": p.reason} for p in reply.products],
            "tools": reply.tool_calls,
            "handoff": reply.handoff_state,
        }
        self.sessions.save(
            st, [("shopper", redact(text), said), ("bot", redact(reply.reply), meta)]
        )
        self.log.track(st, reply, text, handoff_before)
        log.info(
            "session=%s intent=%s action=%s products=%d handoff=%s",
            st.session_id[:12],
            reply.intent,
            reply.action,
            len(reply.products),
            reply.handoff_state,
        )

    def _screened(self, st: DialogueState, found: Screened, product_id: str | None) -> BotReply:
        """A short refusal (role-play, injected instructions, codes it cannot know), or the
        shop's refund policy with an offer of a person for a refund demanded now; then the
        rest of the message, if it asks something else, answered as an ordinary turn."""
        if found.kind == "refund_demand":
            policy = self.tools.faq_answer(replies.REFUND_POLICY_QUESTION)
            cited = policy.grounded and bool(policy.citations)
            body = policy.text if cited else replies.REFUND_POLICY_FALLBACK
            first = BotReply(
                f"{body} {REFUND_OFFER}",
                policy.citations if cited else [],
                intent="return_refund",
                action="refund_policy",
                tool_calls=["faq_answer"],
            )
            st.apply(Changes(pending={"action": "handoff_offer"}))  # "yes" now fetches a person
        else:
            first = BotReply(found.note, intent="out_of_scope", action="decline")
        meta: dict[str, object] = {"intent": first.intent, "screened": found.kind}
        said: dict[str, object] = {
            "action": first.action,
            "citations": [c.id for c in first.citations],
        }
        self.sessions.save(
            st, [("shopper", redact(found.attempt), meta), ("bot", first.reply, said)]
        )
        if not found.rest:
            return first
        more = self.respond(st.session_id, st.user_id, found.rest, product_id)
        return replace(
            more,
            reply=f"{first.reply} {more.reply}".strip(),
            citations=[*first.citations, *more.citations],
            tool_calls=[*first.tool_calls, *more.tool_calls],
        )

    # the agent's side (bot/handoff_desk.py) ------------------------------------------
    def queue(self) -> list[str]:
        return self.desk.queue()

    def packet(self, session_id: str) -> HandoffPacket:
        return self.desk.packet(session_id)

    def take(self, session_id: str) -> None:
        self.desk.take(session_id)

    def release(self, session_id: str) -> None:
        self.desk.release(session_id)

    def resolve(self, session_id: str) -> None:
        self.desk.resolve(session_id)

    def agent_reply(self, session_id: str, text: str) -> None:
        self.desk.agent_reply(session_id, text)
