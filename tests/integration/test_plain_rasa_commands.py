"""Rasa's own commands, typed at the root of a fresh checkout with no flags, as an NLU
trainer or tester who knows Rasa (not this Makefile) would: `rasa data validate`,
`rasa train` (shortened: one epoch), `rasa test`, `rasa run actions`, `rasa interactive`
and `rasa shell` (in a pseudo-terminal; only ports are given, so that nothing else running
on this machine is in the way).

The checkout is a copy of the files git tracks (what a clone holds, with this working
tree's edits), so models, `var/`, `.rasa/` caches and `results/` of the project do not help.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import yaml

from tests.integration.servers import free_port
from tests.integration.terminal import Terminal

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
# Actions of `rasa init`'s moodbot, whose test stories sit inside .venv (see scripts/install.sh).
MOODBOT_ACTIONS = {
    "utter_happy",
    "utter_cheer_up",
    "utter_did_that_help",
    "utter_iamabot",
}


def _fresh_checkout(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _one_epoch(config: Path) -> None:
    """The project's config, with one training epoch for DIET and TED."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    for part in data["pipeline"] + data["policies"]:
        if "epochs" in part:
            part["epochs"] = 1
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _environment() -> Dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        PYTHONWARNINGS="ignore",
    )
    return env


def _rasa(checkout: Path, *args: str, timeout: int = 900) -> str:
    result = subprocess.run(
        ["rasa", *args],
        cwd=checkout,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"rasa {' '.join(args)} failed:\n{output[-3000:]}"
    return output


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fresh-checkout")
    _fresh_checkout(folder)
    _one_epoch(folder / "config.yml")
    assert not (folder / "models").exists() or not list(
        (folder / "models").glob("*.tar.gz")
    )
    return folder


@pytest.fixture(scope="module")
def trained(checkout: Path) -> Path:
    _rasa(checkout, "train")
    models = list((checkout / "models").glob("*.tar.gz"))
    assert len(models) == 1, models
    return models[0]


def test_rasa_data_validate_finds_the_domain_and_no_conflicts(checkout: Path):
    output = _rasa(checkout, "data", "validate", "--fail-on-warnings")
    assert "No story structure conflicts found" in output


def test_rasa_test_reports_the_projects_stories_and_nlu_only(
    checkout: Path, trained: Path
):
    _rasa(checkout, "test")
    results = checkout / "results"
    story_labels = set(json.loads((results / "story_report.json").read_text()))
    assert {"action_listen", "utter_greet"} <= story_labels
    assert not story_labels & MOODBOT_ACTIONS, (
        "rasa test ran rasa init's moodbot stories"
    )

    intents = set(yaml.safe_load((checkout / "domain.yml").read_text())["intents"])
    report = json.loads((results / "intent_report.json").read_text())
    tested = set(report) - {"accuracy", "macro avg", "weighted avg", "micro avg"}
    assert {"greet", "apply_service", "check_status", "out_of_scope"} <= tested
    assert tested <= intents
    assert (results / "intent_confusion_matrix.png").stat().st_size > 0


@pytest.fixture(scope="module")
def plain_action_server(checkout: Path) -> Iterator[List[str]]:
    """`rasa run actions` (rasa-sdk's own server); the checkout's Rasa is pointed at it."""
    port = free_port()
    endpoints = checkout / "endpoints.yml"
    endpoints.write_text(
        endpoints.read_text().replace("localhost:5055", f"localhost:{port}")
    )
    process = subprocess.Popen(
        ["rasa", "run", "actions", "--port", str(port)],
        cwd=checkout,
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        yield _registered_actions(port, process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _registered_actions(port: int, process: subprocess.Popen) -> List[str]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "rasa run actions exited"
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/actions", timeout=2
            ) as r:
                return [entry["name"] for entry in json.load(r)]
        except OSError:
            time.sleep(0.5)
    raise AssertionError("rasa run actions did not answer within 120 s")


def test_rasa_run_actions_serves_the_projects_actions(
    checkout: Path, plain_action_server: List[str]
):
    domain_actions = yaml.safe_load((checkout / "domain.yml").read_text())["actions"]
    assert set(domain_actions) <= set(plain_action_server)


def test_rasa_interactive_loads_a_model_and_asks_about_a_message(
    checkout: Path, trained: Path, plain_action_server: List[str]
):
    """It trains first when it must (Rasa's cache makes that short), then asks."""
    command = [
        "rasa",
        "interactive",
        "--port",
        str(free_port()),
        "--skip-visualization",
    ]
    terminal = Terminal(command, checkout, _environment())
    try:
        terminal.expect(r"Your input ->", timeout=600)
        terminal.send("Hi\r")
        terminal.expect(
            r"classified 'hi' with intent '[a-z_]+'.*is this correct\?", 120
        )
    finally:
        terminal.close()


def test_rasa_shell_greets_and_shows_the_menu_through_the_action_server(
    checkout: Path, trained: Path, plain_action_server: List[str], model: Path
):
    """With the project's trained model, the newest in the checkout's models/."""
    newest = checkout / "models" / "project.tar.gz"
    shutil.copyfile(model, newest)
    terminal = Terminal(
        ["rasa", "shell", "--port", str(free_port())], checkout, _environment()
    )
    try:
        terminal.expect(r"Bot loaded\. Type a message", timeout=300)
        terminal.send("Hi\r")
        terminal.expect(r"I am the Government of Delhi assistant", timeout=120)
        terminal.expect(r"Pick a service from the list below", timeout=60)
    finally:
        terminal.close()
