"""The Rasa patch points behave exactly like Rasa's own code, faster."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

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


def test_install_replaces_rasas_method_once(monkeypatch):
    monkeypatch.setattr(
        RemoteAction,
        "_validate_action_result",
        rasa_patches.RASA_VALIDATE_ACTION_RESULT,
    )
    assert not rasa_patches.installed()
    rasa_patches.install()
    rasa_patches.install()
    assert rasa_patches.installed()
    assert RemoteAction("a", None)._validate_action_result(VALID[0]) is True
