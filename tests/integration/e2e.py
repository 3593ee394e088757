"""Driving complete applications over REST against the real servers (end-to-end tests).

The driver never guesses the form's state from what the bot said: after every message it
reads Rasa's tracker (``GET /conversations/{sender}/tracker``), takes the draft from the
``application`` slot and asks ``actions.form_steps.next_step`` which step is open, then
answers that step from the catalog (the field's example in the conversation language).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar

import requests
import yaml

from actions import validators
from actions.form_steps import Step, next_step
from actions.reading import Incoming, read_field
from catalog.loader import DEFAULT_DIR
from catalog.model import Catalog, Field, Service
from channels.documents import store_document
from channels.settings import DocumentSettings
from tests.integration.servers import get_tracker, post_message

DEVANAGARI = re.compile(r"[\u0900-\u097F]")
APPLICATION_ID = re.compile(r"DL-[A-Z]{3}-\d{4}-\d{6}")
# First wait before Rasa's reminder retries a submission the gateway could not take.
RETRY_SECONDS = 20
SERVICE_TOKEN = "dev-service-token"
OFFICER_TOKEN = "dev-officer-token"

GREETINGS = {"en": "Hi", "hi": "नमस्ते", "hinglish": "namaste ji"}
YES = {"en": "yes", "hi": "हाँ", "hinglish": "haan"}
LATER = {"en": "later", "hi": "बाद में", "hinglish": "baad mein"}
FALLBACK_DATE = "15/08/1990"
FALLBACK_MOBILE = "9876543210"
T = TypeVar("T")

# A made-up service added as data only (test: adding a service needs no Python change).
EXTRA_SERVICE_ID = "test_noc_certificate"
EXTRA_SERVICE = {
    "id": EXTRA_SERVICE_ID,
    "code": "TNC",
    "department": "revenue",
    "names": {
        "en": "Test NOC certificate",
        "hi": "परीक्षण अनापत्ति प्रमाण पत्र",
        "hinglish": "Test NOC praman patra",
    },
    "synonyms": {
        "en": ["test noc certificate", "test noc"],
        "hi": ["परीक्षण अनापत्ति प्रमाण पत्र"],
        "hinglish": ["test noc praman patra"],
    },
    "how_it_works": {
        "en": "A service that exists only in the integration tests.",
        "hi": "यह सेवा केवल जाँच के लिए है।",
        "hinglish": "Yeh seva sirf test ke liye hai.",
    },
    "eligibility": [
        {
            "text": {
                "en": "You live in Delhi.",
                "hi": "आप दिल्ली में रहते हैं।",
                "hinglish": "Aap Delhi mein rehte hain.",
            }
        }
    ],
    "fee": {"amount_inr": 0},
    "sla_days": 7,
    "fields": [
        {
            "name": "applicant_name",
            "type": "name",
            "required": True,
            "label": {"en": "Name", "hi": "नाम", "hinglish": "Naam"},
            "prompt": {
                "en": "What is your full name?",
                "hi": "आपका पूरा नाम क्या है?",
                "hinglish": "Aapka poora naam kya hai?",
            },
            "example": {"en": "Asha Verma", "hi": "आशा वर्मा", "hinglish": "Asha Verma"},
        },
        {
            "name": "mobile",
            "type": "mobile",
            "required": True,
            "label": {"en": "Mobile", "hi": "मोबाइल", "hinglish": "Mobile"},
            "prompt": {
                "en": "Your mobile number?",
                "hi": "आपका मोबाइल नंबर?",
                "hinglish": "Aapka mobile number?",
            },
            "example": {
                "en": "9876543210",
                "hi": "9876543210",
                "hinglish": "9876543210",
            },
        },
    ],
    "documents": [
        {
            "type": "noc_request_letter",
            "name": {
                "en": "Request letter",
                "hi": "अनुरोध पत्र",
                "hinglish": "Request letter",
            },
        }
    ],
    "source": {
        "url": "https://example.invalid/test",
        "checked": date(2025, 1, 1),
        "note": "Made up for tests",
    },
}


def make_test_catalog(target: Path) -> Path:
    """Copies the shipped catalog to ``target`` and adds the made-up service file."""
    shutil.copytree(
        DEFAULT_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    (target / "services" / f"{EXTRA_SERVICE_ID}.yml").write_text(
        yaml.safe_dump(EXTRA_SERVICE, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return target


def jpeg(seed: int) -> bytes:
    """A readable scan of a page, as a citizen's phone sends it (its own hash per seed).

    Large and sharp enough for the gateway's pre-check to read its few lines (none names
    a kind of document, so any document type takes it without advice).
    """
    from PIL import Image, ImageDraw, ImageFont

    buffer = io.BytesIO()
    tint = (235 + seed % 20, 235 + (seed * 7) % 20, 230 + (seed * 13) % 25)
    page = Image.new("RGB", (1000, 640), tint)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=40)
    lines = (
        "Scanned copy",
        f"Reference {seed:04d}",
        "Page 1 of 1",
        "Self attested copy",
    )
    for row, line in enumerate(lines):
        draw.text((70, 80 + 120 * row), line, font=font, fill=(25, 25, 35))
    page.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


@dataclass
class Stack:
    """The running servers of the end-to-end tests and what they share."""

    rasa: Any
    actions: Any
    gateway: Any
    catalog: Catalog
    catalog_dir: Path
    var_dir: Path
    documents: DocumentSettings
    gateway_db: Path
    log_dir: Path

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway.port}"

    def gateway_get(
        self, path: str, citizen: str, token: str = SERVICE_TOKEN
    ) -> requests.Response:
        """GETs a service-API path as the action server does for ``citizen``."""
        return requests.get(
            f"{self.gateway_url}{path}",
            headers={"Authorization": f"Bearer {token}", "X-Citizen-Id": citizen},
            timeout=30,
        )

    def logs(self) -> str:
        return "\n".join(
            f"--- {server.name} ---\n{server.log_tail(25)}"
            for server in (self.rasa, self.actions, self.gateway)
        )


def wait_for(what: str, check: Callable[[], T], timeout: float, stack: Stack) -> T:
    """Polls ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}\n{stack.logs()}")


