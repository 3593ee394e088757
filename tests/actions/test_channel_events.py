"""The channels' events (/unsupported_message, /document_rejected) and their answers.

The channel builds the payload (channels/inbound.py), the payload guard lets it through,
Rasa's own RegexMessageHandler parses it, and action_document_problem picks the domain
response, which Rasa's NLG fills in the conversation's language.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.channel_events import (
    DOCUMENT_PROBLEM_RESPONSES,
    ActionDocumentProblem,
    document_problem_reply,
    shown_megabytes,
)
from channels.inbound import (
    DOCUMENT_PROBLEMS,
    UNREADABLE,
    UNSUPPORTED_INTENT,
    document_rejected,
)
from components import payload_guard

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))
RAW_DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def parsed(payload: str) -> Dict[str, Any]:
    """``payload`` as Rasa's NLU hands it to the actions (latest_message)."""
    assert payload_guard.is_citizen_payload(payload), payload
    [message] = RegexMessageHandler().process([Message({TEXT: payload})])
    return {
        "text": payload,
        "intent": message.get("intent"),
        "entities": message.get("entities"),
    }


def run_action(payload: str) -> List[Dict[str, Any]]:
    tracker = Tracker(
        "citizen", {}, parsed(payload), [], False, None, {}, "action_listen"
    )
    dispatcher = CollectingDispatcher()
    assert ActionDocumentProblem().run(dispatcher, tracker, {}) == []
    return dispatcher.messages


def filled(response: str, language: str, **params: Any) -> str:
    """The text Rasa's NLG makes of ``response`` for a conversation in ``language``."""
    tracker = DialogueStateTracker.from_events(
        "citizen", [SlotSet("language", language)], slots=DOMAIN.slots
    )
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    generated = asyncio.run(nlg.generate(response, tracker, "whatsapp", **params))
    assert generated is not None
    return str(generated["text"])


def test_every_reason_has_its_response_and_the_lists_agree():
    assert set(DOCUMENT_PROBLEM_RESPONSES) == set(DOCUMENT_PROBLEMS)
    assert set(DOCUMENT_PROBLEMS) == payload_guard.DOCUMENT_PROBLEMS


@pytest.mark.parametrize(
    ("reason", "response"),
    [
        ("download_failed", "utter_document_download_failed"),
        ("store_unavailable", "utter_document_store_unavailable"),
        ("quota_exceeded", "utter_document_quota_exceeded"),
    ],
)
def test_the_channels_payload_gets_the_response_of_its_reason(reason, response):
    [message] = run_action(document_rejected(reason, 5 * 1024 * 1024))
    assert message["response"] == response
    assert "max_mb" not in message


def test_an_unreadable_file_is_told_the_channels_limit():
    payload = document_rejected(UNREADABLE, 64 * 1024)
    assert payload == '/document_rejected{"reason": "unreadable", "max_mb": 0.06}'
    [message] = run_action(payload)
    assert message["response"] == "utter_document_unreadable"
    assert message["max_mb"] == "0.06"
    [message] = run_action(document_rejected(UNREADABLE, 5 * 1024 * 1024))
    assert message["max_mb"] == "5"


@pytest.mark.parametrize(
    "payload",
    ["/document_rejected", '/document_rejected{"reason": "unreadable"}'],
)
def test_no_reason_or_no_limit_is_an_unreadable_file_with_the_configured_limit(
    payload, monkeypatch
):
    monkeypatch.setenv("DOCUMENTS_MAX_BYTES", str(10 * 1024 * 1024))
    [message] = run_action(payload)
    assert (message["response"], message["max_mb"]) == (
        "utter_document_unreadable",
        "10",
    )


def test_an_unknown_reason_is_an_unreadable_file():
    reply = document_problem_reply("virus_found", 2)
    assert (reply.response, reply.params) == (
        "utter_document_unreadable",
        {"max_mb": "2"},
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [(5, "5"), (2.5, "2.5"), ("16", "16"), (100, "100"), (0.0625, "0.0625")],
)
def test_the_limit_is_shown_as_citizens_read_it(value, shown):
    assert shown_megabytes(value) == shown


@pytest.mark.parametrize("value", [None, True, -1, 0, "lots", float("nan"), [5]])
def test_an_unusable_limit_is_the_configured_one(value, monkeypatch):
    monkeypatch.delenv("DOCUMENTS_MAX_BYTES", raising=False)
    assert shown_megabytes(value) == "5"


def test_strict_entities_only_with_document_rejected():
    assert payload_guard.is_citizen_payload(UNSUPPORTED_INTENT)
    for typed in (
        '/document_rejected{"reason": "../../etc"}',
        '/document_rejected{"reason": "unreadable", "max_mb": "5"}',
        '/document_rejected{"reason": "unreadable", "max_mb": 1e999}',
        '/document_rejected{"reason": "unreadable", "max_mb": true}',
        '/document_rejected{"reason": "unreadable", "max_mb": 0}',
        '/document_rejected{"reason": "unreadable", "max_mb": 101}',
        '/affirm{"reason": "unreadable"}',
        '/unsupported_message{"max_mb": 5}',
    ):
        assert not payload_guard.is_citizen_payload(typed), typed


@pytest.mark.parametrize(
    "response",
    ["utter_unsupported_message", *DOCUMENT_PROBLEM_RESPONSES.values()],
)
def test_answers_are_written_in_english_hindi_and_hinglish(response):
    params = {"max_mb": "5"} if response == "utter_document_unreadable" else {}
    english = filled(response, "en", **params)
    hindi = filled(response, "hi", **params)
    hinglish = filled(response, "hinglish", **params)
    assert english.startswith(("Sorry", "Thank you")), english
    assert any("\u0900" <= char <= "\u097f" for char in hindi), hindi
    assert hinglish.isascii() and hinglish != english, hinglish
    if params:
        for text in (english, hindi, hinglish):
            assert "5 MB" in text and "{" not in text, text
    assert "तीस" not in hindi  # the quota is the gateway's setting, never a number here


def test_the_form_steps_aside_for_the_channels_events():
    """Not answers to the open question: the rule answers, the form asks again."""
    [mapping] = RAW_DOMAIN["slots"]["application_step"]["mappings"]
    assert {"unsupported_message", "document_rejected"} <= set(mapping["not_intent"])
    rules = [
        rule
        for path in sorted((ROOT / "data" / "rules").glob("*.yml"))
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
    ]
    for intent, answer in (
        ("unsupported_message", "utter_unsupported_message"),
        ("document_rejected", "action_document_problem"),
    ):
        steps = {
            rule["condition"][0]["active_loop"]: rule["steps"]
            for rule in rules
            if rule["steps"][0] == {"intent": intent}
        }
        assert steps[None] == [{"intent": intent}, {"action": answer}]
        assert steps["application_form"] == [
            {"intent": intent},
            {"action": answer},
            {"action": "application_form"},
            {"active_loop": "application_form"},
        ]
