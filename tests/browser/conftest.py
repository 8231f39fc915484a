"""Register the ``browser`` mark: ``pytest -m "not browser"`` leaves the browser test out."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Declare the mark so that pytest knows it."""
    config.addinivalue_line(
        "markers", "browser: drives the demo in headless Chromium (/usr/bin/chromium)"
    )
