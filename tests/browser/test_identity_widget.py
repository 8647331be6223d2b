"""Verified shoppers through the widget in headless Chromium: the shop's page writes
data-user and data-user-hash (HMAC-SHA256 of the id with the shop's identity secret); the
widget passes both on. Without the hash, or with a wrong one, "where is my order?" shows
nothing of that shopper's orders; with the right one it does."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.responses import HTMLResponse

from api.app import create_app
from api.identity import user_hash
from shopmate.settings import Settings
from tests.browser.harness import require_browser, serve

pytestmark = pytest.mark.browser
SECRET = "browser-identity-secret-0123456789"


@pytest.fixture(scope="module")
def base_url(services) -> Iterator[str]:  # type: ignore[no-untyped-def]
    require_browser()
    settings = Settings(data_dir=services.settings.data_dir, identity_secret=SECRET)
    app = create_app(settings, services, mount_ui=False)

    def shop_page(user: str = "", sig: str = "") -> HTMLResponse:
        """What a shop's template writes for a signed-in shopper (the hash made server-side)."""
        attrs = f' data-user="{html.escape(user)}"' if user else ""
        attrs += f' data-user-hash="{html.escape(sig)}"' if sig else ""
        return HTMLResponse(
            f"<!doctype html><html><body><h1>My account</h1>"
            f'<script src="/widget/widget.js"{attrs}></script></body></html>'
        )

    app.add_api_route("/shop-page", shop_page, methods=["GET"], include_in_schema=False)
    with serve(app) as base:
        yield base


def ask_on_page(driver: Any, base_url: str, query: str, text: str) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 90)
    driver.get(f"{base_url}/shop-page{query}")
    driver.execute_script("window.localStorage.clear()")  # a new conversation per shopper
    driver.get(f"{base_url}/shop-page{query}")
    bubble = wait.until(lambda d: d.find_element(By.ID, "sm-w-bubble"))
    panel = driver.find_element(By.ID, "sm-w-panel")
    if "sm-w-open" not in (panel.get_attribute("class") or ""):
        bubble.click()
    wait.until(lambda _: "sm-w-open" in (panel.get_attribute("class") or ""))
    box = wait.until(lambda d: d.find_element(By.ID, "sm-w-input"))
    wait.until(lambda _: box.is_displayed() and box.is_enabled())
    box.send_keys(text)
    driver.find_element(By.ID, "sm-w-send").click()

    def answered(d: Any) -> str | None:
        bots = d.find_elements(By.CSS_SELECTOR, "#sm-w-log .sm-w-bot:not(.sm-w-greeting)")
        last = bots[-1].text if bots else ""
        return last if ("order" in last.lower() and "…" not in last) else None

    return str(wait.until(answered))


def test_only_a_valid_hash_shows_the_shoppers_orders(base_url: str, driver: Any) -> None:
    question = "where is my order o10167?"
    anonymous = ask_on_page(driver, base_url, "?user=u0003", question)
    assert "sign in" in anonymous and "delivered" not in anonymous, anonymous
    wrong = ask_on_page(driver, base_url, f"?user=u0003&sig={'0' * 64}", question)
    assert "sign in" in wrong and "delivered" not in wrong, wrong
    forged = ask_on_page(  # the hash of another shopper's id
        driver, base_url, f"?user=u0003&sig={user_hash(SECRET, 'u0004')}", question
    )
    assert "delivered" not in forged, forged
    verified = ask_on_page(
        driver, base_url, f"?user=u0003&sig={user_hash(SECRET, 'u0003')}", question
    )
    assert "o10167" in verified and "was delivered" in verified, verified


def test_a_verified_shopper_gets_their_conversation_back_after_a_reload(
    base_url: str, driver: Any
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = f"?user=u0003&sig={user_hash(SECRET, 'u0003')}"
    said = ask_on_page(driver, base_url, page, "where is my order o10167?")
    assert "was delivered" in said
    driver.get(f"{base_url}/shop-page{page}")  # same browser: same session, read back signed
    log = WebDriverWait(driver, 60).until(lambda d: d.find_element(By.ID, "sm-w-log"))
    WebDriverWait(driver, 60).until(lambda _: "was delivered" in log.get_attribute("textContent"))


def test_a_message_at_the_length_limit_is_explained(base_url: str, driver: Any) -> None:
    """A pasted text is cut at 4000 characters by the input: the widget says so."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 60)
    driver.get(f"{base_url}/shop-page")
    wait.until(lambda d: d.find_element(By.ID, "sm-w-bubble")).click()
    box = wait.until(lambda d: d.find_element(By.ID, "sm-w-input"))
    wait.until(lambda _: box.is_displayed())
    driver.execute_script(  # what pasting 5000 characters leaves: the input keeps 4000
        "arguments[0].value = 'a'.repeat(3999);", box
    )
    box.send_keys("bb")  # typed past the limit: the second key is refused by maxlength
    assert len(box.get_attribute("value")) == 4000
    note = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".sm-w-too-long"))
    assert "4000 characters" in note.text and "shorten" in note.text
    box.send_keys(Keys.BACKSPACE)
    wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".sm-w-too-long"))
