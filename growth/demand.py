"""Demand signals for merchandisers: what shoppers want and cannot get, by week.

Interest counts when a shopper views or tries to cart a product while it is out of stock,
sends an `out_of_stock_interest` event, or asks the bot for something the catalog does not
sell (`demand_query`, with the category the bot guessed). Rising interest compares the
latest week with the one before. Only counts come out, never shopper ids.

    rows = demand_by_week(Tracker(repo), repo)
    rising(rows)[:10]
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from growth.retention import week_of
from growth.tracking import Tracker
from shop.repository import ShopRepository


@dataclass(frozen=True)
class DemandRow:
    week: date  # Monday
    level: str  # product | category | query
    key: str  # product id, category path, or the (redacted) words asked for
    label: str  # product title, category, or the words
    interest: int  # distinct shoppers (or sessions) showing interest that week
    tried_to_buy: int  # of them, add-to-cart attempts on an out-of-stock product


def demand_by_week(tracker: Tracker, repo: ShopRepository) -> list[DemandRow]:
    products = {p.id: p for p in repo.all_products()}
    out_now = {pid for pid, p in products.items() if not p.in_stock}
    who: dict[tuple[date, str, str], set[str]] = defaultdict(set)
    tried: dict[tuple[date, str, str], set[str]] = defaultdict(set)
    labels: dict[tuple[str, str], str] = {}
    events = tracker.events(types={"view", "add_to_cart", "out_of_stock_interest", "demand_query"})
    for e in events:
        actor = e.user_id or e.session_id or f"anon-{id(e)}"
        week = week_of(e.ts.date())
        keys: list[tuple[str, str, str]] = []
        # stock is known only now: a view of a product out of stock today counts for its week
        if e.type in {"view", "add_to_cart"} and e.product_id not in out_now:
            continue
        if e.type in {"view", "add_to_cart", "out_of_stock_interest"} and e.product_id:
            p = products.get(e.product_id)
            keys.append(("product", e.product_id, p.title if p else e.product_id))
            if p:
                keys.append(("category", p.category, p.category))
        elif e.type == "demand_query":
            words = str(e.props.get("query", "")).strip().lower()[:120]
            if words:
                keys.append(("query", words, words))
            cat = str(e.props.get("category", "")).strip()
            if cat:
                keys.append(("category", cat, cat))
        for level, key, label in keys:
            labels[(level, key)] = label
            who[(week, level, key)].add(actor)
            if e.type == "add_to_cart":
                tried[(week, level, key)].add(actor)
    return sorted(
        (
            DemandRow(w, lvl, k, labels[(lvl, k)], len(s), len(tried.get((w, lvl, k), ())))
            for (w, lvl, k), s in who.items()
        ),
        key=lambda r: (r.week, r.level, -r.interest, r.key),
    )


@dataclass(frozen=True)
class Rising:
    level: str
    key: str
    label: str
    this_week: int
    last_week: int

    @property
    def change(self) -> int:
        return self.this_week - self.last_week


def rising(rows: list[DemandRow], week: date | None = None) -> list[Rising]:
    """Keys by growth from the week before `week` (default: the latest week with data)."""
    if not rows:
        return []
    week = week or max(r.week for r in rows)
    prev = week - timedelta(weeks=1)
    now: Counter[tuple[str, str]] = Counter()
    before: Counter[tuple[str, str]] = Counter()
    label = {}
    for r in rows:
        label[(r.level, r.key)] = r.label
        if r.week == week:
            now[(r.level, r.key)] += r.interest
        elif r.week == prev:
            before[(r.level, r.key)] += r.interest
    out = [Rising(lvl, k, label[(lvl, k)], now[(lvl, k)], before[(lvl, k)]) for lvl, k in now]
    return sorted(out, key=lambda r: (-r.change, -r.this_week, r.key))
