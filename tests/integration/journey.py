"""Plays a citizen journey (tests/integration/journeys/, format in its README) end to end.

The runner types the citizen's messages over REST or WhatsApp to the real servers, acts as
the officer through the gateway's officer API, and checks what the citizen sees at every
turn: which question is asked (the catalog prompt in the citizen's language, or the domain
response it comes from), side answers, errors, notifications that arrive without asking,
and the certificate PDF. It never reads the tracker to decide what to send: the journey
was written blind, before the code was read.

Every message is also checked for the language of the journey (a domain response's
variation for another language is a failure; other text by its script) and for leaks of
internals: unfilled ``{placeholders}``, snake_case codes, ISO dates, "None".
"""

from __future__ import annotations

import io
import re
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import requests
import yaml

from actions.texts import localize
from catalog.model import Service
from channels.documents import store_document
from tests.integration.e2e import OFFICER_TOKEN, Stack, jpeg
from tests.integration.servers import (
    GATEWAY_PYTHON,
    ROOT,
    get_tracker,
    post_message,
    rest_inbox,
)
from tests.integration.whatsapp_citizen import WhatsAppCitizen

JOURNEYS = Path(__file__).with_name("journeys")
APPLICATION_ID = re.compile(r"DL-[A-Z]{3}-\d{4}-\d{6}")
URL = re.compile(r"https?://\S+")
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
LATIN = re.compile(r"[A-Za-z]")
# Internals that must never reach a citizen.
LEAKS = {
    "unfilled placeholder": re.compile(r"\{[a-z_]+\}"),
    "python value": re.compile(r"\bNone\b|\{'|\['"),
    "snake_case code": re.compile(r"\b[a-z]+_[a-z_]+\b"),
    "ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "'1 days'": re.compile(r"\b1 days\b"),
}
NOTIFICATION_TIMEOUT = 60.0

# Domain responses each expectation stands for.
ASKS = {
    "eligibility": ["utter_ask_eligibility"],
    "summary": ["utter_summary"],
    "consent": ["utter_ask_consent"],
    "service": ["utter_ask_which_service", "utter_choose_department"],
    "confirm_cancel": ["utter_ask_confirm_stop"],
    "confirm_switch": ["utter_ask_switch_service"],
    "confirm_erase": ["utter_ask_confirm_erase"],
}
QUESTION_RESPONSES = {
    "utter_ask_field",
    "utter_ask_field_no_example",
    "utter_ask_optional_field",
    "utter_ask_document",
    "utter_ask_optional_document",
    *[name for names in ASKS.values() for name in names],
}
ANSWERS = {
    "fee": ["utter_service_fee", "utter_service_fee_free"],
    "documents": ["utter_service_documents"],
    "processing_time": ["utter_service_time"],
    # The eligibility question itself lists who can apply.
    "eligibility": ["utter_service_eligibility", "utter_ask_eligibility"],
}
SIMPLE = {
    "greeting": ["utter_greet", "utter_draft_found"],
    "submitted": ["utter_application_submitted", "utter_submission_queued"],
    "cancelled": ["utter_application_cancelled"],
    "kept": ["utter_continue_application"],
    "erased": ["utter_data_erased"],
    "data_kept": ["utter_data_kept"],
    "not_found": ["utter_application_not_found", "utter_no_applications"],
    "handoff": [
        "utter_handoff_queued",
        "utter_handoff_after_hours",
        "utter_handoff_already_queued",
    ],
    "out_of_scope": ["utter_out_of_scope"],
    "services": [
        "utter_main_menu",
        "utter_choose_department",
        "utter_department_services",
    ],
    "rejects": [
        "utter_invalid_*",
        "utter_document_expected",
        "utter_ask_which_field",
        "utter_explain_again",
    ],
}


# ---------------------------------------------------------------------------- texts
@dataclass(frozen=True)
class Template:
    response: str
    language: str
    pattern: re.Pattern


def _compile(text: str) -> Optional[re.Pattern]:
    """A response text as a regex: each {param} matches anything."""
    parts = re.split(r"\{[a-z_]+\}", text.strip())
    if sum(len(part.strip()) for part in parts) < 6:
        return None  # "{prompt}" alone says nothing about the message
    return re.compile(
        ".+?".join(re.escape(part) for part in parts), re.DOTALL | re.IGNORECASE
    )


