"""Sending form replies (response name + parameters + buttons) through the dispatcher."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.replies import Reply


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Utters a domain response, filling its ``{placeholders}`` from ``reply.params``."""
    dispatcher.utter_message(
        response=reply.response, buttons=reply.buttons or None, **reply.params
    )
