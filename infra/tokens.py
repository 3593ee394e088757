"""Secrets of the local runtime: API token, action-server secret, tracker-store key.

``python -m infra.tokens`` prints ``export NAME=value`` lines for ``eval`` in the run
scripts: ``RASA_TOKEN``, ``ACTION_SERVER_TOKEN`` and ``TRACKER_STORE_KEY`` (which encrypts
the tracker store, :mod:`infra.sealing`). A variable already set in the environment wins
(production sets them all); otherwise the value comes from ``var/secrets.env`` (under
``GOV_VAR_DIR``), which is created once with random values and mode 600, so restarts and
separately started processes (``make actions``) agree. ``var/`` is git-ignored. For a
plain ``rasa shell``: ``set -a; . var/secrets.env``.
"""

from __future__ import annotations

import os
import secrets
import shlex
import sys
from pathlib import Path
from typing import Dict, Mapping, Optional

from infra.settings import var_dir

NAMES = ("RASA_TOKEN", "ACTION_SERVER_TOKEN", "TRACKER_STORE_KEY")


def secrets_file(env: Mapping[str, str] = os.environ) -> Path:
    """The file that keeps generated secrets between runs."""
    return var_dir(env) / "secrets.env"


def _read(path: Path) -> Dict[str, str]:
    values: Dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, sep, value = line.partition("=")
            if sep and name.strip() in NAMES and value.strip():
                values[name.strip()] = value.strip()
    return values


def ensure(env: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """Returns the secrets: from the environment, else the file, else new (then saved).

    Args:
        env: Environment to read (default ``os.environ``).

    Returns:
        ``{"RASA_TOKEN": ..., "ACTION_SERVER_TOKEN": ..., "TRACKER_STORE_KEY": ...}``.
    """
    env = os.environ if env is None else env
    path = secrets_file(env)
    stored = _read(path)
    missing = [n for n in NAMES if not env.get(n, "").strip() and n not in stored]
    if missing:
        stored.update({name: secrets.token_urlsafe(32) for name in missing})
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(f"{name}={stored[name]}\n" for name in NAMES if name in stored)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(text)
    if path.exists():
        os.chmod(path, 0o600)  # also tightens a file copied in by hand
    return {name: env.get(name, "").strip() or stored[name] for name in NAMES}


def main() -> int:
    """Prints ``export`` lines for the shell."""
    for name, value in ensure().items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