def load_templates() -> List[Template]:
    templates = []
    data = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name, variations in data["responses"].items():
        for variation in variations:
            language = "en"
            for condition in variation.get("condition") or []:
                if condition.get("name") == "language":
                    language = condition["value"]
            pattern = _compile(variation.get("text") or "")
            if pattern is not None:
                templates.append(Template(name, language, pattern))
    return templates


TEMPLATES = load_templates()


def _named(response: str, wanted: List[str]) -> bool:
    return any(
        response == name or (name.endswith("*") and response.startswith(name[:-1]))
        for name in wanted
    )


@dataclass
class Message:
    """One message the citizen sees."""

    text: str
    document_url: Optional[str] = None  # REST: the certificate link
    media_id: Optional[str] = None  # WhatsApp: an uploaded document
    pushed: bool = False

    def responses(self, language: Optional[str] = None) -> List[str]:
        """The domain responses (in ``language``, if given) this text comes from."""
        return [
            t.response
            for t in TEMPLATES
            if (language is None or t.language == language)
            and t.pattern.fullmatch(self.text.strip())
        ]


# Words that show a Roman-script message is Hinglish, or English.
HINGLISH_MARKERS = frozenset(
    "hai h hain ka ki ke ko mein me mujhe mera meri mere hamara aap apna kya kaise kitna "
    "kitne kitni chahiye banwana banana karna karo kar nahi nhi haan bhai se tha thi "
    "hoon hu hun wala wali liye abhi kal aur ya namaskar".split()
)
ENGLISH_MARKERS = frozenset(
    "i i'm my me the a an is are was for to of need want please what how when where "
    "which can could would should have has do does my apply thanks thank yes no".split()
)


def shown_language(text: str) -> Optional[str]:
    """The language a citizen's message shows by itself (None: too short to tell)."""
    letters = DEVANAGARI.findall(text), LATIN.findall(text)
    if len(letters[0]) >= max(2, len(letters[1])):
        return "hi"
    words = set(re.findall(r"[a-z']+", text.lower()))
    hinglish, english = len(words & HINGLISH_MARKERS), len(words & ENGLISH_MARKERS)
    if hinglish > english:
        return "hinglish"
    if english > hinglish or (english and len(words) >= 3):
        return "en"
    return None


def check_message(message: Message, languages: Optional[set]) -> List[str]:
    """Language and leak problems of one message.

    ``languages``: the languages the reply may be in (the journey's, and the one the
    citizen's message shows), or None before the citizen has shown their language
    ("hello" could be anyone).
    """
    if not message.text:
        return []
    problems = []
    if languages is not None:
        anywhere = message.responses()
        mine = [r for language in languages for r in message.responses(language)]
        if anywhere and not mine:
            problems.append(f"in another language ({anywhere[0]}): {message.text!r}")
        if not anywhere:
            shown = shown_language(message.text)
            if (
                shown is not None
                and shown not in languages
                and not (shown == "en" and "hinglish" in languages)
            ):
                problems.append(f"not in {sorted(languages)}: {message.text!r}")
    visible = APPLICATION_ID.sub("", URL.sub("", message.text))
    for leak, pattern in LEAKS.items():
        found = pattern.search(visible)
        if found:
            problems.append(f"{leak} {found.group(0)!r} in {message.text!r}")
    return problems


