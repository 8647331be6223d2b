"""Per-session dialogue state: what the conversation is about, remembered across turns.

The state changes in one place (`ChatEngine.respond`) and is persisted with the
transcript through `shop/`, so a restart loses nothing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

HANDOFF_STATES = ("none", "requested", "human")


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

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str) -> DialogueState:
        data = json.loads(raw)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
