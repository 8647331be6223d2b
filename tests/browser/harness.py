"""Shared pieces of the browser tests: Chromium flags, skipping cleanly, serving an app."""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

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


def require_browser() -> None:
    if importlib.util.find_spec("selenium") is None:
        pytest.skip("selenium is not installed (pip install selenium)")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    if not CHROMEDRIVER.exists():
        pytest.skip(f"{CHROMEDRIVER} not found (apt-get install chromium-driver)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run the app with uvicorn in a thread on a free loopback port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="browser-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def screenshot(element: object, path: Path, tries: int = 3) -> None:
    """Screenshot an element, retrying when a busy renderer misses chromedriver's 10 s reply.

    On two loaded cores the capture of a large panel of charts can outlast the renderer's
    reply window; the page itself is fine, so a second capture is the honest retry. When
    every element capture times out, the viewport is captured (the element was scrolled
    into view) and cropped to the element's box: the same pixels by another route.
    """
    from selenium.common.exceptions import TimeoutException

    for _ in range(tries):
        try:
            element.screenshot(str(path))  # type: ignore[attr-defined]
            return
        except TimeoutException:
            time.sleep(2)
    from io import BytesIO

    from PIL import Image

    driver: Any = element.parent  # type: ignore[attr-defined]
    at = element.location_once_scrolled_into_view  # type: ignore[attr-defined]
    size = element.size  # type: ignore[attr-defined]
    image = Image.open(BytesIO(driver.get_screenshot_as_png()))
    scale = image.width / driver.execute_script("return window.innerWidth")
    box = (
        max(0, int(at["x"] * scale)),
        max(0, int(at["y"] * scale)),
        min(image.width, int((at["x"] + size["width"]) * scale)),
        min(image.height, int((at["y"] + size["height"]) * scale)),
    )
    image.crop(box).save(path)
