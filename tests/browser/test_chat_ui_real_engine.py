"""The shopper chat at /ui in a real headless Chromium, on the real engine and demo shop:
a policy question comes back answered with its source, a product need with cards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api.app import create_app
from shopmate.settings import Settings
from tests.browser.harness import require_browser, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ui_url(services: Any) -> Iterator[str]:
    require_browser()
    settings = Settings(data_dir=services.settings.data_dir, rate_limit_per_minute=1_000_000)
    with serve(create_app(settings, services)) as base:
        yield f"{base}/ui/"


def test_the_demo_shop_answers_with_sources_and_cards(ui_url: str, driver: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(ui_url)
    wait = WebDriverWait(driver, 60)

    def ask(text: str) -> None:
        box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#sm-input textarea")))
        box.send_keys(text)
        driver.find_element(By.ID, "sm-send").click()

    chat = wait.until(lambda d: d.find_element(By.ID, "sm-chat"))
    ask("What is your return policy?")
    wait.until(lambda _: "Returns" in chat.text and "30 days" in chat.text)
    assert "kb/returns.md" not in chat.text  # titles, not file names
    ask("I need something for hiking in the rain")
    wait.until(lambda _: len(chat.find_elements(By.CSS_SELECTOR, ".sm-card")) >= 2)
    cards = chat.find_elements(By.CSS_SELECTOR, ".sm-card")
    assert any("Waterproof" in c.text or "Rain" in c.text for c in cards), [c.text for c in cards]
