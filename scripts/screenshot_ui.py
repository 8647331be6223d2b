"""Take a screenshot of a running shopmate chat UI with headless Chromium.

Opens the chat, asks one or more questions, waits for each reply, and saves a PNG.
Needs Debian's ``chromium`` and ``chromium-driver`` packages and ``selenium``.

Usage::

    shopmate serve &                      # the server with the UI mounted at /ui
    python scripts/screenshot_ui.py       # -> docs/chat-ui.png
    python scripts/screenshot_ui.py --url http://127.0.0.1:8000/ui/ \\
        -q "How long does shipping take?" -o docs/shipping.png
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

logger = logging.getLogger("screenshot_ui")

DEFAULT_QUESTIONS = ["What is your return policy?", "I need something for hiking in the rain"]
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
# one chat bubble per message; gradio 6 marks each rendered message with these classes
BOT_MESSAGE = "#sm-chat .message-row.bot-row, #sm-chat .message.bot"
USER_MESSAGE = "#sm-chat .message-row.user-row, #sm-chat .message.user"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Open a running shopmate chat UI in headless Chromium, ask questions, wait for "
            "each reply and save a PNG screenshot."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000/ui/", help="chat UI address")
    parser.add_argument(
        "-q",
        "--question",
        dest="questions",
        action="append",
        metavar="TEXT",
        help=(
            "question to ask; repeat for several, asked in order (default: "
            f"{' then '.join(repr(q) for q in DEFAULT_QUESTIONS)})"
        ),
        default=argparse.SUPPRESS,
    )
    parser.add_argument(
        "-o", "--output", type=Path, default=Path("docs/chat-ui.png"), help="PNG file to write"
    )
    parser.add_argument("--width", type=int, default=1280, help="window width in pixels")
    parser.add_argument("--height", type=int, default=1400, help="window height in pixels")
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds to wait for the page and each reply"
    )
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium binary")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver", help="chromedriver")
    args = parser.parse_args(argv)
    if not getattr(args, "questions", None):
        args.questions = list(DEFAULT_QUESTIONS)
    if args.width <= 0 or args.height <= 0:
        parser.error(f"window size must be positive, got {args.width}x{args.height}")
    if args.output.suffix.lower() != ".png":
        parser.error(f"--output must end in .png, got {args.output}")
    return args


def open_browser(args: argparse.Namespace, profile_dir: str) -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={args.width},{args.height}")
    options.add_argument(f"--user-data-dir={profile_dir}")
    driver = webdriver.Chrome(service=Service(executable_path=args.chromedriver), options=options)
    # --window-size sizes the window; this makes the page (and so the PNG) exactly that size
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": args.width, "height": args.height, "deviceScaleFactor": 1, "mobile": False},
    )
    return driver


def ask(driver: WebDriver, question: str, timeout: float) -> None:
    """Type ``question``, press send, and wait until a new bot message has arrived."""
    wait = WebDriverWait(driver, timeout)
    box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#sm-input textarea")))
    bots_before = len(driver.find_elements(By.CSS_SELECTOR, BOT_MESSAGE))
    users_before = len(driver.find_elements(By.CSS_SELECTOR, USER_MESSAGE))
    box.send_keys(question)
    driver.find_element(By.ID, "sm-send").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, USER_MESSAGE)) > users_before)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, BOT_MESSAGE)) > bots_before)
    # the UI locks the textbox during a turn and unlocks it when the turn has finished
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#sm-input textarea").is_enabled())
    wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#sm-chat .pending"))


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = parse_args(argv)
    for binary in (args.chromium, args.chromedriver):
        if not Path(binary).exists():
            logger.error("%s not found (apt-get install chromium chromium-driver)", binary)
            return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="shopmate-chromium-") as profile_dir:
        driver = open_browser(args, profile_dir)
        try:
            driver.get(args.url)
            for question in args.questions:
                logger.info("asking: %s", question)
                ask(driver, question, args.timeout)
            tmp = args.output.with_suffix(".part.png")
            if not driver.save_screenshot(str(tmp)):
                logger.error("Chromium could not take the screenshot")
                return 1
            tmp.replace(args.output)  # no half-written PNG on failure
        except TimeoutException:
            logger.error(
                "timed out after %.0fs waiting for %s (is the server running and answering?)",
                args.timeout,
                args.url,
            )
            return 1
        except WebDriverException as exc:
            logger.error(
                "browser error at %s: %s (is the server running?)", args.url, exc.msg or exc
            )
            return 1
        finally:
            driver.quit()
    logger.info("saved %s", args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
