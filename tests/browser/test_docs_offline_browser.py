"""/docs renders in headless Chromium with every host but this server unreachable (no CDN)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from shopmate.settings import Settings
from tests.browser.harness import (
    CHROMEDRIVER,
    CHROMIUM,
    CHROMIUM_FLAGS,
    require_browser,
    serve,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def offline_driver(tmp_path: Path) -> Iterator[Any]:
    """Chromium whose DNS resolves nothing but the loopback server: the network is cut."""
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield browser
    finally:
        browser.quit()


def test_docs_render_with_the_network_cut(services: Any, offline_driver: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    settings = Settings(data_dir=services.settings.data_dir)
    with serve(create_app(settings, services, mount_ui=False)) as base:
        d = offline_driver
        from selenium.common.exceptions import WebDriverException

        with pytest.raises(WebDriverException, match="ERR_NAME_NOT_RESOLVED"):
            d.get("https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css")  # cut
        d.get(f"{base}/docs")
        wait = WebDriverWait(d, 60)
        wait.until(lambda _: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) > 10)
        assert "/v1/chat" in d.find_element(By.CSS_SELECTOR, ".swagger-ui").text
