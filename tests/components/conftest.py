"""Fixtures to run graph components outside a trained model."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


@pytest.fixture
def model_storage(tmp_path: Path) -> ModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture
def resource() -> Resource:
    return Resource("component")


@pytest.fixture
def execution_context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test_node")
