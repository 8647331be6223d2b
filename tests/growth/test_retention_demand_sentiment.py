"""Retention, demand and sentiment analytics on small hand-made histories."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from growth.demand import demand_by_week, rising
from growth.retention import (
    active_users,
    cohort_rows,
    repeat_purchase_rate,
    time_between_visits,
    weekly_cohorts,
    write_csv,
)
from growth.sentiment_watch import check_alerts, due_alerts, negative_topics
from growth.tracking import Tracker
from shop.repository import ProductRecord, ShopRepository

MON = datetime(2026, 9, 7, 12, tzinfo=UTC)  # a Monday


def d(days: float) -> datetime:
    return MON + timedelta(days=days)


def test_weekly_cohorts_by_hand() -> None:
    # week 0 cohort: a, b, c; b comes back in week 1, a and b in week 2; week 1 cohort: d, e
    act = [("a", d(0)), ("b", d(1)), ("c", d(2)), ("b", d(8)), ("a", d(15)), ("b", d(16))]
    act += [("d", d(7)), ("e", d(9)), ("d", d(14))]
    cohorts = weekly_cohorts(act)
    assert [(c.week, c.size) for c in cohorts] == [(date(2026, 9, 7), 3), (date(2026, 9, 14), 2)]
    assert cohorts[0].retention == (1.0, 1 / 3, 2 / 3)
    assert cohorts[1].retention == (1.0, 0.5)  # only the weeks observed so far
    rows = cohort_rows(cohorts)
    assert rows[0] == {
        "cohort_week": "2026-09-07",
        "shoppers": 3,
        "week_0": 1.0,
        "week_1": 0.3333,
        "week_2": 0.6667,
    }


def test_dau_wau_mau_and_stickiness() -> None:
    act = [("a", d(0)), ("b", d(0)), ("a", d(1)), ("c", d(6)), ("a", d(7))]
    days = {x.day: x for x in active_users(act)}
    assert len(days) == 8  # every day from first to last
    day6 = days[date(2026, 9, 13)]
    assert (day6.dau, day6.wau, day6.mau) == (1, 3, 3)
    day7 = days[date(2026, 9, 14)]
    assert (day7.dau, day7.wau, day7.mau) == (1, 2, 3)  # b's day 0 left the 7-day window
    assert day7.stickiness == pytest.approx(1 / 3)
    assert days[date(2026, 9, 10)].dau == 0


def test_repeat_purchases_and_gaps() -> None:
    buys = [("a", d(0)), ("a", d(0.1)), ("b", d(0)), ("b", d(5)), ("c", d(3))]
    assert repeat_purchase_rate(buys) == (1, 3, 1 / 3)  # a bought twice on one day only
    gaps = time_between_visits([("a", d(0)), ("a", d(1)), ("a", d(4)), ("b", d(0)), ("b", d(40))])
    assert gaps.gaps == 3 and gaps.median_days == 3 and gaps.mean_days == pytest.approx(44 / 3)
    assert dict(gaps.histogram) == {
        "01 day": 1,
        "02-03 days": 1,
        "04-07 days": 0,
        "08-14 days": 0,
        "15-30 days": 0,
        "31+ days": 1,
    }


def test_csv_is_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    assert write_csv(path, [{"a": 1}, {"a": 2, "b": 3}]) == 2
    assert path.read_text().splitlines() == ["a,b", "1,", "2,3"]
    assert not list(tmp_path.glob("*.tmp"))


@pytest.fixture()
def repo(tmp_path: Path) -> ShopRepository:
    r = ShopRepository.from_url(f"sqlite:///{tmp_path / 'shop.db'}")
    r.upsert_products(
        [
            ProductRecord("p1", "Trail tent", "", "Camping > Tents", "x", 100.0, 0, {}),
            ProductRecord("p2", "Rain jacket", "", "Clothing > Jackets", "x", 80.0, 5, {}),
        ]
    )
    return r


def test_demand_counts_out_of_stock_interest_and_rising(repo: ShopRepository) -> None:
    t = Tracker(repo)
    t.track("view", user_id="a", product_id="p1", ts=d(0))
    t.track("view", user_id="a", product_id="p2", ts=d(0))  # in stock: no demand signal
    for u in ("a", "b", "c"):
        t.track("view", user_id=u, product_id="p1", ts=d(7))
    t.track("add_to_cart", user_id="b", product_id="p1", ts=d(8))
    t.track("demand_query", session_id="s1", props={"query": "Kayak paddle"}, ts=d(8))
    rows = demand_by_week(t, repo)
    p1 = {r.week: (r.interest, r.tried_to_buy) for r in rows if r.key == "p1"}
    assert p1 == {date(2026, 9, 7): (1, 0), date(2026, 9, 14): (3, 1)}
    assert not [r for r in rows if r.key == "p2"]
    top = rising(rows)
    assert (top[0].key, top[0].this_week, top[0].last_week) in {
        ("p1", 3, 1),
        ("Camping > Tents", 3, 1),
    }
    assert any(r.level == "query" and r.key == "kayak paddle" for r in rows)


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _angry_about_returns(repo: ShopRepository) -> None:
    rows = []
    for i in range(6):  # 4 angry messages about returns, 2 calm ones; 3 calm about shipping
        rows.append(
            (
                f"s{i}",
                None,
                "shopper",
                "text",
                {"intent": "return_refund", "sentiment": -0.8 if i < 4 else 0.2},
            )
        )
    rows += [
        (f"t{i}", None, "shopper", "text", {"intent": "shipping", "sentiment": 0.0})
        for i in range(3)
    ]
    repo.add_messages(rows)
    repo.add_feedback("t0", None, "down", None, "")


def test_sentiment_alert_posts_once_to_the_webhook(repo: ShopRepository) -> None:
    _angry_about_returns(repo)
    weeks = {(r.topic, r.negative, r.total) for r in negative_topics(repo)}
    assert ("return_refund", 4, 6) in weeks and ("shipping", 1, 4) in weeks
    due = due_alerts(repo, share=0.5, min_count=3, hours=24)
    assert [a.topic for a in due] == ["return_refund"]
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        sent = check_alerts(Tracker(repo), url, share=0.5, min_count=3, hours=24)
        assert [a.topic for a in sent] == ["return_refund"]
        assert (
            _Hook.received[-1]["alert"] == "negative_sentiment"
            and _Hook.received[-1]["negative"] == 4
        )
        assert (
            check_alerts(Tracker(repo), url, share=0.5, min_count=3, hours=24) == []
        )  # once per window
    finally:
        server.shutdown()
    with pytest.raises(ValueError, match="http:// or https://"):
        check_alerts(Tracker(repo), "ftp://example.org/hook")


def test_the_server_watches_sentiment_on_its_own(repo: ShopRepository, tmp_path: Path) -> None:
    """The serving lifespan's watch posts due alerts every few minutes without anyone
    calling the check endpoint, once per window, and skips shops without a webhook."""
    import asyncio
    from types import SimpleNamespace

    from api.app import sentiment_watch
    from shopmate.growth_wiring import build_growth
    from shopmate.settings import Settings

    _angry_about_returns(repo)
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    rule = {"sentiment_alert_share": 0.5, "sentiment_alert_min_count": 3}
    with_hook = Settings(data_dir=tmp_path, alert_webhook_url=url, **rule)
    quiet = ShopRepository.from_url(f"sqlite:///{tmp_path / 'other.db'}")
    registry = SimpleNamespace(  # the registry's entries: (tenant, services) pairs
        entries=[
            (None, SimpleNamespace(growth=build_growth(with_hook, repo))),
            (None, SimpleNamespace(growth=build_growth(Settings(data_dir=tmp_path), quiet))),
        ]
    )
    before = len(_Hook.received)

    async def run_a_while() -> None:
        task = asyncio.create_task(sentiment_watch(registry, minutes=0.002))  # type: ignore[arg-type]
        await asyncio.sleep(1.0)  # several rounds
        task.cancel()

    try:
        asyncio.run(run_a_while())
    finally:
        server.shutdown()
    posted = _Hook.received[before:]
    assert [p["topic"] for p in posted] == ["return_refund"]  # once, however many rounds
