"""The catalog-driven application form.

One Rasa form, ``application_form``, with one requested slot, ``application_step``: every
citizen message goes to ``validate_application_step``, which advances the draft held in the
``application`` slot (see ``actions.form_steps``); ``action_ask_application_step`` asks
whatever comes next. No service needs its own slots or Python code.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answer_words, handoff
from actions.catalog_access import get_catalog, named_service
from actions.consent import record_consent
from actions.dispatch import send
from actions.documents import discard_cancelled
from actions.erasure import confirm_erase_reply, erase_history, forget_citizen
from actions.form_steps import (
    handle_answer,
    new_draft,
    next_step,
    summary_items,
)
from actions.latest_message import incoming
from actions.precheck import advice_replies, check_documents, document_ids
from actions.replies import Reply, departments_menu, yes_no_buttons
from actions.submission import submit_application
from actions.texts import localize


def language_of(tracker: Tracker) -> str:
    """The citizen's language (slot ``language``)."""
    return tracker.get_slot("language") or "en"


def current_draft(tracker: Tracker) -> Dict[str, Any]:
    """The open draft, or a new one for the service the citizen asked for.

    A draft kept aside earlier (``drafts`` slot) for the requested service is resumed.
    """
    draft = tracker.get_slot("application")
    requested = named_service(tracker)
    if draft and draft.get("status") == "open":
        return dict(draft)
    kept = tracker.get_slot("drafts") or {}
    service_id = requested or tracker.get_slot("service")
    if service_id in kept:
        return dict(kept[service_id])
    return new_draft(service_id if service_id in get_catalog() else None)


