"""infra.locks against the real Redis on 127.0.0.1:6379 (skipped when absent, failed in CI)."""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
import threading
import time
import uuid
from collections import deque
from typing import Iterator, List

import pytest
import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LockError, RedisLockStore

from infra.locks import AtomicRedisLockStore
from tests.conftest import require_service

HOST, PORT = "127.0.0.1", 6379


@pytest.fixture()
def prefix() -> Iterator[str]:
    require_service("Redis", HOST, PORT)
    value = f"t{uuid.uuid4().hex[:12]}"
    yield value
    client = redis.Redis(host=HOST, port=PORT)
    for key in client.scan_iter(f"{value}:*"):
        client.delete(key)


def make_store(prefix: str, **kwargs) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(host=HOST, port=PORT, db=0, key_prefix=prefix, **kwargs)


def test_tickets_from_many_threads_are_unique_and_in_order(prefix):
    store = make_store(prefix)
    issued: List[int] = []
    guard = threading.Lock()
    start = threading.Barrier(16)

    def issue() -> None:
        mine = []
        start.wait()
        for _ in range(25):
            mine.append(store.issue_ticket("citizen"))
        assert mine == sorted(mine)  # one client sees increasing numbers
        with guard:
            issued.extend(mine)

    threads = [threading.Thread(target=issue) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(issued) == list(range(16 * 25))
    lock = store.get_lock("citizen")
    assert lock is not None
    assert [t.number for t in lock.tickets] == list(range(16 * 25))
    assert lock.now_serving == 0


def _issue_in_process(prefix: str, count: int, queue) -> None:
    store = make_store(prefix)
    queue.put([store.issue_ticket("citizen") for _ in range(count)])


def test_tickets_from_many_processes_are_unique(prefix):
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [
        context.Process(target=_issue_in_process, args=(prefix, 40, queue))
        for _ in range(6)
    ]
    for process in processes:
        process.start()
    issued = [n for _ in processes for n in queue.get(timeout=60)]
    for process in processes:
        process.join(30)
        assert process.exitcode == 0

    assert sorted(issued) == list(range(6 * 40))


def test_stock_and_atomic_store_share_rasa_s_lock_format(prefix):
    store = make_store(prefix)
    first, second = store.issue_ticket("c1"), store.issue_ticket("c1")
    stock = RedisLockStore(host=HOST, port=PORT, db=0, key_prefix=prefix)
    lock = stock.get_lock("c1")
    assert lock is not None and [t.number for t in lock.tickets] == [first, second]
    assert lock.is_locked(second) and not lock.is_locked(first)


def test_cleanup_removes_only_its_ticket_and_deletes_the_empty_lock(prefix):
    store = make_store(prefix)
    client = redis.Redis(host=HOST, port=PORT)
    a, b = store.issue_ticket("c"), store.issue_ticket("c")
    store.cleanup("c", a)
    lock = store.get_lock("c")
    assert lock is not None and [t.number for t in lock.tickets] == [b]
    assert lock.now_serving == b
    assert 0 < client.pttl(f"{prefix}:lock:c") <= 61_000  # abandoned locks expire
    store.cleanup("c", b)
    assert store.get_lock("c") is None
    assert not client.exists(f"{prefix}:lock:c")


def test_concurrent_issue_and_cleanup_leave_nothing_behind(prefix):
    """Rasa's check-then-delete cleanup can delete a ticket another client just issued."""
    store = make_store(prefix)
    errors: List[BaseException] = []

    def churn() -> None:
        try:
            for _ in range(40):
                ticket = store.issue_ticket("c")
                lock = store.get_lock("c")
                assert lock is not None and any(
                    t.number == ticket for t in lock.tickets
                )
                store.cleanup("c", ticket)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=churn) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[0]
    assert store.get_lock("c") is None


def test_lock_serialises_one_conversation_across_clients(prefix):
    """A read-modify-write guarded by lock() from 8 clients (threads) loses no update."""
    counter = f"{prefix}:counter"
    client = redis.Redis(host=HOST, port=PORT)
    client.set(counter, 0)

    def worker() -> None:
        store = make_store(prefix)  # one store (connection pool) per "replica"

        async def run() -> None:
            for _ in range(5):
                async with store.lock("citizen", wait_time_in_seconds=0.005):
                    value = int(client.get(counter) or 0)
                    await asyncio.sleep(0.002)
                    client.set(counter, value + 1)

        asyncio.run(run())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert int(client.get(counter) or 0) == 40
    assert make_store(prefix).get_lock("citizen") is None


def test_expired_tickets_are_dropped(prefix):
    store = make_store(prefix)
    store.issue_ticket("c", lock_lifetime=0.2)
    time.sleep(0.4)
    store.update_lock("c")
    assert store.get_lock("c") is None
    assert store.issue_ticket("c") == 0


def test_save_lock_writes_live_tickets_or_deletes(prefix):
    store = make_store(prefix)
    later = time.time() + 30
    lock = TicketLock("c", deque([Ticket(3, later), Ticket(4, later), Ticket(5, 1.0)]))
    store.save_lock(lock)
    saved = store.get_lock("c")
    assert saved is not None and [t.number for t in saved.tickets] == [3, 4]
    assert store.issue_ticket("c") == 5
    store.save_lock(TicketLock("c", deque()))
    assert store.get_lock("c") is None


def test_a_hung_redis_gives_an_error_instead_of_blocking():
    """A server that accepts connections and never answers (a hung Redis)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    accepted: List[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    store = AtomicRedisLockStore(host="127.0.0.1", port=port, socket_timeout=0.5)
    outcome: List[BaseException] = []

    def call() -> None:
        try:
            store.issue_ticket("c")
        except BaseException as error:  # noqa: BLE001 - inspected below
            outcome.append(error)

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    caller.join(15)
    stop.set()
    for conn in accepted:
        conn.close()
    listener.close()
    assert not caller.is_alive(), "issue_ticket blocked on a hung Redis"
    assert outcome and isinstance(outcome[0], LockError), outcome
    assert "Timeout" in str(outcome[0]) or "timed out" in str(outcome[0])


def test_env_lock_store_builds_the_atomic_store(monkeypatch):
    from infra.stores import EnvLockStore

    monkeypatch.setenv("LOCK_STORE_URL", "redis://:pw@cache:6380/3")
    monkeypatch.setenv("LOCK_STORE_TIMEOUT", "2.5")
    monkeypatch.setenv("LOCK_STORE_KEY_PREFIX", "replicas")
    store = EnvLockStore()
    assert isinstance(store, AtomicRedisLockStore)
    kwargs = store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("cache", 6380, 3)
    assert kwargs["password"] == "pw" and kwargs["socket_timeout"] == 2.5
    assert store.key_prefix == "replicas:lock:"


def test_env_lock_store_is_in_memory_without_url(monkeypatch):
    from rasa.core.lock_store import InMemoryLockStore

    from infra.stores import EnvLockStore

    monkeypatch.delenv("LOCK_STORE_URL", raising=False)
    assert isinstance(EnvLockStore(), InMemoryLockStore)
