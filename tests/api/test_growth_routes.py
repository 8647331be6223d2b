"""Tracking, experiments and analytics over HTTP: real app, real SQLite, the demo shop."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from growth.experiments import Experiment, bucket

AUTH = {"Authorization": "Bearer k"}


@pytest.fixture(scope="module")
def admin(services) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    from shopmate.settings import Settings

    settings = Settings(
        data_dir=services.settings.data_dir, admin_api_key="k", rate_limit_per_minute=1_000_000
    )
    with TestClient(create_app(settings, services, mount_ui=False)) as c:
        yield c


def test_track_accepts_the_schema_and_explains_rejections(client) -> None:  # type: ignore[no-untyped-def]
    sid = uuid.uuid4().hex
    ok = client.post(
        "/v1/events/track", json={"type": "visit", "user_id": "u0003", "session_id": sid}
    )
    assert ok.status_code == 201 and ok.json()["type"] == "visit"
    click = client.post(
        "/v1/events/track",
        json={
            "type": "suggestion_click",
            "user_id": "u0003",
            "product_id": "p0001",
            "props": {"position": 2},
        },
    )
    assert click.status_code == 201
    view = client.post(
        "/v1/events/track", json={"type": "view", "user_id": "u0003", "product_id": "p0002"}
    )
    assert view.status_code == 201
    bad_type = client.post("/v1/events/track", json={"type": "teleport"})
    assert bad_type.status_code == 422 and "visit" in bad_type.json()["detail"]
    no_product = client.post("/v1/events/track", json={"type": "suggestion_click", "user_id": "u1"})
    assert no_product.status_code == 422 and "needs product_id" in no_product.json()["detail"]
    unknown = client.post(
        "/v1/events/track", json={"type": "add_to_cart", "user_id": "u1", "product_id": "nope"}
    )
    assert unknown.status_code == 422 and "unknown product_id" in unknown.json()["detail"]
    too_many = client.post(
        "/v1/events/track", json={"type": "visit", "props": {f"k{i}": i for i in range(21)}}
    )
    assert too_many.status_code == 422 and "at most 20 props" in too_many.json()["detail"]


def test_experiments_admin_flow(admin: TestClient) -> None:
    assert admin.get("/v1/admin/experiments").status_code == 401
    body = {"name": "cards-api", "variants": ["off", "on"], "description": "cards on/off"}
    created = admin.post("/v1/admin/experiments", json=body, headers=AUTH)
    assert created.status_code == 201 and created.json()["allocation"] == [0.5, 0.5]
    bad = admin.post(
        "/v1/admin/experiments", json={"name": "Bad Name", "variants": ["a", "b"]}, headers=AUTH
    )
    assert bad.status_code == 422 and "lowercase" in bad.json()["detail"]
    assert [e["name"] for e in admin.get("/v1/admin/experiments", headers=AUTH).json()].count(
        "cards-api"
    ) == 1
    exp = Experiment("cards-api", ("off", "on"))
    for uid in ("u0011", "u0012", "u0013"):
        got = admin.get(f"/v1/experiments/cards-api/assignment?user_id={uid}").json()
        assert got["variant"] == bucket(exp, uid)
        again = admin.get(f"/v1/experiments/cards-api/assignment?user_id={uid}").json()
        assert again["variant"] == got["variant"]
    assert admin.get("/v1/experiments/nope/assignment?user_id=u1").status_code == 404
    report = admin.get("/v1/admin/experiments/cards-api/report", headers=AUTH)
    assert report.status_code == 200
    data = report.json()
    assert sum(data["exposed"].values()) == 3
    assert {m["key"] for m in data["metrics"]} >= {"return_7d", "return_30d", "handoff_rate"}
    assert admin.get("/v1/admin/experiments/nope/report", headers=AUTH).status_code == 404
    stopped = admin.post("/v1/admin/experiments/cards-api/stop", headers=AUTH)
    assert stopped.json()["status"] == "stopped"
    assert admin.get("/v1/experiments/cards-api/assignment?user_id=u0099").json()["variant"] is None


def test_csv_exports_carry_no_shopper_ids(admin: TestClient) -> None:
    cohorts = admin.get("/v1/admin/analytics/cohorts.csv", headers=AUTH)
    assert cohorts.status_code == 200 and cohorts.headers["content-type"].startswith("text/csv")
    lines = cohorts.text.strip().splitlines()
    assert lines[0].startswith("cohort_week,shoppers,week_0") and len(lines) > 5
    for table in ("active_users", "demand", "rising", "sentiment", "sponsored"):
        r = admin.get(f"/v1/admin/analytics/{table}.csv", headers=AUTH)
        assert r.status_code == 200, table
        assert "u0" not in r.text  # demo shopper ids look like u0001
    missing = admin.get("/v1/admin/analytics/users.csv", headers=AUTH)
    assert missing.status_code == 404 and "cohorts" in missing.json()["detail"]


def test_the_bot_tracks_its_own_turns(services, client) -> None:  # type: ignore[no-untyped-def]
    from growth.tracking import Tracker

    s1, s2 = uuid.uuid4().hex, uuid.uuid4().hex
    shown = client.post(
        "/v1/chat",
        json={"session_id": s1, "user_id": "u0021", "message": "show me tents for camping"},
    ).json()
    client.post("/v1/chat", json={"session_id": s2, "message": "I want to talk to a person"})
    events = [e for e in Tracker(services.repo).events() if e.session_id in {s1, s2}]
    kinds = [(e.session_id, e.type) for e in events]
    assert kinds.count((s1, "chat_turn")) == 1 and kinds.count((s2, "chat_turn")) == 1
    impressions = [e.product_id for e in events if e.type == "suggestion_impression"]
    assert impressions == [p["id"] for p in shown["products"]] and impressions
    assert (s2, "handoff") in kinds and (s1, "handoff") not in kinds


def test_experiments_file_is_loaded_on_first_use(services, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from shopmate.growth_wiring import build_growth
    from shopmate.settings import Settings

    cfg = tmp_path / "experiments.toml"
    cfg.write_text('[[experiment]]\nname = "from-file"\nvariants = ["a", "b"]\n')
    settings = Settings(
        data_dir=services.settings.data_dir, admin_api_key="k", experiments_file=cfg
    )
    # the shop with these settings: its growth wing is built from them, as the wiring does
    svc = replace(services, settings=settings, growth=build_growth(settings, services.repo))
    with TestClient(create_app(settings, svc, mount_ui=False)) as c:
        names = [e["name"] for e in c.get("/v1/admin/experiments", headers=AUTH).json()]
        assert "from-file" in names


def test_sentiment_check_without_a_webhook_posts_nothing(admin: TestClient) -> None:
    r = admin.post("/v1/admin/sentiment/check", headers=AUTH)
    assert r.status_code == 200 and r.json()["posted"] == [] and r.json()["webhook"] is False
    assert admin.post("/v1/admin/sentiment/check").status_code == 401


def test_a_question_about_a_sold_out_product_is_demand(services, client) -> None:  # type: ignore[no-untyped-def]
    from growth.tracking import Tracker

    gone = next(p for p in services.repo.all_products() if not p.in_stock)
    sid = uuid.uuid4().hex
    r = client.post(
        "/v1/chat",
        json={"session_id": sid, "message": f"What is the {gone.title} made of?"},
    ).json()
    events = [e for e in Tracker(services.repo).events() if e.session_id == sid]
    assert r["intent"] == "product_question"
    assert [(e.type, e.product_id) for e in events if e.type == "out_of_stock_interest"] == [
        ("out_of_stock_interest", gone.id)
    ]


def test_growth_routes_are_in_the_openapi_spec(client) -> None:  # type: ignore[no-untyped-def]
    paths = client.get("/openapi.json").json()["paths"]
    for p in (
        "/v1/events/track",
        "/v1/experiments/{name}/assignment",
        "/v1/admin/experiments/{name}/report",
        "/v1/admin/analytics/{table}.csv",
        "/v1/sponsored",
        "/v1/admin/sentiment/check",
    ):
        assert p in paths, p


def test_a_suggestions_experiment_switches_unasked_cards_per_shopper(services) -> None:  # type: ignore[no-untyped-def]
    from bot.engine import ChatEngine
    from growth.experiments import ExperimentStore

    e = services.engine
    engine = ChatEngine(
        e.embedder,
        e.router,
        e.answerer,
        e.recommender,
        e.repo,
        e.tools,
        suggestions_experiment="bot-cards",
    )
    store = ExperimentStore(services.repo)
    exp = store.save(Experiment("bot-cards", ("off", "on")))
    off = next(u for u in (f"cards{i}" for i in range(100)) if bucket(exp, u) == "off")
    on = next(u for u in (f"cards{i}" for i in range(100)) if bucket(exp, u) == "on")
    item = next(p for p in services.repo.all_products() if p.in_stock and "Tents" in p.category)
    question = f"What is the {item.title} made of?"
    with_cards = engine.respond(uuid.uuid4().hex, on, question)
    without = engine.respond(uuid.uuid4().hex, off, question)
    assert with_cards.intent == without.intent == "product_question"
    assert with_cards.products and not without.products
    assert without.reply == with_cards.reply  # the answer itself does not change
    assert store.exposed_variant("bot-cards", off) == "off"
    assert store.exposed_variant("bot-cards", on) == "on"
    store.set_status("bot-cards", "stopped")
