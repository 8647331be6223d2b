"""The scripted conversation suite: multi-turn scenarios replayed against the real engine.

Each `tests/scenarios/*.json` file holds one JSON object, `{"scenarios": [...]}`; every
scenario runs in a fresh session (uuid4) against a demo shop built for this module alone
(real MiniLM, the trained intent head, Chroma and SQLite), so cancellations and returns
never touch the session-wide `services` shop. Order statuses are put back after each
scenario, so scenarios do not depend on each other or on their order.

Files by theme: policies_faq, products, suggestions_cap, orders, complaints, handoff,
small_talk, privacy; `known_gaps.json` holds scenarios the bot gets wrong today, each with
an `xfail` reason: they run as strict xfails, so the suite fails once a gap is fixed and
the scenario should move to its theme's file. Expectations describe what a shop wants,
never what the bot happens to do.

A scenario::

    {"name": "cancel a processing order after confirming",   # unique; the test id
     "user_id": "u0248",                                      # null: an anonymous shopper
     "setup": {"orders": [{"id": "o19001", "status": "delivered", "days_ago": 6,
                           "product_ids": ["p0063"], "total": 131.99}]},  # optional
     "xfail": "why the bot gets it wrong",   # only in known_gaps.json, where it is required
     "turns": [
       {"say": "I want to cancel my order o10297",
        "expect": {"intent": "cancel_order", "tools": ["cancel_order"], "products": false}},
       {"agent": "take", "expect": {"handoff_state": "human"}},
       {"agent": "reply", "text": "Hi, Sam here"}]}

Order ids and owners come from `generate_demo_shop(7)` (processing: o10297 of u0248,
o10298 of u0075; shipped: o10289 of u0006; delivered: o10001 of u0001 ...).
`setup.orders` are extra orders of the scenario's shopper (e.g. one delivered last week,
which the demo history, being months old, cannot offer). Agent steps are `take`,
`reply` (with `text`), `release`, `resolve` and `packet`. An optional `note` is for people.

`expect` keys, all optional (unknown keys are an error, so a typo cannot pass silently):

- `intent`, `action`: the string, or a list of acceptable strings
- `tools`: the tools called in this reply, as a set (`[]`: none at all)
- `products`, `citations`: true/false, cards/citations present or absent
- `handoff_state`: none | requested | human (after a shopper turn or an agent step)
- `reply_contains`, `reply_excludes`: case-insensitive substrings of the reply
- `reply_empty`: true when the bot must stay silent
- `top_product`: substring (case-insensitive) of the first card's title or category
- `all_products`: substring of every card's title or category
- `max_price`: no card costs more (a budget)
- `cheaper`: true: every card costs less than the lead card of the last reply with cards
- `transcript_contains`, `transcript_excludes`: substrings of the stored transcript so far
- `orders`: `{"o10297": "cancelled"}`, order statuses in the shop database now
- `in_queue`: true/false, whether the session waits in the agents' queue
- `error`: (agent steps) the step must fail with a message containing this
- `summary_contains`: (packet) substrings of the handoff packet's summary
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
KNOWN_GAPS = "known_gaps.json"
SHOPPER_KEYS = {
    "intent",
    "action",
    "tools",
    "products",
    "citations",
    "handoff_state",
    "reply_contains",
    "reply_excludes",
    "reply_empty",
    "top_product",
    "all_products",
    "max_price",
    "cheaper",
    "transcript_contains",
    "transcript_excludes",
    "orders",
    "in_queue",
}
AGENT_KEYS = {
    "handoff_state",
    "error",
    "summary_contains",
    "transcript_contains",
    "transcript_excludes",
    "orders",
    "in_queue",
}
AGENT_STEPS = {"take", "reply", "release", "resolve", "packet"}
MIN_SCENARIOS = 40


def _check_scenario(sc: dict[str, Any], file: str) -> None:
    where = f"{file}: scenario {sc.get('name')!r}"
    assert isinstance(sc.get("name"), str) and sc["name"], f"{where}: needs a name"
    unknown = set(sc) - {"name", "user_id", "turns", "xfail", "setup", "note"}
    assert not unknown, f"{where}: unknown keys {sorted(unknown)}"
    for o in sc.get("setup", {}).get("orders", []):
        assert set(o) == {"id", "status", "days_ago", "product_ids", "total"}, (
            f"{where}: a setup order has id, status, days_ago, product_ids and total"
        )
    assert (file == KNOWN_GAPS) == ("xfail" in sc), (
        f"{where}: xfail belongs in {KNOWN_GAPS}, and every scenario there needs one"
    )
    turns = sc.get("turns", [])
    assert len(turns) >= 2, f"{where}: a scenario has at least 2 turns"
    assert any("say" in t for t in turns), f"{where}: the shopper must say something"
    for i, t in enumerate(turns, 1):
        if "say" in t:
            allowed, kind = SHOPPER_KEYS, "shopper"
            assert set(t) <= {"say", "expect"}, f"{where} turn {i}: unknown keys {sorted(t)}"
        else:
            allowed, kind = AGENT_KEYS, "agent"
            assert t.get("agent") in AGENT_STEPS, f"{where} turn {i}: agent step in {AGENT_STEPS}"
            assert set(t) <= {"agent", "text", "expect"}, f"{where} turn {i}: unknown keys"
            assert (t["agent"] == "reply") == ("text" in t), f"{where} turn {i}: reply needs text"
        bad = set(t.get("expect", {})) - allowed
        assert not bad, f"{where} turn {i}: unknown {kind} expectations {sorted(bad)}"


def load_scenarios() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(SCENARIO_DIR.glob("*.json")):
        for sc in json.loads(path.read_text(encoding="utf-8"))["scenarios"]:
            _check_scenario(sc, path.name)
            out.append((path.name, sc))
    names = [sc["name"] for _, sc in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    assert not dupes, f"scenario names must be unique: {dupes}"
    return out


SCENARIOS = load_scenarios()


def _params() -> list[Any]:
    return [
        pytest.param(
            sc,
            id=sc["name"],
            marks=[pytest.mark.xfail(reason=sc["xfail"], strict=True)] if "xfail" in sc else [],
        )
        for _, sc in SCENARIOS
    ]


def test_the_suite_has_enough_scenarios() -> None:
    passing = [sc for file, sc in SCENARIOS if file != KNOWN_GAPS]
    assert len(passing) >= MIN_SCENARIOS, (
        f"{len(passing)} scenarios outside {KNOWN_GAPS}; want >= {MIN_SCENARIOS}"
    )


# the shop ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_thread() -> Iterator[None]:
    """Single-sentence MiniLM inference is ~8x faster on one thread on a busy 2-core box."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@dataclass
