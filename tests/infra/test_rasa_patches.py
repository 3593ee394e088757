"""The Rasa patch points behave exactly like Rasa's own code, faster."""

from __future__ import annotations

import asyncio

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker

from infra import rasa_patches

VALID = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "language", "value": "hi"}],
        "responses": [{"response": "utter_greet", "language": "hi"}],
    },
]
INVALID = [
    {"events": [{"no_event_key": 1}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [], "responses": "nope"},
]


@pytest.fixture
def action() -> RemoteAction:
    return RemoteAction("action_test", None)


@pytest.mark.parametrize("result", VALID)
def test_valid_answers_pass_as_with_rasa(action, result):
    assert rasa_patches.RASA_VALIDATE_ACTION_RESULT(action, result) is True
    assert rasa_patches.validate_action_result(action, result) is True


@pytest.mark.parametrize("result", INVALID)
def test_invalid_answers_fail_with_rasas_error(action, result):
    with pytest.raises(ValidationError) as rasa_error:
        rasa_patches.RASA_VALIDATE_ACTION_RESULT(action, result)
    with pytest.raises(ValidationError) as patched_error:
        rasa_patches.validate_action_result(action, result)
    assert patched_error.value.message == rasa_error.value.message
    assert list(patched_error.value.path) == list(rasa_error.value.path)


def test_install_replaces_rasas_methods_once(monkeypatch):
    monkeypatch.setattr(
        RemoteAction,
        "_validate_action_result",
        rasa_patches.RASA_VALIDATE_ACTION_RESULT,
    )
    monkeypatch.setattr(
        RemoteAction, "_action_call_format", rasa_patches.RASA_ACTION_CALL_FORMAT
    )
    monkeypatch.setattr(
        Event, "resolve_by_type", staticmethod(rasa_patches.RASA_RESOLVE_BY_TYPE)
    )
    monkeypatch.setattr(
        MessageProcessor, "run_action_extract_slots", rasa_patches.RASA_EXTRACT_SLOTS
    )
    assert not rasa_patches.installed()
    rasa_patches.install()
    rasa_patches.install()
    assert rasa_patches.installed()
    assert RemoteAction("a", None)._validate_action_result(VALID[0]) is True


@pytest.mark.parametrize(
    "data",
    [
        {"event": "slot", "timestamp": 1.0, "name": "language", "value": "hi"},
        {"event": "user", "timestamp": 2.0, "text": "hi", "parse_data": {}},
        {"event": "action", "timestamp": 3.0, "name": "action_listen"},
        {"event": "session_started", "timestamp": 4.0},
    ],
)
def test_event_classes_are_found_as_rasa_finds_them(data):
    rasa_class = rasa_patches.RASA_RESOLVE_BY_TYPE(data["event"])
    for _ in range(2):  # looked up, then remembered
        assert rasa_patches.resolve_by_type(data["event"]) is rasa_class
    with_patch = Event.from_parameters(data)
    assert with_patch == Event.from_parameters(dict(data))
    assert type(with_patch) is rasa_class


def test_an_unknown_event_name_fails_as_in_rasa():
    with pytest.raises(ValueError, match="Unknown event name 'nonsense'"):
        rasa_patches.resolve_by_type("nonsense")
    assert rasa_patches.resolve_by_type("nonsense", default=SlotSet) is SlotSet
    assert "nonsense" not in rasa_patches._EVENT_CLASSES


def conversation(turns: int) -> DialogueStateTracker:
    """A tracker with ``turns`` user messages, each answered, slots set on the way."""
    domain = Domain.from_dict(
        {
            "slots": {"language": {"type": "any", "mappings": []}},
            "actions": ["action_test"],
        }
    )
    events: list = [ActionExecuted("action_listen")]
    for turn in range(turns):
        events += [
            UserUttered(f"message {turn}", {"name": "greet", "confidence": 1.0}),
            SlotSet("language", "hi" if turn % 2 else "en"),
            ActionExecuted("action_test"),
            BotUttered(f"reply {turn}"),
            ActionExecuted("action_listen"),
        ]
    events.append(UserUttered("latest", {"name": "affirm", "confidence": 1.0}))
    events.append(SlotSet("language", "hinglish"))  # a slot candidate to validate
    return DialogueStateTracker.from_events("citizen", events, domain.slots)


def test_the_action_server_gets_rasas_request_with_the_recent_events_only(action):
    domain = Domain.from_dict({"actions": ["action_test"]})
    tracker = conversation(50)
    rasa_request = rasa_patches.RASA_ACTION_CALL_FORMAT(action, tracker, domain)
    patched = rasa_patches.action_call_format(action, tracker, domain)
    assert len(rasa_request["tracker"]["events"]) == 253
    assert patched["tracker"]["events"] == rasa_request["tracker"]["events"][-2:]
    assert patched["tracker"]["events"][0]["text"] == "latest"
    del rasa_request["tracker"]["events"], patched["tracker"]["events"]
    assert patched == rasa_request  # slots, latest message, domain, ... as Rasa sends
    sent = rasa_patches.action_call_format(action, tracker, domain)["tracker"]
    sdk = Tracker.from_dict(sent)
    assert sdk.slots_to_validate() == {"language": "hinglish"}
    assert sdk.get_latest_input_channel() is None


def test_a_tracker_without_user_messages_is_sent_whole(action):
    domain = Domain.from_dict({"actions": ["action_test"]})
    tracker = DialogueStateTracker.from_events(
        "citizen", [ActionExecuted("action_session_start"), SessionStarted()]
    )
    patched = rasa_patches.action_call_format(action, tracker, domain)
    assert [e["event"] for e in patched["tracker"]["events"]] == [
        "action",
        "session_started",
    ]


def test_a_paused_conversation_keeps_its_slots_others_are_filled_by_rasa(monkeypatch):
    """With a person at the helpdesk, a message fills no slot (Rasa's code is not run)."""
    calls = []

    async def rasa_extraction(processor, channel, tracker):
        calls.append(tracker.sender_id)
        return tracker

    monkeypatch.setattr(rasa_patches, "RASA_EXTRACT_SLOTS", rasa_extraction)
    paused = DialogueStateTracker.from_events("with-a-person", [ConversationPaused()])
    talking = DialogueStateTracker.from_events("with-the-assistant", [])
    extract = rasa_patches.run_action_extract_slots
    assert asyncio.run(extract(None, None, paused)) is paused
    assert asyncio.run(extract(None, None, talking)) is talking
    assert calls == ["with-the-assistant"]
