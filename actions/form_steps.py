"""The application draft and its state machine, free of Rasa so it can be unit-tested.

A draft lives in the ``application`` slot as a plain dict (so it survives in the tracker
store across sessions). ``next_step`` says what to ask next; ``handle_answer`` applies one
citizen message and returns the replies to send, as response names with parameters.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Dict, List, Optional

from actions import answer_words, validators
from actions.reading import (
    FREE_TEXT_TYPES,
    SKIPPED,
    SKIPPED_DOCUMENT,
    Incoming,
    read_field,
)
from actions.replies import (
    HANDOFF_ASKED,
    HANDOFF_NOT_UNDERSTOOD,
    Reply,
    department_menu,
    info_reply,
)
from actions.texts import localize
from catalog.model import Catalog, Field, Service

# Side questions: answered, then the same question is asked again; nothing changes.
SIDE_QUESTIONS = frozenset(
    {
        "ask_fee",
        "ask_documents",
        "ask_processing_time",
        "ask_eligibility",
        "help",
        "out_of_scope",
    }
)
# Free-text answers accept almost anything, so only a surer side question interrupts them.
FREE_TEXT_COMMAND_CONFIDENCE = 0.8
# A question that is not a valid answer needs less: it cannot be the answer anyway.
QUESTION_CONFIDENCE = 0.5
TOO_LONG_INTENT = "message_too_long"  # components/payload_guard.py
GIVEN = True  # ``draft["consent"]`` until the form replaces it with the record
ERASE_INTENT = "erase_my_data"  # "delete my data", "I withdraw my consent"
ERASE_CONFIDENCE = 0.8
ERASE_NAMED_CONFIDENCE = 0.4  # enough when the message names the data or the consent
PRECHECK = (
    "precheck:"  # ``draft["pending"]`` while a document's pre-check advice is open
)


@dataclass(frozen=True)
class Step:
    """What the form asks next.

    ``kind`` is service, eligibility, field, document, precheck (advice on the document
    just sent), summary, consent, confirm_stop, confirm_erase, confirm_switch or done;
    ``name`` is the field, document type or target service.
    """

    kind: str
    name: Optional[str] = None


def new_draft(service_id: Optional[str]) -> Dict[str, Any]:
    """Returns an empty draft; its ``key`` doubles as the submission's idempotency key."""
    return {
        "key": uuid.uuid4().hex,
        "service": service_id,
        "answers": {},
        "display": {},
        "documents": {},
        "eligible": None,
        "summary_ok": False,
        "consent": None,
        "editing": None,
        "pending": None,
        "invalid": {},
        "status": "open",
    }


def next_step(draft: Dict[str, Any], catalog: Catalog) -> Step:
    """Decides what to ask next for this draft."""
    pending = draft.get("pending")
    if pending == "stop":
        return Step("confirm_stop")
    if pending == "erase":
        return Step("confirm_erase")
    if isinstance(pending, str) and pending.startswith("switch:"):
        return Step("confirm_switch", pending.split(":", 1)[1])
    if isinstance(pending, str) and pending.startswith(PRECHECK):
        return Step("precheck", pending.split(":", 1)[1])
    if draft["status"] in ("done", "cancelled", "declined", "erase"):
        return Step("done")
    if not draft.get("service"):
        return Step("service")
    service = catalog[draft["service"]]
    if draft.get("editing"):
        kind = "document" if draft["editing"].startswith("document:") else "field"
        return Step(kind, draft["editing"].removeprefix("document:"))
    if service.eligibility and draft.get("eligible") is None:
        return Step("eligibility")
    if draft.get("consent") is None:  # before any personal detail is asked
        return Step("consent")
    for item in service.fields:
        if item.applies(draft["answers"]) and item.name not in draft["answers"]:
            return Step("field", item.name)
    for document in service.offered_documents(draft["answers"]):
        if document.type not in draft["documents"]:
            return Step("document", document.type)
    if not draft.get("summary_ok"):
        return Step("summary")
    return Step("done")


def field_of(service: Service, name: str) -> Field:
    """Returns the service's field called ``name``."""
    return next(item for item in service.fields if item.name == name)


