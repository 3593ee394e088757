"""``rasa run`` with its HTTP API behind ``RASA_TOKEN``.

``python -m infra.rasa_server [rasa run arguments]`` runs ``rasa run ... --auth-token
$RASA_TOKEN``. The token is added inside this process, so it never appears on a command
line (``ps`` shows every user the arguments). Rasa then refuses its API (tracker, events,
trigger_intent, model, status ...) without ``?token=``; channel webhooks stay open (they
check their own signatures). Refuses to start without ``RASA_TOKEN``.

Models come only from the model folder given at start (``--model``, default ``models/``):
loading a Rasa 3.6 model runs code from the archive (pickled components; TensorFlow's
CVE-2024-3660), so even with the token the API may not load a model from elsewhere
(``PUT /model`` with a path outside that folder, a ``model_server`` or ``remote_storage``;
``?model=`` of the test endpoints) nor train one (``POST /model/train``): 403.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, List, Mapping, Optional

from delhi.redaction import install_log_redaction

DEFAULT_MODEL_FOLDER = "models"


def rasa_argv(args: List[str], token: str) -> List[str]:
    """The ``rasa`` command line: ``run``, the given arguments, then ``--auth-token=``.

    One word with ``=``: a random token may start with "-", which argparse would
    otherwise take for an option ("expected one argument").
    """
    if "--auth-token" in args or any(a.startswith("--auth-token=") for a in args):
        raise ValueError("pass the token in RASA_TOKEN, not as --auth-token")
    return ["rasa", "run", *args, f"--auth-token={token}"]


def model_folder(args: List[str]) -> Path:
    """The folder models may be loaded from: that of ``--model``, else ``models/``."""
    given = DEFAULT_MODEL_FOLDER
    for i, arg in enumerate(args):
        if arg in ("-m", "--model") and i + 1 < len(args):
            given = args[i + 1]
        elif arg.startswith("--model="):
            given = arg.split("=", 1)[1]
    path = Path(given).resolve()
    return path if path.is_dir() or not path.suffix else path.parent


def _inside(candidate: Any, folder: Path) -> bool:
    return isinstance(candidate, str) and Path(candidate).resolve().is_relative_to(
        folder
    )


def model_refusal(
    method: str, path: str, body: Any, query: Mapping[str, Any], folder: Path
) -> Optional[str]:
    """Why a request would load or train a model from outside ``folder``, else None."""
    if path.rstrip("/") == "/model/train":
        return "training through the API is disabled; train with `make train`"
    if "model" in query and not all(_inside(m, folder) for m in query["model"]):
        return f"models are loaded only from {folder}"
    if method == "PUT" and path.rstrip("/") == "/model":
        body = body if isinstance(body, dict) else {}
        if body.get("model_server") or body.get("remote_storage"):
            return "models are not loaded from a model server or remote storage"
        if not _inside(body.get("model_file"), folder):
            return f"models are loaded only from {folder}"
    return None


def guard_model_source(folder: Path) -> None:
    """Makes every Rasa app this process configures refuse other models (403)."""
    import rasa.core.run
    from sanic.response import json as json_response

    configure: Callable[..., Any] = rasa.core.run.configure_app

    def configure_guarded(*args: Any, **kwargs: Any) -> Any:
        app = configure(*args, **kwargs)

        async def refuse_other_models(request):  # type: ignore[no-untyped-def]
            try:
                body = request.json
            except Exception:  # an unreadable body: Rasa's own handler answers 400
                body = None
            reason = model_refusal(
                request.method, request.path, body, request.args, folder
            )
            if reason:
                return json_response(
                    {"status": "failure", "message": reason}, status=403
                )
            return None

        app.register_middleware(refuse_other_models, "request")
        return app

    rasa.core.run.configure_app = configure_guarded


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
    install_log_redaction()
    from infra import rasa_patches

    rasa_patches.install()
    sys.argv = rasa_argv(args, token)
    guard_model_source(model_folder(args))
    from rasa.__main__ import main as rasa_main

    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
