"""The embeddable widget in headless Chromium against the real app and demo shop:
a static page with one <script> tag; chat, streamed text, a citation, product cards,
thumbs, add to cart, a reload that keeps the session, and an agent's reply arriving."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from shopmate.settings import Settings
from tests.browser.harness import require_browser, serve

pytestmark = pytest.mark.browser
KEY = "widget-test-admin"


@pytest.fixture(scope="module")
def base_url(services) -> Iterator[str]:  # type: ignore[no-untyped-def]
    require_browser()
    settings = Settings(data_dir=services.settings.data_dir, admin_api_key=KEY)
    with serve(create_app(settings, services, mount_ui=False)) as base:
        yield base


def admin_client(services) -> TestClient:  # type: ignore[no-untyped-def]
    """The same shop's API with the admin key, for what staff do beside the shopper."""
    settings = Settings(data_dir=services.settings.data_dir, admin_api_key=KEY)
    return TestClient(create_app(settings, services, mount_ui=False))


def ask(driver: Any, text: str) -> None:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, "sm-w-input")
    box.send_keys(text)
    driver.find_element(By.ID, "sm-w-send").click()


def test_widget_chat_cards_thumbs_and_agent(base_url: str, driver: Any, services) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 60)
    driver.get(f"{base_url}/widget/demo.html")
    wait.until(lambda d: d.find_element(By.ID, "sm-w-bubble")).click()
    log = driver.find_element(By.ID, "sm-w-log")

    ask(driver, "What is your return policy?")
    wait.until(lambda _: "Sources:" in log.text and "30 days" in log.text)
    assert "Returns policy" in log.text

    ask(driver, "I need something for hiking in the rain")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".sm-w-card")) >= 3)
    card = driver.find_elements(By.CSS_SELECTOR, ".sm-w-card")[0]
    pid = card.get_attribute("data-product-id")
    card.find_element(By.CSS_SELECTOR, ".sm-w-add").click()
    wait.until(lambda _: "Added" in card.text)
    assert services.repo.recent_events("u0001", limit=1)[-1].product_id == pid
    # the widget tracks the page visit and the click on a suggestion for retention analytics
    from shop.tracking import Tracker

    session = driver.execute_script("return window.localStorage.getItem('shopmate-session')")

    def tracked(_: Any) -> set[tuple[str, str | None]]:
        mine = Tracker(services.repo).events(types=("visit", "suggestion_click"))
        return {(e.type, e.product_id) for e in mine if e.session_id == session}

    wait.until(lambda d: {("visit", None), ("suggestion_click", pid)} <= tracked(d))

    thumbs = driver.find_elements(By.CSS_SELECTOR, ".sm-w-thumb-up")[-1]
    thumbs.click()
    wait.until(lambda _: "Thanks for the feedback" in log.text)

    # the session survives a reload; a person takes over and their reply reaches the widget
    session = driver.execute_script("return window.localStorage.getItem('shopmate-session')")
    driver.refresh()
    assert (
        driver.execute_script("return window.localStorage.getItem('shopmate-session')") == session
    )
    wait.until(lambda d: d.find_element(By.ID, "sm-w-bubble")).click()
    ask(driver, "I want to talk to a person")
    log = driver.find_element(By.ID, "sm-w-log")
    wait.until(lambda _: "support team" in log.text)
    admin, h = admin_client(services), {"Authorization": f"Bearer {KEY}"}
    assert admin.post(f"/v1/handoffs/{session}/take", headers=h).status_code == 200
    assert (
        admin.post(
            f"/v1/handoffs/{session}/reply", headers=h, json={"text": "Hi, Sam here!"}
        ).status_code
        == 200
    )
    ask(driver, "hello?")
    wait.until(
        lambda _: "Hi, Sam here!" in log.text and "A person from our team has joined" in log.text
    )


