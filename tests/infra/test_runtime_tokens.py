"""The runtime secrets `make run` keeps in var/secrets.env, and infra.rasa_server's argv."""

from __future__ import annotations

import argparse
import stat
from pathlib import Path

import pytest

from infra import rasa_server, settings, tokens

ENDPOINTS = str(Path(__file__).resolve().parents[2] / "endpoints.yml")


def test_secrets_are_made_once_with_mode_600(tmp_path):
    env = {"GOV_VAR_DIR": str(tmp_path)}
    first = tokens.ensure(env)
    path = tmp_path / "secrets.env"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(first) == {"RASA_TOKEN", "ACTION_SERVER_TOKEN", "TRACKER_STORE_KEY"}
    assert len(set(first.values())) == 3
    assert all(len(value) >= 32 for value in first.values())
    assert tokens.ensure(env) == first  # a restart keeps them


def test_environment_wins_and_nothing_is_written(tmp_path):
    given = {"RASA_TOKEN": "r", "ACTION_SERVER_TOKEN": "a", "TRACKER_STORE_KEY": "k"}
    assert tokens.ensure({"GOV_VAR_DIR": str(tmp_path), **given}) == given
    assert not (tmp_path / "secrets.env").exists()


def test_a_missing_secret_is_added_to_the_file(tmp_path):
    path = tmp_path / "secrets.env"
    path.write_text("RASA_TOKEN=kept\n")
    path.chmod(0o644)
    values = tokens.ensure({"GOV_VAR_DIR": str(tmp_path)})
    assert values["RASA_TOKEN"] == "kept" and values["ACTION_SERVER_TOKEN"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "ACTION_SERVER_TOKEN=" in path.read_text()


def test_main_prints_shell_exports(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GOV_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("RASA_TOKEN", "it's")
    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    assert tokens.main() == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "export RASA_TOKEN='it'\"'\"'s'"
    assert lines[1].startswith("export ACTION_SERVER_TOKEN=")


def test_rasa_server_adds_the_token_last():
    assert rasa_server.rasa_argv(["--port", "5005"], "t") == [
        "rasa",
        "run",
        "--port",
        "5005",
        "--auth-token=t",
    ]
    with pytest.raises(ValueError):
        rasa_server.rasa_argv(["--auth-token", "x"], "t")


def test_a_token_starting_with_a_dash_reaches_rasa_whole():
    """secrets.token_urlsafe() starts with "-" once in 64 runs: it is still the token."""
    from rasa.cli.arguments.run import set_run_arguments

    parser = argparse.ArgumentParser()
    set_run_arguments(parser)
    argv = rasa_server.rasa_argv(["--port", "5005"], "-x9_token")[2:]
    assert parser.parse_args(argv).auth_token == "-x9_token"


def test_rasa_server_refuses_to_start_without_a_token(monkeypatch, capsys):
    monkeypatch.delenv("RASA_TOKEN", raising=False)
    assert rasa_server.main(["run", "--port", "1"]) == 2
    assert "RASA_TOKEN is not set" in capsys.readouterr().err


def test_rasa_api_access_adds_the_token_only_when_set():
    access = settings.rasa_api({"RASA_URL": "http://rasa:5005/", "RASA_TOKEN": "t"})
    assert access.url == "http://rasa:5005"
    assert access.params(output_channel="latest") == {
        "output_channel": "latest",
        "token": "t",
    }
    assert settings.rasa_api({}).params() == {}
    assert settings.rasa_api({}).url == settings.DEFAULT_RASA_URL


def test_lock_store_settings_are_checked():
    assert settings.lock_store_timeout({}) == 5.0
    assert settings.lock_store_timeout({"LOCK_STORE_TIMEOUT": "0.5"}) == 0.5
    for bad in ("0", "-1", "soon"):
        with pytest.raises(ValueError, match="LOCK_STORE_TIMEOUT"):
            settings.lock_store_timeout({"LOCK_STORE_TIMEOUT": bad})
    assert settings.lock_store_key_prefix({}) == "gov"
    with pytest.raises(ValueError, match="LOCK_STORE_KEY_PREFIX"):
        settings.lock_store_key_prefix({"LOCK_STORE_KEY_PREFIX": "a:b"})


def test_endpoints_send_the_action_secret_and_tolerate_its_absence(monkeypatch):
    from rasa.core.utils import AvailableEndpoints

    monkeypatch.setenv("ACTION_SERVER_TOKEN", "s3cret")
    action = AvailableEndpoints.read_endpoints(ENDPOINTS).action
    assert action is not None
    assert action.headers == {settings.ACTION_TOKEN_HEADER: "rasa:s3cret"}
    # Unset: Rasa still reads the file (plain `rasa shell` starts) and sends a value the
    # action server refuses.
    monkeypatch.delenv("ACTION_SERVER_TOKEN")
    action = AvailableEndpoints.read_endpoints(ENDPOINTS).action
    assert action is not None
    assert action.headers == {settings.ACTION_TOKEN_HEADER: settings.UNSET_ACTION_TOKEN}


# --- models only from the model folder (CVE-2024-3660 and pickled components) --------------


def test_the_model_folder_is_that_of_the_model_given_at_start(tmp_path):
    (tmp_path / "models").mkdir()
    given = tmp_path / "models" / "current.tar.gz"
    assert (
        rasa_server.model_folder(["--model", str(given), "-p", "5005"]) == given.parent
    )
    assert rasa_server.model_folder([f"--model={tmp_path / 'models'}"]) == given.parent
    assert rasa_server.model_folder([]) == (Path.cwd() / "models").resolve()


@pytest.mark.parametrize(
    "method, path, body, query",
    [
        ("PUT", "/model", {"model_file": "/tmp/evil.tar.gz"}, {}),
        ("PUT", "/model", {"model_file": "MODELS/../../evil.tar.gz"}, {}),
        ("PUT", "/model", {}, {}),
        ("PUT", "/model", {"model_server": {"url": "http://evil/model"}}, {}),
        (
            "PUT",
            "/model",
            {"model_file": "MODELS/a.tar.gz", "remote_storage": "aws"},
            {},
        ),
        ("POST", "/model/train", "version: '3.1'", {}),
        ("POST", "/model/test/intents", None, {"model": ["/tmp/evil.tar.gz"]}),
    ],
)
def test_the_api_may_not_load_or_train_a_model_from_elsewhere(
    tmp_path, method, path, body, query
):
    folder = (tmp_path / "models").resolve()
    if isinstance(body, dict) and "model_file" in body:
        body["model_file"] = body["model_file"].replace("MODELS", str(folder))
    assert rasa_server.model_refusal(method, path, body, query, folder)


@pytest.mark.parametrize(
    "method, path, body, query",
    [
        ("PUT", "/model", {"model_file": "MODELS/current.tar.gz"}, {}),
        ("POST", "/model/test/intents", None, {"model": ["MODELS/current.tar.gz"]}),
        ("POST", "/model/parse", {"text": "hi"}, {}),
        ("DELETE", "/model", None, {}),
        ("GET", "/status", None, {}),
    ],
)
def test_models_of_the_model_folder_and_other_calls_pass(
    tmp_path, method, path, body, query
):
    folder = (tmp_path / "models").resolve()
    body = {k: v.replace("MODELS", str(folder)) for k, v in (body or {}).items()}
    query = {
        k: [v.replace("MODELS", str(folder)) for v in vs] for k, vs in query.items()
    }
    assert rasa_server.model_refusal(method, path, body, query, folder) is None