def summary_items(
    draft: Dict[str, Any], service: Service, language: str
) -> List[tuple]:
    """Numbered (key, label, shown value) rows of everything given so far."""
    rows = []
    for item in applicable_fields(draft, service):
        if item.name in draft["answers"]:
            shown = draft["display"].get(item.name) or "-"
            rows.append((item.name, field_label(item, language), shown))
    for document in service.offered_documents(draft["answers"]):
        state = draft["documents"].get(document.type)
        if state is not None:
            shown = {"later": "⏳", SKIPPED_DOCUMENT: localize(SKIPPED, language)}
            rows.append(
                (
                    f"document:{document.type}",
                    localize(document.name, language),
                    shown.get(state, "✓") if isinstance(state, str) else "✓",
                )
            )
    return rows


def applicable_fields(draft: Dict[str, Any], service: Service) -> List[Field]:
    """The service's fields that apply given the answers so far (``when`` conditions)."""
    return [item for item in service.fields if item.applies(draft["answers"])]


def field_label(item: Field, language: str) -> str:
    """Short label of a field: its catalog label, else its prompt."""
    label = getattr(item, "label", None)
    return localize(label or item.prompt, language)


def handle_answer(
    draft: Dict[str, Any],
    message: Incoming,
    catalog: Catalog,
    language: str,
    today: date,
) -> List[Reply]:
    """Applies one message to the draft (in place) and returns the replies to send.

    Answer first: the message is read as the answer to the open question before anything
    else; only explicit cancel wording, a side question that is not a valid answer (or a
    sure one at a free-text question) or a request for another service interrupts. The
    form asks the next question itself afterwards; replies here are acknowledgements,
    answers to side questions and error messages. A draft with nothing left to ask is
    ``done``.
    """
    replies = _apply(draft, message, catalog, language, today)
    if draft["status"] == "open" and next_step(draft, catalog).kind == "done":
        draft["status"] = "done"
    return replies


def _apply(
    draft: Dict[str, Any],
    message: Incoming,
    catalog: Catalog,
    language: str,
    today: date,
) -> List[Reply]:
    if message.intent == TOO_LONG_INTENT:
        return [Reply("utter_message_too_long")]
    step = next_step(draft, catalog)
    if step.kind == "confirm_stop":
        return _confirm_stop(draft, message)
    if step.kind == "confirm_erase":
        return _confirm_erase(draft, message)
    if step.kind == "confirm_switch":
        return _confirm_switch(draft, message, step.name or "")
    if asks_to_erase(message) and not _plain_yes_no(step, message):
        _ask_first(draft, "erase")  # before stop: "mera data mita do, nahi karna"
        return []
    if asks_to_stop(message):
        _ask_first(draft, "stop")
        return []
    if step.kind == "service":
        replies = (
            _command(draft, message, catalog, language) if message.is_command else None
        )
        return (
            replies
            if replies is not None
            else _choose_service(draft, message, catalog, language)
        )
    service = catalog[draft["service"]]
    if step.kind == "precheck":
        return _after_precheck(draft, service, step.name or "", message, language)
    item = field_of(service, step.name or "") if step.kind == "field" else None
    reading = _read(step, item, draft, service, message, language, today)
    target = _other_service(message, item, reading, draft, catalog)
    if target:
        draft["pending"] = f"switch:{target}"  # asked first; "no" keeps everything
        return []
    if _interrupts(message, item, reading, draft, catalog):
        replies = _command(draft, message, catalog, language)
        if replies is not None:
            return replies
    if step.kind == "document" and _asks_about_document(service, step.name, message):
        return [info_reply("ask_documents", service, language)]
    if step.kind == "field" and item is not None:
        return _answer_field(draft, item, reading, language)
    if step.kind == "document":
        return _answer_document(draft, service, step.name or "", reading, language)
    if step.kind == "summary":
        return _answer_summary(draft, reading)
    if isinstance(reading, validators.Invalid):
        return [Reply("utter_invalid_yes_no")]
    if step.kind == "eligibility":
        draft["eligible"] = reading.value
        if not reading.value:
            draft["status"] = "declined"
            return [
                Reply(
                    "utter_not_eligible", {"service": localize(service.names, language)}
                )
            ]
        return []
    if step.kind == "consent":
        if not reading.value:
            draft["status"] = "declined"
            return [Reply("utter_consent_refused")]
        draft["consent"] = GIVEN  # the form records when and which wording
    return []


