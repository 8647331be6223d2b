"""Screenshots of the admin growth tabs (experiments, retention) of a running shopmate.

Needs Debian's ``chromium`` and ``chromium-driver`` and ``selenium``. The experiments tab is
shown for the last ``shopmate simulate`` run, the retention tab for the shop itself::

    shopmate simulate --days 30 && shopmate serve &
    python scripts/screenshot_growth.py --url http://127.0.0.1:8000/admin/ --out docs
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--window-size=1400,1600",
]


def open_tab(driver: Any, label: str) -> None:
    def button(_: Any) -> Any:
        for b in driver.find_elements(By.CSS_SELECTOR, "button[role='tab']"):
            if b.text.strip() == label:
                return b
        return False

    WebDriverWait(driver, 60).until(button).click()


def rendered(driver: Any, elem_id: str) -> bool:
    found = driver.find_elements(By.CSS_SELECTOR, f"#{elem_id} canvas, #{elem_id} svg")
    return any(e.size["width"] > 100 and e.size["height"] > 50 for e in found)


def shoot(driver: Any, panel_id: str, out: Path) -> None:
    panel = driver.find_element(By.ID, panel_id)
    driver.execute_script("arguments[0].scrollIntoView();", panel)
    time.sleep(1.0)  # let the charts finish their transition
    panel.screenshot(str(out))
    print(f"wrote {out}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="http://127.0.0.1:8000/admin/")
    ap.add_argument("--out", type=Path, default=Path("docs"))
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = ap.parse_args(argv)
    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for f in FLAGS:
        options.add_argument(f)
    with tempfile.TemporaryDirectory() as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(service=Service(args.chromedriver), options=options)
        try:
            driver.get(args.url)
            wait = WebDriverWait(driver, 120)
            # the page fills every tab once on load: the retention tab first, then switch
            # the experiments tab to the simulation (after the load, which would reset it)
            open_tab(driver, "Retention")
            wait.until(lambda _: driver.find_elements(By.ID, "sm-retention-summary"))
            r_summary = driver.find_element(By.ID, "sm-retention-summary")
            wait.until(lambda _: "Repeat-purchase rate" in r_summary.text)
            wait.until(lambda _: rendered(driver, "sm-retention-curves"))
            shoot(driver, "sm-growth-retention", args.out / "admin-retention.png")
            open_tab(driver, "Experiments")
            panel = driver.find_element(By.ID, "sm-growth-experiments")
            panel.find_element(
                By.CSS_SELECTOR, "input[type='radio'][value='last simulation']"
            ).click()
            summary = driver.find_element(By.ID, "sm-exp-summary")
            wait.until(lambda _: "shoppers" in summary.text)
            wait.until(lambda _: rendered(driver, "sm-exp-returns"))
            shoot(driver, "sm-growth-experiments", args.out / "admin-experiments.png")
        finally:
            driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
