"""Fuzz of the webhooks: signed bodies of every shape, counted by HTTP status.

WhatsApp: mutations of the real Cloud API samples in
``../shared/fixtures/whatsapp-cloud-api/`` (wrong types, missing keys, nulls, huge
numbers, deep nesting, unicode and lone surrogates, very long strings, arrays where
objects belong), random JSON, near-valid messages built from WhatsApp's vocabulary and
bytes that are not JSON. Each is signed with the app secret and posted to the real
channel blueprint (Sanic on a loopback port, fake Graph API, fake Rasa). A 5xx is a bug;
so is an event stored but then neither processed nor kept as failed.

    .venv/bin/python -m bench.fuzz_webhooks [--payloads 10000] [--seed 16]
    .venv/bin/python -m bench.fuzz_webhooks --rest http://localhost:5005 [--token T]

With ``--rest`` it also fires 2,000 fuzzed payloads at a running Rasa server's REST
channel (``/webhooks/rest/webhook``) and prints their status counts.

The generator (:func:`whatsapp_payloads`) is also used by
``tests/channels/test_webhook_fuzz.py`` (seeded, bounded, in ``make test``).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import random
import string
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import requests

# Words of the WhatsApp webhook, so random structures often look almost right.
KEYS = (
    "object entry id changes field value messaging_product metadata "
    "display_phone_number phone_number_id contacts profile name wa_id messages from "
    "timestamp type text body context referral image document mime_type sha256 "
    "filename caption interactive button_reply list_reply title description button "
    "payload location latitude longitude address url reaction emoji message_id "
    "statuses status recipient_id errors code error_data details conversation pricing"
).split()
TYPES = (
    "text image document interactive button location reaction system audio video "
    "sticker contacts order unsupported nfm_reply button_reply list_reply"
).split()
STRINGS = (
    "",
    " ",
    "Hi",
    "नमस्ते",
    "namaste ji",
    "\u202eevil\u202c",
    "\x00",
    "\ud800",  # a lone surrogate: valid JSON, not valid UTF-8
    "\U0001f600" * 3,
    '/apply{"service": "birth"}',
    "wamid.",
    "whatsapp:+91",
    "NaN",
    "1e999",
)
MAX_BYTES = 900_000  # generated bodies stay under the webhooks' 1 MiB cap
NUMBERS = (0, -1, 1, 2**31, 2**64, 10**30, -(10**30), 1.5, 1e308, -1e-308, 90.0001)


def deep(rng: random.Random, depth: int) -> Any:
    """A list or object nested ``depth`` levels."""
    value: Any = rng.choice([None, "x", 1])
    for _ in range(depth):
        value = [value] if rng.random() < 0.5 else {rng.choice(KEYS): value}
    return value


def junk(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value, biased to the shapes that break parsers."""
    roll = rng.random()
    if roll < 0.12:
        return None
    if roll < 0.18:
        return rng.choice([True, False])
    if roll < 0.32:
        return rng.choice(NUMBERS)
    if roll < 0.52:
        return rng.choice(STRINGS)
    if roll < 0.58:
        return rng.choice(string.printable) * rng.choice([300, 5000, 100_000])
    if roll < 0.64:
        return "".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(rng.randint(1, 64)))
    if roll < 0.68:
        return deep(rng, rng.choice([50, 300, 800]))
    if depth > 3 or roll < 0.78:
        return rng.choice([[], {}, [None], {"": None}])
    if roll < 0.89:
        return [junk(rng, depth + 1) for _ in range(rng.randint(1, 4))]
    return {rng.choice(KEYS): junk(rng, depth + 1) for _ in range(rng.randint(1, 5))}