def asks_to_stop(message: Incoming) -> bool:
    """True for the stop button, or a stop intent with explicit cancel wording.

    The NLU alone does not cancel: "छोड़ें" (skip) or "continue" may be read as stop.
    """
    if answer_words.is_one_of(message.text, answer_words.STOP):
        return True
    if answer_words.cancels_application(message.text):
        return True
    if message.intent != "stop":
        return False
    return message.text.startswith("/") or answer_words.says_stop(message.text)


def asks_to_erase(message: Incoming) -> bool:
    """Whether the citizen asks to delete their data (or withdraws consent).

    Said in so many words ("मेरा सारा डाटा मिटा दो"), whatever the NLU read; else the
    NLU's reading when sure, or fairly sure and the message names the data or the
    consent. A wrong guess costs one question: nothing is erased without a yes.
    """
    if answer_words.asks_to_delete_data(message.text):
        return True
    if message.intent != ERASE_INTENT:
        return False
    if message.text.startswith("/") or message.confidence >= ERASE_CONFIDENCE:
        return True
    return message.confidence >= ERASE_NAMED_CONFIDENCE and answer_words.mentions(
        message.text, answer_words.every(answer_words.PERSONAL_DATA)
    )


def _plain_yes_no(step: Step, message: Incoming) -> bool:
    """A yes or no to the consent or eligibility question ("I give my consent")."""
    return step.kind in ("consent", "eligibility") and isinstance(
        validators.validate_yes_no(message.text, None), validators.Valid
    )


def _read(
    step: Step,
    item: Optional[Field],
    draft: Dict[str, Any],
    service: Service,
    message: Incoming,
    language: str,
    today: date,
) -> validators.Result:
    """The message read as the answer to the open question (nothing is stored yet)."""
    if item is not None:
        return read_field(item, message, language, today)
    if step.kind == "document":
        if message.document:
            return validators.Valid(message.document, "✓")
        optional = not service.document_named(step.name or "").required
        if optional and (
            answer_words.is_skip(message.text)
            or answer_words.is_one_of(message.text, answer_words.NONE_ANSWERS)
            or answer_words.mentions(message.text, answer_words.NEGATIONS)
        ):
            return validators.Valid(SKIPPED_DOCUMENT, "-")
        if message.intent == "send_later" or answer_words.mentions(
            message.text, answer_words.every(answer_words.LATER)
        ):
            return validators.Valid("later", "⏳")
        return validators.Invalid("document")
    if step.kind == "summary":
        return _read_summary(draft, service, message, language)
    return validators.validate_yes_no(message.text, message.intent)


def _other_service(
    message: Incoming,
    item: Optional[Field],
    reading: validators.Result,
    draft: Dict[str, Any],
    catalog: Catalog,
) -> Optional[str]:
    """Another catalog service the message asks for instead of answering, if any.

    Its name in a message that is no answer ("papa ka disability pension bhi karna hai"
    at an income question), or a sure request to apply for it where any text is an
    answer (free text). A valid answer to a structured question stays an answer, whatever
    service words it holds ("haa shadi ho gyi h" to "are you married?", "DL 5S AB 1234").
    """
    target = message.entities.get("service")
    if not target or target not in catalog or target == draft.get("service"):
        return None
    if isinstance(reading, validators.Invalid):
        return target
    # Names and free text take almost any words: there a sure request to apply that names
    # the service (not one guessed from the whole sentence) is not the answer.
    free_text = item is not None and item.type in FREE_TEXT_TYPES
    named = not message.guessed_service
    if free_text and named and message.is_command and message.intent == "apply_service":
        return target
    return None


