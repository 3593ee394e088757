"""Fixtures shared by the action tests."""

from typing import Iterator

import pytest

from tests.actions.test_edistrict_client import FakeGateway


@pytest.fixture
def gateway(monkeypatch) -> Iterator[FakeGateway]:
    """The scripted fake gateway on loopback, as the actions' EDISTRICT_URL.

    Test modules with their own wiring (test_edistrict_client, test_pending) override it.
    """
    fake = FakeGateway()
    monkeypatch.setenv("EDISTRICT_URL", fake.url)
    monkeypatch.setenv("EDISTRICT_TIMEOUT", "2")
    yield fake
    fake.server.shutdown()