class Shop:
    services: Any
    demo_status: dict[str, str]  # order id -> status as generated


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory, embedder: Any, one_thread: None) -> Shop:
    """A demo shop of this module's own: the scenarios cancel and return orders in it."""
    from shopmate.demo.build import build_demo
    from shopmate.demo.generate import generate_demo_shop
    from shopmate.settings import Settings
    from shopmate.wiring import build_services

    svc = build_services(Settings(data_dir=tmp_path_factory.mktemp("scenarios")), embedder=embedder)
    build_demo(svc, seed=7, progress=False)
    return Shop(svc, {o.id: o.status for o in generate_demo_shop(7).orders})


def _statuses(shop: Shop) -> dict[str, str]:
    from sqlalchemy import select

    from shop.models import Order

    with shop.services.repo.session() as s:
        return {oid: status for oid, status in s.execute(select(Order.id, Order.status))}


def _setup_orders(shop: Shop, user_id: str | None, orders: list[dict[str, Any]]) -> None:
    from shop.models import Order

    assert user_id, "setup orders belong to a signed-in shopper"
    with shop.services.repo.session() as s, s.begin():
        for o in orders:
            s.merge(
                Order(
                    id=o["id"],
                    user_id=user_id,
                    product_ids=list(o["product_ids"]),
                    status=o["status"],
                    created_at=datetime.now(UTC) - timedelta(days=o["days_ago"]),
                    total=o["total"],
                )
            )


def _restore_orders(shop: Shop) -> None:
    for oid, status in _statuses(shop).items():
        want = shop.demo_status.get(oid)
        if want is not None and status != want:
            shop.services.repo.set_order_status(oid, status, want)


# the runner ------------------------------------------------------------------------------


def _lower_all(xs: list[str]) -> list[str]:
    return [x.lower() for x in xs]


def _one_of(want: str | list[str]) -> list[str]:
    return [want] if isinstance(want, str) else list(want)