def _nodes(value: Any, max_depth: int = 12) -> List[Tuple[Any, ...]]:
    """Paths of the nodes of ``value`` down to ``max_depth`` (the WhatsApp outline)."""
    paths: List[Tuple[Any, ...]] = []
    stack: List[Tuple[Tuple[Any, ...], Any]] = [((), value)]
    while stack:
        path, node = stack.pop()
        paths.append(path)
        if len(path) >= max_depth:
            continue
        if isinstance(node, dict):
            stack.extend(((*path, key), child) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, index), child) for index, child in enumerate(node))
    return paths


def _get(value: Any, path: Tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def mutate(rng: random.Random, body: Any) -> Any:
    """One random change somewhere in ``body`` (returns the new body)."""
    paths = _nodes(body)
    path = rng.choice(paths)
    if not path:
        return junk(rng) if rng.random() < 0.3 else [body]
    parent, key = _get(body, path[:-1]), path[-1]
    current = parent[key]
    roll = rng.random()
    if roll < 0.45:
        parent[key] = junk(rng)
    elif roll < 0.6 and isinstance(parent, dict):
        del parent[key]
    elif roll < 0.7:
        parent[key] = [current]
    elif roll < 0.78 and isinstance(current, list) and current:
        parent[key] = current * rng.randint(2, 40)
    elif roll < 0.86 and isinstance(current, dict):
        parent[key] = list(current.values())
    elif roll < 0.93:
        parent[key] = str(current)[:200] if rng.random() < 0.5 else None
    else:
        parent[key] = rng.choice(NUMBERS)
    return body


def _fresh_ids(rng: random.Random, body: Any, serial: int) -> None:
    """Gives the messages of a sample new ids, so they are processed, not dropped."""
    for path in _nodes(body):
        if (
            len(path) >= 2
            and path[-2:-1] == ("messages",)
            or (len(path) >= 3 and path[-3] == "messages")
        ):
            node = _get(body, path)
            if isinstance(node, dict) and "id" in node:
                node["id"] = f"wamid.fuzz.{serial}.{rng.randint(0, 9)}"


def _content(rng: random.Random, kind: str) -> Any:
    """The object of a message type, right in shape, with odd values."""
    value = rng.choice(["Hi", "नमस्ते", *STRINGS]) if rng.random() < 0.7 else junk(rng)
    if kind == "text":
        return {"body": value}
    if kind == "interactive":
        reply = rng.choice(["button_reply", "list_reply", "nfm_reply"])
        return {"type": reply, reply: {"id": value, "title": junk(rng)}}
    if kind == "button":
        return {"payload": value, "text": junk(rng)}
    if kind == "location":
        return {
            "latitude": rng.choice([28.61, *NUMBERS, "28.6", junk(rng)]),
            "longitude": rng.choice([77.2, *NUMBERS, junk(rng)]),
            "name": junk(rng),
        }
    if kind in ("image", "document"):
        return {"id": value, "mime_type": "image/jpeg", "filename": junk(rng)}
    return {"id": value}


def near_valid(rng: random.Random, serial: int) -> Dict[str, Any]:
    """A body of the right outline holding random-ish messages and statuses."""
    messages = []
    for n in range(rng.randint(0, 4)):
        kind = rng.choice(TYPES)
        message: Dict[str, Any] = {
            "from": rng.choice(["919800000001", "919800000002", junk(rng)]),
            "id": f"wamid.near.{serial}.{n}" if rng.random() < 0.9 else junk(rng),
            "timestamp": rng.choice(["1700000000", junk(rng)]),
            "type": kind if rng.random() < 0.9 else junk(rng),
        }
        roll = rng.random()
        if roll < 0.5:
            message[kind] = _content(rng, kind)
        elif roll < 0.85:
            message[kind] = {
                key: junk(rng) for key in rng.sample(KEYS, rng.randint(0, 4))
            }
        else:
            message[kind] = junk(rng)
        messages.append(message)
    value: Dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": rng.choice([{"phone_number_id": "1122334455667"}, junk(rng)]),
        "contacts": rng.choice(
            [[{"wa_id": "919800000001", "profile": junk(rng)}], junk(rng)]
        ),
        "messages": messages,
    }
    if rng.random() < 0.3:
        value["statuses"] = [
            {key: junk(rng) for key in ("id", "status", "recipient_id", "errors")}
            for _ in range(rng.randint(1, 3))
        ]
    if rng.random() < 0.2:
        value["errors"] = junk(rng)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"changes": [{"value": value}]}],
    }


