"""Transactional outbox: status changes become notifications to the assistant.

:func:`enqueue` adds a row in the transaction of the change; :func:`deliver_due` (run by
:class:`OutboxWorker` in the server process, or ``edistrict/bin/worker``) POSTs each row to
Rasa's ``/conversations/{sender}/trigger_intent`` and marks it delivered, retrying failures
with exponential backoff. Rows of one application are delivered in order. Delivery is at
least once: a crash between Rasa's answer and the commit repeats that one notification.

The helpdesk (``edistrict/helpdesk.py``) uses the same rows, keyed per conversation, for
two other calls of Rasa's HTTP API: events appended to the conversation
(``{"events": [...]}``: pause, resume, an agent's message sent to the citizen's channel)
and a response or action run in it (``{"action": name}``). While an agent has the
conversation (Rasa pauses it, and a paused conversation acts on no intent), its status
notifications wait, and go once the conversation is handed back and resumed.

The notification carries only ``application_id``, ``status`` and ``reason``: no personal data
and no link. The assistant fetches the rest (with the citizen's id, so ownership is
checked), including the short-lived certificate download link.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from edistrict.db import utcnow
from edistrict.models import Handoff, OutboxMessage
from edistrict.settings import Settings
from edistrict.storage import BlobStore

log = logging.getLogger(__name__)
# httpx logs each request's URL at INFO, and trigger_intent's URL carries Rasa's token.
logging.getLogger("httpx").setLevel(logging.WARNING)

INTENT = "application_status_changed"


def enqueue(
    session: Session,
    *,
    sender_id: str,
    application_id: str,
    status: str,
    reason: str | None = None,
) -> OutboxMessage:
    """Adds a notification row to the session (committed with the status change).

    Args:
        session: The open session of the change.
        sender_id: Rasa conversation id of the citizen.
        application_id: Human-friendly application id.
        status: The new status.
        reason: Reason shown to the citizen, if any.

    Returns:
        The new row.
    """
    now = utcnow()
    message = OutboxMessage(
        application_id=application_id,
        sender_id=sender_id,
        payload={
            "name": INTENT,
            "entities": {
                "application_id": application_id,
                "status": status,
                "reason": reason,
            },
        },
        created_at=now,
        attempts=0,
        next_attempt_at=now,
    )
    session.add(message)
    return message


def backoff(attempts: int, settings: Settings) -> timedelta:
    """Delay before the next try after ``attempts`` failures (exponential, capped).

    Args:
        attempts: Failures so far (>= 1).
        settings: Gateway settings (base and maximum delay).

    Returns:
        The delay.
    """
    seconds = settings.outbox_backoff_base_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.outbox_backoff_max_seconds))


def enqueue_rasa_call(
    session: Session, *, key: str, sender_id: str, payload: dict[str, Any]
) -> OutboxMessage:
    """Adds a row calling Rasa for the helpdesk (delivered in order per ``key``).

    Args:
        session: The open session of the change.
        key: Ordering key (the helpdesk ticket).
        sender_id: Rasa conversation id.
        payload: ``{"events": [...]}`` or ``{"action": name}`` (see the module's text).

    Returns:
        The new row.
    """
    now = utcnow()
    message = OutboxMessage(
        application_id=key,
        sender_id=sender_id,
        payload=payload,
        created_at=now,
        attempts=0,
        next_attempt_at=now,
    )
    session.add(message)
    return message


def _request(message: OutboxMessage) -> tuple[str, dict[str, Any], Any]:
    """Rasa's endpoint, query and body for one row."""
    payload = message.payload
    if "events" in payload:  # agents' messages reach the citizen's channel
        return "tracker/events", {"execute_side_effects": "true"}, payload["events"]
    if "action" in payload:
        return "execute", {}, {"name": payload["action"]}
    return "trigger_intent", {}, payload


def _post(client: httpx.Client, settings: Settings, message: OutboxMessage) -> None:
    endpoint, params, body = _request(message)
    url = (
        f"{settings.rasa_url}/conversations/{quote(message.sender_id, safe='')}"
        f"/{endpoint}"
    )
    params = {**params, "output_channel": "latest"}
    if settings.rasa_token:
        params["token"] = settings.rasa_token
    response = client.post(url, params=params, json=body)
    response.raise_for_status()


def _with_an_agent(session: Session) -> set[str]:
    """Conversations an agent has, or whose hand-back has not reached Rasa yet."""
    active = session.scalars(
        select(Handoff.sender_id).where(Handoff.status == "active")
    )
    pending = session.scalars(
        select(OutboxMessage.sender_id).where(
            OutboxMessage.delivered_at.is_(None),
            OutboxMessage.application_id.like("helpdesk:%"),
        )
    )
    return {*active, *pending}


def describe(error: httpx.HTTPError) -> str:
    """A delivery failure for logs and the outbox row: never the URL (it has the token)."""
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code}"
    return type(error).__name__


