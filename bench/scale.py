"""Scale-out on Rasa's own parts: N Rasa servers behind nginx, sharing the stores.

For N = 1, 2, ... (``--servers``): N Rasa servers run the product's model behind the
project's nginx edge (``RASA_UPSTREAMS``, least connections), sharing a PostgreSQL
tracker store (a database made for the run and dropped after it), the Redis lock store
(a key prefix of its own) and one e-District gateway; each Rasa server has its own action
server. The same load as ``bench.stock`` (40 conversations of 10 messages, 20 at a time)
goes through the edge; the table gives throughput, latency and throughput per core used.

    .venv/bin/python -m bench.scale [--servers 1,2]

Needs PostgreSQL (127.0.0.1:5432, database ``test``), Redis (127.0.0.1:6379) and nginx.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator, List

import requests

from bench.stock import PRODUCT, Figures, load
from infra import edge
from tests.integration.servers import (
    Server,
    action_server,
    free_port,
    gateway_server,
    rasa_server,
    shared_stores,
)

CORES = os.cpu_count() or 1


@contextlib.contextmanager
def running(servers: List[Server]) -> Iterator[None]:
    """Starts the servers together, stops them in reverse order."""
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_ready()
        yield
    finally:
        for server in reversed(servers):
            server.stop()


@contextlib.contextmanager
def nginx_edge(root: Path, rasa_ports: List[int], gateway_port: int) -> Iterator[str]:
    """The project's edge in front of the Rasa servers; yields its URL."""
    nginx = edge.find_nginx()
    if nginx is None:
        raise SystemExit("nginx is not installed (scripts/install.sh installs it)")
    port = free_port()
    rendered = edge.render(
        {
            "GOV_VAR_DIR": str(root / "var"),
            "PUBLIC_HOST": "127.0.0.1",
            "PUBLIC_PORT": str(port),
            "RASA_UPSTREAMS": ",".join(f"127.0.0.1:{p}" for p in rasa_ports),
            "EDISTRICT_PORT": str(gateway_port),
            # One load generator on one address: the per-address limits would throttle it.
            "EDGE_WEBHOOK_RATE": "100000",
            "EDGE_WEBHOOK_BURST": "100000",
            "EDGE_MAX_CONNECTIONS": "1000",
        }
    )
    process = subprocess.Popen(
        rendered.command(nginx), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with contextlib.suppress(requests.RequestException):
                requests.get(url, timeout=1)
                break
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def measure(servers: int, root: Path) -> Figures:
    """The concurrent load through the edge in front of ``servers`` Rasa servers."""
    with shared_stores("bench") as shared:
        stores = {**shared, "TRACKER_STORE_KEY": "bench key"}
        gateway_port = free_port()
        rasa_ports = [free_port() for _ in range(servers)]
        gateway = gateway_server(
            gateway_port, root, {"RASA_URL": f"http://127.0.0.1:{rasa_ports[0]}"}
        )
        env = {
            **stores,
            "GOV_VAR_DIR": str(root / "var"),
            "EDISTRICT_URL": f"http://127.0.0.1:{gateway_port}",
        }
        fleet: List[Server] = [gateway]
        for number, rasa_port in enumerate(rasa_ports):
            actions_port = free_port()
            folder = root / f"rasa-{number}"
            folder.mkdir()
            fleet.append(action_server(actions_port, folder, env))
            fleet.append(
                rasa_server(rasa_port, actions_port, folder, env, name=f"rasa-{number}")
            )
        with running(fleet), nginx_edge(root, rasa_ports, gateway_port) as url:
            webhook = f"{url}/webhooks/rest/webhook"
            asyncio.run(load(webhook, PRODUCT, 4, 5, 4))  # warm-up
            return asyncio.run(load(webhook, PRODUCT, 40, 10, 20))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", default="1,2", help="Rasa server counts to run")
    args = parser.parse_args()
    counts = [int(n) for n in args.servers.split(",")]
    results = {}
    for servers in counts:
        with tempfile.TemporaryDirectory() as folder:
            print(f"{servers} Rasa server(s): starting ...", flush=True)
            results[servers] = measure(servers, Path(folder))
    print(
        f"\n{'Rasa servers':14} {'20 concurrent through nginx':38} per core ({CORES})"
    )
    for servers, figures in results.items():
        per_core = figures.per_second / CORES
        print(f"{servers:<14} {figures.row():38} {per_core:5.1f} msg/s")


if __name__ == "__main__":
    main()
