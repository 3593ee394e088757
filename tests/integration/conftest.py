from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from catalog.loader import load_catalog
from channels.settings import DocumentSettings
from tests.channels.conftest import APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN
from tests.channels.fake_graph import TOKEN, FakeGraph
from tests.integration.e2e import RETRY_SECONDS, Stack, make_test_catalog
from tests.integration.servers import (
    MODEL,
    RASA_TOKEN,
    Server,
    action_server,
    free_port,
    gateway_server,
    rasa_server,
)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def model() -> Path:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first", pytrace=False)
    return MODEL


@pytest.fixture(scope="session")
def actions(tmp_path_factory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("actions")
    server = action_server(free_port(), workdir, {"GOV_VAR_DIR": str(workdir / "var")})
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def actions_port(actions: Server) -> int:
    return int(actions.health_url.split(":")[2].split("/")[0])


@pytest.fixture(scope="session")
def whatsapp_graph() -> Iterator[FakeGraph]:
    """The local fake of the WhatsApp Cloud API that the e2e Rasa sends to."""
    graph = FakeGraph().start()
    yield graph
    graph.stop()


@pytest.fixture(scope="session")
def e2e(model, whatsapp_graph: FakeGraph, tmp_path_factory) -> Iterator[Stack]:
    """Gateway + action server + Rasa, sharing a test catalog and a var folder.

    The catalog is a copy of catalog/ plus one made-up service (data only). The gateway
    notifies this Rasa (RASA_URL) with a fast outbox backoff; Rasa keeps its SQLite tracker
    store under the tmp GOV_VAR_DIR, so it can be stopped and started again. Its WhatsApp
    channel is configured and talks to ``whatsapp_graph``.
    """
    root = tmp_path_factory.mktemp("e2e")
    catalog_dir = make_test_catalog(root / "catalog")
    var_dir = root / "var"
    shared = {
        "GOV_VAR_DIR": str(var_dir),
        "GOV_CATALOG_DIR": str(catalog_dir),
    }
    rasa_port, actions_port, gateway_port = free_port(), free_port(), free_port()
    gateway_db = root / "edistrict.db"
    gateway = gateway_server(
        gateway_port,
        root,
        {
            "EDISTRICT_DATABASE_URL": f"sqlite:///{gateway_db}",
            "EDISTRICT_CATALOG_PATH": str(catalog_dir),
            "EDISTRICT_SERVICE_TOKEN": "dev-service-token",
            "EDISTRICT_OFFICER_TOKENS": "dev-officer:dev-officer-token",
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "RASA_TOKEN": RASA_TOKEN,
            "EDISTRICT_OUTBOX_WORKER": "true",
            "EDISTRICT_OUTBOX_POLL_SECONDS": "0.5",
            "EDISTRICT_OUTBOX_BACKOFF_BASE_SECONDS": "0.5",
            "EDISTRICT_OUTBOX_BACKOFF_MAX_SECONDS": "2",
        },
    )
    actions = action_server(
        actions_port,
        root,
        {
            **shared,
            "EDISTRICT_URL": f"http://127.0.0.1:{gateway_port}",
            "EDISTRICT_SERVICE_TOKEN": "dev-service-token",
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "SUBMISSION_RETRY_SECONDS": str(RETRY_SECONDS),
        },
    )
    rasa_dir = root / "rasa"
    rasa_dir.mkdir()
    rasa = rasa_server(
        rasa_port,
        actions_port,
        rasa_dir,
        {
            **shared,
            "TRACKER_STORE_URL": "",
            "LOCK_STORE_URL": "",
            # Every message and slot in the log: test_privacy_at_rest.py looks for numbers.
            "LOG_LEVEL": "DEBUG",
            "EVENT_BROKER_URL": "",
            "WHATSAPP_ACCESS_TOKEN": TOKEN,
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "WHATSAPP_GRAPH_URL": whatsapp_graph.url,
            # The channel fetches certificates from the gateway to upload them.
            "EDISTRICT_URL": f"http://127.0.0.1:{gateway_port}",
            "EDISTRICT_SERVICE_TOKEN": "dev-service-token",
        },
    )
    servers = [gateway, actions, rasa]
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_ready()
        yield Stack(
            rasa=rasa,
            actions=actions,
            gateway=gateway,
            catalog=load_catalog(catalog_dir),
            catalog_dir=catalog_dir,
            var_dir=var_dir,
            documents=DocumentSettings.from_env(
                {
                    "EDISTRICT_URL": f"http://127.0.0.1:{gateway_port}",
                    "EDISTRICT_SERVICE_TOKEN": "dev-service-token",
                }
            ),
            gateway_db=gateway_db,
            log_dir=root,
        )
    finally:
        for server in reversed(servers):
            server.stop()