class Run:
    """One scenario in one session; checks each turn's expectations."""

    def __init__(self, shop: Shop, sc: dict[str, Any]) -> None:
        self.shop, self.sc = shop, sc
        self.engine, self.repo = shop.services.engine, shop.services.repo
        self.session = f"scenario-{uuid.uuid4()}"
        self.lead_price: float | None = None  # the first card of the last reply with cards

    def shopper(self, i: int, text: str, expect: dict[str, Any]) -> None:
        r = self.engine.respond(self.session, self.sc.get("user_id"), text)
        cards = [(p.title, p.category, p.price) for p in r.products]
        got = (
            f"reply={r.reply!r}\n  intent={r.intent} action={r.action} tools={r.tool_calls} "
            f"handoff_state={r.handoff_state} citations={[c.id for c in r.citations]}\n"
            f"  products={cards}"
        )
        problems: list[str] = []

        def check(ok: bool, what: str) -> None:
            if not ok:
                problems.append(what)

        low = r.reply.lower()
        labels = [f"{t} | {c}".lower() for t, c, _ in cards]
        for key, want in expect.items():
            if key == "intent":
                check(r.intent in _one_of(want), f"intent {want}")
            elif key == "action":
                check(r.action in _one_of(want), f"action {want}")
            elif key == "tools":
                check(set(r.tool_calls) == set(want), f"tools {sorted(want)}")
            elif key == "products":
                check(bool(r.products) is want, f"products {'present' if want else 'absent'}")
            elif key == "citations":
                check(bool(r.citations) is want, f"citations {'present' if want else 'absent'}")
            elif key == "handoff_state":
                check(r.handoff_state == want, f"handoff_state {want}")
            elif key == "reply_contains":
                missing = [w for w in want if w.lower() not in low]
                check(not missing, f"reply containing {missing}")
            elif key == "reply_excludes":
                present = [w for w in want if w.lower() in low]
                check(not present, f"reply without {present}")
            elif key == "reply_empty":
                check((r.reply == "") is want, "an empty reply" if want else "a reply")
            elif key == "top_product":
                check(bool(labels) and want.lower() in labels[0], f"first card about {want!r}")
            elif key == "all_products":
                check(
                    bool(labels) and all(want.lower() in x for x in labels),
                    f"every card about {want!r}",
                )
            elif key == "max_price":
                check(all(p <= want for _, _, p in cards), f"every card at most {want}")
            elif key == "cheaper":
                lead = self.lead_price
                check(
                    lead is not None and bool(cards) and all(p < lead for _, _, p in cards),
                    f"cards cheaper than the last lead card ({lead})",
                )
            else:
                self.common(key, want, check)
        if cards:
            self.lead_price = cards[0][2]
        assert not problems, (
            f"[{self.sc['name']}] turn {i}: shopper said {text!r}\n"
            f"  expected: {'; '.join(problems)}\n  got: {got}"
        )

    def agent(self, i: int, step: str, text: str | None, expect: dict[str, Any]) -> None:
        from bot.engine import MessageError

        error: str | None = None
        summary = ""
        try:
            if step == "reply":
                self.engine.agent_reply(self.session, text or "")
            elif step == "packet":
                summary = self.engine.packet(self.session).summary
            else:
                getattr(self.engine, step)(self.session)
        except MessageError as e:
            error = str(e)
        state = self.engine.state(self.session).handoff
        problems: list[str] = []

        def check(ok: bool, what: str) -> None:
            if not ok:
                problems.append(what)

        if "error" not in expect:
            check(error is None, "no error")
        for key, want in expect.items():
            if key == "error":
                check(error is not None and want.lower() in error.lower(), f"error {want!r}")
            elif key == "handoff_state":
                check(state == want, f"handoff_state {want}")
            elif key == "summary_contains":
                missing = [w for w in want if w.lower() not in summary.lower()]
                check(not missing, f"summary containing {missing}")
            else:
                self.common(key, want, check)
        assert not problems, (
            f"[{self.sc['name']}] turn {i}: agent step {step!r}"
            f"{f' {text!r}' if text else ''}\n  expected: {'; '.join(problems)}\n"
            f"  got: error={error!r} handoff_state={state} summary={summary!r}"
        )

    def common(self, key: str, want: Any, check: Any) -> None:
        if key in {"transcript_contains", "transcript_excludes"}:
            stored = "\n".join(f"{role}: {t}" for role, t in self.repo.transcript(self.session))
            hits = [w for w in want if w.lower() in stored.lower()]
            if key == "transcript_contains":
                check(len(hits) == len(want), f"transcript containing {want} (stored: {stored!r})")
            else:
                check(not hits, f"transcript without {hits} (stored: {stored!r})")
        elif key == "orders":
            now = {oid: (o.status if (o := self.repo.get_order(oid)) else None) for oid in want}
            check(now == want, f"orders {want} (now {now})")
        elif key == "in_queue":
            queued = self.session in self.engine.queue()
            check(queued is want, "in the agents' queue" if want else "not in the queue")
        else:  # pragma: no cover - _check_scenario rejects unknown keys first
            raise AssertionError(f"unknown expectation {key!r}")


@pytest.mark.parametrize("sc", _params())
def test_scenario(shop: Shop, sc: dict[str, Any]) -> None:
    if orders := sc.get("setup", {}).get("orders"):
        _setup_orders(shop, sc.get("user_id"), orders)
    run = Run(shop, sc)
    try:
        for i, turn in enumerate(sc["turns"], 1):
            if "say" in turn:
                run.shopper(i, turn["say"], turn.get("expect", {}))
            else:
                run.agent(i, turn["agent"], turn.get("text"), turn.get("expect", {}))
    finally:
        _restore_orders(shop)
