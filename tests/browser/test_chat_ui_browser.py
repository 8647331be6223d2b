"""Drive the shopper chat in a real headless Chromium (Selenium + Debian's chromedriver).

A uvicorn server on a free 127.0.0.1 port serves a FastAPI app with the chat mounted at
/ui; the engine behind it is a small respond() that returns a fixed reply with one
citation and one product card. Skips cleanly when Chromium, chromedriver or Selenium is
missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from bot.types import BotReply, Citation, ProductCard
from tests.browser.harness import require_browser, serve
from ui.gradio_app import mount_chat_ui

CARD_TITLE = "Stormproof rain jacket"
CITATION_TITLE = "Returns policy"
HOSTILE = '<img src=x onerror="window.__smPwned=1">'

pytestmark = pytest.mark.browser


def fixed_respond(session_id: str, user_id: str | None, message: str) -> BotReply:
    return BotReply(
        reply=f"You can return items within **30 days**. {HOSTILE}",
        citations=[
            Citation(
                id="kb-returns-1",
                title=CITATION_TITLE,
                source="kb/returns.md",
                snippet="You can return any item within 30 days of delivery.",
            )
        ],
        products=[
            ProductCard(
                id="p-1",
                title=CARD_TITLE,
                price=89.0,
                category="jackets",
                reason="waterproof and breathable",
                brand="Nordwand",
                in_stock=False,
            )
        ],
    )


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    require_browser()
    app = mount_chat_ui(FastAPI(), fixed_respond, path="/ui", shop_name="Test shop")
    with serve(app) as base:
        yield f"{base}/ui/"


def test_send_message_shows_reply_with_citation_and_card(server_url: str, driver: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(server_url)
    wait = WebDriverWait(driver, 30)
    box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#sm-input textarea")))
    box.send_keys("What is your return policy?")
    driver.find_element(By.ID, "sm-send").click()

    chat = driver.find_element(By.ID, "sm-chat")
    wait.until(lambda _: CARD_TITLE in chat.text and CITATION_TITLE in chat.text)

    text = chat.text
    assert "What is your return policy?" in text  # the shopper's message
    assert "€89.00" in text
    assert "out of stock" in text
    assert "waterproof and breathable" in text
    assert "kb/returns.md" not in text  # the title, not the file name
    # the card markup survived Gradio's sanitizer and our CSS reached the page
    card = chat.find_element(By.CSS_SELECTOR, ".sm-card")
    assert card.value_of_css_property("border-top-left-radius") == "10px"
    assert chat.find_element(By.CSS_SELECTOR, ".sm-sources ol li").text.startswith(CITATION_TITLE)
    # hostile markup in the reply is shown as text and never runs
    assert HOSTILE in text
    assert not chat.find_elements(By.CSS_SELECTOR, "img[src='x']")
    assert driver.execute_script("return window.__smPwned === undefined") is True
    # the textbox is cleared for the next question
    assert driver.find_element(By.CSS_SELECTOR, "#sm-input textarea").get_attribute("value") == ""
