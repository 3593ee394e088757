"""Every response the actions can name exists in domain.yml, in English, Hindi and Hinglish.

Names are found in the code itself: string literals (`Reply("utter_...")`, a name kept in a
variable), the error codes of `Invalid("...")` (`utter_invalid_<code>`) and the statuses of
`actions/tracking.py` (`utter_status_<status>`). A response missing for one language
would reach a Hindi-speaking citizen as the English default, or fail the action outright.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Dict, List, Set

import pytest
import yaml

from actions.tracking import STATUSES

ROOT = Path(__file__).resolve().parents[2]
ACTION_FILES = sorted((ROOT / "actions").rglob("*.py"))
RESPONSES: Dict[str, List[dict]] = yaml.safe_load(
    (ROOT / "domain.yml").read_text(encoding="utf-8")
)["responses"]
LITERAL_NAME = re.compile(r"""["'](utter_[a-z0-9_]+)["']""")


def _languages(variations: List[dict]) -> List[str]:
    """The language of each variation: its `language` slot condition, else English."""
    found = []
    for variation in variations:
        language = "en"
        for condition in variation.get("condition") or []:
            if condition.get("name") == "language":
                language = condition["value"]
        found.append(language)
    return found


def _literal_names() -> Set[str]:
    return {
        name
        for path in ACTION_FILES
        for name in LITERAL_NAME.findall(path.read_text(encoding="utf-8"))
    }


def _invalid_codes() -> Set[str]:
    codes = set()
    for path in ACTION_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "Invalid"
                and node.args
            ):
                assert isinstance(node.args[0], ast.Constant), (
                    f"{path.name}:{node.lineno}: Invalid() needs a literal code, so that "
                    "its response can be checked"
                )
                codes.add(node.args[0].value)
    return codes


NAMED = sorted(
    _literal_names()
    | {f"utter_invalid_{code}" for code in _invalid_codes()}
    | {f"utter_status_{status}" for status in STATUSES}
)


def test_the_scan_finds_the_names_of_every_kind():
    assert {
        "utter_invalid_yes_no",
        "utter_invalid_aadhaar",
        "utter_status_issued",
    } <= set(NAMED)
    assert len(NAMED) > 40


@pytest.mark.parametrize("name", NAMED)
def test_a_response_named_by_the_actions_exists(name):
    assert name in RESPONSES, f"{name} is named in actions/ but missing from domain.yml"


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_response_has_one_english_hindi_and_hinglish_text(name):
    """Per channel: the default variations, and any channel's own (WhatsApp buttons)."""
    channels = {v.get("channel") for v in RESPONSES[name]}
    assert None in channels, f"{name}: every channel needs the default variations"
    for channel in channels:
        variations = [v for v in RESPONSES[name] if v.get("channel") == channel]
        languages = _languages(variations)
        assert sorted(languages) == ["en", "hi", "hinglish"], (name, channel, languages)
        assert languages[-1] == "en", f"{name}: the default must come last"