@dataclass
class Completed:
    """Outcome of one driven application."""

    sender: str
    service_id: str
    language: str
    application_id: Optional[str]
    expected_fields: Dict[str, Any] = field(default_factory=dict)
    uploaded: Dict[str, str] = field(default_factory=dict)  # document type -> sha256
    later: List[str] = field(default_factory=list)
    texts: List[str] = field(default_factory=list)  # every bot text, in order
    final_texts: List[str] = field(default_factory=list)
    steps: List[Tuple[str, Optional[str]]] = field(default_factory=list)
    events: List[Dict[str, Any]] = field(default_factory=list, repr=False)


def answer_field(item: Field, language: str, today: date) -> Tuple[str, Any]:
    """The answer to a field (its catalog example, adapted) and the value it must yield."""
    if item.type == "choice":
        text = item.choices[0].value
    elif item.type == "yes_no":
        text = YES[language]
    else:
        assert item.example is not None, f"{item.name} has no example"
        text = item.example[language]

    def check(candidate: str) -> validators.Result:
        return read_field(item, Incoming(candidate), language, today)

    result = check(text)
    if item.type == "date" and isinstance(result, validators.Invalid):
        text, result = FALLBACK_DATE, check(FALLBACK_DATE)
    if item.type == "mobile" and "X" in text.upper():  # a masked example: 98XXXXXX10
        text, result = FALLBACK_MOBILE, check(FALLBACK_MOBILE)
    assert isinstance(result, validators.Valid), (
        f"catalog example of {item.name} ({item.type}, {language}) {text!r} is not valid: "
        f"{result}"
    )
    return text, result.value


def bot_texts(replies: List[Dict[str, Any]]) -> List[str]:
    return [reply["text"] for reply in replies if reply.get("text")]


Answer = Callable[[Step, Completed], List[str]]  # answers one step; the bot's texts


def drive_form(
    stack: Stack,
    sender: str,
    service_id: str,
    language: str,
    answer: Answer,
    max_messages: int = 80,
) -> Completed:
    """Answers the open form step by step until the draft is closed.

    After every message the step is read from the tracker (``application`` slot and
    ``next_step``); ``answer`` sends the reply over its channel and records what it
    gave in the ``Completed`` it is handed.

    Returns:
        What was sent and what came back; ``application_id`` from the tracker.
    """
    port = stack.rasa.port
    done = Completed(sender, service_id, language, None)
    previous: Optional[Tuple[Any, ...]] = None
    for _ in range(max_messages):
        tracker = get_tracker(port, sender)
        draft = tracker["slots"].get("application")
        if draft is None:
            break
        loop = (tracker.get("active_loop") or {}).get("name")
        assert loop == "application_form", (
            f"form not active ({loop}) for {service_id}; last replies: {done.texts[-3:]}"
        )
        assert draft["service"] == service_id, draft
        step = next_step(draft, stack.catalog)
        state = (step, json.dumps(draft, sort_keys=True, default=str))
        assert state != previous, (
            f"{service_id} ({language}): step {step} did not advance; "
            f"the bot said {done.texts[-3:]}"
        )
        previous = state
        done.steps.append((step.kind, step.name))
        texts = answer(step, done)
        done.texts += texts
        if step.kind == "summary":  # confirming the summary submits
            done.final_texts = texts
    else:
        raise AssertionError(f"{service_id} not finished after {max_messages} messages")
    tracker = get_tracker(port, sender)
    done.events = tracker["events"]
    done.application_id = tracker["slots"].get("last_application_id")
    return done


