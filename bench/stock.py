"""The product against Rasa's stock moodbot on this machine, the same load for both.

The product runs as deployed on its embedded defaults (Rasa with the SQLite tracker
store, the guarded action server, the gateway); the moodbot is made here with
``rasa init --no-prompt`` (trained by Rasa, in-memory tracker store, no custom actions).
Both are driven over the REST channel by one load script:

* 1 client, sequential messages: throughput, p50 and p99;
* 20 concurrent clients, 40 conversations of 10 messages: throughput, p50, p99;
* one 200-turn conversation: p50 of the first and of the last 20 turns.

The product's messages are questions a citizen asks (documents, fee, processing time, in
three languages) and greetings; the moodbot's are its own (greet, mood, bye).

    .venv/bin/python -m bench.stock [--quick] [--product-only]

``--product-only`` skips the moodbot (while working on the product's speed; the ratios
need both, measured in the same run).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

import aiohttp

from tests.integration.servers import (
    BIN,
    Server,
    action_server,
    free_port,
    gateway_server,
    rasa_server,
)

PRODUCT = [
    "namaste",
    "birth certificate ke liye kaun se documents chahiye?",
    "what is the fee for an income certificate",
    "जाति प्रमाण पत्र कितने दिन में बनता है",
    "thank you",
]
STOCK = ["hello", "I am sad", "yes", "great", "bye"]


@dataclass
class Figures:
    """Latencies (seconds) of one load and how long it took."""

    latencies: List[float]
    seconds: float

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def row(self) -> str:
        return (
            f"{self.per_second:5.1f} msg/s, p50 {self.percentile(0.5) * 1000:5.0f} ms, "
            f"p99 {self.percentile(0.99) * 1000:5.0f} ms"
        )


async def _conversation(
    session: aiohttp.ClientSession, url: str, texts: Sequence[str], turns: int
) -> List[float]:
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    latencies = []
    for turn in range(turns):
        started = time.perf_counter()
        async with session.post(
            url, json={"sender": sender, "message": texts[turn % len(texts)]}
        ) as response:
            response.raise_for_status()
            await response.read()
        latencies.append(time.perf_counter() - started)
    return latencies


async def load(
    url: str, texts: Sequence[str], conversations: int, turns: int, clients: int
) -> Figures:
    """``conversations`` of ``turns`` messages, ``clients`` of them at a time."""
    limit = asyncio.Semaphore(clients)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def one() -> List[float]:
            async with limit:
                return await _conversation(session, url, texts, turns)

        started = time.perf_counter()
        results = await asyncio.gather(*(one() for _ in range(conversations)))
    return Figures([t for r in results for t in r], time.perf_counter() - started)


def measure(url: str, texts: Sequence[str], quick: bool) -> Dict[str, Figures]:
    """The three loads against one server (after a short warm-up)."""
    asyncio.run(load(url, texts, 2, 5, 2))
    long_turns = 60 if quick else 200
    return {
        "sequential": asyncio.run(load(url, texts, 1, 20 if quick else 60, 1)),
        "concurrent": asyncio.run(load(url, texts, 40, 10, 20)),
        "long": asyncio.run(load(url, texts, 1, long_turns, 1)),
    }


def product_stack(root: Path) -> Tuple[List[Server], str]:
    """Gateway, action server and Rasa on their embedded defaults under ``root``."""
    var = root / "var"
    gateway_port, actions_port, rasa_port = free_port(), free_port(), free_port()
    gateway = gateway_server(
        gateway_port,
        root,
        {"RASA_URL": f"http://127.0.0.1:{rasa_port}"},
    )
    gateway_env = {"EDISTRICT_URL": f"http://127.0.0.1:{gateway_port}"}
    actions = action_server(
        actions_port, root, {"GOV_VAR_DIR": str(var), **gateway_env}
    )
    (root / "rasa").mkdir()
    rasa = rasa_server(
        rasa_port,
        actions_port,
        root / "rasa",
        {"GOV_VAR_DIR": str(var), "TRACKER_STORE_URL": "", **gateway_env},
    )
    return [gateway, actions, rasa], f"http://127.0.0.1:{rasa_port}"


def stock_moodbot(root: Path) -> Tuple[List[Server], str]:
    """Rasa's ``rasa init`` project, trained by Rasa, served with ``rasa run``."""
    project = root / "moodbot"
    project.mkdir()  # rasa init wants the folder to exist
    subprocess.run(
        [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
        check=True,
        capture_output=True,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    port = free_port()
    server = Server(
        "moodbot",
        [
            str(BIN / "rasa"),
            "run",
            "--model",
            str(project / "models"),
            "--credentials",
            str(project / "credentials.yml"),
            "-i",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        f"http://127.0.0.1:{port}/",
        {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"},
        root,
    )
    return [server], f"http://127.0.0.1:{port}"


Stack = Callable[[Path], Tuple[List[Server], str]]


def run(
    make: Stack, root: Path, texts: Sequence[str], quick: bool
) -> Dict[str, Figures]:
    """Starts the servers ``make`` describes, measures, stops them."""
    servers, base = make(root)
    try:
        for server in servers:
            server.start()
        return measure(f"{base}/webhooks/rest/webhook", texts, quick)
    finally:
        for server in reversed(servers):
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter loads")
    parser.add_argument("--product-only", action="store_true", help="skip the moodbot")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "product").mkdir()
        (root / "stock").mkdir()
        print("training the moodbot and starting both (a few minutes) ...", flush=True)
        product = run(product_stack, root / "product", PRODUCT, args.quick)
        if args.product_only:
            report_product(product)
            return
        stock = run(stock_moodbot, root / "stock", STOCK, args.quick)
    print(f"\n{'load':40} {'product':38} {'stock moodbot':38} ratio")
    for name, title in (
        ("sequential", "1 client"),
        ("concurrent", "20 concurrent (40 conversations x 10)"),
    ):
        ratio = product[name].per_second / stock[name].per_second
        print(f"{title:40} {product[name].row():38} {stock[name].row():38} {ratio:.2f}")
    for label, figures in (("product", product["long"]), ("stock", stock["long"])):
        first = statistics.median(figures.latencies[:20]) * 1000
        last = statistics.median(figures.latencies[-20:]) * 1000
        print(
            f"{len(figures.latencies)}-turn conversation, {label}: p50 {first:.0f} ms "
            f"(first 20) -> {last:.0f} ms (last 20), {last / first:.1f}x"
        )


def report_product(product: Dict[str, Figures]) -> None:
    """The product's figures alone."""
    for name in ("sequential", "concurrent"):
        print(f"{name:40} {product[name].row()}")
    long = product["long"].latencies
    first, last = (
        statistics.median(long[:20]) * 1000,
        statistics.median(long[-20:]) * 1000,
    )
    print(f"{len(long)}-turn: p50 {first:.0f} ms -> {last:.0f} ms, {last / first:.1f}x")


if __name__ == "__main__":
    main()
