"""The handoff loop in /ui, in headless Chromium over the real engine and demo shop: thumbs on
a reply are stored against that reply; a complaint that asks for a person is handed off; the
person's replies appear in the open chat marked as theirs, with no empty bubble while the bot
is silent; handed back, the bot says so and answers again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from api.app import create_app
from shop.models import Feedback, Message
from shopmate.settings import Settings
from tests.browser.harness import require_browser, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ui_url(services: Any) -> Iterator[str]:
    require_browser()
    settings = Settings(data_dir=services.settings.data_dir, rate_limit_per_minute=1_000_000)
    with serve(create_app(settings, services)) as base:
        yield f"{base}/ui/"


def session_of(services: Any, text: str) -> str:
    """The /ui session (kept in the browser's Gradio state) whose shopper wrote `text`."""
    with services.repo.session() as s:
        found = s.scalars(
            select(Message.session_id).where(Message.text == text).order_by(Message.id.desc())
        ).first()
    assert found, text
    return str(found)


def test_handoff_loop_in_the_chat_ui(ui_url: str, driver: Any, services: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(ui_url)
    wait = WebDriverWait(driver, 60)
    chat = wait.until(lambda d: d.find_element(By.ID, "sm-chat"))
    # the example questions are on screen before anything is typed
    wait.until(lambda _: "What is your return policy?" in chat.text)

    def ask(text: str) -> None:
        box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#sm-input textarea")))
        box.send_keys(text)
        driver.find_element(By.ID, "sm-send").click()

    def bot_bubbles() -> list[Any]:
        return chat.find_elements(By.CSS_SELECTOR, "[data-testid='bot']")

    ask("How long does shipping take?")
    wait.until(lambda _: len(bot_bubbles()) >= 1 and "Sources" in chat.text)
    sid = session_of(services, "How long does shipping take?")
    reply_id = services.repo.last_message_id(sid)
    # thumbs up on that reply: stored against its id
    like = wait.until(
        lambda _: chat.find_elements(By.CSS_SELECTOR, "button[aria-label='Like'], .like button")
    )
    like[0].click()

    def thumbs_stored(_: Any) -> bool:
        with services.repo.session() as s:
            rows = s.scalars(select(Feedback).where(Feedback.session_id == sid)).all()
        return any(r.thumbs == "up" and r.message_id == reply_id for r in rows)

    wait.until(thumbs_stored)

    ask("My parcel is damaged, I want to talk to a person")
    wait.until(lambda _: "support team" in chat.text)
    assert services.engine.state(sid).handoff == "requested"
    services.engine.take(sid)
    ask("hello? is anyone there?")
    wait.until(
        lambda _: services.engine.state(sid).handoff == "human" and "anyone there" in chat.text
    )
    before = len(bot_bubbles())
    services.engine.agent_reply(
        sid, "Hi, Sam here. I'm sorry about the parcel: a new one is on its way."
    )
    wait.until(lambda _: "Sam here" in chat.text)  # no click, no reload: the timer brought it
    assert "A person from Northwind Outfitters" in chat.text
    assert len(bot_bubbles()) == before + 1  # the silent turn added no empty bubble
    assert all(b.text.strip() for b in bot_bubbles())

    services.engine.release(sid)
    wait.until(lambda _: "handed this chat back" in chat.text)
    ask("What is your return policy?")
    wait.until(lambda _: "30 days" in chat.text)