def test_widget_on_a_product_page_answers_about_that_product(
    base_url: str, driver: Any, services
) -> None:  # type: ignore[no-untyped-def]
    """With data-product (the demo page takes ?product=), "does it come in ...?" needs no
    earlier search: the bot answers about the page's product and cites it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = next(p for p in services.repo.all_products() if any("colo" in k for k in p.attributes))
    colour = next(v for k, v in page.attributes.items() if "colo" in k).split(",")[0].strip()
    wait = WebDriverWait(driver, 60)
    driver.get(f"{base_url}/widget/demo.html?product={page.id}")
    wait.until(lambda d: d.find_element(By.ID, "sm-w-bubble")).click()
    log = driver.find_element(By.ID, "sm-w-log")
    ask(driver, f"does it come in {colour}?")
    wait.until(lambda _: "Sources:" in log.text)
    assert "Yes" in log.text and page.title in log.text, log.text


def test_widget_renders_hostile_text_inert(base_url: str, driver: Any, services) -> None:  # type: ignore[no-untyped-def]
    """A shopper message and the bot's reply are shown as text: markup never runs."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 60)
    driver.get(f"{base_url}/widget/demo.html")
    wait.until(lambda d: d.find_element(By.ID, "sm-w-bubble")).click()
    hostile = '<img src=x onerror="window.__smPwned=1"> ' + uuid.uuid4().hex[:6]
    ask(driver, hostile)
    log = driver.find_element(By.ID, "sm-w-log")
    wait.until(
        lambda _: (
            hostile in log.text
            and len(driver.find_elements(By.CSS_SELECTOR, ".sm-w-bot")) == 1
            and "…" not in driver.find_elements(By.CSS_SELECTOR, ".sm-w-bot")[0].text
        )
    )
    assert driver.execute_script("return window.__smPwned === undefined")
    assert not driver.find_elements(By.CSS_SELECTOR, "#sm-w-log img")


def test_widget_shows_a_sponsored_card_and_counts_the_click(
    base_url: str, driver: Any, services
) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from bot.sponsored import sponsored_relevance

    question = "I need something for hiking in the rain"
    stock = [p.id for p in services.repo.all_products() if p.in_stock]
    rel = sponsored_relevance(
        services.embedder, services.store, services.repo, None, question, stock
    )
    promoted = sorted(rel, key=lambda pid: -rel[pid])[:6]  # more than the organic cards
    assert rel[promoted[-1]] >= services.settings.sponsored_relevance_floor
    admin, h = admin_client(services), {"Authorization": f"Bearer {KEY}"}
    tag = uuid.uuid4().hex[:6]
    ids = [f"wt-{tag}-{i}" for i in range(len(promoted))]
    for cid, pid in zip(ids, promoted, strict=True):
        body = {"id": cid, "product_id": pid, "bid": 0.5, "budget": 10.0}
        assert admin.post("/v1/admin/sponsored", headers=h, json=body).status_code == 201
    try:
        wait = WebDriverWait(driver, 60)
        driver.get(f"{base_url}/widget/demo.html")
        wait.until(lambda d: d.find_element(By.ID, "sm-w-bubble")).click()
        ask(driver, question)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".sm-w-sponsored"))
        ad = driver.find_element(By.CSS_SELECTOR, ".sm-w-sponsored")
        organic = {
            c.get_attribute("data-product-id")
            for c in driver.find_elements(By.CSS_SELECTOR, ".sm-w-card:not(.sm-w-sponsored)")
        }
        assert organic and ad.get_attribute("data-product-id") not in organic  # never twice
        assert ad.find_element(By.CSS_SELECTOR, ".sm-w-label").text.lower() == "sponsored"
        assert len(driver.find_elements(By.CSS_SELECTOR, ".sm-w-sponsored")) == 1
        ad.find_element(By.CSS_SELECTOR, ".sm-w-view").click()
        wait.until(lambda _: "Opened" in ad.text)

        def figures(_: Any) -> dict[str, Any]:
            rows = admin.get("/v1/admin/sponsored", headers=h).json()
            return {r["id"]: r for r in rows if r["id"] in ids}

        wait.until(lambda d: sum(r["clicks"] for r in figures(d).values()) == 1)
        mine = figures(None)
        assert sum(r["impressions"] for r in mine.values()) == 1  # only what was on screen
        clicked = next(r for r in mine.values() if r["clicks"])
        assert clicked["product_id"] == ad.get_attribute("data-product-id")
        assert clicked["spent"] == 0.5
    finally:
        for cid in ids:
            admin.post(f"/v1/admin/sponsored/{cid}/pause", headers=h)
