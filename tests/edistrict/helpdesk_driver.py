"""A helpdesk agent in Chromium (Playwright): shared by the browser tests.

Run in the gateway's venv. As a program, for the end-to-end test that runs in Rasa's venv:
``python -m tests.edistrict.helpdesk_driver BASE AGENT TOKEN TICKET STEP [TEXT]`` with STEP
``look``, ``take``, ``reply`` (sends TEXT) or ``hand-back``: the agent finds the ticket in
the helpdesk queue, opens it, does the step; prints what the agent saw as JSON.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from playwright.sync_api import Page

from tests.edistrict.console_driver import chromium, log_in, shot

BUTTONS = {
    "take": "#take button",
    "hand-back": "#hand-back button",
    "reply": "#reply button",
}


def seen(page: Page) -> dict[str, Any]:
    """The ticket page as the agent reads it."""
    lines = page.evaluate(
        "() => [...document.querySelectorAll('#conversation tr')]"
        ".map(r => [r.dataset.who, r.cells[2].innerText])"
    )
    draft = page.evaluate(
        "() => [...document.querySelectorAll('#draft tr')]"
        ".map(r => [r.cells[0].innerText, r.cells[1].innerText])"
    )
    window = page.locator("#window")
    return {
        "status": page.locator("#ticket-status").get_attribute("data-status"),
        "lines": lines,
        "draft": draft,
        "window": window.inner_text() if window.count() else None,
        "problem": page.locator(".problem").all_inner_texts(),
    }


def run(
    base: str, agent: str, token: str, ticket: str, step: str, text: str = ""
) -> dict[str, Any]:
    """One visit of the agent to one ticket (see the module doc)."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        log_in(page, base, agent, token)
        page.click("#helpdesk-link")
        row = page.locator(f"tr[data-ticket='{ticket}']")
        queued = row.count() == 1
        page.click(f"a:text-is('{ticket}')")
        before = seen(page)
        if step == "reply":
            page.fill("#reply textarea", text)
        if step in BUTTONS:
            page.click(BUTTONS[step])
            page.wait_for_load_state("networkidle")
        shot(page, f"helpdesk-{step}")
        return {"queued": queued, "before": before, "after": seen(page)}


if __name__ == "__main__":
    print(json.dumps(run(*sys.argv[1:]), ensure_ascii=False))
