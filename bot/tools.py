"""The shop tools the bot can use, as LangChain tools with pydantic arguments.

The deterministic policy calls them through `ShopTools`; the same `StructuredTool`
objects can be bound to a tool-calling LLM. Order tools check that the order belongs to
the (verified) shopper; an anonymous guest sees one order's status only after proving it
with the e-mail on it (`guest_owns`), and cancellation needs an explicit confirmation.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, Field
from sqlalchemy import select

from bot.answerer import Answer, Answerer
from bot.types import Citation
from recommender.recommender import Filters, Recommender, Suggestion
from shop.models import Order, User
from shop.repository import OrderRecord, ShopRepository

RETURN_WINDOW_DAYS = 30
CANCELLABLE = "processing"
# asked of the shop's own knowledge where an order tool's reply touches policy: how long a
# refund takes and how returns work are the shop's to say, so the bot quotes its pages (cited)
# instead of promising anything of its own
REFUND_AFTER_CANCEL_QUESTION = "How long does the refund take for a cancelled order?"
HOW_TO_RETURN_QUESTION = "How do I return an item?"


class SearchArgs(BaseModel):
    query: str = Field(
        ..., min_length=1, max_length=500, description="What the shopper is looking for."
    )
    max_price: float | None = Field(None, ge=0, description="Highest price.")
    category: str | None = Field(None, description="Top-level category, e.g. 'Footwear'.")
    user_id: str | None = Field(None, description="The shopper, to personalise the ranking.")


class RecommendArgs(BaseModel):
    user_id: str | None = Field(None, description="The shopper.")
    context: str | None = Field(None, max_length=500, description="What the conversation is about.")


class OrderArgs(BaseModel):
    order_id: str = Field(..., pattern=r"^o\d{4,6}$", description="Order number, e.g. o10023.")
    user_id: str = Field(
        ..., min_length=1, description="The signed-in shopper; the order must be theirs."
    )


class CancelArgs(OrderArgs):
    confirm: bool = Field(
        False, description="True only after the shopper said yes to the cancellation."
    )


class FaqArgs(BaseModel):
    question: str = Field(..., min_length=1, max_length=4000)


@dataclass(frozen=True)
class OrderOutcome:
    ok: bool
    message: str
    order: OrderRecord | None = None
    citations: list[Citation] = field(default_factory=list)  # the shop's pages quoted


class ShopTools:
    """Tool implementations over the shop's repositories; `as_langchain()` exposes them."""

    def __init__(
        self,
        repo: ShopRepository,
        recommender: Recommender,
        answerer: Answerer,
        k: int = 4,
        currency: str = "£",
    ) -> None:
        self.repo, self.recommender, self.answerer = repo, recommender, answerer
        self.k, self.currency = k, currency

    def search_products(
        self,
        query: str,
        max_price: float | None = None,
        category: str | None = None,
        user_id: str | None = None,
    ) -> list[Suggestion]:
        return self.recommender.recommend(
            user_id,
            context=query,
            k=self.k,
            filters=Filters(max_price=max_price, category=category),
        )

    def recommend(self, user_id: str | None = None, context: str | None = None) -> list[Suggestion]:
        return self.recommender.recommend(user_id, context=context, k=self.k)

    def _owned(self, order_id: str, user_id: str) -> OrderRecord | None:
        order = self.repo.get_order(order_id)
        return order if order is not None and order.user_id == user_id else None

    def guest_owns(self, order_id: str, email: str) -> bool:
        """True when `email` is the e-mail on order `order_id` (its shopper's address), compared
        case-insensitively in constant time; unknown orders and e-mails are just False."""
        with self.repo.session() as s:
            on_order = s.scalar(
                select(User.email).join(Order, Order.user_id == User.id).where(Order.id == order_id)
            )
        if not on_order:
            return False
        return hmac.compare_digest(
            on_order.strip().lower().encode(), email.strip().lower().encode()
        )

    def order_status(
        self, order_id: str, user_id: str | None, guest_order: str | None = None
    ) -> OrderOutcome:
        """The status of the shopper's order; without a user id, only of `guest_order` (the one
        order a guest proved with its e-mail)."""
        if user_id is None:
            order = self.repo.get_order(order_id) if order_id == guest_order else None
            if order is None:
                return OrderOutcome(
                    False,
                    f"To see order {order_id}, please sign in, or send its order number "
                    "together with the e-mail address on the order.",
                )
            return OrderOutcome(True, _status_sentence(order, self.currency), order)
        order = self._owned(order_id, user_id)
        if order is None:
            return OrderOutcome(False, f"I can't find an order {order_id} on your account.")
        return OrderOutcome(True, _status_sentence(order, self.currency), order)

    def cancel_order(self, order_id: str, user_id: str, confirm: bool = False) -> OrderOutcome:
        order = self._owned(order_id, user_id)
        if order is None:
            return OrderOutcome(False, f"I can't find an order {order_id} on your account.")
        if order.status != CANCELLABLE:
            return OrderOutcome(
                False,
                f"Order {order.id} is already {order.status}, so it can't be cancelled any more"
                + (
                    " — but you can return it within 30 days of delivery."
                    if order.status in {"shipped", "delivered"}
                    else "."
                ),
                order,
            )
        if not confirm:
            return OrderOutcome(False, "confirmation needed", order)
        if not self.repo.set_order_status(order.id, CANCELLABLE, "cancelled"):
            return OrderOutcome(
                False,
                f"Order {order.id} changed while we were talking; it can no longer be cancelled.",
                order,
            )
        done = (
            f"Done: order {order.id} is cancelled. The refund of {self.currency}{order.total:.2f} "
            "goes back to your original payment method"
        )
        policy = self._policy(REFUND_AFTER_CANCEL_QUESTION)
        if policy is not None:
            return OrderOutcome(True, f"{done}. {policy.text}", order, policy.citations)
        return OrderOutcome(True, f"{done}; our cancellation page says how long that takes.", order)

    def start_return(self, order_id: str, user_id: str) -> OrderOutcome:
        order = self._owned(order_id, user_id)
        if order is None:
            return OrderOutcome(False, f"I can't find an order {order_id} on your account.")
        if order.status != "delivered":
            wait = f"Order {order.id} is {order.status}; returns start once it has been delivered."
            if order.status in {"processing", "shipped"} and (
                how := self._policy(HOW_TO_RETURN_QUESTION)
            ):
                return OrderOutcome(False, f"{wait} {how.text}", order, how.citations)
            return OrderOutcome(False, wait, order)
        if datetime.now(UTC) - order.created_at > timedelta(days=RETURN_WINDOW_DAYS + 14):
            return OrderOutcome(
                False,
                f"Order {order.id} is past our 30-day return window; a person from our team can look at it.",
                order,
            )
        self.repo.set_order_status(order.id, "delivered", "return_requested")
        return OrderOutcome(
            True,
            f"I've started a return for order {order.id}. We'll email you a prepaid label; "
            "the refund follows once the parcel reaches us.",
            order,
        )

    def faq_answer(self, question: str) -> Answer:
        return self.answerer.answer(question)

    def _policy(self, question: str) -> Answer | None:
        """The shop's own cited answer to a policy question, or None when it has none."""
        found = self.faq_answer(question)
        return found if found.grounded and found.citations else None

    def as_langchain(self) -> list[StructuredTool]:
        """The same tools for a tool-calling LLM."""
        specs: list[tuple[Any, str, type[BaseModel], str]] = [
            (
                self.search_products,
                "search_products",
                SearchArgs,
                "Find in-stock products matching a request.",
            ),
            (
                self.recommend,
                "recommend",
                RecommendArgs,
                "Personal product suggestions for a shopper.",
            ),
            (
                self.order_status,
                "order_status",
                OrderArgs,
                "Status of one of the shopper's orders.",
            ),
            (
                self.cancel_order,
                "cancel_order",
                CancelArgs,
                "Cancel a processing order (needs confirm=True).",
            ),
            (self.start_return, "start_return", OrderArgs, "Start a return of a delivered order."),
            (
                self.faq_answer,
                "faq_answer",
                FaqArgs,
                "Answer a question from the shop's knowledge base.",
            ),
        ]
        return [
            StructuredTool.from_function(func=f, name=n, args_schema=a, description=d)
            for f, n, a, d in specs
        ]


def _status_sentence(o: OrderRecord, currency: str) -> str:
    items = f"{len(o.product_ids)} item{'s' if len(o.product_ids) != 1 else ''}"
    when = o.created_at.strftime("%d %B %Y")
    text = {
        "processing": "is being packed and should ship within 1 working day",
        "shipped": "has shipped and is on its way to you",
        "delivered": "was delivered",
        "cancelled": "was cancelled",
        "returned": "was returned and refunded",
        "return_requested": "has a return in progress",
    }.get(o.status, f"is {o.status}")
    return f"Order {o.id} ({items}, {currency}{o.total:.2f}, placed {when}) {text}."
