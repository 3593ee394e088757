"""The production configuration, for real: PostgreSQL tracker store, Redis lock store and
RabbitMQ event broker, chosen only by environment variables. The conversation's events land
in PostgreSQL, encrypted, and survive a restart of the Rasa server; RabbitMQ gets them
with personal numbers masked."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from typing import List, Tuple

import psycopg2
import pytest
import redis

from infra.sealing import EventSeal
from tests.conftest import require_service
from tests.integration.servers import TOKENS, free_port, rasa_server, say

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672"
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
AADHAAR_TYPED = "2345 6789 0124"


@pytest.fixture(scope="module")
def production_env():
    require_service("PostgreSQL", "127.0.0.1", 5432)
    require_service("Redis", "127.0.0.1", 6379)
    require_service("RabbitMQ", "127.0.0.1", 5672)
    queue = f"rasa_events_test_{uuid.uuid4().hex[:8]}"
    yield {
        "TRACKER_STORE_URL": POSTGRES_URL,
        "LOCK_STORE_URL": REDIS_URL,
        "EVENT_BROKER_URL": AMQP_URL,
        "EVENT_BROKER_QUEUE": queue,
    }
    asyncio.run(_delete_queue(queue))


def _port(server) -> int:
    return int(server.health_url.split(":")[2].split("/")[0])


def _postgres_rows(sender: str) -> List[Tuple[str, str]]:
    with psycopg2.connect(POSTGRES_URL) as db, db.cursor() as cursor:
        cursor.execute(
            "SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id",
            (sender,),
        )
        return [(row[0], row[1]) for row in cursor.fetchall()]


def _postgres_events(sender: str) -> List[str]:
    return [type_name for type_name, _ in _postgres_rows(sender)]


async def _drain_queue(queue: str) -> List[dict]:
    import aio_pika

    connection = await aio_pika.connect_robust(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True)
        messages = []
        while True:
            message = await declared.get(fail=False, no_ack=True)
            if message is None:
                return messages
            messages.append(json.loads(message.body))


async def _delete_queue(queue: str) -> None:
    import aio_pika

    connection = await aio_pika.connect_robust(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)


def _wait_for_user_event(
    queue: str, sender: str, saying: str, timeout: float = 20
) -> List[dict]:
    deadline = time.monotonic() + timeout
    seen: List[dict] = []
    while time.monotonic() < deadline:
        seen += asyncio.run(_drain_queue(queue))
        if any(
            e.get("sender_id") == sender
            and e.get("event") == "user"
            and saying in (e.get("text") or "")
            for e in seen
        ):
            return seen
        time.sleep(0.5)
    return []


def _redis_sets() -> int:
    stats = redis.Redis.from_url(REDIS_URL).info("commandstats")
    return int(stats.get("cmdstat_set", {}).get("calls", 0))


def test_conversation_survives_restart_on_postgres_redis_rabbitmq(
    model, actions_port, production_env, tmp_path
):
    sender = f"prod-{uuid.uuid4().hex[:8]}"
    pseudonym = EventSeal([TOKENS["TRACKER_STORE_KEY"]]).pseudonym(sender)
    sets_before = _redis_sets()

    server = rasa_server(free_port(), actions_port, tmp_path, production_env).start()
    try:
        replies = say(_port(server), sender, "नमस्ते")
        assert replies and DEVANAGARI.search(replies[0])
        say(_port(server), sender, f"मेरा आधार {AADHAAR_TYPED} है")
        # Events are published asynchronously: collect them while the server runs.
        published = _wait_for_user_event(
            production_env["EVENT_BROKER_QUEUE"], pseudonym, "आधार"
        )
    finally:
        server.stop()

    rows = _postgres_rows(sender)
    stored = [type_name for type_name, _ in rows]
    assert "user" in stored and "bot" in stored, stored
    assert _redis_sets() > sets_before, "the Redis lock store was not used"
    assert published, "no user event reached RabbitMQ"

    # Encrypted at rest; masked for analytics.
    assert all(data.startswith("sealed:v1:") for _, data in rows)
    assert not any("नमस्ते" in data or "0124" in data for _, data in rows)
    broker = json.dumps(published, ensure_ascii=False)
    assert "आधार XXXX XXXX 0124" in broker
    assert AADHAAR_TYPED not in broker and AADHAAR_TYPED.replace(" ", "") not in broker
    assert sender not in broker  # a pseudonym instead of the conversation id

    # A new server process continues the same conversation from PostgreSQL: the language
    # slot (Hindi) is remembered, so a neutral "ok" is still answered in Devanagari.
    server = rasa_server(free_port(), actions_port, tmp_path, production_env).start()
    try:
        replies = say(_port(server), sender, "ok")
    finally:
        server.stop()
    assert replies and all(DEVANAGARI.search(text) for text in replies), replies
    assert len(_postgres_events(sender)) > len(stored)