def apply_over_rest(
    stack: Stack,
    sender: str,
    service_id: str,
    language: str,
    *,
    greet: bool = True,
    before_submit: Optional[Callable[[], None]] = None,
) -> Completed:
    """Completes one application over the REST channel, driven by the tracker state.

    Args:
        stack: The running servers.
        sender: Conversation id.
        service_id: Catalog id, chosen with the ``/apply_service`` button payload.
        language: en, hi or hinglish; set by the greeting's script/words.
        greet: Whether to greet first (sets the conversation language).
        before_submit: Run just before the citizen confirms the summary, which
            submits (for example to stop the gateway).

    Returns:
        What was sent and what came back; ``application_id`` from the tracker.
    """
    port = stack.rasa.port
    today = date.today()
    service: Service = stack.catalog[service_id]
    opening: List[str] = []
    if greet:
        opening += bot_texts(post_message(port, sender, GREETINGS[language]))
        language_slot = get_tracker(port, sender)["slots"].get("language")
        assert language_slot == language, (language_slot, opening)
    payload = "/apply_service" + json.dumps({"service": service_id})
    opening += bot_texts(post_message(port, sender, payload))
    offered_documents = len(service.offered_documents({}))

    def answer(step: Step, done: Completed) -> List[str]:
        metadata = None
        if step.kind == "summary" and before_submit is not None:
            before_submit()
        if step.kind in ("eligibility", "summary", "consent"):
            text = YES[language]
        elif step.kind == "field":
            item = service.field_named(step.name or "")
            text, done.expected_fields[item.name] = answer_field(item, language, today)
        elif step.kind == "document":
            if offered_documents > 1 and not done.later:
                text = LATER[language]
                done.later.append(step.name or "")
            else:
                stored = store_document(
                    jpeg(len(done.uploaded) + 1),
                    f"{step.name}.jpg",
                    None,
                    stack.documents,
                    sender_id=sender,
                )
                text, metadata = (
                    "/document_uploaded",
                    {"document": stored.to_metadata()},
                )
                done.uploaded[step.name or ""] = stored.sha256
        else:
            raise AssertionError(f"unexpected step {step} for {service_id}")
        return bot_texts(post_message(port, sender, text, metadata))

    done = drive_form(stack, sender, service_id, language, answer)
    done.texts[:0] = opening
    return done


def fields_as_kept(e2e: Stack, done: Completed) -> Dict[str, Any]:
    """The answers as the gateway keeps them: mobile numbers as 10 digits (the form
    says +91XXXXXXXXXX)."""
    service = e2e.catalog[done.service_id]
    return {
        name: value.removeprefix("+91")
        if service.field_named(name).type == "mobile"
        else value
        for name, value in done.expected_fields.items()
    }


def check_at_gateway(e2e: Stack, done: Completed) -> dict:
    """The gateway holds the application with the service, answers and documents given."""
    assert done.application_id and APPLICATION_ID.fullmatch(done.application_id), (
        f"no application id; the bot's last replies: {done.final_texts}\n{e2e.logs()}"
    )
    assert any(done.application_id in text for text in done.final_texts), (
        done.final_texts,
        e2e.logs(),
    )
    response = e2e.gateway_get(
        f"/api/v1/applications/{done.application_id}", done.sender
    )
    assert response.status_code == 200, response.text
    application = response.json()
    assert application["service_id"] == done.service_id
    assert application["department"] == e2e.catalog[done.service_id].department
    assert application["language"] == done.language
    assert application["status"] == "submitted"
    assert application["fields"] == fields_as_kept(e2e, done)
    uploaded = {d["document_type"]: d["sha256"] for d in application["documents"]}
    assert uploaded == done.uploaded
    assert all(d["mime_type"] == "image/jpeg" for d in application["documents"])
    assert not set(done.later) & set(uploaded)
    return application
