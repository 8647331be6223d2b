"""Two shops on one server, in a real headless Chromium: each shop's chat page answers from
its own knowledge base; shop a's agent desk refuses shop b's admin key and, opened with
shop a's key, lists shop a's handed-off conversation and not shop b's."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from shopmate.tenants import build_registry
from shopmate.wiring import Services
from tests.browser.harness import require_browser, serve
from tests.two_shops import DAYS, SK, load_returns, two_shop_settings, widget

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_browser()
    settings = two_shop_settings(tmp_path_factory.mktemp("shops"))
    registry = build_registry(settings, services=services, warm=False)  # the models are shared
    with serve(create_app(settings, registry=registry)) as base:
        with httpx.Client(base_url=base, timeout=60) as api:
            load_returns(api)
        yield base


def ask(driver: Any, url: str, question: str, until: str) -> str:
    """Ask on a chat page; the chat's text once `until` and a source are in it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 60)
    driver.get(url)
    chat = wait.until(lambda d: d.find_element(By.ID, "sm-chat"))
    box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#sm-input textarea")))
    box.send_keys(question)
    driver.find_element(By.ID, "sm-send").click()
    wait.until(lambda _: "Sources" in chat.text and until in chat.text)
    assert "kb/returns.md" not in chat.text  # the source's title, not its file name
    return str(chat.text)


def test_each_shops_chat_answers_from_its_own_knowledge(base_url: str, driver: Any) -> None:
    for shop, other in (("a", "b"), ("b", "a")):
        text = ask(driver, f"{base_url}/t/{shop}/ui/", "What is your return policy?", DAYS[shop])
        assert DAYS[other] not in text, text


def sign_in(driver: Any, url: str, user: str, password: str) -> None:
    """Fill Gradio's login form in front of a staff page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    wait = WebDriverWait(driver, 60)
    secret = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "input[type='password']"))
    name = next(
        el
        for el in driver.find_elements(By.CSS_SELECTOR, "input, textarea")
        if el.get_attribute("type") != "password" and el.is_displayed()
    )
    name.send_keys(user)
    secret.send_keys(password)
    driver.find_element(By.XPATH, "//button[contains(., 'Login')]").click()


def test_shop_a_agent_desk_shows_its_handoff_not_shop_bs(base_url: str, driver: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    sid = {}
    for shop, first in (("a", "My Alpha tent arrived torn"), ("b", "My Bravo stove is broken")):
        sid[shop] = "desk" + uuid.uuid4().hex[:12]
        for message in (first, "I want to talk to a person"):
            r = httpx.post(
                f"{base_url}/v1/chat",
                json={"session_id": sid[shop], "message": message},
                headers=widget(shop),
                timeout=60,
            )
            assert r.status_code == 200, r.text
        assert r.json()["handoff_state"] == "requested"

    wait = WebDriverWait(driver, 60)
    desk = f"{base_url}/t/a/agent/"
    sign_in(driver, desk, "agent", SK["b"])  # shop b's admin key on shop a's desk
    wait.until(lambda d: "Incorrect Credentials" in d.find_element(By.TAG_NAME, "body").text)
    assert not driver.find_elements(By.ID, "sm-queue")

    sign_in(driver, desk, "agent", SK["a"])
    wait.until(lambda d: d.find_element(By.ID, "sm-refresh")).click()
    box = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#sm-queue input"))

    def options(_: Any) -> list[Any]:
        box.click()
        found = driver.find_elements(By.CSS_SELECTOR, "ul.options li, [role='option']")
        return found if any(sid["a"][:10] in li.text for li in found) else []

    listed = wait.until(options)
    texts = [li.text for li in listed]
    assert not any(sid["b"][:10] in t for t in texts), texts
    next(li for li in listed if sid["a"][:10] in li.text).click()
    transcript = driver.find_element(By.CSS_SELECTOR, "#sm-transcript textarea")
    wait.until(lambda _: "My Alpha tent arrived torn" in (transcript.get_attribute("value") or ""))
    assert "Bravo" not in (transcript.get_attribute("value") or "")