def deliver_due(
    session_factory: sessionmaker[Session],
    settings: Settings,
    *,
    now: datetime | None = None,
    client: httpx.Client | None = None,
    limit: int = 100,
) -> tuple[int, int]:
    """Delivers the notifications that are due, once.

    Args:
        session_factory: Sessions on the gateway database.
        settings: Gateway settings (Rasa URL and token, backoff).
        now: The current time (tests move it forward).
        client: HTTP client to reuse.
        limit: Most rows to look at in this pass.

    Returns:
        ``(delivered, failed)`` counts of this pass.
    """
    now = now or utcnow()
    own_client = client is None
    http = client or httpx.Client(timeout=settings.outbox_timeout_seconds)
    delivered = failed = 0
    blocked: set[str] = set()
    try:
        with session_factory() as session:
            query = (
                select(OutboxMessage)
                .where(OutboxMessage.delivered_at.is_(None))
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            with_agent = _with_an_agent(session)
            for message in session.scalars(query).all():
                if message.application_id in blocked:
                    continue
                if (
                    message.sender_id in with_agent
                    and message.payload.get("name") == INTENT
                ):
                    continue
                if message.next_attempt_at > now:
                    blocked.add(message.application_id)
                    continue
                try:
                    _post(http, settings, message)
                except httpx.HTTPError as error:
                    message.attempts += 1
                    message.last_error = describe(error)
                    message.next_attempt_at = now + backoff(message.attempts, settings)
                    blocked.add(message.application_id)
                    failed += 1
                    log.warning(
                        "outbox %s for %s not delivered (attempt %d): %s",
                        message.id,
                        message.application_id,
                        message.attempts,
                        message.last_error,
                    )
                else:
                    message.attempts += 1
                    message.delivered_at = utcnow()
                    message.last_error = None
                    if (
                        "events" in message.payload
                    ):  # an agent's words: kept by Rasa only
                        message.payload = {"events": "delivered"}
                    delivered += 1
                session.commit()
            session.commit()
    finally:
        if own_client:
            http.close()
    return delivered, failed


class OutboxWorker:
    """Background thread that runs :func:`deliver_due` every poll interval.

    With a blob store it also deletes expired uploads
    (:func:`edistrict.uploads.expire_uploads`) every ``retention_every_seconds``.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        settings: Settings,
        store: BlobStore | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.store = store
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._expired_at = 0.0

    def start(self) -> None:
        """Starts the thread (idempotent)."""
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="outbox", daemon=True)
        self._thread.start()

    def run(self) -> None:
        """Delivers until :meth:`stop` is called; errors are logged, never fatal."""
        with httpx.Client(timeout=self.settings.outbox_timeout_seconds) as client:
            while not self._stop.is_set():
                try:
                    deliver_due(self.session_factory, self.settings, client=client)
                    self.expire_due()
                except Exception:  # noqa: BLE001 - the worker must survive any error
                    log.exception("outbox pass failed")
                self._stop.wait(self.settings.outbox_poll_seconds)

    def expire_due(self) -> int:
        """Deletes expired uploads when the retention interval has passed."""
        from edistrict.uploads import (
            expire_uploads,  # uploads -> applications -> outbox
        )

        now = time.monotonic()
        if self.store is None or (
            self._expired_at
            and now - self._expired_at < self.settings.retention_every_seconds
        ):
            return 0
        self._expired_at = now
        cutoff = utcnow() - timedelta(days=self.settings.upload_retention_days)
        with self.session_factory() as session:
            return expire_uploads(session, self.store, cutoff)

    def stop(self, timeout: float = 10.0) -> None:
        """Asks the thread to stop and waits for it.

        Args:
            timeout: Seconds to wait.
        """
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)