# ---------------------------------------------------------------------------- citizens
class RestCitizen:
    """A citizen on the REST channel (terminal chat, CSC operator)."""

    channel = "rest"

    def __init__(self, stack: Stack, sender: str) -> None:
        self.stack, self.sender = stack, sender

    def say(self, text: str) -> List[Message]:
        return self._messages(post_message(self.stack.rasa.port, self.sender, text))

    def upload(self, name: str, pdf: bool) -> List[Message]:
        data = pdf_scan(hash(name) % 997) if pdf else jpeg(hash(name) % 997)
        stored = store_document(
            data,
            f"{name}.{'pdf' if pdf else 'jpg'}",
            None,
            self.stack.documents,
            sender_id=self.sender,
        )
        metadata = {"document": stored.to_metadata()}
        return self._messages(
            post_message(
                self.stack.rasa.port, self.sender, "/document_uploaded", metadata
            )
        )

    def pushed(self) -> List[Message]:
        pushed = rest_inbox(self.stack.rasa.port, self.sender)
        return [
            Message(m.text, m.document_url, pushed=True) for m in self._messages(pushed)
        ]

    def download(self, message: Message) -> bytes:
        assert message.document_url, message
        response = requests.get(message.document_url, timeout=30)  # no token
        assert response.status_code == 200, (response.status_code, response.text)
        return response.content

    @staticmethod
    def _messages(replies: List[Dict[str, Any]]) -> List[Message]:
        found = []
        for reply in replies:
            document = (reply.get("custom") or {}).get("document") or {}
            if reply.get("text") or document:
                found.append(Message(reply.get("text") or "", document.get("url")))
        return found


class WhatsAppJourneyCitizen:
    """A citizen on WhatsApp (signed webhooks in, the fake Graph API out)."""

    channel = "whatsapp"

    def __init__(self, stack: Stack, graph: Any, wa_id: str, name: str) -> None:
        self.stack, self.graph = stack, graph
        self.citizen = WhatsAppCitizen(stack.rasa.port, graph, wa_id, name)
        self.uploads = 0

    def say(self, text: str) -> List[Message]:
        return self._messages(self.citizen.text(text))

    def upload(self, name: str, pdf: bool) -> List[Message]:
        self.uploads += 1
        media_id = f"media-{self.citizen.wa_id}-{self.uploads}"
        data = (pdf_scan if pdf else jpeg)(self.uploads + hash(name) % 997)
        self.graph.add_media(media_id, data, "application/pdf" if pdf else "image/jpeg")
        if pdf:
            return self._messages(
                self.citizen.send(
                    {
                        "type": "document",
                        "document": {
                            "id": media_id,
                            "mime_type": "application/pdf",
                            "filename": f"{name}.pdf",
                        },
                    }
                )
            )
        return self._messages(self.citizen.image(media_id))

    def pushed(self) -> List[Message]:
        return [
            Message(m.text, None, m.media_id, pushed=True)
            for m in self._messages(self.citizen.new_messages())
        ]

    def download(self, message: Message) -> bytes:
        """The PDF the channel uploaded to WhatsApp for this document message."""
        uploads = [u for u in self.graph.uploads() if u.media_id == message.media_id]
        assert uploads, f"no upload behind {message.media_id}"
        return bytes(uploads[-1].form["file"])

    @staticmethod
    def _messages(sent: List[Dict[str, Any]]) -> List[Message]:
        found = []
        for item in sent:
            kind = item.get("type")
            if kind == "text":
                found.append(Message(item["text"]["body"]))
            elif kind == "interactive":
                found.append(Message(item["interactive"]["body"]["text"]))
            elif kind == "document":
                found.append(Message("", media_id=item["document"].get("id") or "-"))
        return found


