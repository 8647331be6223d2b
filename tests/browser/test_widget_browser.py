"""The embeddable widget in headless Chromium against the real app and demo shop: a static
page with one <script> tag; header, greeting and suggested questions; chat with a citation;
product cards in a row with add to cart reaching the host page's cart; thumbs tied to the
reply they are under; the conversation restored after a reload and in another tab; the
handoff loop; the error state with retry; full screen at 390 px and keyboard use."""

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


def open_widget(driver: Any, wait: Any) -> Any:
    """Open the chat (a reload reopens it by itself when it was open); returns the log."""
    from selenium.webdriver.common.by import By

    bubble = wait.until(lambda d: d.find_element(By.ID, "sm-w-bubble"))
    panel = driver.find_element(By.ID, "sm-w-panel")
    if "sm-w-open" not in (panel.get_attribute("class") or ""):
        bubble.click()
    wait.until(lambda _: "sm-w-open" in (panel.get_attribute("class") or ""))
    return driver.find_element(By.ID, "sm-w-log")


def bot_texts(driver: Any) -> list[str]:
    """The bot's bubbles' texts, read in one go (the log changes under a poll)."""
    return list(
        driver.execute_script(
            "return Array.from(document.querySelectorAll('#sm-w-log .sm-w-bot'))"
            ".map(function (e) { return e.innerText; })"
        )
    )


def test_widget_chat_cards_add_to_cart_and_thumbs(base_url: str, driver: Any, services) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from sqlalchemy import select

    from shop.models import Feedback

    wait = WebDriverWait(driver, 60)
    driver.get(f"{base_url}/widget/demo.html")
    log = open_widget(driver, wait)
    # header with the shop's name and a close button, a greeting and suggested questions
    wait.until(lambda d: d.find_element(By.ID, "sm-w-title").text == "Northwind Outfitters")
    assert driver.find_element(By.ID, "sm-w-close").get_attribute("aria-label") == "Close chat"
    chips = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".sm-w-chip"))
    assert 2 <= len(chips) <= 3 and "Northwind" in log.text
    chips[0].click()  # "What is your return policy?"
    wait.until(lambda _: "Sources:" in log.text and "30 days" in log.text)
    assert "Returns" in log.text

    ask(driver, "I need something for hiking in the rain")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".sm-w-card")) >= 3)
    row = driver.find_element(By.CSS_SELECTOR, ".sm-w-cards")
    assert row.value_of_css_property("flex-wrap") == "nowrap"  # one horizontal row
    card = driver.find_elements(By.CSS_SELECTOR, ".sm-w-card")[0]
    pid = card.get_attribute("data-product-id")
    assert card.find_element(By.CSS_SELECTOR, ".sm-w-price").text.startswith("£")
    assert card.find_element(By.CSS_SELECTOR, ".sm-w-img").is_displayed()
    assert card.find_element(By.CSS_SELECTOR, ".sm-w-reason").text
    link = card.find_element(By.CSS_SELECTOR, "a.sm-w-name").get_attribute("href")
    assert link.endswith(f"demo-product.html?product={pid}")
    card.find_element(By.CSS_SELECTOR, ".sm-w-add").click()
    wait.until(lambda _: "Added" in card.text)
    # the host page got the DOM event and its own cart (the data-on-add-to-cart callback)
    events = driver.execute_script("return window.demoEvents")
    assert events[-1]["productId"] == pid and events[-1]["quantity"] == 1
    assert driver.execute_script("return window.demoCart")[-1] == {"productId": pid, "quantity": 1}
    assert driver.find_element(By.ID, "cart-count").text == "1"
    # and the shop's own records (the shopper's, or an anonymous stand-in's where the shop
    # verifies shopper ids and the page sent no signature)
    from shop.models import Event

    def carted(_: Any) -> bool:
        with services.repo.session() as s:
            q = select(Event).where(Event.product_id == pid, Event.type == "add_to_cart")
            return bool(s.scalars(q).all())

    wait.until(carted)
    from growth.tracking import Tracker

    session = driver.execute_script("return window.localStorage.getItem('shopmate-session')")

    def tracked(_: Any) -> set[tuple[str, str | None]]:
        mine = Tracker(services.repo).events(types=("visit", "suggestion_click"))
        return {(e.type, e.product_id) for e in mine if e.session_id == session}

    wait.until(lambda d: {("visit", None), ("suggestion_click", pid)} <= tracked(d))

    # thumbs on the first (older) reply are stored against that reply, not the latest
    first = driver.find_elements(By.CSS_SELECTOR, "#sm-w-log .sm-w-bot[data-message-id]")[0]
    first_id = int(first.get_attribute("data-message-id"))
    first.find_element(By.CSS_SELECTOR, ".sm-w-thumb-down").click()
    wait.until(lambda _: "Thanks for the feedback" in first.text)
    with services.repo.session() as s:
        rows = s.scalars(select(Feedback).where(Feedback.session_id == session)).all()
    assert [(r.thumbs, r.message_id) for r in rows] == [("down", first_id)]
    assert services.repo.transcript(session)[1][1].startswith(first.text.split("\n")[0][:20])


