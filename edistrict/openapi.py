"""The committed OpenAPI document (edistrict/openapi.json) and how it is produced."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI

OPENAPI_PATH = Path(__file__).resolve().parent / "openapi.json"


def openapi_json(app: FastAPI) -> str:
    """The app's OpenAPI document as stable, pretty JSON text.

    Args:
        app: The gateway app.

    Returns:
        JSON text ending in a newline.
    """
    return (
        json.dumps(app.openapi(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    )