def not_json(rng: random.Random) -> bytes:
    """Bytes that are not JSON (or JSON nested deeper than a parser goes)."""
    choice = rng.randrange(5)
    if choice == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
    if choice == 1:
        return b'{"entry": [{"changes": '  # truncated
    if choice == 2:
        return b"[" * 100_000 + b"]" * 100_000  # deeper than json.loads recurses
    if choice == 3:
        return b'{"n": ' + b"9" * 5000 + b"}"  # longer than Python reads as an int
    return b"\xff\xfe{\x00}"


def whatsapp_payloads(
    count: int, seed: int, samples: Dict[str, Dict[str, Any]]
) -> Iterator[bytes]:
    """``count`` raw webhook bodies, the same for the same seed."""
    rng = random.Random(seed)
    names = sorted(samples)
    for serial in range(count):
        roll = rng.random()
        if roll < 0.6:
            # Without the shared corpus (a clone without ../shared), mutate valid bodies.
            if names:
                body: Any = copy.deepcopy(samples[rng.choice(names)])
                if rng.random() < 0.7:
                    _fresh_ids(rng, body, serial)
            else:
                body = near_valid(rng, serial)
            for _ in range(rng.randint(1, 4)):
                body = mutate(rng, body)
        elif roll < 0.82:
            body = near_valid(rng, serial)
        elif roll < 0.95:
            body = junk(rng)
        else:
            yield not_json(rng)
            continue
        try:
            raw = json.dumps(body).encode()
        except (RecursionError, ValueError):
            raw = not_json(rng)
        # Meta's bodies are small: the 413 above the cap is tested on its own.
        yield (
            raw
            if len(raw) <= MAX_BYTES
            else json.dumps(near_valid(rng, serial)).encode()
        )


def rest_payloads(count: int, seed: int) -> Iterator[bytes]:
    """``count`` bodies for Rasa's REST channel (sender, message, metadata)."""
    rng = random.Random(seed)
    for serial in range(count):
        body: Any = {
            "sender": rng.choice([f"fuzz-{serial % 50}", junk(rng)]),
            "message": rng.choice(["Hi", "नमस्ते", junk(rng)]),
        }
        if rng.random() < 0.3:
            body["metadata"] = junk(rng)
        if rng.random() < 0.2:
            body = mutate(rng, body)
        if rng.random() < 0.05:
            yield not_json(rng)
            continue
        try:
            yield json.dumps(body).encode()
        except (RecursionError, ValueError):
            yield not_json(rng)


def fire(
    url: str,
    payloads: Iterator[bytes],
    headers_for: Callable[[bytes], Dict[str, str]],
    concurrency: int = 8,
) -> Counter[int]:
    """Posts every payload from ``concurrency`` clients; counts each status.

    Status 0 counts requests that got no answer at all.
    """
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    sessions = threading.local()

    def post(raw: bytes) -> None:
        session = getattr(sessions, "session", None)
        if session is None:
            session = sessions.session = requests.Session()
        try:
            reply = session.post(url, data=raw, headers=headers_for(raw), timeout=30)
            status = reply.status_code
        except requests.RequestException:
            status = 0
        with lock:
            statuses[status] += 1

    with ThreadPoolExecutor(concurrency) as pool:
        for _ in pool.map(post, payloads):
            pass
    return statuses


