"""Writes data/nlu/generated/service_synonyms.yml from the service catalog.

NLU trainers edit service names in one place, the catalog (catalog/services/*.yml,
``synonyms`` per language); this script turns them into Rasa entity synonyms (so a
``service`` entity's value becomes the catalog id) and a ``service`` lookup table (used by
RegexFeaturizer and the ServiceGazetteer component). tests/components/test_generated_synonyms.py
fails when the committed file differs from a fresh generation.

Usage: ``.venv/bin/python -m scripts.generate_nlu_synonyms [--check]``
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "data" / "nlu" / "generated" / "service_synonyms.yml"
HEADER = (
    "# generated from catalog/, do not edit: change the service's `synonyms` in the\n"
    "# catalog, then run `.venv/bin/python -m scripts.generate_nlu_synonyms`.\n"
)

Service = Tuple[str, Mapping[str, Sequence[str]]]


def load_services(catalog_dir: Optional[Path] = None) -> List[Service]:
    """Returns (id, synonyms by language) for every catalog service, sorted by id.

    Args:
        catalog_dir: Catalog folder to read; the loader's default when None.

    Returns:
        The services; empty while the catalog has no loader or no service files yet.
    """
    try:
        loader = importlib.import_module("catalog.loader")
    except ModuleNotFoundError as error:
        if error.name not in ("catalog", "catalog.loader"):
            raise
        return []
    folder = catalog_dir or ROOT / "catalog"
    if not any((folder / "services").glob("*.yml")):
        return []  # the catalog has no services yet
    catalog: Any = (
        loader.load_catalog(catalog_dir) if catalog_dir else loader.load_catalog()
    )
    services: Iterable[Any] = getattr(catalog, "services", catalog)
    if isinstance(services, Mapping):
        services = services.values()
    return sorted(
        ((service.id, service.synonyms or {}) for service in services),
        key=lambda item: item[0],
    )


def _clean(name: str) -> str:
    return " ".join(str(name).split())


def render(services: Sequence[Service]) -> str:
    """Renders the generated NLU file for the given services.

    A name given for two services is left out (it would map to either id); the
    ServiceGazetteer treats such names as ambiguous too.

    Args:
        services: (id, synonyms by language) pairs.

    Returns:
        The YAML text, header included.
    """
    names_by_service: List[Tuple[str, List[str]]] = []
    owners: dict = {}
    for service_id, synonyms in services:
        names: List[str] = []
        for language in sorted(synonyms):
            for name in synonyms[language] or []:
                cleaned = _clean(name)
                if cleaned and cleaned not in names and cleaned != service_id:
                    names.append(cleaned)
                    owners.setdefault(cleaned.lower(), set()).add(service_id)
        names_by_service.append((service_id, names))
    lines = [HEADER + 'version: "3.1"', "nlu:"]
    lookup: List[str] = []
    for service_id, names in names_by_service:
        unique = [name for name in names if len(owners[name.lower()]) == 1]
        if not unique:
            continue
        lines += [f"  - synonym: {service_id}", "    examples: |"]
        lines += [f"      - {name}" for name in unique]
        lookup += [name for name in unique if name not in lookup]
    if lookup:
        lines += ["  - lookup: service", "    examples: |"]
        lines += [f"      - {name}" for name in lookup]
    if len(lines) == 2:
        lines[-1] = "nlu: []"
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Writes (or with ``--check`` verifies) the generated file; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if out of date")
    parser.add_argument("--catalog", type=Path, default=None, help="catalog folder")
    args = parser.parse_args(argv)
    text = render(load_services(args.catalog))
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date; run this script")
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
