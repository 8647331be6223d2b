"""The demo shop: its content (the data files) and the history generated around it: sizes,
integrity, determinism, learnable tastes, and clear errors on broken data files."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from datetime import timedelta
from pathlib import Path
from statistics import mean

import pytest

from shopmate.demo.content import DATA_DIR, ContentError, DemoContent, packaged_content
from shopmate.demo.generate import BASE_DATE, HISTORY_DAYS, generate_demo_shop
from shopmate.demo.history import EVENT_TYPES, MIN_TASTE_PRODUCTS, ORDER_STATUSES, matches_taste
from shopmate.demo.records import DemoShop

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shop() -> DemoShop:
    return generate_demo_shop(7)


def _digest(shop: DemoShop) -> str:
    return hashlib.sha256(repr(shop).encode()).hexdigest()


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_counts(shop: DemoShop) -> None:
    assert shop.name == "Northwind Outfitters"
    assert len(shop.products) >= 300
    assert len({p.top_category for p in shop.products}) >= 8
    assert len(shop.pages) >= 15
    assert len(shop.qa) >= 150
    assert len(shop.users) >= 200
    assert shop.events and shop.orders


def test_ids_are_unique_and_well_formed(shop: DemoShop) -> None:
    for ids, pattern in (
        ([p.id for p in shop.products], r"p\d{4}"),
        ([q.id for q in shop.qa], r"qa\d{4}"),
        ([u.id for u in shop.users], r"u\d{4}"),
        ([o.id for o in shop.orders], r"o\d{5}"),
    ):
        assert len(ids) == len(set(ids))
        assert all(re.fullmatch(pattern, i) for i in ids), ids[:3]
    assert len({p.title for p in shop.products}) == len(shop.products)
    assert len({p.slug for p in shop.pages}) == len(shop.pages)
    assert len({u.email for u in shop.users}) == len(shop.users)


def test_every_reference_exists(shop: DemoShop) -> None:
    products = {p.id for p in shop.products}
    users = {u.id for u in shop.users}
    topics = {p.slug for p in shop.pages} | {"product"}
    for e in shop.events:
        assert e.user_id in users and e.product_id in products
    for q in shop.qa:
        assert q.topic in topics
        assert (q.product_id is not None) == (q.topic == "product")
        assert q.product_id is None or q.product_id in products
    for o in shop.orders:
        assert o.user_id in users
        assert o.product_ids and set(o.product_ids) <= products


def test_products_look_like_a_real_catalog(shop: DemoShop) -> None:
    for p in shop.products:
        assert " > " in p.category and p.brand and p.title.startswith(p.brand)
        assert p.price > 0 and round(p.price, 2) == p.price
        assert p.stock >= 0
        assert "material" in p.attributes
        sentences = re.findall(r"[.!?](?:\s|$)", p.description)
        assert 2 <= len(sentences) <= 4, p.description
    assert not any(re.search(r"product \d", p.title.lower()) for p in shop.products)


def test_some_products_are_out_of_stock(shop: DemoShop) -> None:
    share = sum(p.stock == 0 for p in shop.products) / len(shop.products)
    assert 0.05 <= share <= 0.11


@pytest.mark.parametrize(
    "category",
    [
        "Outdoor Clothing > Rain Jackets",
        "Outdoor Clothing > Rain Trousers",
        "Footwear > Hiking Boots",
        "Backpacks & Bags > Pack Covers & Dry Bags",
    ],
)
def test_hiking_in_the_rain_has_relevant_products(shop: DemoShop, category: str) -> None:
    texts = [
        (p.title + " " + p.description).lower()
        for p in shop.products
        if p.category == category and p.stock > 0
    ]
    relevant = [t for t in texts if "waterproof" in t and ("rain" in t or "hiking" in t)]
    assert len(relevant) >= 3, category
    if category.endswith("Rain Jackets"):
        assert all("breathable" in t for t in texts)


def test_pages_have_a_title_and_sections(shop: DemoShop) -> None:
    for page in shop.pages:
        assert page.title
        assert page.markdown.startswith(f"# {page.title}\n")
        assert page.markdown.count("\n## ") >= 3, page.slug
    returns = next(p for p in shop.pages if p.slug == "returns")
    first_section = returns.markdown.split("\n## ")[1]
    assert "30 days" in first_section and "tags" in first_section


def test_qa_answers_are_non_empty_and_mostly_policy(shop: DemoShop) -> None:
    assert all(q.question.strip() and q.answer.strip() for q in shop.qa)
    policy_share = sum(q.topic != "product" for q in shop.qa) / len(shop.qa)
    assert 0.55 <= policy_share <= 0.65
    assert len({q.question for q in shop.qa}) == len(shop.qa)


def test_policy_answers_agree_with_the_pages(shop: DemoShop) -> None:
    pages = {p.slug: _flat(p.markdown) for p in shop.pages}
    for pq in packaged_content().policy_questions:
        for fact in pq.facts:
            assert fact in pq.answer, (pq.topic, fact)
            assert fact in pages[pq.topic], (pq.topic, fact)


def test_product_answers_quote_the_product(shop: DemoShop) -> None:
    products = {p.id: p for p in shop.products}
    for q in shop.qa:
        if q.product_id is not None:
            assert products[q.product_id].title in q.answer, q


def test_users_have_fictional_emails_and_one_to_three_tastes(shop: DemoShop) -> None:
    categories = [p.category for p in shop.products]
    for u in shop.users:
        assert u.email.endswith(("@example.com", "@example.org"))
        assert 1 <= len(u.tastes) <= 3
        for taste in u.tastes:
            assert any(matches_taste(c, taste) for c in categories), taste
        # broad enough that a shopper's history leaves unseen products in their tastes
        covered = sum(any(matches_taste(c, t) for t in u.tastes) for c in categories)
        assert covered >= MIN_TASTE_PRODUCTS, u


def test_events_are_sessions_in_time_order(shop: DemoShop) -> None:
    by_user: dict[str, list] = {}
    for e in shop.events:
        assert e.type in EVENT_TYPES
        assert e.ts.utcoffset() == timedelta(0)
        assert BASE_DATE - timedelta(days=HISTORY_DAYS) <= e.ts < BASE_DATE
        by_user.setdefault(e.user_id, []).append(e)
    assert set(by_user) == {u.id for u in shop.users}
    for events in by_user.values():
        assert 5 <= len(events) <= 40
        assert [e.ts for e in events] == sorted(e.ts for e in events)
        carted: set[str] = set()
        for e in events:
            if e.type == "add_to_cart":
                carted.add(e.product_id)
            elif e.type == "purchase":
                assert e.product_id in carted
    kinds = Counter(e.type for e in shop.events)
    assert kinds["view"] > kinds["add_to_cart"] > kinds["purchase"] > 0


def test_tastes_are_learnable(shop: DemoShop) -> None:
    category = {p.id: p.category for p in shop.products}
    by_user: dict[str, list[str]] = {}
    for e in shop.events:
        by_user.setdefault(e.user_id, []).append(category[e.product_id])
    shares = [
        mean(any(matches_taste(c, t) for t in u.tastes) for c in by_user[u.id]) for u in shop.users
    ]
    assert mean(shares) >= 0.7
    # off-taste noise exists, so the task is not trivially separable
    assert mean(shares) < 0.95


def test_orders_are_built_from_same_day_purchases(shop: DemoShop) -> None:
    price = {p.id: p.price for p in shop.products}
    purchases = Counter(
        (e.user_id, e.ts.date(), e.product_id) for e in shop.events if e.type == "purchase"
    )
    from_orders = Counter(
        (o.user_id, o.created_at.date(), pid) for o in shop.orders for pid in o.product_ids
    )
    assert from_orders == purchases
    assert len({(o.user_id, o.created_at.date()) for o in shop.orders}) == len(shop.orders)
    for o in shop.orders:
        assert o.status in ORDER_STATUSES
        assert o.total == round(sum(price[pid] for pid in o.product_ids), 2)
    assert [o.created_at for o in shop.orders] == sorted(o.created_at for o in shop.orders)
    assert len({o.status for o in shop.orders}) >= 3


def test_same_seed_gives_an_equal_shop(shop: DemoShop) -> None:
    assert generate_demo_shop(7) == shop
    assert generate_demo_shop() == shop


@pytest.mark.parametrize("hash_seed", ["random", "12345"])
def test_same_seed_gives_the_same_shop_in_a_fresh_process(shop: DemoShop, hash_seed: str) -> None:
    code = (
        "import hashlib; from shopmate.demo.generate import generate_demo_shop; "
        "print(hashlib.sha256(repr(generate_demo_shop(7)).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == _digest(shop)


def test_different_seed_gives_a_different_history(shop: DemoShop) -> None:
    other = generate_demo_shop(8)
    assert other != shop
    # the content is the data files': every seed sells the same products with the same pages
    assert other.products == shop.products and other.pages == shop.pages
    assert other.users != shop.users
    assert other.events != shop.events
    assert other.qa != shop.qa


def test_generation_is_fast() -> None:
    start = time.perf_counter()
    generate_demo_shop(11)
    assert time.perf_counter() - start < 2.0


def test_the_shop_is_its_data_files(shop: DemoShop) -> None:
    assert len(shop.products) == sum(1 for _ in (DATA_DIR / "catalog.csv").open()) - 1
    assert [p.slug for p in shop.pages] == sorted(f.stem for f in (DATA_DIR / "kb").glob("*.md"))
    returns = (DATA_DIR / "kb" / "returns.md").read_text(encoding="utf-8")
    assert next(p for p in shop.pages if p.slug == "returns").markdown == returns
    assert shop.name == json.loads((DATA_DIR / "shop.json").read_text())["name"]


def test_every_data_file_goes_into_the_wheel() -> None:
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["shopmate.demo"]
    package = ROOT / "shopmate" / "demo"
    files = [f for f in (package / "data").rglob("*") if f.is_file()]
    assert files
    for f in files:
        assert any(f.match(str(package / glob)) for glob in package_data), f


@pytest.fixture()
def own_data(tmp_path: Path) -> Path:
    """A copy of the packaged data folder to edit."""
    return Path(shutil.copytree(DATA_DIR, tmp_path / "data"))


def test_edited_data_files_make_a_different_shop(shop: DemoShop, own_data: Path) -> None:
    (own_data / "shop.json").write_text(
        json.dumps({"name": "Harbour Home", "agent_replies": ["Hi, Ana here."]})
    )
    (own_data / "kb" / "opening-hours.md").write_text(
        "# Opening hours\n\n## Weekdays\n\n9 to 5.\n", encoding="utf-8"
    )
    rows = (own_data / "catalog.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (own_data / "catalog.csv").write_text(
        "".join(rows[:1] + [r.replace(",202.99,", ",180.00,") for r in rows[1:]]), encoding="utf-8"
    )
    content = DemoContent.load(own_data)
    assert content.digest() != packaged_content().digest()
    other = generate_demo_shop(7, content)
    assert other.name == "Harbour Home"
    assert "opening-hours" in {p.slug for p in other.pages}
    assert other.products[0].price == 180.00 and other.products[1:] == shop.products[1:]
    # the seed's history is the same over the same products
    assert other.users == shop.users


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        ("kb/returns.md", "Returns\n\nno title", "must start with '# Title'"),
        ("policy_qa.jsonl", '{"topic": "returns", "questions": []}\n', "'questions' must be"),
        ("policy_qa.jsonl", "{not json\n", "policy_qa.jsonl:1: not JSON"),
        ("shop.json", "[]", "expected a JSON object"),
        ("shoppers.json", '{"first_names": ["A"]}', "'personas' must be"),
        ("catalog.csv", "id,title,price\np1,Tent,\n", "p1 needs a price and a stock"),
    ],
)
def test_broken_data_files_are_named_with_the_problem(
    own_data: Path, file: str, text: str, message: str
) -> None:
    (own_data / file).write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match=re.escape(message)):
        DemoContent.load(own_data)


def test_a_missing_data_file_is_named(own_data: Path) -> None:
    (own_data / "shoppers.json").unlink()
    with pytest.raises(ContentError, match=r"shoppers\.json: missing"):
        DemoContent.load(own_data)


def test_personas_must_name_categories_of_the_catalog(own_data: Path) -> None:
    pools = json.loads((own_data / "shoppers.json").read_text(encoding="utf-8"))
    pools["personas"].append(["Garden > Spades"])
    (own_data / "shoppers.json").write_text(json.dumps(pools), encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape("does not have: ['Garden > Spades']")):
        generate_demo_shop(7, DemoContent.load(own_data))
