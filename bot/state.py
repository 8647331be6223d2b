"""Per-session dialogue state: what the conversation is about, remembered across turns.

The state changes in one place: what a turn's parts decide comes back as `Changes`, which
`ChatEngine.respond` applies with `DialogueState.apply`; the agent-side moves of the handoff
desk (bot/handoff_desk.py) are the only other writers. The state is persisted with the
transcript through `shop/`, so a restart loses nothing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.types import BotReply


@dataclass(frozen=True)
class Changes:
    """What one part of a turn decided about the conversation (None: no change)."""

    focus: str | None = None  # the product now talked about
    order_id: str | None = None  # the order now talked about
    last_query: str | None = None  # the product search to refine next
    handoff: str | None = None  # "requested": a person is to be fetched
    pending: dict[str, Any] | None = None  # an offer or confirmation awaiting yes/no
    clear_pending: bool = False  # the pending offer was answered
    answered: bool | None = None  # True: the no-answer streak restarts; False: it grows
    # (a person fetched after misses restarts it too)


@dataclass(frozen=True)
class Step:
    """A part's reply to the turn and what it decided about the conversation."""

    reply: BotReply
    changes: Changes = field(default_factory=Changes)


@dataclass
class DialogueState:
    session_id: str
    user_id: str | None = None
    order_id: str | None = None  # the order being talked about
    order_talk: bool = False  # an order was talked about ("my parcel never came"), number or not
    guest_order: str | None = None  # the one order an anonymous guest proved (number + e-mail)
    product_in_focus: str | None = None  # the product being talked about
    last_products: list[str] = field(default_factory=list)  # cards shown in the last reply
    last_query: str | None = None  # the last product search, refined by "under £100", "in blue"
    budget_max: float | None = None
    colour: str | None = None
    size: str | None = None
    pending: dict[str, Any] | None = None  # an action waiting for the shopper's yes/no
    handoff: str = "none"  # none | requested (waiting for a person) | human (a person has it)
    no_answer_streak: int = 0  # consecutive questions the bot could not answer
    suggestion_turns: int = 0  # replies in this session that carried product cards
    shown_products: list[str] = field(default_factory=list)  # every product suggested so far
    cited: list[str] = field(default_factory=list)  # every passage cited so far
    turns: int = 0
    last_action: str | None = None  # what the bot did last turn (see bot.policy.decide)

    def apply(self, c: Changes) -> None:
        """The one writer of a turn's decisions."""
        self.product_in_focus = c.focus or self.product_in_focus
        self.order_id = c.order_id or self.order_id
        self.last_query = c.last_query or self.last_query
        if c.clear_pending:
            self.pending = None
        if c.pending is not None:
            self.pending = c.pending
        if c.handoff is not None:
            self.handoff = c.handoff
        if c.answered is True:
            self.no_answer_streak = 0
        elif c.answered is False:
            self.no_answer_streak += 1

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str) -> DialogueState:
        data = json.loads(raw)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
