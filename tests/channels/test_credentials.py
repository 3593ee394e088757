"""Rasa loads both channels from credentials.yml entries without secrets."""

from __future__ import annotations

from rasa.core.run import create_http_input_channels

from channels.twilio_whatsapp import TwilioWhatsAppInput
from channels.whatsapp import WhatsAppInput


def test_rasa_builds_channels_from_module_paths(tmp_path, monkeypatch):
    for name in ("WHATSAPP_ACCESS_TOKEN", "TWILIO_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    credentials = tmp_path / "credentials.yml"
    credentials.write_text(
        "rest:\n"
        "channels.whatsapp.WhatsAppInput:\n"
        "channels.twilio_whatsapp.TwilioWhatsAppInput:\n"
    )
    channels = create_http_input_channels(None, str(credentials))
    kinds = {type(channel) for channel in channels}
    assert {WhatsAppInput, TwilioWhatsAppInput} <= kinds
    whatsapp = next(c for c in channels if isinstance(c, WhatsAppInput))
    assert not whatsapp.settings.enabled
    assert whatsapp.get_output_channel() is None
