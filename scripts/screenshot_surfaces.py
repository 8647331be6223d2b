"""Screenshots of every shopper and staff surface of a running shopmate, for the README.

Drives headless Chromium (Debian's ``chromium`` and ``chromium-driver``; ``make
browser-deps``) against a server started with ``make run`` (or ``shopmate serve``):

    python scripts/screenshot_surfaces.py --base http://127.0.0.1:8000 --out docs

writes widget-desktop.png (the widget on the demo listing page, 1280 px), widget-mobile.png
(the demo product page at 390 px), chat-ui.png (/ui), agent-desk.png (/agent with a
conversation handed off through the API) and admin.png (/admin's charts).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
]


def browser(profile: Path, width: int, height: int) -> Any:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    options.add_argument(f"--user-data-dir={profile}")
    return webdriver.Chrome(
        service=Service(executable_path="/usr/bin/chromedriver"), options=options
    )


def trim_bottom(path: Path, margin: int = 24) -> None:
    """Cut the empty page below the last thing drawn (Gradio's footer excepted)."""
    from PIL import Image, ImageChops

    image = Image.open(path).convert("RGB")
    body = image.crop((0, 0, image.width, image.height - 90))  # leave out the footer links
    box = ImageChops.difference(body, Image.new("RGB", body.size, body.getpixel((1, 1)))).getbbox()
    if box:
        image.crop((0, 0, image.width, min(image.height, box[3] + margin))).save(path)


def ask_widget(d: Any, wait: Any, text: str, until: str) -> None:
    d.find_element(By.ID, "sm-w-input").send_keys(text)
    d.find_element(By.ID, "sm-w-send").click()
    wait.until(lambda _: d.find_elements(By.CSS_SELECTOR, until))
    time.sleep(1.0)  # the last tokens and the sponsored card


def widget_desktop(base: str, out: Path, tmp: Path) -> None:
    d = browser(tmp / "a", 1280, 860)
    try:
        wait = WebDriverWait(d, 90)
        d.get(f"{base}/widget/demo.html")
        wait.until(lambda _: d.find_element(By.ID, "sm-w-bubble")).click()
        wait.until(lambda _: d.find_elements(By.CSS_SELECTOR, ".sm-w-chip"))
        ask_widget(d, wait, "I need something for hiking in the rain", ".sm-w-card .sm-w-add")
        d.save_screenshot(str(out / "widget-desktop.png"))
    finally:
        d.quit()


def widget_mobile(base: str, out: Path, tmp: Path) -> None:
    d = browser(tmp / "b", 390, 844)
    try:
        d.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True},
        )
        wait = WebDriverWait(d, 90)
        d.get(f"{base}/widget/demo-product.html")
        wait.until(lambda _: d.find_element(By.ID, "sm-w-bubble")).click()
        chips = wait.until(lambda _: d.find_elements(By.CSS_SELECTOR, ".sm-w-chip"))
        chips[0].click()
        wait.until(lambda _: d.find_elements(By.CSS_SELECTOR, ".sm-w-thumbs"))
        time.sleep(1.0)
        d.save_screenshot(str(out / "widget-mobile.png"))
    finally:
        d.quit()


def chat_ui(base: str, out: Path, tmp: Path) -> None:
    d = browser(tmp / "c", 1280, 1500)
    try:
        wait = WebDriverWait(d, 90)
        d.get(f"{base}/ui/")
        box = wait.until(lambda _: d.find_element(By.CSS_SELECTOR, "#sm-input textarea"))
        for q in ("What is your return policy?", "I need something for hiking in the rain"):
            wait.until(lambda _: box.is_enabled())
            box.send_keys(q)
            d.find_element(By.ID, "sm-send").click()
            time.sleep(0.5)
            wait.until(lambda _: box.is_enabled())
        wait.until(lambda _: d.find_elements(By.CSS_SELECTOR, "#sm-chat .sm-card"))
        time.sleep(1.0)
        d.save_screenshot(str(out / "chat-ui.png"))
        trim_bottom(out / "chat-ui.png")
    finally:
        d.quit()


def agent_desk(base: str, out: Path, tmp: Path) -> None:
    sid = "shot" + uuid.uuid4().hex[:10]
    for message in (
        "Can I return a jacket I wore once?",
        "My parcel is damaged, I want to talk to a person",
    ):
        httpx.post(
            f"{base}/v1/chat", json={"session_id": sid, "message": message}, timeout=60
        ).raise_for_status()
    d = browser(tmp / "d", 1400, 980)
    try:
        wait = WebDriverWait(d, 90)
        d.get(f"{base}/agent/")

        def entry(_: Any) -> Any:  # the queue redraws itself: a stale label is read again
            try:
                for label in d.find_elements(By.CSS_SELECTOR, "#sm-queue label"):
                    if "parcel is damaged" in label.text:
                        label.click()
                        return True
            except StaleElementReferenceException:
                pass
            return False

        wait.until(entry)
        draft = d.find_element(By.CSS_SELECTOR, "#sm-draft textarea")
        wait.until(lambda _: (draft.get_attribute("value") or "").strip())
        time.sleep(1.0)
        d.save_screenshot(str(out / "agent-desk.png"))
    finally:
        d.quit()


def admin(base: str, out: Path, tmp: Path) -> None:
    d = browser(tmp / "e", 1280, 900)
    try:
        wait = WebDriverWait(d, 90)
        d.get(f"{base}/admin/")
        wait.until(lambda _: len(d.find_elements(By.CSS_SELECTOR, "canvas, svg.marks")) >= 4)
        time.sleep(2.0)
        charts = d.find_element(By.ID, "sm-chart-volume")
        d.execute_script("arguments[0].scrollIntoView()", charts)
        d.execute_script("window.scrollBy(0, -60)")
        time.sleep(0.5)
        d.save_screenshot(str(out / "admin.png"))
    finally:
        d.quit()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="http://127.0.0.1:8000", help="the running server")
    ap.add_argument("--out", type=Path, default=Path("docs"))
    ap.add_argument(
        "--only", action="append", help="widget-desktop, widget-mobile, chat-ui, agent-desk, admin"
    )
    args = ap.parse_args(argv)
    shots = {
        "widget-desktop": widget_desktop,
        "widget-mobile": widget_mobile,
        "chat-ui": chat_ui,
        "agent-desk": agent_desk,
        "admin": admin,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only or list(shots):
            shots[name](args.base.rstrip("/"), args.out, Path(tmp))
            print(f"wrote {args.out / (name + '.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
