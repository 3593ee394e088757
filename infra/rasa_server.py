"""``rasa run`` with its HTTP API behind ``RASA_TOKEN``.

``python -m infra.rasa_server [rasa run arguments]`` runs ``rasa run ... --auth-token
$RASA_TOKEN``. The token is added inside this process, so it never appears on a command
line (``ps`` shows every user the arguments). Rasa then refuses its API (tracker, events,
trigger_intent, model, status ...) without ``?token=``; channel webhooks stay open (they
check their own signatures). Refuses to start without ``RASA_TOKEN``.
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional


def rasa_argv(args: List[str], token: str) -> List[str]:
    """The ``rasa`` command line: ``run``, the given arguments, then ``--auth-token``."""
    if "--auth-token" in args or any(a.startswith("--auth-token=") for a in args):
        raise ValueError("pass the token in RASA_TOKEN, not as --auth-token")
    return ["rasa", "run", *args, "--auth-token", token]


def main(argv: Optional[List[str]] = None) -> int:
    """Replaces the argument list and runs Rasa's command line in this process."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["run"]:
        args = args[1:]
    token = os.environ.get("RASA_TOKEN", "").strip()
    if not token:
        print(
            "ERROR: RASA_TOKEN is not set: Rasa's HTTP API would be open to anyone who "
            "can reach the port. `make run` creates one in var/secrets.env; in production "
            "set a random value and give it to the e-District gateway and the action server.",
            file=sys.stderr,
        )
        return 2
    sys.argv = rasa_argv(args, token)
    from rasa.__main__ import main as rasa_main

    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
