"""Catalog-driven replies (pure: no Rasa), sent by actions through ``actions.dispatch``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

from actions.texts import intent_titles, localize
from catalog.model import Catalog, Service


@dataclass
class Reply:
    """A response to send: a domain response name, its parameters and buttons."""

    response: str
    params: Dict[str, Any] = field(default_factory=dict)
    buttons: List[Dict[str, str]] = field(default_factory=list)


# Replies that ask for a person at the helpdesk; ``actions.handoff.resolve`` turns each
# into the helpdesk's answer (the ticket, when a person will reply).
HANDOFF_ASKED = "utter_human_handoff"
HANDOFF_NOT_UNDERSTOOD = "utter_handoff_not_understood"

YES_NO_BUTTONS = {
    "en": [("Yes", "/affirm"), ("No", "/deny")],
    "hi": [("हाँ", "/affirm"), ("नहीं", "/deny")],
    "hinglish": [("Haan", "/affirm"), ("Nahi", "/deny")],
}


def yes_no_buttons(language: str) -> List[Dict[str, str]]:
    """Yes/No buttons in the citizen's language."""
    pairs = YES_NO_BUTTONS.get(language, YES_NO_BUTTONS["en"])
    return [{"title": title, "payload": payload} for title, payload in pairs]


def bullet_list(lines: List[str]) -> str:
    """Formats lines as a WhatsApp-friendly bullet list."""
    return "\n".join(f"• {line}" for line in lines)


# "1 day", "7 days" / "7 दिनों" / "7 din".
_DAYS = {
    "en": ("{n} day", "{n} days"),
    "hi": ("{n} दिन", "{n} दिनों"),
    "hinglish": ("{n} din", "{n} din"),
}


def days_text(days: int, language: str) -> str:
    """A number of days with its word, singular or plural, in the citizen's language."""
    one, many = _DAYS.get(language, _DAYS["en"])
    return (one if days == 1 else many).format(n=days)


def info_reply(intent: str, service: Service, language: str) -> Reply:
    """The answer to ask_documents / ask_fee / ask_processing_time / ask_eligibility."""
    name = localize(service.names, language)
    if intent == "ask_documents":
        documents = [
            localize(d.name, language) + ("" if d.required else " *")
            for d in service.documents
        ]
        return Reply(
            "utter_service_documents",
            {"service": name, "documents": bullet_list(documents)},
        )
    if intent == "ask_fee":
        note = localize(service.fee.note, language) if service.fee.note else ""
        if not service.fee.amount_inr:
            return Reply("utter_service_fee_free", {"service": name, "note": note})
        return Reply(
            "utter_service_fee",
            {
                "service": name,
                "amount": f"{service.fee.amount_inr:,}",
                "note": note,
            },
        )
    if intent == "ask_processing_time":
        return Reply(
            "utter_service_time",
            {
                "service": name,
                "days": days_text(service.sla_days, language),
                "how_it_works": localize(service.how_it_works, language),
            },
        )
    conditions = [localize(rule.text, language) for rule in service.eligibility]
    return Reply(
        "utter_service_eligibility",
        {"service": name, "conditions": bullet_list(conditions)},
    )


def departments_menu(catalog: Catalog, language: str) -> Reply:
    """All departments as buttons; choosing one lists its services."""
    buttons = [
        {
            "title": localize(d.names, language),
            "payload": f'/list_services{{"department":"{d.id}"}}',
        }
        for d in catalog.departments.values()
        if catalog.by_department().get(d.id)
    ]
    return Reply("utter_choose_department", {}, buttons)


def apply_button(service: Service, language: str) -> Dict[str, str]:
    """A button that starts the application for ``service``.

    Titles are not cut here: each channel shortens them to its own limits.
    """
    return {
        "title": localize(service.names, language),
        "payload": f'/apply_service{{"service":"{service.id}"}}',
    }


def department_menu(catalog: Catalog, department: str, language: str) -> Reply:
    """The services of one department as buttons (WhatsApp shows up to 10 as a list)."""
    services = catalog.by_department().get(department, [])
    buttons = [apply_button(service, language) for service in services]
    name = localize(catalog.departments[department].names, language)
    return Reply("utter_department_services", {"department": name}, buttons)


def main_menu(catalog: Catalog, language: str) -> Reply:
    """The menu after a greeting.

    The catalog's ``main_menu`` services, then all services and application status
    (ten at most, which WhatsApp shows as one list).
    """
    titles = intent_titles()
    buttons = [
        apply_button(catalog[service_id], language) for service_id in catalog.main_menu
    ]
    buttons += [
        {"title": localize(titles[intent], language), "payload": f"/{intent}"}
        for intent in ("list_services", "check_status")
    ]
    return Reply("utter_main_menu", {}, buttons)
