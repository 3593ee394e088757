"""Custom Rasa input/output channels (WhatsApp Cloud API, WhatsApp through Twilio)."""
