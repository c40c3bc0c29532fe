"""The browser the page tests drive: Debian's Chromium, headless, through Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

from tests.support.processes import ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", ROOT / "artifacts" / "browser"))


@pytest.fixture
def browser(monkeypatch) -> Iterator:
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM), "Debian's chromium is needed: apt-get install chromium"
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the test makes
    # between browser steps are synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()
        # Inside Playwright's context the ORM ran on its own connection (the context is per
        # greenlet); close it here, or it outlives the test and blocks dropping the database.
        connections.close_all()
