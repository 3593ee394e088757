"""The embedded default: a conversation over REST, answered in the citizen's language."""

from __future__ import annotations

import re
import sqlite3
import uuid

import pytest

from tests.integration.servers import free_port, rasa_server, say

DEVANAGARI = re.compile(r"[\u0900-\u097F]")


@pytest.fixture(scope="module")
def rasa(model, actions_port, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("rasa-embedded")
    env = {
        "GOV_VAR_DIR": str(workdir / "var"),
        "TRACKER_STORE_URL": "",
        "LOCK_STORE_URL": "",
        "EVENT_BROKER_URL": "",
    }
    server = rasa_server(free_port(), actions_port, workdir, env).start()
    server.var_dir = workdir / "var"
    yield server
    server.stop()


def port_of(server) -> int:
    return int(server.health_url.split(":")[2].split("/")[0])


@pytest.mark.parametrize(
    ("message", "script_check", "expected_word"),
    [
        ("Hi", lambda t: not DEVANAGARI.search(t), "Hello"),
        ("नमस्ते", lambda t: DEVANAGARI.search(t), "नमस्ते"),
        ("namaste ji", lambda t: not DEVANAGARI.search(t), "Namaste"),
    ],
    ids=["en", "hi", "hinglish"],
)
def test_greeting_is_answered_in_the_citizens_language(
    rasa, message, script_check, expected_word
):
    replies = say(port_of(rasa), f"citizen-{uuid.uuid4().hex[:8]}", message)
    assert replies, "the assistant said nothing"
    assert expected_word in replies[0]
    assert all(script_check(text) for text in replies), replies


def test_language_does_not_flip_on_neutral_words(rasa):
    sender = f"citizen-{uuid.uuid4().hex[:8]}"
    say(port_of(rasa), sender, "नमस्ते")
    replies = say(port_of(rasa), sender, "ok")
    assert replies and all(DEVANAGARI.search(text) for text in replies), replies


def test_conversation_is_stored_in_the_sqlite_tracker_store(rasa):
    sender = f"citizen-{uuid.uuid4().hex[:8]}"
    say(port_of(rasa), sender, "namaste ji")
    with sqlite3.connect(rasa.var_dir / "tracker.db") as db:
        count = db.execute(
            "SELECT count(*) FROM events WHERE sender_id = ?", (sender,)
        ).fetchone()[0]
    assert count >= 4  # session start, user message, slot, bot utterances