def run_whatsapp(count: int, seed: int) -> int:
    """Fuzzes the WhatsApp channel in this process; returns 1 when something broke."""
    from bench.whatsapp import bench_settings
    from channels.inbox import SQLiteInbox
    from channels.signature import sign
    from channels.whatsapp import WhatsAppInput
    from tests.channels.conftest import (
        APP_SECRET,
        ChannelServer,
        load_fixture_samples,
        text_body,
    )
    from tests.channels.fake_graph import FakeGraph

    graph = FakeGraph().start()
    with tempfile.TemporaryDirectory() as folder:
        settings = bench_settings(
            Path(folder),
            graph.url,
            retry_base_delay=0.01,
            inbox_retry_base_delay=0.01,
        )
        received: List[Any] = []

        async def fake_rasa(message: Any) -> None:
            received.append(message)

        channel = WhatsAppInput(settings)
        server = ChannelServer([channel], fake_rasa).start()
        url = server.url("/webhooks/whatsapp/webhook")

        def signed(raw: bytes) -> Dict[str, str]:
            return {
                "Content-Type": "application/json",
                "X-Hub-Signature-256": sign(APP_SECRET, raw),
            }

        try:
            started = time.perf_counter()
            payloads = whatsapp_payloads(count, seed, load_fixture_samples())
            statuses = fire(url, payloads, signed)
            posted = time.perf_counter() - started
            server.drain()
            handed = len(received)
            normal = json.dumps(text_body("919800000009", "wamid.after", "Hi")).encode()
            after = requests.post(url, data=normal, headers=signed(normal), timeout=10)
            server.drain()
            ok_after = after.status_code == 200 and received[-1].text == "Hi"
        finally:
            server.stop()
            graph.stop()

        async def counts() -> Dict[str, int]:
            inbox = SQLiteInbox(settings.inbox_path)
            try:
                return await inbox.counts()
            finally:
                await inbox.close()

        inbox_counts = asyncio.run(counts())
    print(f"\nWhatsApp webhook: {count} signed fuzzed payloads, seed {seed}")
    for status, number in sorted(statuses.items()):
        print(f"  HTTP {status or 'no answer'}: {number}")
    server_errors = sum(n for s, n in statuses.items() if s >= 500 or s == 0)
    print(f"  5xx or no answer: {server_errors}")
    print(
        f"  inbox: {inbox_counts['done']} processed, {inbox_counts['failed']} failed "
        f"(dead letters), {inbox_counts['pending']} pending; {handed} handed to Rasa"
    )
    print(f"  posted in {posted:.1f} s ({count / posted:.0f} payloads/s)")
    print(f"  a normal message afterwards: {'answered' if ok_after else 'BROKEN'}")
    broken = server_errors or inbox_counts["failed"] or inbox_counts["pending"]
    return 1 if broken or not ok_after else 0


def run_rest(base_url: str, count: int, seed: int, token: Optional[str]) -> int:
    """Fires fuzzed payloads at a running Rasa REST channel; prints status counts."""
    url = base_url.rstrip("/") + "/webhooks/rest/webhook"
    if token:
        url += f"?token={token}"

    def headers(_: bytes) -> Dict[str, str]:
        return {"Content-Type": "application/json"}

    started = time.perf_counter()
    statuses = fire(url, rest_payloads(count, seed), headers)
    elapsed = time.perf_counter() - started
    print(f"\nRasa REST channel at {base_url}: {count} fuzzed payloads, seed {seed}")
    for status, number in sorted(statuses.items()):
        print(f"  HTTP {status or 'no answer'}: {number}")
    print(f"  in {elapsed:.1f} s")
    return 1 if any(s >= 500 or s == 0 for s in statuses) else 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payloads", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--rest", help="base URL of a running Rasa server")
    parser.add_argument("--rest-payloads", type=int, default=2_000)
    parser.add_argument("--token", help="Rasa's RASA_TOKEN, if it requires one")
    args = parser.parse_args(argv)
    failed = run_whatsapp(args.payloads, args.seed)
    if args.rest:
        failed |= run_rest(args.rest, args.rest_payloads, args.seed, args.token)
    return failed


if __name__ == "__main__":
    sys.exit(main())
