"""Answers about services from the catalog: the menu, documents, fee, time, eligibility."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalog_access import get_catalog, named_service
from actions.dispatch import send
from actions.replies import (
    Reply,
    department_menu,
    departments_menu,
    info_reply,
    main_menu,
)
from actions.tracking import issued_certificate_asked, send_certificate


def requested_service(tracker: Tracker) -> Optional[str]:
    """The service named in the latest message, else the one talked about before."""
    return named_service(tracker) or tracker.get_slot("service")


class ActionMainMenu(Action):
    """The menu that follows a greeting: popular services, all services, status."""

    def name(self) -> str:
        return "action_main_menu"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        language = tracker.get_slot("language") or "en"
        send(dispatcher, main_menu(get_catalog(), language))
        return []


class ActionListServices(Action):
    """Shows the departments, or the services of the department the citizen picked."""

    def name(self) -> str:
        return "action_list_services"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        catalog = get_catalog()
        language = tracker.get_slot("language") or "en"
        department = next(tracker.get_latest_entity_values("department"), None)
        if department and department in catalog.departments:
            send(dispatcher, department_menu(catalog, department, language))
        else:
            send(dispatcher, departments_menu(catalog, language))
        return []


class ActionServiceInfo(Action):
    """Answers documents / fee / processing time / eligibility questions about a service."""

    def name(self) -> str:
        return "action_service_info"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        catalog = get_catalog()
        language = tracker.get_slot("language") or "en"
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        service_id = requested_service(tracker)
        if not service_id or service_id not in catalog:
            send(dispatcher, Reply("utter_ask_which_service"))
            send(dispatcher, departments_menu(catalog, language))
            return []
        issued = issued_certificate_asked(
            tracker, tracker.latest_message or {}, service_id
        )
        if issued:
            send_certificate(dispatcher, issued)
            return []
        send(dispatcher, info_reply(intent, catalog[service_id], language))
        return []
