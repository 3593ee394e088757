"""WhatsApp through Twilio: Rasa's twilio channel behind X-Twilio-Signature checks."""

from __future__ import annotations

import requests
from twilio.request_validator import RequestValidator

from channels.settings import TwilioSettings
from channels.twilio_whatsapp import TwilioWhatsAppInput
from components.payload_guard import is_citizen_payload

SETTINGS = TwilioSettings(
    account_sid="AC" + "0" * 32,
    auth_token="twilio-test-token",
    whatsapp_number="whatsapp:+14155238886",
)
FORM = {
    "From": "whatsapp:+919800000001",
    "To": "whatsapp:+14155238886",
    "Body": "Namaste",
    "MessageSid": "SM" + "1" * 32,
}


def _post(server, form, signature):
    url = server.url("/webhooks/twilio_whatsapp/webhook")
    headers = {"X-Twilio-Signature": signature} if signature is not None else {}
    return requests.post(url, data=form, headers=headers, timeout=10)


def test_correctly_signed_request_reaches_rasa(serve):
    server = serve([TwilioWhatsAppInput(SETTINGS)])
    url = server.url("/webhooks/twilio_whatsapp/webhook")
    signature = RequestValidator(SETTINGS.auth_token).compute_signature(url, FORM)
    reply = _post(server, FORM, signature)
    assert reply.status_code == 204
    [message] = server.received
    assert (message.text, message.sender_id) == ("Namaste", "whatsapp:+919800000001")
    assert message.input_channel == "twilio_whatsapp"


def test_wrongly_signed_or_unsigned_request_is_rejected(serve):
    server = serve([TwilioWhatsAppInput(SETTINGS)])
    url = server.url("/webhooks/twilio_whatsapp/webhook")
    other_key = RequestValidator("another-token").compute_signature(url, FORM)
    assert _post(server, FORM, other_key).status_code == 403
    good = RequestValidator(SETTINGS.auth_token).compute_signature(url, FORM)
    tampered = dict(FORM, Body="Send me someone else's certificate")
    assert _post(server, tampered, good).status_code == 403
    assert _post(server, FORM, None).status_code == 403
    assert server.received == []


def test_unconfigured_twilio_answers_503(serve):
    channel = TwilioWhatsAppInput.from_credentials(None)
    assert isinstance(channel, TwilioWhatsAppInput)
    server = serve([TwilioWhatsAppInput(TwilioSettings())])
    assert _post(server, FORM, "x").status_code == 503
    health = requests.get(server.url("/webhooks/twilio_whatsapp/"), timeout=5)
    assert health.status_code == 200


def test_settings_from_environment_add_whatsapp_prefix():
    settings = TwilioSettings.from_env(
        {
            "TWILIO_ACCOUNT_SID": "AC1",
            "TWILIO_AUTH_TOKEN": "t",
            "TWILIO_WHATSAPP_NUMBER": "+14155238886",
        }
    )
    assert settings.whatsapp_number == "whatsapp:+14155238886"
    assert settings.enabled


def test_a_twilio_location_is_the_same_payload_as_a_cloud_api_one(serve):
    server = serve([TwilioWhatsAppInput(SETTINGS)])
    url = server.url("/webhooks/twilio_whatsapp/webhook")
    form = {"From": "whatsapp:+919800000001", "Latitude": "28.61", "Longitude": "77.2"}
    signature = RequestValidator(SETTINGS.auth_token).compute_signature(url, form)
    assert _post(server, form, signature).status_code == 204
    [message] = server.received
    assert message.text == '/share_location{"latitude": 28.61, "longitude": 77.2}'
    assert is_citizen_payload(message.text)


def test_a_text_carries_the_citizen_metadata(serve):
    server = serve([TwilioWhatsAppInput(SETTINGS)])
    url = server.url("/webhooks/twilio_whatsapp/webhook")
    form = dict(
        FORM,
        From="whatsapp:+919811100001",
        ProfileName="Asha Devi",
        WaId="919811100001",
    )
    signature = RequestValidator(SETTINGS.auth_token).compute_signature(url, form)
    assert _post(server, form, signature).status_code == 204
    [message] = server.received
    assert message.text == "Namaste"
    assert message.metadata == {
        "channel": "whatsapp",
        "citizen": {
            "id": "whatsapp:+919811100001",
            "name": "Asha Devi",
            "phone": "9811100001",
        },
        "twilio": {"message_sid": FORM["MessageSid"], "wa_id": "919811100001"},
    }


def test_a_foreign_number_has_no_phone_and_no_profile_no_name(serve):
    server = serve([TwilioWhatsAppInput(SETTINGS)])
    url = server.url("/webhooks/twilio_whatsapp/webhook")
    form = dict(FORM, From="whatsapp:+14155550100")
    signature = RequestValidator(SETTINGS.auth_token).compute_signature(url, form)
    assert _post(server, form, signature).status_code == 204
    [message] = server.received
    assert message.sender_id == "whatsapp:+14155550100"
    assert message.metadata["citizen"] == {
        "id": "whatsapp:+14155550100",
        "name": None,
        "phone": None,
    }


def test_a_location_carries_the_citizen_metadata_too(serve):
    server = serve([TwilioWhatsAppInput(SETTINGS)])
    url = server.url("/webhooks/twilio_whatsapp/webhook")
    form = {"From": "whatsapp:+919811100001", "Latitude": "28.61", "Longitude": "77.2"}
    signature = RequestValidator(SETTINGS.auth_token).compute_signature(url, form)
    assert _post(server, form, signature).status_code == 204
    [message] = server.received
    assert message.metadata["citizen"]["phone"] == "9811100001"
    assert message.metadata["channel"] == "whatsapp"
