"""What a turn tells the shop's measurements: tracking events (the turn, the cards shown
and their propensities, a handoff, a complaint, unmet demand) and whether unasked cards
are on for this shopper in the suggestions experiment.

    log = TurnLog(Tracker(repo), ExperimentStore(repo, tracker), repo, "bot-cards")
    log.suggestions_on(state); log.track(state, reply, text, handoff_before="none")
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.redact import redact
from bot.state import DialogueState
from bot.types import BotReply
from growth.experiments import ExperimentStore
from growth.tracking import Tracker, TrackRecord
from shop.repository import ShopRepository

log = logging.getLogger(__name__)


class TurnLog:
    def __init__(
        self,
        tracker: Tracker,
        experiments: ExperimentStore,
        repo: ShopRepository,
        suggestions_experiment: str | None = None,
    ) -> None:
        self.tracker, self.experiments, self.repo = tracker, experiments, repo
        # an A/B experiment whose variant "off" keeps unasked product cards from a shopper
        self.suggestions_experiment = suggestions_experiment

    def suggestions_on(self, st: DialogueState) -> bool:
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

    def track(self, st: DialogueState, reply: BotReply, text: str, handoff_before: str) -> None:
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
