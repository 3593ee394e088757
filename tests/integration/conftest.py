from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.integration.servers import MODEL, Server, action_server, free_port


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
