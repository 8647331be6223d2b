"""Entry point of the demo shop generator: content and one seed in, one :class:`DemoShop` out.

The literal content (catalog, help pages, the support team's answers, name pools) is read from
the data files (:mod:`shopmate.demo.content`); the history around it (Q/A sample, shoppers,
events, orders) is drawn from ``random.Random(seed)`` (never the global generator, the clock or
hash-seed-dependent ordering), so the same seed gives an equal shop in every process::

    from shopmate.demo.generate import generate_demo_shop
    shop = generate_demo_shop(7)
    len(shop.products), shop.pages[0].title
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from shopmate.demo.content import DemoContent, packaged_content
from shopmate.demo.history import build_orders, generate_events, generate_users
from shopmate.demo.qa import generate_qa
from shopmate.demo.records import DemoShop

BASE_DATE = datetime(2026, 9, 1, tzinfo=UTC)  # "today" of the demo: history lies before it
HISTORY_DAYS = 90  # events are spread over this many days before BASE_DATE
USER_COUNT = 250


def generate_demo_shop(seed: int = 7, content: DemoContent | None = None) -> DemoShop:
    """The demo shop of ``content`` (the packaged data when not given) with the history of
    ``seed``; equal seeds give equal shops."""
    content = content or packaged_content()
    root = random.Random(seed)
    # one independent stream per part, so changing one part leaves the others as they were;
    # the first stream is unused (the catalog is data) and stays reserved, so that each
    # seed keeps the streams of its history
    _reserved, qa_rng, users_rng, events_rng, orders_rng = (
        random.Random(root.getrandbits(64)) for _ in range(5)
    )
    products = content.products
    users = generate_users(users_rng, products, USER_COUNT, content.shoppers)
    events = generate_events(events_rng, users, products, BASE_DATE, HISTORY_DAYS)
    return DemoShop(
        name=content.name,
        products=products,
        pages=content.pages,
        qa=generate_qa(qa_rng, products, content.policy_questions),
        users=users,
        events=events,
        orders=build_orders(orders_rng, events, products, BASE_DATE),
    )
