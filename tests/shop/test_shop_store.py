"""The shop store contract, run against SQLite and a real PostgreSQL.

PostgreSQL runs when TEST_POSTGRES_URL points at a server whose role may create
databases (`.ci/run` starts one from Debian's packages with scripts/start_postgres.sh);
each test gets a fresh database there. Without the variable the PostgreSQL cases skip,
saying why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from shop.models import Order
from shop.repository import EventRecord, ProductRecord, ShopRepository, UnknownProductError

PG_URL = os.environ.get("TEST_POSTGRES_URL")
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _pg_repo() -> Iterator[ShopRepository]:
    if not PG_URL:
        pytest.skip("TEST_POSTGRES_URL is not set (scripts/start_postgres.sh starts one)")
    name = f"shopmate_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_URL.rsplit("/", 1)[0]
    repo = ShopRepository.from_url(f"{base}/{name}")
    try:
        yield repo
    finally:
        repo.engine.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def repo(request, tmp_path) -> Iterator[ShopRepository]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield ShopRepository.from_url(f"sqlite:///{tmp_path / 'shop.db'}")
    else:
        yield from _pg_repo()


def product(pid: str, price: float = 10.0, stock: int = 3) -> ProductRecord:
    return ProductRecord(
        pid, f"Item {pid}", "desc", "Outdoor>Tents", "Acme", price, stock, {"colour": "blue"}
    )


def test_products_roundtrip_and_update(repo: ShopRepository) -> None:
    repo.upsert_products([product("p1"), product("p2", stock=0)])
    repo.upsert_products([product("p1", price=12.5)])
    assert repo.count_products() == 2
    p1 = repo.get_product("p1")
    assert p1 is not None and p1.price == 12.5 and p1.attributes == {"colour": "blue"}
    assert set(repo.get_products(["p1", "p2", "nope"])) == {"p1", "p2"}
    assert [p.id for p in repo.all_products()] == ["p1", "p2"]
    assert repo.get_product("nope") is None


def test_events_order_popularity_and_purchases(repo: ShopRepository) -> None:
    repo.upsert_products([product(f"p{i}") for i in range(4)])
    repo.add_events(
        [
            EventRecord("u1", "p0", "view", T0),
            EventRecord("u1", "p1", "add_to_cart", T0 + timedelta(minutes=1)),
            EventRecord("u1", "p2", "purchase", T0 + timedelta(minutes=2)),
            EventRecord("u2", "p2", "view", T0),
        ]
    )
    repo.add_event("u1", "p3", "view", T0 + timedelta(minutes=3))
    recent = repo.recent_events("u1", limit=3)
    assert [e.product_id for e in recent] == ["p1", "p2", "p3"]  # newest 3, oldest first
    assert all(e.ts.tzinfo is not None for e in recent)
    assert recent[-1].ts == T0 + timedelta(minutes=3)
    assert repo.purchased_ids("u1") == {"p2"}
    assert repo.popular_product_ids(limit=2) == ["p2", "p1"]  # 3+1, then 2
    assert [e.product_id for e in repo.event_sequences()["u1"]] == ["p0", "p1", "p2", "p3"]
    with pytest.raises(UnknownProductError):
        repo.add_event("u1", "missing", "view")
    with pytest.raises(ValueError, match="unknown event type"):
        repo.add_event("u1", "p0", "stare")


def test_dialogue_state_messages_and_handoff_queue(repo: ShopRepository) -> None:
    assert repo.load_state("s1") is None
    repo.save_turn(
        "s1", "u1", "none", '{"turn": 1}', [("user", "hi", {}), ("bot", "hello", {"n": 1})]
    )
    repo.save_turn("s1", "u1", "requested", '{"turn": 2}', [("user", "a person please", {})])
    repo.save_turn("s2", None, "none", "{}", [("user", "hey", {})])
    assert repo.load_state("s1") == '{"turn": 2}'
    assert repo.transcript("s1") == [("user", "hi"), ("bot", "hello"), ("user", "a person please")]
    assert repo.sessions_in_handoff() == ["s1"]
    repo.add_messages([("s1", "u1", "agent", "Sam here", {})])
    rows = repo.messages_after("s1", 0, roles=("agent",))
    assert [(r[1], r[2]) for r in rows] == [("agent", "Sam here")]
    assert repo.messages_after("s1", rows[-1][0], roles=("agent",)) == []
    meta = repo.transcript_meta("s1")
    assert meta[1] == ("bot", "hello", {"n": 1})


def test_orders_change_status_only_from_the_expected_one(repo: ShopRepository) -> None:
    repo.upsert_products([product("p1")])
    repo.replace_history(
        [("u1", "Ann", "ann@example.com")],
        [EventRecord("u1", "p1", "purchase", T0)],
        [
            Order(
                id="o1",
                user_id="u1",
                product_ids=["p1"],
                status="processing",
                created_at=T0,
                total=10.0,
            )
        ],
    )
    assert repo.set_order_status("o1", "processing", "cancelled") is True
    assert repo.set_order_status("o1", "processing", "cancelled") is False  # already moved
    o = repo.get_order("o1")
    assert o is not None and o.status == "cancelled"
    latest = repo.latest_order("u1")
    assert latest is not None and latest.id == "o1"


def test_feedback_training_pairs_and_forgetting(repo: ShopRepository) -> None:
    repo.upsert_products([product("p1")])
    repo.add_event("u1", "p1", "view", T0)
    repo.save_turn("s1", "u1", "none", "{}", [("user", "hi", {})])
    assert repo.add_feedback("s1", "u1", "up", 5, "great") > 0
    assert repo.add_training_pair("s1", "q?", "draft", "answer", ["kb/a.md"]) > 0
    assert ("q?", "answer", True) in [(q, a, True) for q, a, _ in repo.training_pairs()]
    erased = repo.forget_user("u1")
    assert erased["events"] == 1 and erased["messages"] == 1 and erased["feedback"] == 1
    assert repo.recent_events("u1") == [] and repo.transcript("s1") == []
    counts = repo.table_counts()
    assert counts["events"] == 0 and counts["products"] == 1