def _interrupts(
    message: Incoming,
    item: Optional[Field],
    reading: validators.Result,
    draft: Dict[str, Any],
    catalog: Catalog,
) -> bool:
    """True when the message is a command rather than the answer it was read as."""
    if message.intent in ("stop", "apply_service"):
        return False
    if isinstance(reading, validators.Invalid) and (
        message.is_command or _plainly_asks(message)
    ):
        return True
    if not message.is_command:
        return False
    # A valid name is an answer (the validator refuses question and command words);
    # free text takes almost anything, so a sure side question wins there.
    free_text = item is not None and item.type == "text"
    # A short answer ("पत्नी", the field's own example) or a statement ("For DSSSB
    # teacher recruitment") is an answer; a question is not.
    asking = answer_words.is_question(message.text) or (
        message.intent == "talk_to_human" and len(message.text.split()) >= 3
    )
    sure = message.text.startswith("/") or (
        asking and message.confidence >= FREE_TEXT_COMMAND_CONFIDENCE
    )
    return free_text and sure and message.intent in SIDE_QUESTIONS | {"talk_to_human"}


def _asks_about_document(
    service: Service, name: Optional[str], message: Incoming
) -> bool:
    """A typed question about the document asked for ("wat is form 1", "affidavit kaisa?").

    Whatever the NLU reads it as, it cannot be the document: the documents list answers it.
    """
    if message.document or not name or not answer_words.is_question(message.text):
        return False
    named = _all_labels(service, f"document:{name}") - _COMMON_DOCUMENT_WORDS
    return bool(_words(message.text) & named)


# Words of many documents' names, or no name at all: they do not say which is asked about.
_COMMON_DOCUMENT_WORDS = frozenset(
    "certificate copy proof card document your aur mein delhi praman patra patr "
    "प्रमाण पत्र प्रमाणपत्र और में दिल्ली आपका कॉपी".split()
)


def _plainly_asks(message: Incoming) -> bool:
    """A side question in question form, even when the NLU is only fairly sure.

    Asked where it cannot be the answer ("Which format is the affidavit in?" when a photo
    is asked for), it is answered rather than refused.
    """
    return (
        message.intent in SIDE_QUESTIONS - {"out_of_scope"}
        and message.confidence >= QUESTION_CONFIDENCE
        and answer_words.is_question(message.text)
    )


def _command(
    draft: Dict[str, Any], message: Incoming, catalog: Catalog, language: str
) -> Optional[List[Reply]]:
    intent = message.intent
    if intent == "apply_service":
        target = message.entities.get("service")
        if target and target != draft.get("service") and target in catalog:
            if draft.get("service"):
                draft["pending"] = f"switch:{target}"
                return []
            draft["service"] = target
            return []
        return None
    if intent in ("ask_fee", "ask_documents", "ask_processing_time", "ask_eligibility"):
        service_id = message.entities.get("service") or draft.get("service")
        if not service_id or service_id not in catalog:
            return None
        return [info_reply(intent, catalog[service_id], language)]
    if intent == "talk_to_human":
        return [Reply(HANDOFF_ASKED)]
    if intent == "out_of_scope":
        return [Reply("utter_out_of_scope")]
    if intent in ("help", "change_language"):
        return []
    return None


def _confirmation(message: Incoming) -> validators.Result:
    """A yes/no to "cancel?" or "switch?"; keep-wording is a no, cancel wording a yes.

    Only a sure affirm intent counts as yes without a yes word: the default keeps data.
    """
    if answer_words.mentions(message.text, answer_words.every(answer_words.KEEP)):
        return validators.Valid(False, "✗")  # "नहीं, रद्द मत करो, आगे चलो"
    if asks_to_stop(message):
        return validators.Valid(True, "✓")
    return _sure_yes_no(message)


def _sure_yes_no(message: Incoming) -> validators.Result:
    """Yes or no by its words; by the intent only when the NLU is sure (or a button)."""
    sure = message.text.startswith("/") or message.confidence >= 0.9
    return validators.validate_yes_no(message.text, message.intent if sure else None)


def _confirm_stop(draft: Dict[str, Any], message: Incoming) -> List[Reply]:
    return _confirmed(
        draft,
        _confirmation(message),
        "cancelled",
        [Reply("utter_continue_application")],
        [Reply("utter_application_cancelled")],
    )


def erase_confirmation(message: Incoming) -> validators.Result:
    """The answer to "delete your data?": only a plain yes erases.

    Cancel wording is a no; an unsure reading of the intent counts for nothing.
    """
    if asks_to_stop(message):
        return validators.Valid(False, "✗")
    return _sure_yes_no(message)