def test_widget_restores_the_conversation_after_a_reload_and_in_another_tab(
    base_url: str, driver: Any
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 60)
    driver.get(f"{base_url}/widget/demo.html")
    log = open_widget(driver, wait)
    ask(driver, "How long does shipping take?")
    wait.until(lambda _: "Sources:" in log.text)
    answer = bot_texts(driver)[-1].split("\n")[0]
    driver.refresh()
    log = open_widget(driver, wait)  # reopened by itself
    wait.until(lambda _: "How long does shipping take?" in log.text and answer in log.text)
    assert not driver.find_elements(By.CSS_SELECTOR, ".sm-w-chip")  # no greeting over a chat
    # thumbs survive the reload, tied to the stored reply
    assert driver.find_elements(By.CSS_SELECTOR, ".sm-w-bot[data-message-id] .sm-w-thumb-up")
    # a second tab of the same shop shows the same conversation
    driver.switch_to.new_window("tab")
    driver.get(f"{base_url}/widget/demo.html")
    log = open_widget(driver, wait)
    wait.until(lambda _: "How long does shipping take?" in log.text and answer in log.text)


def test_widget_handoff_loop(base_url: str, driver: Any, services) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 60)
    driver.get(f"{base_url}/widget/demo.html")
    log = open_widget(driver, wait)
    ask(driver, "My parcel is damaged, I want to talk to a person")
    wait.until(lambda _: "support team" in log.text)
    session = driver.execute_script("return window.localStorage.getItem('shopmate-session')")
    admin, h = admin_client(services), {"Authorization": f"Bearer {KEY}"}
    assert admin.post(f"/v1/handoffs/{session}/take", headers=h).status_code == 200
    ask(driver, "hello?")
    wait.until(lambda _: services.engine.state(session).handoff == "human" and "hello?" in log.text)
    before = len(bot_texts(driver))
    reply = "Hi, Sam here! A new parcel is on its way."
    assert (
        admin.post(f"/v1/handoffs/{session}/reply", headers=h, json={"text": reply}).status_code
        == 200
    )
    # it arrives without the shopper sending anything, marked as from a person
    wait.until(lambda _: reply in log.text)
    assert "A person from Northwind Outfitters" in log.text
    assert len(bot_texts(driver)) == before + 1 and all(t.strip() for t in bot_texts(driver))
    assert log.text.count("hello?") == 1  # the shopper's own message is not repeated
    admin.post(f"/v1/handoffs/{session}/release", headers=h)
    wait.until(lambda _: "handed this chat back" in log.text)
    ask(driver, "What is your return policy?")
    wait.until(lambda _: "30 days" in log.text)


def test_widget_error_state_and_retry(base_url: str, driver: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 60)
    driver.get(f"{base_url}/widget/demo.html")
    log = open_widget(driver, wait)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".sm-w-chip"))
    conditions = {"latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": True, **conditions})
    ask(driver, "How long does shipping take?")
    error = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".sm-w-error"))
    assert "could not be reached" in error.text and error.get_attribute("role") == "alert"
    assert not driver.find_elements(By.CSS_SELECTOR, ".sm-w-typing")  # no "…" forever
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, **conditions})
    error.find_element(By.CSS_SELECTOR, ".sm-w-retry").click()
    wait.until(lambda _: "Sources:" in log.text)
    assert not driver.find_elements(By.CSS_SELECTOR, ".sm-w-error")
    assert log.text.count("How long does shipping take?") == 1


