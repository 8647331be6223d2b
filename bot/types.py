"""Typed results of the dialogue engine, shared by the API and the UI.

These are domain dataclasses; the API maps them to its own wire schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Citation:
    """A passage the reply is grounded in."""

    id: str  # stable passage id in the knowledge base
    title: str  # human title of the source, e.g. "Returns policy"
    source: str  # where it came from, e.g. "kb/returns.md" or "qa-history"
    snippet: str  # the passage text (possibly shortened) shown to the shopper


@dataclass(frozen=True)
class ProductCard:
    """A product suggested in the conversation."""

    id: str
    title: str
    price: float | None  # None: the shop's export lists no price
    category: str
    reason: str  # why it is shown, e.g. "matches what you asked for"
    brand: str = ""
    in_stock: bool = True
    image: str = ""  # the product's first image URL, from the catalog
    url: str = ""  # the product page, when the catalog has one
    propensity: float | None = None  # P(shown in this slot) under the suggestion policy


@dataclass(frozen=True)
class BotReply:
    """One bot turn: text, the sources it rests on and product cards."""

    reply: str
    citations: list[Citation] = field(default_factory=list)
    products: list[ProductCard] = field(default_factory=list)
    intent: str = "question"  # the shop intent the message was read as
    handoff: bool = False  # True when a person is asked for, or has the conversation
    handoff_state: str = "none"  # none | requested | human
    action: str = "answer"  # what the policy decided (see bot.policy.decide)
    tool_calls: list[str] = field(default_factory=list)  # shop tools used for this reply