def pdf_scan(seed: int) -> bytes:
    """A one-page PDF of a scanned page (as phones and CSC scanners make them)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.open(io.BytesIO(jpeg(seed))).save(buffer, format="PDF")
    return buffer.getvalue()


# ---------------------------------------------------------------------------- officer
def officer(stack: Stack, application_id: str, turn: Dict[str, Any]) -> None:
    """The department officer's decision, through the gateway's officer API."""
    action = turn["officer"]
    base = f"{stack.gateway_url}/api/v1/officer/applications/{application_id}"
    headers = {"Authorization": f"Bearer {OFFICER_TOKEN}"}
    if action == "approve":
        response = requests.post(f"{base}/approve", headers=headers, timeout=60)
    elif action == "reject":
        reason = turn.get("reason") or "The documents do not support the application."
        response = requests.post(
            f"{base}/reject", json={"reason": reason}, headers=headers, timeout=60
        )
    elif action == "request_documents":
        body = {
            "document_types": turn.get("documents") or [],
            "reason": turn.get("reason") or "Please send a clear copy.",
        }
        response = requests.post(
            f"{base}/request-documents", json=body, headers=headers, timeout=60
        )
    else:
        raise AssertionError(f"unknown officer action {action!r}")
    assert response.status_code == 200, (action, response.status_code, response.text)


NOTIFIED = {
    "submitted": ["utter_status_submitted"],
    "approved": ["utter_status_approved", "utter_status_issued"],
    "issued": ["utter_status_issued"],
    "rejected": ["utter_status_rejected"],
    "documents_requested": ["utter_status_documents_requested"],
    "under_verification": ["utter_status_under_verification"],
}


# ---------------------------------------------------------------------------- journey
@dataclass
class Outcome:
    """What happened in one journey."""

    id: str
    language: str
    channel: str
    sender: str
    application_id: Optional[str] = None
    transcript: List[str] = field(default_factory=list)
    failures: List[str] = field(default_factory=list)
    certificate: Optional[bytes] = None

    def tail(self, lines: int = 14) -> str:
        return "\n".join(self.transcript[-lines:])


def load(path: Path) -> Dict[str, Any]:
    journey = yaml.safe_load(path.read_text(encoding="utf-8"))
    journey["file"] = path.name
    return journey


def all_journeys() -> List[Path]:
    return sorted(JOURNEYS.glob("*/*.yml"))


class Checker:
    """Checks one turn's messages against the journey's expectations."""

    def __init__(self, service: Service, language: str) -> None:
        self.service, self.language = service, language
        # The languages replies may be in this turn (None: any, see check_message).
        self.languages: Optional[set] = {language}

    def responses(self, message: Message) -> List[str]:
        """The domain responses a message comes from, in this turn's languages."""
        if self.languages is None:
            return message.responses()
        return [r for lang in self.languages for r in message.responses(lang)]

    def text_in(self, texts: Any) -> List[str]:
        """A catalog text in each of this turn's languages."""
        languages = self.languages or set(texts)
        return [localize(texts, lang) for lang in languages]

    def __call__(self, expect: Any, messages: List[Message]) -> List[str]:
        key, value = (
            (expect, None) if isinstance(expect, str) else next(iter(expect.items()))
        )
        if key in SIMPLE:
            problem = self._responses(SIMPLE[key], messages, key)
        elif hasattr(self, f"_{key}"):
            problem = getattr(self, f"_{key}")(value, messages)
        else:
            problem = f"unknown expectation {key!r}"
        return [problem] if problem else []

    def _responses(
        self, wanted: List[str], messages: List[Message], what: str
    ) -> Optional[str]:
        if any(_named(r, wanted) for m in messages for r in self.responses(m)):
            return None
        return f"expected {what} ({', '.join(wanted)})"

    def _asks(self, what: str, messages: List[Message]) -> Optional[str]:
        questions = [
            m
            for m in messages
            if any(r in QUESTION_RESPONSES for r in self.responses(m))
        ]
        if not questions:
            return f"expected the question {what!r}, but nothing was asked"
        last = questions[-1]
        if what in ASKS:
            if any(_named(r, ASKS[what]) for r in self.responses(last)):
                return None
            return f"expected the question {what!r}, got {last.text!r}"
        if what.startswith("document:"):
            doc_type = what.split(":", 1)[1]
            document = next(
                (d for d in self.service.documents if d.type == doc_type), None
            )
            if document is None:
                return f"{doc_type!r} is not a document of {self.service.id}"
            names = self.text_in(document.name)
            asked = {"utter_ask_document", "utter_ask_optional_document"}
            if asked & set(self.responses(last)) and any(n in last.text for n in names):
                return None
            name = names[0]
            return f"expected a request for {name!r}, got {last.text!r}"
        item = next((f for f in self.service.fields if f.name == what), None)
        if item is None:
            return f"{what!r} is not a field of {self.service.id}"
        prompts = self.text_in(item.prompt)
        if any(prompt in last.text for prompt in prompts):
            return None
        prompt = prompts[0]
        return f"expected the question {prompt!r}, got {last.text!r}"

    def _answers(self, what: str, messages: List[Message]) -> Optional[str]:
        return self._responses(ANSWERS[what], messages, f"the {what} answer")

    def _status(self, status: str, messages: List[Message]) -> Optional[str]:
        return self._responses(NOTIFIED.get(status, []), messages, f"status {status}")

    def _notified(self, status: str, messages: List[Message]) -> Optional[str]:
        pushed = [m for m in messages if m.pushed]
        return self._responses(
            NOTIFIED.get(status, []), pushed, f"a notification '{status}'"
        )

    def _certificate(self, _: Any, messages: List[Message]) -> Optional[str]:
        if any(m.document_url or m.media_id for m in messages):
            return None
        return "expected the certificate PDF"

    def _says(self, words: List[str], messages: List[Message]) -> Optional[str]:
        text = " ".join(m.text for m in messages).lower()
        if any(str(word).lower() in text for word in words):
            return None
        return f"expected one of {words}"

    def _not_says(self, words: List[str], messages: List[Message]) -> Optional[str]:
        text = " ".join(m.text for m in messages).lower()
        found = [word for word in words if str(word).lower() in text]
        return f"did not expect {found}" if found else None