def test_widget_is_full_screen_on_a_phone_and_keyboard_usable(base_url: str, driver: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 60)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True},
    )
    driver.get(f"{base_url}/widget/demo-product.html")
    bubble = wait.until(lambda d: d.find_element(By.ID, "sm-w-bubble"))
    assert bubble.get_attribute("aria-expanded") == "false"
    assert bubble.get_attribute("aria-label") == "Chat with Northwind Outfitters" or wait.until(
        lambda _: bubble.get_attribute("aria-label") == "Chat with Northwind Outfitters"
    )
    driver.execute_script("arguments[0].focus()", bubble)
    bubble.send_keys(Keys.ENTER)  # a keyboard opens it; focus goes to the message box
    panel = driver.find_element(By.ID, "sm-w-panel")
    wait.until(lambda _: "sm-w-open" in (panel.get_attribute("class") or ""))
    assert driver.switch_to.active_element.get_attribute("id") == "sm-w-input"
    assert (
        panel.get_attribute("role") == "dialog" and bubble.get_attribute("aria-expanded") == "true"
    )
    assert driver.find_element(By.ID, "sm-w-log").get_attribute("role") == "log"
    width = driver.execute_script("return window.innerWidth")
    assert panel.size["width"] == width and panel.location == {"x": 0, "y": 0}
    box = driver.find_element(By.ID, "sm-w-input")
    assert box.value_of_css_property("font-size") == "16px"  # iOS does not zoom on focus
    # on a product page the suggestions are about the product
    chips = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".sm-w-chip"))
    assert any("sizes" in c.text or "stock" in c.text for c in chips)
    box.send_keys(Keys.ESCAPE)  # Escape closes and gives focus back to the launcher
    wait.until(lambda _: "sm-w-open" not in (panel.get_attribute("class") or ""))
    assert driver.switch_to.active_element.get_attribute("id") == "sm-w-bubble"


def test_widget_on_a_product_page_answers_about_that_product(
    base_url: str, driver: Any, services
) -> None:  # type: ignore[no-untyped-def]
    """With data-product (the demo page takes ?product=), "does it come in ...?" needs no
    earlier search: the bot answers about the page's product and cites it."""
    from selenium.webdriver.support.ui import WebDriverWait

    page = next(p for p in services.repo.all_products() if any("colo" in k for k in p.attributes))
    colour = next(v for k, v in page.attributes.items() if "colo" in k).split(",")[0].strip()
    wait = WebDriverWait(driver, 60)
    driver.get(f"{base_url}/widget/demo.html?product={page.id}")
    log = open_widget(driver, wait)
    ask(driver, f"does it come in {colour}?")
    wait.until(lambda _: "Sources:" in log.text)
    assert "Yes" in log.text and page.title in log.text, log.text


def test_widget_renders_hostile_text_inert(base_url: str, driver: Any, services) -> None:  # type: ignore[no-untyped-def]
    """A shopper message and the bot's reply are shown as text: markup never runs."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 60)
    driver.get(f"{base_url}/widget/demo.html")
    open_widget(driver, wait)
    hostile = '<img src=x onerror="window.__smPwned=1"> ' + uuid.uuid4().hex[:6]
    ask(driver, hostile)
    log = driver.find_element(By.ID, "sm-w-log")
    wait.until(
        lambda _: (
            hostile in log.text
            and len(driver.find_elements(By.CSS_SELECTOR, ".sm-w-bot")) == 2  # greeting, reply
            and not driver.find_elements(By.CSS_SELECTOR, ".sm-w-typing")
            and driver.find_elements(By.CSS_SELECTOR, ".sm-w-bot")[1].text.strip()
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
        open_widget(driver, wait)
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
