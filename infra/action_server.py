"""The rasa-sdk action server, answering only callers that present the shared secret.

``python -m infra.action_server [--port 5055] [--host 127.0.0.1]`` serves the ``actions``
package like ``rasa run actions``, with two differences:

* every request except ``GET /health`` must carry the header
  ``X-Action-Token: rasa:<ACTION_SERVER_TOKEN>`` (compared in constant time), or gets 401;
  the Rasa server sends it from ``endpoints.yml`` (``action_endpoint.headers``);
* it listens on 127.0.0.1 unless told otherwise (``--host`` or ``ACTION_SERVER_HOST``).

It refuses to start without ``ACTION_SERVER_TOKEN``: an action server is never open.
This launcher lives in ``infra/`` because rasa-sdk imports every module of ``actions/``.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from typing import TYPE_CHECKING, List, Optional

from delhi.redaction import install_log_redaction
from infra import settings

if TYPE_CHECKING:
    from sanic import Sanic

logger = logging.getLogger(__name__)

OPEN_PATHS = frozenset({"/health"})
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5055


def create_app(token: str, actions_package: str = "actions") -> Sanic:
    """rasa-sdk's Sanic app with the secret checked before every route but /health.

    Args:
        token: The shared secret (``ACTION_SERVER_TOKEN``).
        actions_package: Package to load the actions from.

    Returns:
        The Sanic app.
    """
    from rasa_sdk.endpoint import create_app as create_sdk_app
    from sanic import response

    if not token:
        raise ValueError("the action server needs a non-empty token")
    expected = (settings.ACTION_TOKEN_PREFIX + token).encode()
    # No browser ever calls the action server: no CORS origins.
    app = create_sdk_app(actions_package, cors_origins=None)
    warned = {"unset": False}

    @app.middleware("request")
    async def require_token(request):  # type: ignore[no-untyped-def]
        if request.path in OPEN_PATHS and request.method in ("GET", "HEAD"):
            return None
        presented = request.headers.get(settings.ACTION_TOKEN_HEADER, "")
        if hmac.compare_digest(presented.encode(), expected):
            return None
        if presented == settings.UNSET_ACTION_TOKEN and not warned["unset"]:
            warned["unset"] = True
            logger.error(
                "A Rasa server without ACTION_SERVER_TOKEN called %s: refused. Start Rasa "
                "with the same ACTION_SERVER_TOKEN as this server (make run does).",
                request.path,
            )
        else:
            logger.warning(
                "Refused %s %s from %s: missing or wrong %s",
                request.method,
                request.path,
                request.ip,
                settings.ACTION_TOKEN_HEADER,
            )
        return response.json({"error": "unauthorized"}, status=401)

    @app.listener("before_server_start")
    async def check_token_first(app, _loop):  # type: ignore[no-untyped-def]
        # Sanic-CORS puts its middleware (which answers OPTIONS itself) first when the
        # server starts; the secret check goes before it, so OPTIONS needs it too.
        app.request_middleware.remove(require_token)
        app.request_middleware.appendleft(require_token)

    return app


def main(argv: Optional[List[str]] = None) -> int:
    """Parses arguments, checks the secret and runs the server until stopped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", default="actions", help="actions package")
    parser.add_argument(
        "--host",
        default=os.environ.get("ACTION_SERVER_HOST", "").strip() or DEFAULT_HOST,
        help="interface to listen on (default 127.0.0.1; ACTION_SERVER_HOST)",
    )
    parser.add_argument("-p", "--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--loglevel", default=os.environ.get("LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    install_log_redaction()

    token = settings.action_server_token()
    if token is None:
        print(
            "ERROR: ACTION_SERVER_TOKEN is not set. The action server only answers the "
            "Rasa server, which presents this shared secret. `make run`/`make actions` "
            "create one in var/secrets.env; in production set the same random value for "
            "Rasa and the action server.",
            file=sys.stderr,
        )
        return 2

    from rasa_sdk import utils
    from rasa_sdk.plugin import plugin_manager

    utils.configure_colored_logging(args.loglevel)
    utils.update_sanic_log_level()
    app = create_app(token, args.actions)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    logger.info("Action server on http://%s:%s (secret required)", args.host, args.port)
    app.run(
        args.host,
        args.port,
        workers=utils.number_of_sanic_workers(),
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
