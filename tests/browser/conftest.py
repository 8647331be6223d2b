"""Browser-test tier: registers the ``browser`` marker (headless Chromium via Selenium)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives a real headless Chromium (skips when it is not installed)"
    )