def run(
    journey: Dict[str, Any],
    stack: Stack,
    graph: Any,
    sender: Optional[str] = None,
) -> Outcome:
    """Plays one journey; returns what happened (failures are collected, not raised)."""
    language, channel = journey["language"], journey.get("channel", "rest")
    sender = sender or (
        f"91{9000000000 + uuid.uuid4().int % 999999999}"
        if channel == "whatsapp"
        else f"journey-{uuid.uuid4().hex[:10]}"
    )
    outcome = Outcome(journey["id"], language, channel, sender)
    citizen: Any = (
        WhatsAppJourneyCitizen(stack, graph, sender, "Citizen")
        if channel == "whatsapp"
        else RestCitizen(stack, sender)
    )
    service = stack.catalog[journey["service"]]
    check = Checker(service, language)
    shown_once = False  # the citizen has written in the journey's language
    for number, turn in enumerate(journey["turns"], 1):
        messages, said = _play(turn, citizen, stack, outcome)
        shown = shown_language(said) if "say" in turn else None
        shown_once = shown_once or shown == language
        allowed = {language, *([shown] if shown else [])} if shown_once else None
        outcome.transcript.append(f"[{number}] citizen: {said}")
        outcome.transcript += [
            f"      bot{' (pushed)' if m.pushed else ''}: "
            + (m.text or f"<PDF {m.document_url or m.media_id}>")
            for m in messages
        ]
        if outcome.application_id is None:
            found = [APPLICATION_ID.search(m.text) for m in messages]
            outcome.application_id = next((f.group(0) for f in found if f), None)
        problems = [p for m in messages for p in check_message(m, allowed)]
        check.languages = allowed
        for expect in turn.get("expect") or []:
            problems += check(expect, messages)
        if (turn.get("expect") or []) and not messages:
            problems.append("the assistant said nothing")
        certificate = [m for m in messages if m.document_url or m.media_id]
        if certificate and "certificate" in [
            e for e in turn.get("expect") or [] if isinstance(e, str)
        ]:
            outcome.certificate = citizen.download(certificate[-1])
        for problem in problems:
            outcome.failures.append(f"turn {number} ({said}): {problem}")
        if problems:
            break  # later turns would only repeat the same derailment
    if not outcome.failures:
        outcome.failures += check_outcome(journey, stack, outcome)
    return outcome


