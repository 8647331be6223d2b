"""Drive the shopper chat in a real headless Chromium (Selenium + Debian's chromedriver).

A uvicorn server on a free 127.0.0.1 port serves a FastAPI app with the chat mounted at
/ui; the engine behind it is a small respond() that returns a fixed reply with one
citation and one product card. Skips cleanly when Chromium, chromedriver or Selenium is
missing.
"""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from bot.types import BotReply, Citation, ProductCard
from ui.gradio_app import mount_chat_ui

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1280,1400",
]

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


def _require_browser() -> None:
    if importlib.util.find_spec("selenium") is None:
        pytest.skip("selenium is not installed (pip install selenium)")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    if not CHROMEDRIVER.exists():
        pytest.skip(f"{CHROMEDRIVER} not found (apt-get install chromium-driver)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    _require_browser()
    app = mount_chat_ui(FastAPI(), fixed_respond, path="/ui", shop_name="Test shop")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="ui-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/ui/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[Any]:
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield browser
    finally:
        browser.quit()


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
    assert "kb/returns.md" in text
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
