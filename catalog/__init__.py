"""The service catalog: the single source of truth for every government service.

Read it with :func:`catalog.loader.load_catalog`; the data lives in ``departments.yml`` and
``services/*.yml`` beside this file (format: ``catalog/README.md``).
"""

from catalog.loader import load_catalog
from catalog.model import (
    Catalog,
    CatalogError,
    Choice,
    Department,
    Document,
    Field,
    Service,
    Text,
)

__all__ = [
    "Catalog",
    "CatalogError",
    "Choice",
    "Department",
    "Document",
    "Field",
    "Service",
    "Text",
    "load_catalog",
]
