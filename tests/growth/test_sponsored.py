"""Sponsored slots: relevance floor, relevance x bid, caps, budgets, complaints, spend."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from growth.sponsored import ClickRefused, ClickRepeated, SponsoredError, SponsoredSlots
from shop.repository import ProductRecord, ShopRepository


@pytest.fixture()
def slots(tmp_path: Path) -> SponsoredSlots:
    repo = ShopRepository.from_url(f"sqlite:///{tmp_path / 'shop.db'}")
    repo.upsert_products(
        [
            ProductRecord("tent", "Trail tent", "", "Camping > Tents", "x", 100.0, 3, {}),
            ProductRecord("lamp", "Camp lamp", "", "Camping > Lights", "x", 20.0, 3, {}),
            ProductRecord("gone", "Sold-out stove", "", "Camping > Stoves", "x", 50.0, 0, {}),
        ]
    )
    s = SponsoredSlots(repo, relevance_floor=0.3)
    s.create("c-tent", "tent", bid=0.5, budget=1.0, cap_per_user_day=2)
    s.create("c-lamp", "lamp", bid=2.0, budget=10.0)
    s.create("c-gone", "gone", bid=5.0, budget=10.0)
    return s


def test_rank_is_relevance_times_bid_above_the_floor(slots: SponsoredSlots) -> None:
    rel = {"tent": 0.9, "lamp": 0.4, "gone": 0.9}
    # tent 0.9 x 0.5 = 0.45 < lamp 0.4 x 2.0 = 0.8; the sold-out stove is never shown
    picks = slots.pick("u1", "s1", rel, slots=3)
    assert [p.campaign_id for p in picks] == ["c-lamp", "c-tent"]
    assert all(p.label == "Sponsored" for p in picks)
    assert slots.pick("u2", None, {"tent": 0.29, "lamp": 0.1}) == []  # below the floor


def test_caps_budgets_and_spend(slots: SponsoredSlots) -> None:
    rel = {"tent": 0.9}
    first = slots.pick("u1", "s1", rel)
    assert len(first) == 1 and first[0].token
    assert len(slots.pick("u1", "s1", rel)) == 1
    assert slots.pick("u1", "s1", rel) == []  # daily cap of 2 for this shopper
    second = slots.pick("u2", "s2", rel)
    assert len(second) == 1  # another shopper still sees it
    later = datetime.now(UTC) + timedelta(days=1, minutes=1)
    third = slots.pick("u1", "s1", rel, now=later)
    assert len(third) == 1  # a new day
    _, charge = slots.click("c-tent", first[0].token, "u1", "s1")
    assert charge == 0.5
    c, charge = slots.click("c-tent", second[0].token, "u2", "s2")
    assert charge == 0.5 and c.remaining == 0.0
    # never more than the budget
    assert slots.click("c-tent", third[0].token, "u1", "s1", now=later)[1] == 0.0
    assert slots.pick("u3", "s3", rel) == []  # budget spent: no more impressions
    report = {f.campaign.id: f for f in slots.report()}
    assert (report["c-tent"].impressions, report["c-tent"].clicks) == (4, 3)
    assert report["c-tent"].campaign.spent == 1.0


def test_no_sponsored_products_during_a_complaint(slots: SponsoredSlots) -> None:
    slots.repo.add_messages(
        [("s9", "u9", "shopper", "this is a scam", {"intent": "complaint", "sentiment": -0.9})]
    )
    assert slots.pick("u9", "s9", {"lamp": 0.9}) == []
    slots.repo.add_messages(
        [("s8", "u8", "shopper", "nice lamps", {"intent": "product_search", "sentiment": 0.3})]
    )
    assert len(slots.pick("u8", "s8", {"lamp": 0.9})) == 1


def test_bad_campaigns_say_what_is_accepted(slots: SponsoredSlots) -> None:
    with pytest.raises(SponsoredError, match="unknown product_id"):
        slots.create("c1", "nope", 1.0, 5.0)
    with pytest.raises(SponsoredError, match="of at least one bid"):
        slots.create("c1", "tent", 1.0, 0.5)
    with pytest.raises(SponsoredError, match="campaign id"):
        slots.create("bad id!", "tent", 1.0, 5.0)
    for bid, budget in ((math.inf, 5.0), (math.nan, 5.0), (1.0, math.inf), (0.0, 5.0)):
        with pytest.raises(SponsoredError, match="finite number > 0"):
            slots.create("c1", "tent", bid, budget)


def test_a_click_is_paid_once_and_only_for_a_served_impression(slots: SponsoredSlots) -> None:
    shown = slots.pick("u1", "s1", {"tent": 0.9})[0]
    assert shown.token is not None
    assert slots.pick(None, None, {"tent": 0.9})[0].token is None  # no session: never paid
    for token, session, why in (
        ("made-up", "s1", "malformed"),
        ("e30.AAAA", "s1", "not one this shop issued"),
        (shown.token, "s2", "another campaign or session"),  # someone else's impression
    ):
        with pytest.raises(ClickRefused, match=why):
            slots.click("c-tent", token, None, session)
    other = SponsoredSlots(slots.repo, relevance_floor=0.3)  # another shop's key
    with pytest.raises(ClickRefused, match="not one this shop issued"):
        other.click("c-tent", shown.token, None, "s1")
    with pytest.raises(ClickRefused, match="expired"):
        slots.click("c-tent", shown.token, None, "s1", now=datetime.now(UTC) + timedelta(days=2))
    assert slots.get("c-tent").spent == 0.0  # type: ignore[union-attr]
    assert slots.click("c-tent", shown.token, "u1", "s1")[1] == 0.5
    with pytest.raises(ClickRepeated):
        slots.click("c-tent", shown.token, "u1", "s1")
    assert slots.get("c-tent").spent == 0.5  # type: ignore[union-attr]


def test_sponsored_over_http(services) -> None:  # type: ignore[no-untyped-def]
    from api.app import create_app
    from shopmate.growth_wiring import build_growth
    from shopmate.settings import Settings

    settings = Settings(
        data_dir=services.settings.data_dir, admin_api_key="k", sponsored_relevance_floor=0.2
    )
    # the shop with these settings: its growth wing is built from them, as the wiring does
    svc = replace(services, settings=settings, growth=build_growth(settings, services.repo))
    auth = {"Authorization": "Bearer k"}
    tent = next(p for p in services.repo.all_products() if "Tents" in p.category and p.in_stock)
    with TestClient(create_app(settings, svc, mount_ui=False)) as c:
        made = c.post(
            "/v1/admin/sponsored",
            json={"id": "http-tent", "product_id": tent.id, "bid": 0.3, "budget": 3},
            headers=auth,
        )
        assert made.status_code == 201
        bad = c.post(
            "/v1/admin/sponsored",
            json={"id": "x", "product_id": "nope", "bid": 1, "budget": 2},
            headers=auth,
        )
        assert bad.status_code == 422 and "unknown product_id" in bad.json()["detail"]
        shown = c.get(
            "/v1/sponsored", params={"context": "a tent for camping", "session_id": "sp1"}
        ).json()
        assert [x["product_id"] for x in shown] == [tent.id] and shown[0]["label"] == "Sponsored"
        on_screen = c.get(  # already among the suggestions on screen: not promoted again
            "/v1/sponsored", params={"context": "a tent for camping", "exclude": [tent.id]}
        ).json()
        assert on_screen == []
        unrelated = c.get("/v1/sponsored", params={"context": "lipstick and face cream"}).json()
        assert unrelated == []
        token = shown[0]["token"]
        assert token
        # a click without the impression's token, or for another session, costs nothing
        drain = [
            c.post(
                "/v1/sponsored/http-tent/click",
                json={"session_id": f"made-up-{i}", "token": token},
            ).status_code
            for i in range(3)
        ]
        assert drain == [403, 403, 403]
        missing = c.post("/v1/sponsored/http-tent/click", json={"session_id": "sp1"})
        assert missing.status_code == 422 and "token" in missing.json()["detail"]
        click = c.post(
            "/v1/sponsored/http-tent/click", json={"session_id": "sp1", "token": token}
        ).json()
        assert click["charged"] == 0.3
        again = c.post("/v1/sponsored/http-tent/click", json={"session_id": "sp1", "token": token})
        assert again.status_code == 409 and "once" in again.json()["detail"]
        for bid in ("Infinity", "NaN", "-1", "0"):
            r = c.post(
                "/v1/admin/sponsored",
                content=f'{{"id": "inf", "product_id": "{tent.id}", "bid": {bid}, "budget": 3}}',
                headers={**auth, "content-type": "application/json"},
            )
            assert r.status_code == 422 and "bid" in r.json()["detail"], (bid, r.text)
        report = {r["id"]: r for r in c.get("/v1/admin/sponsored", headers=auth).json()}
        assert report["http-tent"]["impressions"] == 1 and report["http-tent"]["clicks"] == 1
        assert (
            c.post("/v1/admin/sponsored/http-tent/pause", headers=auth).json()["status"] == "paused"
        )
