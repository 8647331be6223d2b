"""Replies about the shopper's own orders: status, cancelling (with a yes/no confirmation)
and starting a return, through the shop tools. A guest sees only the one order they proved.

    step = OrderReplies(tools, repo, currency="£").act("order_status", state)
"""

from __future__ import annotations

from bot import replies
from bot.product_answers import money
from bot.state import Changes, DialogueState, Step
from bot.tools import ShopTools
from bot.types import BotReply
from shop.repository import ShopRepository

ORDER_ACTIONS = {"order_status", "cancel_order", "start_return", "confirm", "abort"}


class OrderReplies:
    def __init__(self, tools: ShopTools, repo: ShopRepository, currency: str = "£") -> None:
        self.tools, self.repo, self.currency = tools, repo, currency

    def act(self, action: str, st: DialogueState) -> Step:
        if not st.user_id:  # a guest: only the status of the one order they proved
            if action == "order_status" and st.guest_order and st.order_id == st.guest_order:
                out = self.tools.order_status(st.guest_order, None, guest_order=st.guest_order)
                return Step(BotReply(out.message, action=action, tool_calls=["order_status"]))
            return Step(BotReply(replies.SIGN_IN, action=action))
        if action == "abort":
            pending = st.pending or {}
            reply = BotReply(replies.left_order(str(pending.get("order_id", ""))), action=action)
            return Step(reply, Changes(clear_pending=True))
        if action == "confirm":
            pending = st.pending or {}
            out = self.tools.cancel_order(str(pending.get("order_id")), st.user_id, confirm=True)
            reply = BotReply(out.message, out.citations, action=action, tool_calls=["cancel_order"])
            return Step(reply, Changes(clear_pending=True))
        oid = st.order_id or (o.id if (o := self.repo.latest_order(st.user_id)) else None)
        if oid is None:
            return Step(BotReply(replies.WHICH_ORDER, action=action))
        now = Changes(order_id=oid)
        if action == "order_status":
            message = self.tools.order_status(oid, st.user_id).message
            return Step(BotReply(message, action=action, tool_calls=["order_status"]), now)
        if action == "start_return":
            out = self.tools.start_return(oid, st.user_id)
            reply = BotReply(out.message, out.citations, action=action, tool_calls=["start_return"])
            return Step(reply, now)
        out = self.tools.cancel_order(oid, st.user_id, confirm=False)
        if out.message == "confirmation needed" and out.order is not None:
            text = replies.confirm_cancel(
                oid, len(out.order.product_ids), money(out.order.total, self.currency)
            )
            reply = BotReply(text, action=action, tool_calls=["cancel_order"])
            return Step(
                reply, Changes(order_id=oid, pending={"action": "cancel_order", "order_id": oid})
            )
        return Step(BotReply(out.message, action=action, tool_calls=["cancel_order"]), now)