class ValidateApplicationForm(FormValidationAction):
    """Validates each answer of the application form against the catalog."""

    def name(self) -> str:
        return "validate_application_form"

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        return ["application_step"]

    def validate_application_step(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[str, Any]:
        """Applies the message to the draft; completes the form when nothing is left."""
        catalog = get_catalog()
        draft = current_draft(tracker)
        language = language_of(tracker)
        before = document_ids(draft["documents"])
        replies = handle_answer(
            draft, incoming(tracker), catalog, language, date.today()
        )
        replies = handoff.resolve(replies, tracker, language)
        if draft.get("service") in catalog and draft["status"] in ("open", "done"):
            service = catalog[draft["service"]]
            replies += check_documents(tracker, draft, before, service, language)
        for reply in replies:
            send(dispatcher, reply)
        record_consent(draft, language)
        slots: Dict[str, Any] = {"application": draft, "application_step": None}
        kept = dict(tracker.get_slot("drafts") or {})
        if draft["status"] == "switched":
            target = draft.pop("switch_to")
            draft["status"] = "open"
            kept[draft["service"]] = draft
            slots["application"] = kept.pop(target, None) or new_draft(target)
        elif draft["status"] != "open":
            kept.pop(draft.get("service"), None)
            slots["application_step"] = draft["status"]
        elif draft.get("service"):
            kept.pop(draft["service"], None)
        slots["drafts"] = kept
        return slots


class ActionAskApplicationStep(Action):
    """Asks the next question of the application form."""

    def name(self) -> str:
        return "action_ask_application_step"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        catalog = get_catalog()
        draft = current_draft(tracker)
        language = language_of(tracker)
        step = next_step(draft, catalog)
        events: List[EventType] = [SlotSet("application", draft)]
        if step.kind == "service":
            send(dispatcher, Reply("utter_ask_which_service"))
            send(dispatcher, departments_menu(catalog, language))
            return events
        if step.kind == "confirm_stop":
            send(
                dispatcher,
                Reply("utter_ask_confirm_stop", buttons=yes_no_buttons(language)),
            )
            return events
        if step.kind == "confirm_erase":
            send(dispatcher, confirm_erase_reply(language))
            return events
        if step.kind == "confirm_switch":
            send(
                dispatcher,
                Reply(
                    "utter_ask_switch_service",
                    {
                        "current": localize(catalog[draft["service"]].names, language),
                        "new": localize(catalog[step.name or ""].names, language),
                    },
                    yes_no_buttons(language),
                ),
            )
            return events
        service = catalog[draft["service"]]
        name = localize(service.names, language)
        if step.kind == "eligibility":
            conditions = "\n".join(
                f"• {localize(r.text, language)}" for r in service.eligibility
            )
            send(
                dispatcher,
                Reply(
                    "utter_ask_eligibility",
                    {
                        "service": name,
                        "conditions": conditions,
                    },
                    yes_no_buttons(language),
                ),
            )
        elif step.kind == "precheck":
            for reply in advice_replies(draft, service, language):
                send(dispatcher, reply)
        elif step.kind == "field":
            send(dispatcher, self.field_question(service, step.name or "", language))
        elif step.kind == "document":
            document = service.document_named(step.name or "")
            params = {"document": localize(document.name, language)}
            if document.required:
                buttons = [{"title": "⏳", "payload": "/send_later"}]
                send(dispatcher, Reply("utter_ask_document", params, buttons))
            else:
                skip = answer_words.first(answer_words.SKIP, language)
                buttons = [{"title": skip, "payload": skip}]
                send(
                    dispatcher,
                    Reply(
                        "utter_ask_optional_document", {**params, "skip": skip}, buttons
                    ),
                )
        elif step.kind == "summary":
            rows = summary_items(draft, service, language)
            summary = "\n".join(
                f"{number}. {label}: {shown}"
                for number, (_, label, shown) in enumerate(rows, 1)
            )
            send(
                dispatcher,
                Reply(
                    "utter_summary",
                    {"service": name, "summary": summary},
                    yes_no_buttons(language)[:1],
                ),
            )
        elif step.kind == "consent":
            department = catalog.departments[service.department]
            send(
                dispatcher,
                Reply(
                    "utter_ask_consent",
                    {
                        "service": name,
                        "department": localize(department.names, language),
                    },
                    yes_no_buttons(language),
                ),
            )
        return events

    @staticmethod
    def field_question(service: Any, field_name: str, language: str) -> Reply:
        """The question for one field, with buttons for choices and yes/no."""
        item = next(f for f in service.fields if f.name == field_name)
        buttons: List[Dict[str, str]] = []
        if item.type == "choice":
            buttons = [
                {"title": localize(c.label, language), "payload": c.value}
                for c in item.choices
            ]
        elif item.type == "yes_no":
            buttons = yes_no_buttons(language)
        example = localize(item.example, language) if item.example else ""
        params = {"prompt": localize(item.prompt, language), "example": example}
        if not item.required:
            skip = answer_words.first(answer_words.SKIP, language)
            buttons = [*buttons, {"title": skip, "payload": skip}]
            return Reply("utter_ask_optional_field", {**params, "skip": skip}, buttons)
        response = "utter_ask_field" if example else "utter_ask_field_no_example"
        return Reply(response, params, buttons)


class ActionFinishApplication(Action):
    """Runs when the form ends: submits a completed application, or closes the draft."""

    def name(self) -> str:
        return "action_finish_application"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        draft: Optional[Dict[str, Any]] = tracker.get_slot("application")
        status = tracker.get_slot("application_step")
        events: List[EventType] = [SlotSet("application_step", None)]
        if not draft:
            return events
        if status == "done":
            events += submit_application(dispatcher, tracker, draft)
            return events + [SlotSet("application", None)]
        if status == "declined":
            kept = dict(tracker.get_slot("drafts") or {})
            draft = {**draft, "status": "open", "consent": None, "eligible": None}
            kept[draft["service"]] = draft
            return events + [SlotSet("drafts", kept), SlotSet("application", None)]
        if status == "erase":  # "delete my data", confirmed: the gateway's too
            return events + forget_citizen(dispatcher, tracker)
        if status == "cancelled":  # "what you entered will be deleted": it is
            discard_cancelled(tracker, draft)
            events += erase_history(tracker, drop=("application", "application_step"))
        return events + [SlotSet("application", None)]
