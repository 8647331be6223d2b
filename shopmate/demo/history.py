"""The demo shop's past: shoppers with hidden tastes, their events and orders.

- :func:`generate_users` draws shoppers with 1-3 hidden taste categories, named from the pools
  and personas of ``data/shoppers.json``.
- :func:`generate_events` gives each shopper 5-40 events in sessions (views, fewer add-to-carts,
  fewer purchases), 85-90% of them in their tastes, spread over the days before a base date.
- :func:`build_orders` groups each shopper's purchases of one day into an order.

Everything is drawn from the ``random.Random`` passed in, so equal seeds give equal histories.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import accumulate

from shopmate.demo.content import packaged_content
from shopmate.demo.records import DemoEvent, DemoOrder, DemoProduct, DemoUser, ShopperPools

EVENT_TYPES = ("view", "add_to_cart", "purchase")
ORDER_STATUSES = ("processing", "shipped", "delivered", "cancelled", "returned")


# ---------------------------------------------------------------------------- shoppers

MIN_TASTE_PRODUCTS = 24  # products a shopper's tastes cover at least
PERSONA_SHARE = 0.75  # shoppers whose tastes are related categories (one persona)


def matches_taste(category: str, taste: str) -> bool:
    """Whether a product category falls under a taste (a top-level or full category path)."""
    return category == taste or category.startswith(taste + " > ")


def _overlaps(a: str, b: str) -> bool:
    return matches_taste(a, b) or matches_taste(b, a)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _coverage(tastes: Sequence[str], sizes: Counter[str]) -> int:
    """How many catalog products fall under any of the tastes."""
    return sum(n for c, n in sizes.items() if any(matches_taste(c, t) for t in tastes))


def _tastes(
    rng: random.Random, sizes: Counter[str], personas: Sequence[tuple[str, ...]]
) -> tuple[str, ...]:
    """1-3 non-overlapping tastes, from a persona (75%) or anywhere in the catalog.

    Tastes covering fewer than :data:`MIN_TASTE_PRODUCTS` products are widened (the narrowest
    sub-category becomes its top-level category), so that a shopper's history leaves unseen
    products in their tastes for a recommender to find.
    """
    categories = sorted(sizes)
    tops = sorted({c.split(" > ", 1)[0] for c in categories})
    pool = list(rng.choice(personas)) if rng.random() < PERSONA_SHARE else categories + tops
    wanted = rng.choice((1, 2, 2, 3))
    chosen: list[str] = []
    for candidate in rng.sample(pool, len(pool)):
        if not any(_overlaps(candidate, c) for c in chosen):
            chosen.append(candidate)
        if len(chosen) == wanted:
            break
    while _coverage(chosen, sizes) < MIN_TASTE_PRODUCTS:
        if not any(" > " in t for t in chosen):
            raise ValueError(
                f"the tastes {chosen} cover only {_coverage(chosen, sizes)} products: the "
                f"catalog needs at least {MIN_TASTE_PRODUCTS} in a shopper's top categories"
            )
        narrowest = min((t for t in chosen if " > " in t), key=lambda t: _coverage([t], sizes))
        top = narrowest.split(" > ", 1)[0]
        chosen = [t for t in chosen if not _overlaps(t, top)] + [top]
    return tuple(chosen)


def generate_users(
    rng: random.Random,
    products: Sequence[DemoProduct],
    count: int = 250,
    pools: ShopperPools | None = None,
) -> tuple[DemoUser, ...]:
    """``count`` fictional shoppers (unique names and emails) with hidden tastes.

    Names, e-mail domains and personas come from ``pools`` (the packaged ``shoppers.json``
    when not given).
    """
    pools = pools or packaged_content().shoppers
    sizes = Counter(p.category for p in products)
    unknown = sorted(
        {t for persona in pools.personas for t in persona if _coverage([t], sizes) == 0}
    )
    if unknown:
        raise ValueError(f"personas name categories the catalog does not have: {unknown}")
    names = rng.sample([(f, last) for f in pools.first_names for last in pools.last_names], count)
    users = []
    emails: set[str] = set()
    for i, (first, last) in enumerate(names, start=1):
        a, b = _ascii(first), _ascii(last)
        local = rng.choice((f"{a}.{b}", f"{a}{b}", f"{a[0]}.{b}", f"{a}_{b}{rng.randint(1, 99)}"))
        while local in emails:
            local += str(rng.randint(0, 9))
        emails.add(local)
        users.append(
            DemoUser(
                id=f"u{i:04d}",
                name=f"{first} {last}",
                email=f"{local}@{rng.choice(pools.email_domains)}",
                tastes=_tastes(rng, sizes, pools.personas),
            )
        )
    return tuple(users)


# ---------------------------------------------------------------------------- events and orders


class _Picker:
    """Draws products from a pool, favouring the catalog-wide popular ones."""

    def __init__(self, pool: Sequence[DemoProduct], popularity: dict[str, float]) -> None:
        self.pool = list(pool)
        self.cum = list(accumulate(popularity[p.id] for p in self.pool))

    def pick(self, rng: random.Random) -> DemoProduct:
        return rng.choices(self.pool, cum_weights=self.cum)[0]


def generate_events(
    rng: random.Random,
    users: Sequence[DemoUser],
    products: Sequence[DemoProduct],
    base_date: datetime,
    days: int = 90,
) -> tuple[DemoEvent, ...]:
    """Sessions of views, some add-to-carts and fewer purchases, sorted by time.

    Each shopper gets 5-40 events; each viewed product is off-taste with a per-shopper
    probability of 10-15%, so 85-90% of events are on the shopper's tastes. Timestamps are
    whole seconds within the ``days`` before ``base_date``.
    """
    ranks = list(range(len(products)))
    rng.shuffle(ranks)
    popularity = {p.id: 1.0 / (rank + 1) ** 0.6 for p, rank in zip(products, ranks, strict=True)}
    window = days * 86_400
    events: list[DemoEvent] = []
    for user in users:
        liked = [p for p in products if any(matches_taste(p.category, t) for t in user.tastes)]
        liked_ids = {p.id for p in liked}
        other = [p for p in products if p.id not in liked_ids]
        in_taste, off_taste = _Picker(liked, popularity), _Picker(other, popularity)
        off_rate = rng.uniform(0.10, 0.15)
        remaining = rng.randint(5, 40)
        sessions: list[list[tuple[DemoProduct, str]]] = []
        while remaining > 0:
            views = [
                (off_taste if rng.random() < off_rate else in_taste).pick(rng)
                for _ in range(min(rng.randint(1, 5), remaining))
            ]
            session = [(p, "view") for p in views]
            remaining -= len(views)
            if remaining > 0 and rng.random() < 0.4:
                chosen = rng.choice(views)
                session.append((chosen, "add_to_cart"))
                remaining -= 1
                if remaining > 0 and rng.random() < 0.55:
                    session.append((chosen, "purchase"))
                    remaining -= 1
            sessions.append(session)
        starts = sorted((rng.randint(7_200, window) for _ in sessions), reverse=True)
        for start, session in zip(starts, sessions, strict=True):
            ts = base_date - timedelta(seconds=start)
            for product, kind in session:
                ts += timedelta(seconds=rng.randint(20, 400))
                events.append(DemoEvent(user.id, product.id, kind, ts))
    events.sort(key=lambda e: (e.ts, e.user_id))
    return tuple(events)


def _status(rng: random.Random, age: timedelta) -> str:
    """Order status from its age, with some cancellations and (older) returns."""
    roll = rng.random()
    if roll < 0.04:
        return "cancelled"
    if age < timedelta(days=1):
        return "processing"
    if age < timedelta(days=4):
        return "shipped"
    if roll < 0.11:
        return "returned"
    return "delivered"


def build_orders(
    rng: random.Random,
    events: Sequence[DemoEvent],
    products: Sequence[DemoProduct],
    base_date: datetime,
) -> tuple[DemoOrder, ...]:
    """One order per shopper per day of purchases; ids o10001, ... in time order."""
    price = {p.id: p.price for p in products}
    groups: dict[tuple[str, date], list[DemoEvent]] = {}
    for event in events:  # events are in time order, so groups are too
        if event.type == "purchase":
            groups.setdefault((event.user_id, event.ts.date()), []).append(event)
    ordered = sorted(groups.values(), key=lambda g: (g[0].ts, g[0].user_id))
    orders = []
    for i, group in enumerate(ordered, start=10_001):
        created = group[0].ts
        orders.append(
            DemoOrder(
                id=f"o{i}",
                user_id=group[0].user_id,
                product_ids=tuple(e.product_id for e in group),
                status=_status(rng, base_date - created),
                created_at=created,
                total=round(sum(price[e.product_id] for e in group), 2),
            )
        )
    return tuple(orders)
