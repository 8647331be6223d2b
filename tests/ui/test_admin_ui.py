"""The admin panel's figures on the demo shop, computed from real conversations and feedback."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from api.app import create_app
from growth.analytics import daily_figures
from shopmate.admin_data import ShopAdminData
from tests.shoppers import verified
from ui.admin_app import build_admin_ui, figures_frame


def test_daily_figures_follow_what_happened(services, client) -> None:  # type: ignore[no-untyped-def]
    before = {d.day: d for d in daily_figures(services.repo)}
    s1, s2 = uuid.uuid4().hex, uuid.uuid4().hex
    shown = client.post(
        "/v1/chat",
        json={"session_id": s1, **verified("u0007"), "message": "show me tents for camping"},
    ).json()
    client.post(
        "/v1/events",
        json={**verified("u0007"), "product_id": shown["products"][0]["id"], "type": "add_to_cart"},
    )
    client.post("/v1/chat", json={"session_id": s2, "message": "I want to talk to a person"})
    client.post("/v1/feedback", json={"session_id": s1, "thumbs": "up"})
    today = daily_figures(services.repo)[-1]
    was = before.get(today.day)
    assert today.conversations - (was.conversations if was else 0) == 2
    assert today.handed_off - (was.handed_off if was else 0) == 1
    assert today.cards_shown - (was.cards_shown if was else 0) == len(shown["products"])
    assert today.cards_carted - (was.cards_carted if was else 0) == 1
    assert today.thumbs_up - (was.thumbs_up if was else 0) == 1
    assert 0.0 <= today.answered_without_person <= 1.0 and 0.0 < today.card_click_through <= 1.0
    frame = figures_frame(daily_figures(services.repo))
    assert list(frame.columns)[:3] == ["day", "conversations", "answered without a person"]
    assert (
        "products indexed" in ShopAdminData(services).status()
        and build_admin_ui(lambda: ShopAdminData(services)) is not None
    )


def test_admin_panel_is_mounted(services) -> None:  # type: ignore[no-untyped-def]
    from shopmate.settings import Settings

    with TestClient(
        create_app(Settings(data_dir=services.settings.data_dir, admin_api_key="k"), services)
    ) as c:
        assert c.get("/admin/config").status_code == 401
        assert (
            c.post("/admin/login", data={"username": "admin", "password": "k"}).status_code == 200
        )
        assert c.get("/admin/config").status_code == 200


def test_the_demo_carries_weeks_of_history_for_the_charts(services) -> None:  # type: ignore[no-untyped-def]
    from ui.admin_app import chart_frame, thumbs_frame, upper

    days = daily_figures(services.repo)
    busy = [d for d in days if d.conversations]
    assert len(busy) >= 35  # six weeks of past chats, not one day
    assert sum(d.thumbs_up for d in days) > sum(d.thumbs_down for d in days) > 0
    assert 0.5 < sum(d.answered_without_person for d in busy) / len(busy) < 1.0
    frame = figures_frame(days)
    # no card shown that day: no click-through to draw (a gap, not a false 0)
    quiet = frame[[d.cards_shown == 0 for d in days]]
    assert quiet["card click-through"].isna().all()
    assert str(chart_frame(frame)["day"].dtype).startswith("datetime64")
    long = thumbs_frame(frame)
    assert set(long["thumbs"]) == {"up", "down"} and len(long) == 2 * len(frame)
    assert upper(frame["conversations"]) > frame["conversations"].max()


def test_growth_figures_reach_the_ui_ready_to_plot(services) -> None:  # type: ignore[no-untyped-def]
    """What the growth tabs are handed (ui imports no shop code): frames, text and CSV files."""
    figures = ShopAdminData(services)
    assert figures.experiment(False, "no-such-experiment") is None
    _, active, _, text = figures.retention(False)
    assert text.startswith("**Repeat-purchase rate**") and len(active) > 0
    assert {"DAU", "WAU", "MAU", "DAU/MAU %"} == set(active["series"])
    _, _, sentiment = figures.demand()
    assert sentiment.empty or set(sentiment.columns) == {"week", "negative share", "topic"}
    tables = figures.export_tables()
    path = figures.export_csv(tables[0], False)
    assert path.name == f"{tables[0]}.csv" and path.read_text().splitlines()[0]
