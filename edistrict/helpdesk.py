"""Human hand-off: conversations queued for the helpdesk, taken over, answered, handed back.

A ticket is opened when the citizen asks for a person, after two failed answers in a row,
or by an officer (``open_ticket``; one open ticket per conversation). The assistant goes on
answering while the ticket waits. When an agent takes it (``take``), Rasa's own pause stops
the assistant in that conversation (the citizen's messages are still recorded) and the
citizen is told a person has joined; the agent's messages are appended to the conversation
as bot messages sent to the citizen's channel (``reply``); ``hand_back`` resumes the
conversation and triggers ``helpdesk_handback``, after which the form continues where it
was. Every call to Rasa goes through the outbox (in order per conversation, retried).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from edistrict import audit
from edistrict.applications import IST
from edistrict.db import utcnow
from edistrict.models import Handoff
from edistrict.outbox import enqueue_rasa_call

REASONS = ("asked", "not_understood", "officer")
OPEN = ("waiting", "active")
MAX_REPLY_CHARS = 1000
# Outbox rows of one conversation's helpdesk steps share a key, so they reach Rasa in order
# even across tickets (a late "resume" of an old ticket never ends a new takeover).
OUTBOX_KEY_PREFIX = "helpdesk:"
# WhatsApp lets a business write freely for 24 hours after the citizen's last message.
WINDOW = timedelta(hours=24)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(
    r"^\s*(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
    r"(?P<open>\d{1,2}:\d{2})-(?P<close>\d{1,2}:\d{2})\s*$"
)


class HelpdeskError(Exception):
    """A helpdesk step that cannot be done now (``code`` says which)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Hours:
    """When agents answer, in India's time: days of the week and one daily period."""

    days: frozenset[int]
    opens: time
    closes: time

    @classmethod
    def parse(cls, text: str) -> Hours:
        """Reads ``"mon-sat 09:00-18:00"`` (``HELPDESK_HOURS``).

        Raises:
            ValueError: Naming what is wrong.
        """
        match = _HOURS.match(text.lower())
        if not match or match["first"] not in DAYS:
            raise ValueError(
                f"helpdesk hours {text!r}: expected like 'mon-sat 09:00-18:00'"
            )
        first = DAYS.index(match["first"])
        last = DAYS.index(match["last"]) if match["last"] in DAYS else first
        if match["last"] and match["last"] not in DAYS:
            raise ValueError(f"helpdesk hours {text!r}: unknown day {match['last']!r}")
        opens, closes = (
            time.fromisoformat(match[k].zfill(5)) for k in ("open", "close")
        )
        if closes <= opens:
            raise ValueError(f"helpdesk hours {text!r}: closing is not after opening")
        days = (
            range(first, last + 1)
            if first <= last
            else [*range(first, 7), *range(last + 1)]
        )
        return cls(frozenset(days), opens, closes)

    def next_opening(self, now: datetime) -> datetime | None:
        """None while the helpdesk is open at ``now``, else when it opens next (IST)."""
        local = now.astimezone(IST)
        if local.weekday() in self.days and self.opens <= local.time() < self.closes:
            return None
        for ahead in range(8):
            day = (local + timedelta(days=ahead)).date()
            opening = datetime.combine(day, self.opens, IST)
            if day.weekday() in self.days and opening > local:
                return opening
        raise AssertionError("a week always has an opening day")  # pragma: no cover


