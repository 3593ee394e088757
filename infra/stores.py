"""Tracker store, lock store and event broker chosen by environment variables.

Rasa accepts a class path as ``type`` in ``endpoints.yml``; these classes hand back Rasa's
own components (SQLTrackerStore, InMemoryLockStore, PikaEventBroker) or a subclass of them
(``infra.locks.AtomicRedisLockStore``, Rasa's RedisLockStore made atomic), configured from
``infra.settings``, so ``endpoints.yml`` needs no edits between a laptop and production.
"""

from __future__ import annotations

import json
import logging
from asyncio import AbstractEventLoop
from typing import Any, Dict, Iterator, List, Optional
from urllib.parse import urlsplit

from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.pika import PikaEventBroker
from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import func
from sqlalchemy.orm import Session

from actions.erasure import HISTORY_ERASED
from infra import settings
from infra.locks import AtomicRedisLockStore
from infra.sealing import EventSeal, masked
from infra.tracker_cache import Row, SessionCache, latest_start
from infra.tracker_cache import Session as Cached

logger = logging.getLogger(__name__)


class EnvTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on ``TRACKER_STORE_URL`` (SQLite under var/ by default)."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        event_broker: Optional[EventBroker] = None,
        **_: Any,
    ) -> None:
        """Creates the store; endpoint keys other than ``type`` are ignored.

        Args:
            domain: The assistant's domain.
            event_broker: Broker that receives every new event, if configured.
        """
        url = settings.tracker_store_url()
        if url.startswith("sqlite:///"):
            settings.var_dir().mkdir(parents=True, exist_ok=True)
        logger.info("Tracker store: %s (events encrypted)", _redact(url))
        _warn_without_action_token()
        self.seal = EventSeal.from_env()
        self.cache = SessionCache(*settings.tracker_cache())
        super().__init__(domain=domain, host=url, event_broker=event_broker)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Streams the new events to the broker, then stores them sealed.

        Rasa's ``SQLTrackerStore.save`` with the ``data`` column sealed.
        """
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                intent = (data.get("parse_data") or {}).get("intent") or {}
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent.get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=self.seal.seal(data),
                    )
                )
            session.commit()

    def _additional_events(
        self, session: Session, tracker: DialogueStateTracker
    ) -> Iterator[Event]:
        """The events to store; after an erasure marker, also deletes what came before.

        An action that erases the history (``actions/erasure.py``) sets the
        ``history_erased`` slot; from then on only the events from that marker on are
        kept. The first save after it deletes every stored event of the conversation.
        """
        events = list(tracker.events)
        marker = _last_erasure(events)
        if marker is None:
            return super()._additional_events(session, tracker)
        rows = session.query(self.SQLEvent).filter(
            self.SQLEvent.sender_id == tracker.sender_id
        )
        first = rows.order_by(self.SQLEvent.id).first()
        if (
            first is not None
            and first.type_name == SlotSet.type_name
            and first.action_name == HISTORY_ERASED
            and first.timestamp == events[marker].timestamp
        ):
            return iter(events[marker + rows.count() :])
        erased = rows.delete(synchronize_session=False)
        self.cache.drop(tracker.sender_id)
        logger.info("Erased %d stored events of a conversation", erased)
        return iter(events[marker:])

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        """Rasa's ``SQLTrackerStore._retrieve``, opening the sealed ``data`` column.

        The latest session is read through the cache (``infra.tracker_cache``): only
        rows added since the last read are fetched and decrypted.
        """
        with self.session_scope() as session:
            if fetch_events_from_all_sessions or not self.cache.enabled:
                rows = self._event_query(
                    session,
                    sender_id,
                    fetch_events_from_all_sessions=fetch_events_from_all_sessions,
                ).all()
                events = [self.seal.open(row.data) for row in rows]
            else:
                events = [
                    json.loads(r.data) for r in self._session_rows(session, sender_id)
                ]
        if not self.domain or not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    def _session_rows(self, session: Session, sender_id: str) -> List[Row]:
        """The latest session's rows: the cached ones and those stored since."""
        cached = self.cache.get(sender_id)
        if cached is not None:
            if self._count_upto(session, sender_id, cached.last_id) != cached.stored:
                cached = None  # rows were deleted, or committed late, since: read all
        if cached is None:
            rows = [self._row(r) for r in self._event_query(session, sender_id, False)]
            last_id = rows[-1].id if rows else 0
            stored = self._count_upto(session, sender_id, last_id)
            fresh = Cached(rows, last_id, stored, latest_start(rows, None))
        else:
            new = [
                self._row(r)
                for r in session.query(self.SQLEvent)
                .filter(
                    self.SQLEvent.sender_id == sender_id,
                    self.SQLEvent.id > cached.last_id,
                )
                .order_by(self.SQLEvent.id)
            ]
            started = latest_start(new, cached.started)
            rows = cached.rows + new
            if started is not None:  # as Rasa's query: the latest session only
                rows = [r for r in rows if r.timestamp >= started]
            last_id = new[-1].id if new else cached.last_id
            fresh = Cached(rows, last_id, cached.stored + len(new), started)
        if rows:
            self.cache.put(sender_id, fresh)
        return rows

    def _count_upto(self, session: Session, sender_id: str, last_id: int) -> int:
        """How many rows the conversation has with an id up to ``last_id``."""
        return int(
            session.query(func.count(self.SQLEvent.id))
            .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.id <= last_id)
            .scalar()
            or 0
        )

    def _row(self, row: Any) -> Row:
        return Row(row.id, row.type_name, row.timestamp, self.seal.open_json(row.data))


