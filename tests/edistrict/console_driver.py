"""An officer at the console, in Chromium (Playwright): shared by the browser tests.

Run in the gateway's venv. As a program, for the end-to-end test that runs in Rasa's venv:
``python -m tests.edistrict.console_driver BASE OFFICER TOKEN APPLICATION STEP [TYPE]``
with STEP ``request`` (open the application, check every document shows, ask for TYPE)
or ``approve``; prints what the officer saw as JSON.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "results" / "console"
# Debian's Chromium on a closed network: no background traffic, no sandbox as root.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def log_in(page: Page, base: str, officer: str, token: str) -> None:
    """Logs in through the login form."""
    page.goto(f"{base}/console/login")
    page.fill("input[name=officer_id]", officer)
    page.fill("input[name=token]", token)
    page.click("main button[type=submit]")


def status(page: Page) -> tuple[str | None, str]:
    """The application's status: its code and the words the officer reads."""
    shown = page.locator("#status")
    return shown.get_attribute("data-status"), shown.inner_text()


def image_widths(page: Page) -> list[int]:
    """The width of every document image once loaded (0: it did not load)."""
    page.wait_for_load_state("networkidle")
    return page.evaluate(
        "() => [...document.querySelectorAll('.document img')].map(i => i.naturalWidth)"
    )


def shot(page: Page, name: str) -> None:
    """A full-page screenshot under var/results/console/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def run(
    base: str, officer: str, token: str, application: str, step: str, kind: str = ""
) -> dict[str, Any]:
    """One visit of the officer to one application (see the module doc)."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        log_in(page, base, officer, token)
        queued = page.locator(f"tr[data-id='{application}']").count() == 1
        page.goto(f"{base}/console/applications/{application}")
        seen = {
            "queued": queued,
            "status": status(page)[0],
            "images": image_widths(page),
            "documents": page.locator(".document").count(),
        }
        if step == "request":
            page.check(f"#request input[value={kind}]")
            page.select_option("#request select[name=reason]", "unclear")
            page.click("#request button[type=submit]")
        elif step == "approve":
            page.click("#approve button[type=submit]")
        shot(page, f"e2e-{step}")
        return {**seen, "after": status(page)[0]}


if __name__ == "__main__":
    print(json.dumps(run(*sys.argv[1:])))
