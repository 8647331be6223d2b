"""Typed records of the generated demo shop: products, help pages, Q/A history, shoppers, events, orders.

All records are frozen dataclasses so a generated :class:`DemoShop` can be compared with ``==``
(the determinism tests rely on that).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class DemoProduct:
    """One catalog item."""

    id: str  # "p0001" style, stable for a given seed
    title: str
    description: str  # 2-4 sentences mentioning material and use cases
    category: str  # category path, e.g. "Outdoor Clothing > Rain Jackets"
    brand: str
    price: float  # GBP, 2 decimals
    stock: int  # units available now; 0 means out of stock
    # e.g. {"size": "S, M, L, XL", "colour": "navy, black", "material": "recycled nylon"};
    # excluded from hashing so products stay hashable despite the dict.
    attributes: dict[str, str] = field(hash=False)

    @property
    def top_category(self) -> str:
        """The first level of the category path, e.g. "Outdoor Clothing"."""
        return self.category.split(" > ", 1)[0]


@dataclass(frozen=True)
class DemoPage:
    """A help / policy page of the knowledge base."""

    slug: str  # "returns", "shipping", ...
    title: str  # "Returns policy"
    markdown: str  # full page starting with "# Title", several "## " sections


@dataclass(frozen=True)
class DemoQA:
    """A historical shopper question with the support agent's answer."""

    id: str  # "qa0001"
    question: str  # as the shopper typed it
    answer: str  # consistent with the KB pages / product facts
    product_id: str | None  # set when the question is about one product
    topic: str  # page slug, or "product"


@dataclass(frozen=True)
class DemoUser:
    """A fictional shopper; ``tastes`` is the hidden ground truth a recommender should learn."""

    id: str  # "u0001"
    name: str
    email: str  # fictional, at example.com / example.org
    tastes: tuple[str, ...]  # 1-3 category paths (top-level or sub-category) the shopper likes


@dataclass(frozen=True)
class DemoEvent:
    """One interaction of a shopper with a product."""

    user_id: str
    product_id: str
    type: str  # "view" | "add_to_cart" | "purchase"
    ts: datetime  # timezone-aware UTC


@dataclass(frozen=True)
class DemoOrder:
    """An order built from the purchases a shopper made on one day."""

    id: str  # "o10001"
    user_id: str
    product_ids: tuple[str, ...]
    status: str  # "processing" | "shipped" | "delivered" | "cancelled" | "returned"
    created_at: datetime  # timezone-aware UTC
    total: float  # sum of the product prices, GBP


@dataclass(frozen=True)
class DemoShop:
    """Everything the demo shop contains."""

    name: str
    products: tuple[DemoProduct, ...]
    pages: tuple[DemoPage, ...]
    qa: tuple[DemoQA, ...]
    users: tuple[DemoUser, ...]
    events: tuple[DemoEvent, ...]
    orders: tuple[DemoOrder, ...]


@dataclass(frozen=True)
class PolicyQuestion:
    """One support intent: several shopper phrasings sharing one agent answer."""

    topic: str  # slug of the help page the answer comes from
    questions: tuple[str, ...]  # as shoppers type them: varied, sometimes casual
    answer: str
    facts: tuple[str, ...]  # phrases found verbatim in both the answer and the page


@dataclass(frozen=True)
class ShopperPools:
    """What generated shoppers are drawn from."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    email_domains: tuple[str, ...]  # fictional: example.com, example.org
    # related categories that real shoppers tend to combine; most tastes come from one of these
    personas: tuple[tuple[str, ...], ...]