def _play(
    turn: Dict[str, Any], citizen: Any, stack: Stack, outcome: Outcome
) -> Tuple[List[Message], str]:
    if "say" in turn:
        text = str(turn["say"])
        if "{app}" in text:
            assert outcome.application_id, "{app} used before the application number"
            text = text.replace("{app}", outcome.application_id)
        return citizen.pushed() + citizen.say(text), text
    if "upload" in turn:
        pdf = turn.get("as") == "pdf"
        return (
            citizen.pushed() + citizen.upload(str(turn["upload"]), pdf),
            f"<sends {turn['upload']}{' (PDF)' if pdf else ''}>",
        )
    assert outcome.application_id, "officer step before the application number"
    officer(stack, outcome.application_id, turn)
    wanted = [
        e["notified"]
        for e in turn.get("expect") or []
        if isinstance(e, dict) and "notified" in e
    ]
    messages: List[Message] = []
    deadline = time.monotonic() + NOTIFICATION_TIMEOUT
    while time.monotonic() < deadline:
        messages += citizen.pushed()
        seen = {
            r for m in messages for r in m.responses() if r.startswith("utter_status_")
        }
        if all(set(NOTIFIED.get(w, [])) & seen for w in wanted) and (
            turn["officer"] != "approve"
            or any(m.document_url or m.media_id for m in messages)
        ):
            break
        time.sleep(0.5)
    return messages, f"<officer: {turn['officer']}>"


def check_outcome(journey: Dict[str, Any], stack: Stack, outcome: Outcome) -> List[str]:
    """What reached the officer, and the certificate the citizen holds."""
    failures = []
    saved = journey.get("saved") or {}
    if saved and outcome.application_id:
        response = requests.get(
            f"{stack.gateway_url}/api/v1/officer/applications/{outcome.application_id}",
            headers={"Authorization": f"Bearer {OFFICER_TOKEN}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        fields = response.json()["fields"]
        for name, expected in saved.items():
            got = fields.get(name)
            if _normal(got) != _normal(expected):
                failures.append(f"saved {name}: expected {expected!r}, got {got!r}")
    failures += check_cancelled_are_forgotten(journey, stack, outcome)
    if outcome.certificate is not None:
        if not outcome.certificate.startswith(b"%PDF"):
            failures.append("the certificate is not a PDF")
        elif journey.get("holder"):
            text = pdf_text(outcome.certificate)
            if _normal(journey["holder"]) not in _normal(text):
                failures.append(f"the certificate does not name {journey['holder']!r}")
    return failures


def check_cancelled_are_forgotten(
    journey: Dict[str, Any], stack: Stack, outcome: Outcome
) -> List[str]:
    """After a confirmed "cancel" or "delete my data", what the citizen said is erased.

    The bot promises "what you entered will be deleted" (or "your conversation has been
    deleted"): the conversation Rasa keeps must hold none of the messages sent up to then.
    """
    turns = journey["turns"]
    forgotten = [
        i
        for i, turn in enumerate(turns)
        if {"cancelled", "erased"} & set(map(str, turn.get("expect") or []))
    ]
    if not forgotten:
        return []
    said = {str(t["say"]) for t in turns[: forgotten[-1] + 1] if "say" in t}
    said -= {str(t["say"]) for t in turns[forgotten[-1] + 1 :] if "say" in t}
    kept = {
        e.get("text")
        for e in get_tracker(stack.rasa.port, outcome.sender)["events"]
        if e.get("event") == "user"
    }
    return [f"kept after the erasure: {text!r}" for text in sorted(said & kept)]


def _normal(value: Any) -> str:
    text = str(value).lower() if value is not None else "none"
    text = text.removeprefix("+91") if re.fullmatch(r"\+91\d{10}", text) else text
    return re.sub(r"\s+", " ", text).strip()


PDF_TEXT = """
import sys, pypdfium2
document = pypdfium2.PdfDocument(sys.stdin.buffer.read())
print("\\n".join(page.get_textpage().get_text_range() for page in document))
"""


def pdf_text(pdf: bytes) -> str:
    """The text layer of a PDF (read with pypdfium2 in the gateway's venv)."""
    result = subprocess.run(
        [GATEWAY_PYTHON, "-c", PDF_TEXT],
        input=pdf,
        capture_output=True,
        timeout=60,
        check=True,
    )
    return result.stdout.decode("utf-8", "replace")


def summary(outcomes: List[Outcome]) -> Dict[str, Tuple[int, int]]:
    """Passed and total journeys per language."""
    counts: Dict[str, Tuple[int, int]] = {}
    for outcome in outcomes:
        passed, total = counts.get(outcome.language, (0, 0))
        counts[outcome.language] = (passed + (not outcome.failures), total + 1)
    return counts
