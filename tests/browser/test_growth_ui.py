"""The admin growth tabs in a real headless Chromium: charts render from the demo shop.

The demo shop (90 days of shopper events) gives the retention charts; a small experiment
with exposures and visits gives the experiment report. Saves a screenshot per tab under
the test's tmp dir (docs/admin-*.png come from scripts/screenshot_growth.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from tests.browser.harness import require_browser, screenshot, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def admin_url(services) -> Iterator[str]:  # type: ignore[no-untyped-def]
    require_browser()
    import gradio as gr

    from growth.experiments import Experiment, ExperimentStore
    from shopmate.admin_data import ShopAdminData
    from ui.admin_app import build_admin_ui

    store = ExperimentStore(services.repo)
    store.save(Experiment("aa-ui-check", ("off", "on")))
    start = datetime.now(UTC) - timedelta(days=10)
    for i in range(40):
        uid = f"ui{i:03d}"
        store.assign("aa-ui-check", uid, returning=True, ts=start)
        store.tracker.track("visit", user_id=uid, ts=start)
        if i % 3 == 0:
            store.tracker.track("visit", user_id=uid, ts=start + timedelta(days=2))
    app = gr.mount_gradio_app(
        FastAPI(), build_admin_ui(lambda: ShopAdminData(services)), path="/admin"
    )
    with serve(app) as base:
        yield f"{base}/admin/"


def _open_tab(driver: Any, label: str) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def button(_: Any) -> Any:
        for b in driver.find_elements(By.CSS_SELECTOR, "button[role='tab']"):
            if b.text.strip() == label:
                return b
        return False

    stale = (StaleElementReferenceException,)
    WebDriverWait(driver, 30, ignored_exceptions=stale).until(button).click()


def _rendered(driver: Any, elem_id: str) -> bool:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        found = driver.find_elements(By.CSS_SELECTOR, f"#{elem_id} canvas, #{elem_id} svg")
        return any(e.size["width"] > 100 and e.size["height"] > 50 for e in found)
    except StaleElementReferenceException:  # the plot re-rendered while we looked: look again
        return False


def test_retention_and_experiment_charts_render(
    admin_url: str, driver: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(admin_url)
    from selenium.common.exceptions import StaleElementReferenceException

    # Gradio re-renders components while they update: look elements up afresh on each try
    wait = WebDriverWait(driver, 60, ignored_exceptions=(StaleElementReferenceException,))
    _open_tab(driver, "Retention")
    wait.until(
        lambda d: "Repeat-purchase rate" in d.find_element(By.ID, "sm-retention-summary").text
    )
    wait.until(lambda _: _rendered(driver, "sm-retention-curves"))
    wait.until(lambda _: _rendered(driver, "sm-retention-active"))
    panel = driver.find_element(By.ID, "sm-growth-retention")
    driver.execute_script("arguments[0].scrollIntoView();", panel)
    screenshot(panel, tmp_path / "retention.png")
    assert (tmp_path / "retention.png").stat().st_size > 20_000

    _open_tab(driver, "Experiments")
    wait.until(lambda d: "aa-ui-check" in d.find_element(By.ID, "sm-exp-summary").text)
    assert "7-day return rate" in driver.find_element(By.ID, "sm-exp-summary").text
    wait.until(lambda _: _rendered(driver, "sm-exp-returns"))
    panel = driver.find_element(By.ID, "sm-growth-experiments")
    driver.execute_script("arguments[0].scrollIntoView();", panel)
    screenshot(panel, tmp_path / "experiments.png")
    assert (tmp_path / "experiments.png").stat().st_size > 20_000

    _open_tab(driver, "Demand & sentiment")  # the demo history has views of sold-out products
    wait.until(lambda _: _rendered(driver, "sm-demand-weekly"))
