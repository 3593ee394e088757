"""The channel metadata contract (channels/metadata.py) as the submission reads it: the
citizen is believed only from a channel that authenticates its senders, and a WhatsApp
conversation id is never taken for a phone number unless it is one."""

from __future__ import annotations

from typing import Any, Dict, Optional

import pytest
from rasa_sdk import Tracker

from actions.submission import build_payload
from channels.metadata import (
    Citizen,
    channel_metadata,
    indian_mobile,
    trusted_citizen,
    whatsapp_number,
)
from tests.actions.gateway_answers import CONSENT

DRAFT = {
    "key": "k",
    "service": "birth_certificate",
    "answers": {"child_name": "Asha"},
    "documents": {},
    "consent": CONSENT,
}


def tracker(sender: str, input_channel: str, metadata: Dict[str, Any]) -> Tracker:
    events = [{"event": "user", "text": "haan", "input_channel": input_channel}]
    latest = {"text": "haan", "metadata": metadata}
    return Tracker(sender, {}, latest, events, False, None, {}, "action_listen")


@pytest.mark.parametrize(
    ("value", "mobile"),
    [
        ("919811100001", "9811100001"),
        ("whatsapp:+919811100001", "9811100001"),
        ("9811100001", "9811100001"),
        ("14155550123", None),
        ("IN.1502576394655843", None),
        ("citizen-7", None),
        (None, None),
    ],
)
def test_only_an_indian_mobile_number_is_a_phone(value: Optional[str], mobile):
    assert indian_mobile(value) == mobile


def test_a_business_scoped_user_id_is_no_whatsapp_number():
    assert whatsapp_number("919811100001") == "919811100001"
    assert whatsapp_number("whatsapp:+919811100001") == "919811100001"
    assert whatsapp_number("IN.1502576394655843") is None


def test_whatsapp_citizen_goes_to_the_gateway_with_name_and_number():
    sender = "919811100001"
    metadata = channel_metadata(
        "whatsapp", Citizen(sender, "Sunita Devi", indian_mobile(sender))
    )
    payload = build_payload(DRAFT, tracker(sender, "whatsapp", metadata))
    assert payload["channel"] == "whatsapp"
    assert payload["citizen"]["whatsapp_id"] == sender
    assert payload["citizen"]["name"] == "Sunita Devi"
    assert payload["citizen"]["mobile"] == "9811100001"


def test_a_citizen_behind_a_username_has_no_number_but_is_still_themselves():
    sender = "IN.1502576394655843"
    metadata = channel_metadata("whatsapp", Citizen(sender, "Sunita", None))
    payload = build_payload(DRAFT, tracker(sender, "whatsapp", metadata))
    citizen = payload["citizen"]
    assert (citizen["sender_id"], citizen["whatsapp_id"]) == (sender, None)
    assert citizen["mobile"] is None and citizen["name"] == "Sunita"


def test_twilio_is_whatsapp_too():
    sender = "whatsapp:+919811100001"
    metadata = channel_metadata("whatsapp", Citizen(sender, None, "9811100001"))
    payload = build_payload(DRAFT, tracker(sender, "twilio_whatsapp", metadata))
    assert payload["channel"] == "whatsapp"
    assert payload["citizen"]["whatsapp_id"] == "919811100001"
    assert payload["citizen"]["mobile"] == "9811100001"


@pytest.mark.parametrize(
    ("input_channel", "citizen_id"),
    [("rest", "web-1"), ("whatsapp", "919800000002")],
    ids=["rest-client-writes-metadata", "metadata-of-another-conversation"],
)
def test_a_citizen_the_channel_does_not_vouch_for_is_ignored(input_channel, citizen_id):
    metadata = channel_metadata("web", Citizen(citizen_id, "Someone", "9800000002"))
    assert trusted_citizen(metadata, input_channel, "web-1") == Citizen("web-1")
    payload = build_payload(DRAFT, tracker("web-1", input_channel, metadata))
    assert payload["citizen"]["name"] is None
    assert payload["citizen"]["mobile"] is None
