"""Two shops on one server, in a real headless Chromium: each shop's chat page answers from
its own knowledge base; shop a's agent desk refuses shop b's admin key and, opened with
shop a's key, lists shop a's handed-off conversation and not shop b's."""

from __future__ import annotations

import contextlib
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
    labels = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#sm-queue label"))
    transcript = driver.find_element(By.ID, "sm-transcript")
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException

    seen: list[str] = []
    for i in range(len(labels)):  # every conversation in shop a's queue is shop a's
        before = transcript.text

        def click(_: Any, i: int = i) -> bool:  # the queue redraws itself every few seconds
            try:
                driver.find_elements(By.CSS_SELECTOR, "#sm-queue label")[i].click()
            except StaleElementReferenceException:
                return False
            return True

        wait.until(click)
        # the transcript changes to the clicked conversation's (unless they read alike)
        with contextlib.suppress(TimeoutException):
            WebDriverWait(driver, 10).until(lambda _: transcript.text != before)  # noqa: B023
        wait.until(lambda _: "I want to talk to a person" in transcript.text)
        seen.append(transcript.text)
    assert any("My Alpha tent arrived torn" in t for t in seen)
    assert not any("Bravo" in t for t in seen)
