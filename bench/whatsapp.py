"""Bench of the WhatsApp connector: webhook ack latency and messages per second.

20 concurrent citizens post signed webhook bodies to the real channel blueprint (Sanic
on a loopback port); a fast fake Rasa answers every message with one text, sent through
the fake Graph API. Two runs: as fast as possible (capacity), then paced at WhatsApp's
default throughput of 80 messages per second (ack latency under the target load).

    .venv/bin/python -m bench.whatsapp [--messages 1200] [--senders 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, List, Optional

import aiohttp

from channels.settings import DocumentSettings, WhatsAppSettings
from channels.signature import sign
from channels.whatsapp import WhatsAppInput
from tests.channels.conftest import APP_SECRET, ChannelServer, text_body
from tests.channels.fake_graph import TOKEN, FakeGraph


def bench_settings(folder: Path, graph_url: str, **changes: Any) -> WhatsAppSettings:
    """WhatsApp settings for a bench: the fake Graph API, stores under ``folder``."""
    return WhatsAppSettings(
        access_token=TOKEN,
        app_secret=APP_SECRET,
        verify_token="bench",
        phone_number_id="1122334455667",
        graph_url=graph_url,
        dedup_db=folder / "dedup.db",
        delivery_db=folder / "delivery.db",
        documents=DocumentSettings(),
        **changes,
    )


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def citizen(
    session: aiohttp.ClientSession,
    url: str,
    wa_id: str,
    count: int,
    run: str,
    latencies: List[float],
    interval: Optional[float],
) -> None:
    for index in range(count):
        raw = json.dumps(
            text_body(wa_id, f"wamid.{run}.{wa_id}.{index}", "Hi")
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(APP_SECRET, raw),
        }
        started = time.perf_counter()
        async with session.post(url, data=raw, headers=headers) as response:
            await response.read()
            assert response.status == 200, response.status
        latencies.append(time.perf_counter() - started)
        if interval:
            await asyncio.sleep(max(0.0, interval - (time.perf_counter() - started)))


async def load(
    server: ChannelServer,
    run: str,
    total: int,
    senders: int,
    rate: Optional[float],
) -> List[float]:
    latencies: List[float] = []
    per_sender = total // senders
    interval = senders / rate if rate else None
    url = server.url("/webhooks/whatsapp/webhook")
    connector = aiohttp.TCPConnector(limit=senders)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(
            *(
                citizen(
                    session, url, f"9198{n:08d}", per_sender, run, latencies, interval
                )
                for n in range(senders)
            )
        )
    return latencies


def measure(
    server: ChannelServer,
    graph: FakeGraph,
    run: str,
    total: int,
    senders: int,
    rate: Optional[float],
) -> None:
    handled_before = len(server.received)
    sent_before = len(graph.messages("text"))
    started = time.perf_counter()
    latencies = asyncio.run(load(server, run, total, senders, rate))
    acked = time.perf_counter() - started
    server.drain()
    deadline = time.monotonic() + 30
    expected = sent_before + len(latencies)
    while len(graph.messages("text")) < expected and time.monotonic() < deadline:
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    handled = len(server.received) - handled_before
    replied = len(graph.messages("text")) - sent_before
    label = f"paced at {rate:g} msg/s" if rate else "as fast as possible"
    print(f"\n{run}: {senders} concurrent citizens, {len(latencies)} messages, {label}")
    print(
        f"  webhook ack latency  p50 {statistics.median(latencies) * 1000:6.1f} ms"
        f"   p99 {percentile(latencies, 0.99) * 1000:6.1f} ms"
        f"   max {max(latencies) * 1000:6.1f} ms"
    )
    print(f"  acked               {len(latencies) / acked:7.1f} webhooks/s")
    print(
        f"  processed end to end {handled / elapsed:7.1f} msg/s "
        f"({handled} to Rasa, {replied} replies sent in {elapsed:.2f} s)"
    )


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1200)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--rate", type=float, default=80.0)
    parser.add_argument(
        "--graph-delay",
        type=float,
        default=0.02,
        help="simulated Graph API latency in seconds",
    )
    args = parser.parse_args(argv)

    graph = FakeGraph(delay=args.graph_delay).start()
    with tempfile.TemporaryDirectory() as folder:
        settings = bench_settings(Path(folder), graph.url)

        async def fast_rasa(message: Any) -> None:
            await message.output_channel.send_text_message(
                message.sender_id, "Namaste!"
            )

        server = ChannelServer([WhatsAppInput(settings)], fast_rasa).start()
        try:
            measure(server, graph, "warm-up", 100, args.senders, None)
            measure(server, graph, "capacity", args.messages, args.senders, None)
            measure(server, graph, "target", args.messages, args.senders, args.rate)
        finally:
            server.stop()
            graph.stop()
    print(
        "\nTarget: >= 80 msg/s with p99 ack < 100 ms (one WhatsApp number's default)."
    )


if __name__ == "__main__":
    main()
