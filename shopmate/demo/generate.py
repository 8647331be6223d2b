"""Entry point of the demo shop generator: one seed in, one :class:`DemoShop` out.

Everything is drawn from ``random.Random(seed)`` (never the global generator, the clock or
hash-seed-dependent ordering), so the same seed gives an equal shop in every process::

    from shopmate.demo.generate import generate_demo_shop
    shop = generate_demo_shop(7)
    len(shop.products), shop.pages[0].title
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from shopmate.demo.catalog import generate_products
from shopmate.demo.history import build_orders, generate_events, generate_qa, generate_users
from shopmate.demo.kb_pages import build_pages
from shopmate.demo.records import DemoShop

SHOP_NAME = "Northwind Outfitters"
BASE_DATE = datetime(2026, 9, 1, tzinfo=UTC)  # "today" of the demo: history lies before it
HISTORY_DAYS = 90  # events are spread over this many days before BASE_DATE
USER_COUNT = 250


def generate_demo_shop(seed: int = 7) -> DemoShop:
    """Generate the whole demo shop for ``seed``; equal seeds give equal shops."""
    root = random.Random(seed)
    # one independent stream per part, so changing one part leaves the others as they were
    catalog_rng, qa_rng, users_rng, events_rng, orders_rng = (
        random.Random(root.getrandbits(64)) for _ in range(5)
    )
    products = generate_products(catalog_rng)
    users = generate_users(users_rng, products, USER_COUNT)
    events = generate_events(events_rng, users, products, BASE_DATE, HISTORY_DAYS)
    return DemoShop(
        name=SHOP_NAME,
        products=products,
        pages=build_pages(),
        qa=generate_qa(qa_rng, products),
        users=users,
        events=events,
        orders=build_orders(orders_rng, events, products, BASE_DATE),
    )
