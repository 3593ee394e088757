"""Command line: ``python -m edistrict serve|worker|migrate|openapi|add-officer``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from edistrict.settings import Settings


def _openapi(path: Path | None) -> int:
    from edistrict.app import create_app
    from edistrict.openapi import openapi_json

    text = openapi_json(create_app(run_worker=False))
    if path is None:
        sys.stdout.write(text)
    else:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Runs a gateway command.

    Args:
        argv: Arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit code.
    """
    parser = argparse.ArgumentParser(prog="edistrict")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="migrate, then serve HTTP (and the outbox worker)")
    sub.add_parser("worker", help="run only the outbox worker")
    sub.add_parser("migrate", help="bring the database schema up to date")
    openapi = sub.add_parser("openapi", help="print or write the OpenAPI document")
    openapi.add_argument("--output", type=Path)
    officer = sub.add_parser("add-officer", help="create an officer; prints its token")
    officer.add_argument("officer_id")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings.from_env()

    if args.command == "openapi":
        return _openapi(args.output)
    if args.command == "serve":
        import uvicorn

        from edistrict.app import create_app

        app = create_app(settings)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
        return 0

    from edistrict.db import make_engine, make_session_factory
    from edistrict.migrate import upgrade

    engine = make_engine(settings.database_url)
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    upgrade(engine)
    factory = make_session_factory(engine)
    if args.command == "migrate":
        print("database is up to date")
        return 0
    if args.command == "add-officer":
        from edistrict.auth import new_token, upsert_officers

        token = new_token()
        with factory() as session:
            upsert_officers(session, {args.officer_id: token})
        print(json.dumps({"officer_id": args.officer_id, "token": token}))
        return 0
    from edistrict.outbox import OutboxWorker

    worker = OutboxWorker(factory, settings)
    worker.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        worker.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