def _confirm_erase(draft: Dict[str, Any], message: Incoming) -> List[Reply]:
    """Yes erases everything (the form ends, ``actions.erasure`` does it); no goes on."""
    return _confirmed(
        draft,
        erase_confirmation(message),
        "erase",
        [Reply("utter_data_kept"), Reply("utter_continue_application")],
    )


def _ask_first(draft: Dict[str, Any], question: str) -> None:
    """Asks a yes/no question first; "no" goes back to what was open (the advice, say)."""
    draft["resume"] = draft.get("pending")
    draft["pending"] = question


def _confirmed(
    draft: Dict[str, Any],
    result: validators.Result,
    status: str,
    kept: List[Reply],
    done: Optional[List[Reply]] = None,
) -> List[Reply]:
    """Applies a yes/no to a pending question: yes sets ``status``, no keeps going."""
    if isinstance(result, validators.Invalid):
        return [Reply("utter_invalid_yes_no")]
    resume = draft.pop("resume", None)
    draft["pending"] = None if result.value else resume
    if not result.value:
        return kept
    draft["status"] = status
    return done or []


def _confirm_switch(
    draft: Dict[str, Any], message: Incoming, target: str
) -> List[Reply]:
    replies = _confirmed(
        draft, _confirmation(message), "switched", [Reply("utter_continue_application")]
    )
    if draft["status"] == "switched":
        draft["switch_to"] = target
    return replies


def _choose_service(
    draft: Dict[str, Any], message: Incoming, catalog: Catalog, language: str
) -> List[Reply]:
    service_id = message.entities.get("service") or catalog.match(message.text)
    if service_id and service_id in catalog:
        draft["service"] = service_id
        return []
    department = message.entities.get("department")
    if department:
        return [department_menu(catalog, department, language)]
    return [Reply("utter_unknown_service")]


def _answer_field(
    draft: Dict[str, Any], item: Field, result: validators.Result, language: str
) -> List[Reply]:
    if isinstance(result, validators.Invalid):
        count = draft["invalid"].get(item.name, 0) + 1
        draft["invalid"][item.name] = count
        example = localize(item.example, language) if item.example else ""
        params = {"example": example, "label": field_label(item, language)}
        replies = [Reply(f"utter_invalid_{result.code}", {**params, **result.params})]
        if count % 3 == 2:  # on the 2nd failure, then every third one
            replies.append(
                Reply(
                    "utter_explain_again",
                    {
                        "prompt": localize(item.prompt, language),
                        "example": example,
                    },
                    [{"title": "🙋", "payload": "/talk_to_human"}],
                )
            )
        if count == 2:  # two failed answers in a row: a person is asked to help
            replies.append(Reply(HANDOFF_NOT_UNDERSTOOD))
        return replies
    draft["invalid"].pop(item.name, None)
    draft["answers"][item.name] = result.value
    draft["display"][item.name] = result.display
    if draft.get("editing") == item.name:
        draft["editing"] = None
        draft["summary_ok"] = False
    return []


def _answer_document(
    draft: Dict[str, Any],
    service: Service,
    doc_type: str,
    reading: validators.Result,
    language: str,
) -> List[Reply]:
    document = service.document_named(doc_type)
    name = localize(document.name, language)
    if isinstance(reading, validators.Invalid):
        return [Reply("utter_document_expected", {"document": name})]
    draft["documents"][doc_type] = reading.value
    if draft.get("editing") == f"document:{doc_type}":
        draft["editing"] = None
    if reading.value == "later":
        return [Reply("utter_document_later", {"document": name})]
    if reading.value == SKIPPED_DOCUMENT:
        return []
    return [Reply("utter_document_received", {"document": name})]