def open_ticket(
    session: Session,
    *,
    sender_id: str,
    language: str,
    reason: str,
    actor: str,
    application_id: str | None = None,
) -> tuple[Handoff, bool]:
    """The conversation's open ticket, or a new one (``True`` when new).

    Args:
        session: The open session (the caller commits).
        sender_id: Rasa conversation id.
        language: The citizen's language (en, hi, hinglish).
        reason: One of :data:`REASONS`.
        actor: Who opened it, for the audit log.
        application_id: The application it is about, if any.
    """
    if reason not in REASONS:
        raise HelpdeskError("reason")
    existing = session.scalar(
        select(Handoff)
        .where(Handoff.sender_id == sender_id, Handoff.status.in_(OPEN))
        .order_by(Handoff.id.desc())
    )
    if existing is not None:
        return existing, False
    handoff = Handoff(
        sender_id=sender_id,
        language=language,
        reason=reason,
        application_id=application_id,
        status="waiting",
        created_at=utcnow(),
    )
    session.add(handoff)
    session.flush()
    audit.record(
        session, actor, "handoff.opened", "handoff", handoff.ticket, reason=reason
    )
    return handoff, True


def waiting_before(session: Session, handoff: Handoff) -> int:
    """How many waiting tickets were opened before this one."""
    return int(
        session.scalar(
            select(func.count(Handoff.id)).where(
                Handoff.status == "waiting", Handoff.id < handoff.id
            )
        )
        or 0
    )


def take(session: Session, handoff: Handoff, agent: str) -> None:
    """An agent takes the conversation over: the assistant pauses, the citizen is told.

    Only a waiting ticket can be taken, by one agent (a conditional update: two agents
    pressing at once on SQLite, which has no row locks, cannot both take it).
    """
    if handoff.status == "active" and handoff.agent == agent:
        return
    if handoff.status != "waiting":
        raise HelpdeskError("closed" if handoff.status == "closed" else "taken")
    taken = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff.id, Handoff.status == "waiting")
        .values(status="active", agent=agent, taken_at=utcnow())
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise HelpdeskError("taken")
    _call(session, handoff, {"events": [{"event": "pause"}]})
    _call(session, handoff, {"action": "utter_helpdesk_joined"})
    audit.record(session, agent, "handoff.taken", "handoff", handoff.ticket)


def reply(session: Session, handoff: Handoff, agent: str, text: str) -> None:
    """Sends an agent's message to the citizen's channel (and records it in the chat)."""
    text = text.strip()
    if handoff.status != "active":
        raise HelpdeskError("not_active")
    if handoff.agent != agent:
        raise HelpdeskError("taken")
    if not text or len(text) > MAX_REPLY_CHARS:
        raise HelpdeskError("text")
    event = {"event": "bot", "text": text, "metadata": {"helpdesk_agent": agent}}
    _call(session, handoff, {"events": [event]})
    audit.record(session, agent, "handoff.replied", "handoff", handoff.ticket)


def hand_back(session: Session, handoff: Handoff, agent: str) -> None:
    """Closes the ticket; a taken conversation resumes and the assistant continues."""
    if handoff.status == "closed":
        raise HelpdeskError("closed")
    if handoff.status == "active":
        _call(session, handoff, {"events": [{"event": "resume"}]})
        _call(session, handoff, {"name": "helpdesk_handback", "entities": {}})
    handoff.status, handoff.closed_at = "closed", utcnow()
    audit.record(session, agent, "handoff.closed", "handoff", handoff.ticket)


def outbox_key(sender_id: str) -> str:
    """The outbox ordering key of a conversation's helpdesk steps (fits 32 characters)."""
    digest = hashlib.sha256(sender_id.encode()).hexdigest()[:20]
    return f"{OUTBOX_KEY_PREFIX}{digest}"


def _call(session: Session, handoff: Handoff, payload: dict[str, object]) -> None:
    enqueue_rasa_call(
        session,
        key=outbox_key(handoff.sender_id),
        sender_id=handoff.sender_id,
        payload=payload,
    )


def window_left(
    last_citizen_message: datetime | None, now: datetime | None = None
) -> timedelta:
    """Time left to write freely on WhatsApp (zero when the window has closed)."""
    if last_citizen_message is None:
        return timedelta(0)
    left = last_citizen_message + WINDOW - (now or utcnow())
    return max(left, timedelta(0))
