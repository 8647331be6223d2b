"""Agent assist in a real headless Chromium: a shopper asks for a person, the agent opens the
conversation from the queue, sees the transcript, the drafted reply and the customer, edits
the draft and sends it; the shopper's session receives it and the edit is kept as a
training pair. The real engine and demo shop serve it (loopback, so /agent is open)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from shopmate.settings import Settings
from tests.browser.harness import require_browser, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(services) -> Iterator[str]:  # type: ignore[no-untyped-def]
    require_browser()
    settings = Settings(data_dir=services.settings.data_dir, rate_limit_per_minute=1_000_000)
    with serve(create_app(settings, services)) as base:
        yield base


def test_agent_takes_over_edits_the_draft_and_the_shopper_gets_it(
    base_url: str, driver: Any, services
) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    sid = "agent" + uuid.uuid4().hex[:12]
    for message in ("Can I return a jacket I wore once?", "I want to talk to a person"):
        r = httpx.post(
            f"{base_url}/v1/chat",
            json={"session_id": sid, "user_id": "u0001", "message": message},
            timeout=60,
        )
        assert r.status_code == 200
    assert r.json()["handoff_state"] == "requested"

    driver.get(f"{base_url}/agent/")
    wait = WebDriverWait(driver, 60)
    wait.until(lambda d: d.find_element(By.ID, "sm-refresh")).click()
    box = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#sm-queue input"))

    def option(_: Any) -> Any:
        box.click()
        for li in driver.find_elements(By.CSS_SELECTOR, "ul.options li, [role='option']"):
            if sid[:10] in li.text:
                return li
        return False

    wait.until(option).click()
    transcript = driver.find_element(By.CSS_SELECTOR, "#sm-transcript textarea")
    wait.until(lambda _: "I want to talk to a person" in (transcript.get_attribute("value") or ""))
    profile = driver.find_element(By.CSS_SELECTOR, "#sm-profile textarea")
    assert "u0001" in (profile.get_attribute("value") or "")
    draft = driver.find_element(By.CSS_SELECTOR, "#sm-draft textarea")
    wait.until(lambda _: (draft.get_attribute("value") or "").strip())  # the bot drafted a reply
    edited = "Hi, this is Sam from the shop: worn once is fine, send it back within 30 days."
    draft.send_keys(Keys.CONTROL, "a")
    draft.send_keys(Keys.DELETE)
    draft.send_keys(edited)
    driver.find_element(By.ID, "sm-send-reply").click()
    wait.until(lambda _: edited in (transcript.get_attribute("value") or ""))

    msgs = httpx.get(f"{base_url}/v1/chat/{sid}/messages", timeout=30).json()
    assert [m["text"] for m in msgs["messages"]] == [edited]
    assert msgs["handoff_state"] == "human"
    assert any(answer == edited for _, answer, _ in services.repo.training_pairs())
