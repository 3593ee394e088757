"""Citizens' journeys, from "Hi" to the certificate, over the real servers (issue 10).

The journeys in ``journeys/<language>/`` were written blind, from personas and the list of
services, before anyone read the code (format: ``journeys/README.md``). They are played
concurrently, a few conversations at a time as real traffic would be, once per test
session; each journey is then one test that fails with its transcript.

``JOURNEYS=<glob>`` plays only the journeys whose file name matches (``JOURNEYS='*-21-*'
.venv/bin/python -m pytest tests/integration/test_journeys.py``), while working on them.
"""

from __future__ import annotations

import fnmatch
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict

import pytest
import yaml

from tests.integration.e2e import Stack
from tests.integration.journey import (
    JOURNEYS,
    Outcome,
    all_journeys,
    load,
    run,
    summary,
)

CONCURRENT = 3
ONLY = os.environ.get("JOURNEYS", "")
PATHS = [p for p in all_journeys() if fnmatch.fnmatch(p.name, ONLY or "*")]


@pytest.fixture(scope="session")
def outcomes(e2e: Stack, whatsapp_graph) -> Dict[str, Outcome]:
    journeys = [load(path) for path in PATHS]
    with ThreadPoolExecutor(CONCURRENT) as pool:
        played = list(pool.map(lambda j: run(j, e2e, whatsapp_graph), journeys))
    folder = e2e.log_dir / "journeys"
    folder.mkdir(exist_ok=True)
    for outcome in played:
        (folder / f"{outcome.id}.txt").write_text(
            "\n".join(outcome.transcript + ["", *outcome.failures]), encoding="utf-8"
        )
    for language, (passed, total) in sorted(summary(played).items()):
        print(f"journeys {language}: {passed}/{total} passed")
    return {outcome.id: outcome for outcome in played}


@pytest.mark.skipif(bool(ONLY), reason=f"JOURNEYS={ONLY} plays only some journeys")
def test_every_language_has_its_journeys():
    languages = [path.parent.name for path in PATHS]
    assert {lang: languages.count(lang) for lang in set(languages)} == {
        "en": 21,
        "hi": 21,
        "hinglish": 21,
    }


# Journeys that still fail, each with the defect that stops it (an open issue's work).
# They are reported as xfail with their first failure; one that passes is reported as a
# pass and should be taken off the list. Every other journey must pass.
KNOWN = yaml.safe_load((JOURNEYS / "known_failures.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", PATHS, ids=lambda p: Path(p).stem)
def test_journey(path: Path, outcomes: Dict[str, Outcome]):
    outcome = outcomes[load(path)["id"]]
    known = (KNOWN or {}).get(outcome.id)
    if known and outcome.failures:
        pytest.xfail(f"known defect: {known}; first failure: {outcome.failures[0]}")
    assert not outcome.failures, (
        f"{outcome.id} ({outcome.channel}, sender {outcome.sender}):\n"
        + "\n".join(outcome.failures)
        + "\n--- transcript (end) ---\n"
        + outcome.tail()
    )
