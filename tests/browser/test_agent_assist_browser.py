"""Agent assist in a real headless Chromium: a shopper asks for a person, the agent opens the
conversation from the queue, sees the transcript, the drafted reply and the customer, edits
the draft and sends it; the shopper's session receives it and the edit is kept as a
training pair. The real engine and demo shop serve it (loopback, so /agent is open)."""

from __future__ import annotations

import random
import re
import string
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


def test_live_queue_draft_insert_and_reply(base_url: str, driver: Any, services) -> None:  # type: ignore[no-untyped-def]
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base_url}/agent/")
    # the queue redraws itself every few seconds: an element read mid-redraw is read again
    wait = WebDriverWait(driver, 60, ignored_exceptions=(StaleElementReferenceException,))
    wait.until(lambda d: d.find_element(By.ID, "sm-queue"))
    # a shopper asks, then asks for a person, while the desk is already open
    sid = "agent" + uuid.uuid4().hex[:12]
    # this shopper's own words: other tests of the session leave chats in the queue too
    tag = "".join(random.Random(sid).choices(string.ascii_lowercase, k=6))
    asks_person = f"I want to talk to a person ({tag})"
    for message in ("Can I return a jacket I wore once?", asks_person):
        r = httpx.post(
            f"{base_url}/v1/chat",
            json={"session_id": sid, "user_id": "u0001", "message": message},
            timeout=60,
        )
        assert r.status_code == 200
    assert r.json()["handoff_state"] == "requested"

    def entry(_: Any) -> Any:  # appears without a click: the queue refreshes itself
        for label in driver.find_elements(By.CSS_SELECTOR, "#sm-queue label"):
            if asks_person in label.text:
                return label
        return False

    label = wait.until(entry)
    assert "waiting" in label.text and "asked for a person" in label.text
    # a fresh wait, in minutes (a loaded CI machine may take a few to get here), not hours
    waited = label.text.split(" · ")[0]
    assert waited == "just now" or re.fullmatch(r"[1-9] min", waited), waited
    label.click()

    def opened(d: Any) -> bool:  # a click that lands as the queue redraws is lost: click again
        if "Can I return a jacket I wore once?" in d.find_element(By.ID, "sm-transcript").text:
            return True
        if again := entry(d):
            again.click()
        return False

    wait.until(opened)
    state = driver.find_element(By.ID, "sm-desk-state")
    assert "Waiting for a person" in state.text
    profile = driver.find_element(By.CSS_SELECTOR, "#sm-profile textarea")
    assert (profile.get_attribute("value") or "").strip()  # the shopper, or "anonymous shopper"
    draft = driver.find_element(By.CSS_SELECTOR, "#sm-draft textarea")
    wait.until(lambda _: (draft.get_attribute("value") or "").strip())
    text = draft.get_attribute("value") or ""
    # the draft answers the return question, in the agent's voice, with sources
    assert text.startswith("Hi, thanks for waiting.") and "shopping assistant" not in text
    assert "return" in text.lower(), text
    sources = driver.find_element(By.CSS_SELECTOR, "#sm-sources textarea")
    assert "no source found" not in (sources.get_attribute("value") or "")
    # one click inserts a suggested product into the reply
    item = wait.until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#sm-products button, #sm-products tr.tr-body")
    )[0]
    title = item.text.split(" — ")[0].strip()
    item.click()
    wait.until(lambda _: title in (draft.get_attribute("value") or ""))

    edited = "Hi, this is Sam from the shop: worn once is fine, send it back within 30 days."
    draft.send_keys(Keys.CONTROL, "a")
    draft.send_keys(Keys.DELETE)
    draft.send_keys(edited)
    driver.find_element(By.ID, "sm-send-reply").click()
    wait.until(
        lambda d: "You are talking to the customer" in d.find_element(By.ID, "sm-desk-state").text
    )
    wait.until(lambda d: edited in d.find_element(By.ID, "sm-transcript").text)
    msgs = httpx.get(f"{base_url}/v1/chat/{sid}/messages", timeout=30).json()
    assert [m["text"] for m in msgs["messages"]] == [edited]  # the shopper has it at once
    assert msgs["handoff_state"] == "human"
    assert any(answer == edited for _, answer, _ in services.repo.training_pairs())
    # the shopper writes again: the open transcript updates on its own
    httpx.post(
        f"{base_url}/v1/chat",
        json={"session_id": sid, "user_id": "u0001", "message": "Great, thank you Sam!"},
        timeout=60,
    )
    wait.until(lambda d: "Great, thank you Sam!" in d.find_element(By.ID, "sm-transcript").text)
    driver.find_element(By.ID, "sm-resolve").click()

    def gone(_: Any) -> bool:
        try:
            return not entry(None)
        except StaleElementReferenceException:
            return False

    wait.until(gone)