def _after_precheck(
    draft: Dict[str, Any],
    service: Service,
    doc_type: str,
    message: Incoming,
    language: str,
) -> List[Reply]:
    """Reads the citizen's choice after a pre-check's advice.

    A new file replaces the document; "correct my answer" reopens the answer it differs
    from (the document is checked again afterwards); "continue anyway" (or yes) keeps it.
    Anything else: the advice is given again.
    """
    advice = draft.get("precheck") or {}
    fields = [item["field"] for item in advice.get("fields") or ()]
    text = message.text
    if message.document:
        draft["documents"][doc_type] = message.document
        _close_advice(draft)
        name = localize(service.document_named(doc_type).name, language)
        return [Reply("utter_document_received", {"document": name})]
    if fields and answer_words.is_one_of(text, answer_words.CORRECT_ANSWER):
        draft["editing"], draft["summary_ok"] = fields[0], False
        _close_advice(draft)
        draft["recheck"] = doc_type
        return []
    keeps = answer_words.is_one_of(text, answer_words.KEEP_DOCUMENT) or (
        answer_words.is_one_of(text, answer_words.LATER)  # a better one later: go on
    )
    yes = validators.validate_yes_no(validators.clean(text), message.intent)
    if keeps or (isinstance(yes, validators.Valid) and yes.value):
        _close_advice(draft)
    return []


def _close_advice(draft: Dict[str, Any]) -> None:
    draft["pending"] = None
    draft.pop("precheck", None)


_NUMBER = re.compile(r"^\s*(\d{1,2})\s*$")
# "Kindly amend item 8.", "8 badlo", "नंबर 3 बदलें": the one small number in the message.
_ITEM_NUMBER = re.compile(r"\D*?(?<!\d)(\d{1,2})(?!\d)\D*")
SUMMARY_OK = "ok"


def _read_summary(
    draft: Dict[str, Any], service: Service, message: Incoming, language: str
) -> validators.Result:
    """At the summary: ``SUMMARY_OK``, or the key of the row to change (by number/name)."""
    rows = summary_items(draft, service, language)
    text = validators.clean(message.text)
    number = _NUMBER.match(text)
    if not number and not answer_words.finds_fault(text):
        if answer_words.confirms(text) or message.intent == "affirm":
            return validators.Valid(SUMMARY_OK, text)
        result = validators.validate_yes_no(text, message.intent)
        if isinstance(result, validators.Valid) and result.value:
            return validators.Valid(SUMMARY_OK, text)
    if not number:
        number = _ITEM_NUMBER.fullmatch(text)
    if number:
        if 1 <= int(number.group(1)) <= len(rows):
            return validators.Valid(rows[int(number.group(1)) - 1][0], text)
        return validators.Invalid("summary_item")
    labels = {key: _all_labels(service, key) for key, _, _ in rows}
    key = _match_row(text, labels)
    return validators.Valid(key, text) if key else validators.Invalid("summary_item")


def _answer_summary(draft: Dict[str, Any], reading: validators.Result) -> List[Reply]:
    if isinstance(reading, validators.Invalid):
        return [Reply("utter_ask_which_field")]
    if reading.value == SUMMARY_OK:
        draft["summary_ok"] = True
    else:
        draft["editing"] = reading.value
    return []


# Words that name no summary row ("change", "galat", "the").
_NOT_LABEL_WORDS = frozenset(
    "the and for with want change wrong correct please is to my of in it this that "
    "ka ki ke hai h badlo badalna galat sahi karo kar".split()
    + "का की के है बदलो बदलें बदलना गलत सही करें".split()
)


def _words(text: str) -> set:
    """Distinctive words of a label or message ("e-mail" and "email" alike)."""
    text = text.lower().replace("-", "")
    return {
        w
        for w in re.findall(r"[\w\u0900-\u097F]+", text)
        if len(w) > 2 and w not in _NOT_LABEL_WORDS
    }


def _all_labels(service: Service, key: str) -> set:
    """The words of a summary row's label in every language (citizens mix them)."""
    if key.startswith("document:"):
        texts = service.document_named(key.removeprefix("document:")).name
    else:
        item = field_of(service, key)
        texts = getattr(item, "label", None) or item.prompt
    return set().union(*(_words(texts[lang]) for lang in ("en", "hi", "hinglish")))


def _match_row(text: str, labels: Dict[str, set]) -> Optional[str]:
    """Finds the summary row a "change ..." message names ("mother ka naam galat hai").

    Words shared by many labels ("father's name", "mother's name") count less than
    distinctive ones ("mother").
    """
    words = _words(text)
    best, best_score = None, 0.0
    for key, label_words in labels.items():
        score = sum(
            1 / sum(word in other for other in labels.values())
            for word in words & label_words
        )
        if score > best_score:
            best, best_score = key, score
    return best
