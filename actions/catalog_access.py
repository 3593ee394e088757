"""The service catalog as the action server sees it: loaded once, on first use."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from catalog.loader import Catalog, load_catalog


@lru_cache(maxsize=1)
def get_catalog() -> Catalog:
    """Returns the catalog (``GOV_CATALOG_DIR`` overrides its folder, e.g. in tests)."""
    folder = os.environ.get("GOV_CATALOG_DIR")
    return load_catalog(Path(folder) if folder else None)
