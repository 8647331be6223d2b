"""What the bot says in its own words: every fixed sentence and sentence pattern of the
dialogue, in one place (facts about a product are worded in bot/product_answers.py).

A shop that wants another tone edits this module; the tests read the same constants.
"""

from __future__ import annotations

GREETING = (
    "Hi! I can answer questions about orders, delivery, returns, payments and our products, "
    "or help you find something. What can I do for you?"
)
THANKS = "You're welcome! Is there anything else I can help with?"
ANYTHING_ELSE = "Alright. Is there anything else I can help with?"
HANDOFF_REQUESTED = (
    "Of course. I'm passing this conversation to a person from our support team; "
    "they'll reply here."
)
UPSET_HANDOFF = (
    "I'm really sorry about this. I'm bringing in a person from our support team right now; "
    "they'll reply here."
)
NOT_SURE = (
    "I'm not sure about that one, and I'd rather not guess. "
    "Shall I connect you with a person from our support team?"
)
NO_ANSWER_HANDOFF = (
    "I couldn't find that in our shop's information, so I've asked a person from our team "
    "to help; they'll reply here."
)
PERSON_WILL_JOIN = "A person from our team will join this chat shortly."
DECLINE = (
    "That's outside what I can help with here. I can answer questions about our products, "
    "orders, delivery, returns and payments."
)
NO_PRODUCTS = (
    "I couldn't find anything in stock that fits. Could you tell me a bit more about what you need?"
)
HOLD = "A person from our team will be with you shortly; they can help with that too."
SIGN_IN = (
    "Please sign in so I can look up your orders, or send me the order number together with "
    "the e-mail address on the order."
)
WHICH_ORDER = "Which order is it about? The order number looks like o10023."
BACK_TO_BOT = (
    "Our team has handed this chat back to me, the shop's assistant. "
    "Ask me anything, or ask for a person again at any time."
)
SORRY = "I'm sorry to hear that. "
COMPLAINT_FALLBACK = "Let me make sure a person looks at this."
OFFER_PERSON = "Would you like me to connect you with a person from our team?"
REFUND_POLICY_FALLBACK = "Refunds follow our returns and refunds policy."
# asked of the knowledge base when a shopper demands a refund outright
REFUND_POLICY_QUESTION = "How do refunds work and how long do they take?"

FOUND = "Here are some products that fit what you're looking for"
FOUND_CLOSEST = "Nothing matches all of that exactly; these come closest"
YOU_MIGHT_LIKE = "You might like"


def which_one(titles: list[str]) -> str:
    return f"Which one do you mean: {' or '.join(f'the {t}' for t in titles)}?"


def goes_with(title: str, names: str) -> str:
    return f"These go well with the {title}: {names}."


def for_your(title: str, names: str) -> str:
    return f"For your {title}: {names}."


def contents(title: str, names: list[str]) -> str:
    return f"The {title} includes: {', '.join(names)}."


def left_order(order_id: str) -> str:
    return f"Alright, I've left order {order_id} as it is."


def confirm_cancel(order_id: str, items: int, total: str) -> str:
    return (
        f"Shall I cancel order {order_id} ({items} item{'s' if items != 1 else ''}, {total})? "
        "Please reply yes or no."
    )


def cheaper(title: str, price: str) -> str:
    return f"A cheaper option is the {title} at {price}."


def already_cheapest(title: str) -> str:
    return f"The {title} is already the cheapest of the ones I showed you"


def similar_and_cheaper(lead: str, title: str, price: str) -> str:
    return f"{lead}, but the {title} at {price} is similar and cheaper."


def no_price_to_compare(title: str) -> str:
    return f"The {title} has no price listed, so I can't compare it."
