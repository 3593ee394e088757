"""Issue 14 end to end: a citizen on WhatsApp asks for a person in the middle of the form.

The helpdesk agent works in the console in Debian's Chromium (Playwright, in the gateway's
venv: tests/edistrict/helpdesk_driver.py): finds the ticket, reads the conversation, takes
it over (the assistant pauses and the citizen is told), reads what the citizen wrote
meanwhile, answers in the same WhatsApp thread, and hands back; the form asks its question
again and goes on with the citizen's next answer.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from typing import Any, Dict, List

import pytest

from tests.channels.fake_graph import FakeGraph
from tests.integration.e2e import OFFICER_TOKEN, Stack, wait_for
from tests.integration.servers import GATEWAY_PYTHON, ROOT, get_tracker
from tests.integration.whatsapp_citizen import WhatsAppCitizen, texts

CHROMIUM = "/usr/bin/chromium"
AGENT_ANSWER = (
    "Namaste Kamla ji, main Asha, helpdesk se. Salary slip ya ITR dono chalenge."
)


def agent_visits(e2e: Stack, ticket: str, step: str, text: str = "") -> Dict[str, Any]:
    """The agent's visit to the ticket in the console (see helpdesk_driver)."""
    done = subprocess.run(
        [
            str(GATEWAY_PYTHON),
            "-m",
            "tests.edistrict.helpdesk_driver",
            e2e.gateway_url,
            "dev-officer",
            OFFICER_TOKEN,
            ticket,
            step,
            text,
        ],
        capture_output=True,
        cwd=ROOT,
        timeout=300,
        check=False,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_an_agent_answers_in_the_whatsapp_thread_and_the_form_continues(
    e2e: Stack, whatsapp_graph: FakeGraph
):
    if not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true":
        pytest.skip("Debian's chromium is not installed (edistrict/bin/install)")
    citizen = WhatsAppCitizen(e2e.rasa.port, whatsapp_graph, "919811100222", "Kamla")
    assert texts(citizen.text("namaste"))
    assert texts(citizen.text("income certificate banwana hai"))
    citizen.tap("/affirm")  # eligible
    question = texts(citizen.tap("/affirm"))[-1]  # consent given: the first question
    assert "naam" in question.lower(), question

    asked = texts(citizen.text("mujhe kisi insaan se baat karni hai"))
    tickets = {m.group(0) for t in asked for m in [re.search(r"HD-\d{6}", t)] if m}
    assert len(tickets) == 1, (asked, e2e.logs())
    [ticket] = tickets
    assert asked[-1] == question, asked  # the form asks its question again

    took = agent_visits(e2e, ticket, "take")
    assert took["queued"] and took["before"]["status"] == "waiting", took
    assert ["citizen", "mujhe kisi insaan se baat karni hai"] in took["before"]["lines"]
    assert took["after"]["status"] == "active" and took["before"]["window"], took

    received: List[str] = []

    def arrived(words: str) -> List[str]:
        received.extend(texts(citizen.new_messages()))
        return [t for t in received if words in t]

    wait_for("the agent's arrival in the chat", lambda: arrived("👤"), 30, e2e)
    # With a person: the assistant says nothing, and the message is kept for the agent.
    citizen.text("income proof mein kya dena hoga?", answered=False)
    time.sleep(3)
    assert not texts(citizen.new_messages())
    assert get_tracker(e2e.rasa.port, citizen.wa_id)["paused"]

    replied = agent_visits(e2e, ticket, "reply", AGENT_ANSWER)
    assert ["citizen", "income proof mein kya dena hoga?"] in replied["before"]["lines"]
    assert replied["after"]["status"] == "active" and not replied["after"]["problem"]
    wait_for("the agent's answer on WhatsApp", lambda: arrived(AGENT_ANSWER), 30, e2e)

    back = agent_visits(e2e, ticket, "hand-back")
    assert ["agent", AGENT_ANSWER] in back["before"]["lines"]
    assert back["after"]["status"] == "closed"
    wait_for("the form's question again", lambda: arrived(question), 30, e2e)
    assert not get_tracker(e2e.rasa.port, citizen.wa_id)["paused"]

    following = texts(citizen.text("Kamla Devi"))
    assert following and following[-1] != question, following
    draft = get_tracker(e2e.rasa.port, citizen.wa_id)["slots"]["application"]
    assert draft["answers"]["applicant_name"] == "Kamla Devi"
