"""The service catalog as the action server sees it: loaded once, on first use."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Optional

from catalog.loader import load_catalog
from catalog.model import Catalog
from infra.settings import catalog_dir


@lru_cache(maxsize=1)
def get_catalog() -> Catalog:
    """Returns the catalog (``GOV_CATALOG_DIR`` overrides its folder, e.g. in tests)."""
    return load_catalog(catalog_dir())


def named_service(tracker: Any) -> Optional[str]:
    """The first catalog service the latest message names.

    The NLU may also return spans such as "death" or "sc" as service values: those are
    not services and are passed over.
    """
    catalog = get_catalog()
    return next(
        (v for v in tracker.get_latest_entity_values("service") if v in catalog), None
    )