def _last_erasure(events: List[Event]) -> Optional[int]:
    """Index of the last ``history_erased`` marker, or None."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, SlotSet) and event.key == HISTORY_ERASED:
            return index
    return None


class EnvLockStore:
    """Factory: atomic Redis lock store when ``LOCK_STORE_URL`` is set, in-memory otherwise.

    ``LOCK_STORE_TIMEOUT`` (seconds, default 5) bounds every Redis call;
    ``LOCK_STORE_KEY_PREFIX`` (default ``gov``) prefixes the keys.
    """

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None) -> LockStore:  # type: ignore[misc]
        """Returns a Rasa lock store instance (not an EnvLockStore).

        Args:
            endpoint_config: The ``lock_store`` section of endpoints.yml (unused).
        """
        url = settings.redis_lock_url()
        if not url:
            return InMemoryLockStore()
        parts = urlsplit(url)
        logger.info("Lock store: redis at %s:%s", parts.hostname, parts.port or 6379)
        return AtomicRedisLockStore(
            host=parts.hostname or "localhost",
            port=parts.port or 6379,
            db=int(parts.path.strip("/") or 0),
            username=parts.username or None,
            password=parts.password,
            use_ssl=parts.scheme == "rediss",
            key_prefix=settings.lock_store_key_prefix(),
            socket_timeout=settings.lock_store_timeout(),
        )


class MaskingPikaEventBroker(PikaEventBroker):
    """Rasa's RabbitMQ broker publishing events with personal numbers masked.

    Analytics reads the broker: it gets the conversations under a pseudonym, never a
    phone, Aadhaar or bank account number in clear (the tracker store keeps the real
    values, encrypted).
    """

    def __init__(self, *args: Any, seal: EventSeal, **kwargs: Any) -> None:
        """Rasa's broker; ``seal`` makes the pseudonyms."""
        super().__init__(*args, **kwargs)
        self.seal = seal

    def publish(
        self, event: Dict[str, Any], headers: Optional[Dict[str, str]] = None
    ) -> None:
        """Publishes the event, pseudonymous and masked."""
        sender = event.get("sender_id")
        if isinstance(sender, str):
            event = {**event, "sender_id": self.seal.pseudonym(sender)}
        super().publish(masked(event), headers)


class EnvEventBroker:
    """Factory: RabbitMQ (Pika) broker when ``EVENT_BROKER_URL`` is set, none otherwise."""

    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: Optional[EndpointConfig] = None,
        event_loop: Optional[AbstractEventLoop] = None,
    ) -> Optional[EventBroker]:
        """Connects Rasa's PikaEventBroker, or returns None when no broker is configured.

        Args:
            broker_config: The ``event_broker`` section of endpoints.yml (unused).
            event_loop: The server's event loop.

        Returns:
            A connected broker or None.
        """
        broker = settings.event_broker()
        if broker is None:
            return None
        logger.info("Event broker: RabbitMQ at %s:%s", broker.host, broker.port)
        pika = MaskingPikaEventBroker(
            host=broker.host,
            port=broker.port,
            username=broker.username,
            password=broker.password,
            queues=[broker.queue],
            event_loop=event_loop,
            seal=EventSeal.from_env(),
        )
        await pika.connect()
        return pika


def _warn_without_action_token() -> None:
    """Says plainly why custom actions will fail when Rasa has no action-server secret."""
    if settings.action_server_token() is None:
        logger.warning(
            "ACTION_SERVER_TOKEN is not set: the guarded action server (`make actions`, "
            "`make run`) refuses this Rasa's calls (401), so forms and custom actions "
            "fail. `make run` and `make shell` set it; with a plain `rasa shell`, either "
            "use rasa-sdk's own `rasa run actions` (local work only) or "
            "`set -a; . var/secrets.env; set +a` first (the file `make run` wrote)."
        )


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
