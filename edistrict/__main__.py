"""Command line: ``python -m edistrict <command>`` (see ``--help``).

Commands: serve, worker, migrate, openapi, add-officer, deactivate-officer.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from delhi.redaction import install_log_redaction
from edistrict.settings import ALL_DEPARTMENTS, ConfigError, Settings, parse_officers


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


def _add_officer(
    settings: Settings, factory: Any, officer_id: str, departments: str
) -> int:
    from edistrict.auth import new_token
    from edistrict.catalog import department_ids
    from edistrict.catalog import load as load_catalog
    from edistrict.officers import check_departments, upsert_officer

    token = new_token()
    entry = f"{officer_id}:{token}:{departments or ALL_DEPARTMENTS}"
    try:
        grants = parse_officers(entry)
        candidate = replace(
            settings, officer_tokens={**settings.officer_tokens, **grants}
        )
        candidate.check()
        check_departments(grants, department_ids(load_catalog(settings.catalog_path)))
    except ConfigError as error:
        print(f"not added: {error}", file=sys.stderr)
        return 2
    with factory() as session:
        upsert_officer(session, officer_id, grants[officer_id])
    print(
        json.dumps(
            {
                "officer_id": officer_id,
                "token": token,
                "departments": sorted(grants[officer_id].departments),
                "configuration_entry": entry,
                "note": "add configuration_entry to EDISTRICT_OFFICER_TOKENS, or the "
                "officer is deactivated at the next start",
            }
        )
    )
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
    officer = sub.add_parser(
        "add-officer",
        help="create an officer (or give it a new token); prints the token and the "
        "EDISTRICT_OFFICER_TOKENS entry to configure",
    )
    officer.add_argument("officer_id")
    officer.add_argument(
        "--departments",
        default="",
        help="catalog department ids separated by '|' ('*' or empty: all, not in "
        "production)",
    )
    deactivate = sub.add_parser(
        "deactivate-officer",
        help="deactivate an officer now: their token stops working at once",
    )
    deactivate.add_argument("officer_id")
    args = parser.parse_args(argv)
    install_log_redaction()
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
        return _add_officer(settings, factory, args.officer_id, args.departments)
    if args.command == "deactivate-officer":
        from edistrict.officers import deactivate_officer

        with factory() as session:
            try:
                changed = deactivate_officer(session, args.officer_id)
            except LookupError:
                print(f"no officer {args.officer_id!r}", file=sys.stderr)
                return 1
        print(
            json.dumps(
                {
                    "officer_id": args.officer_id,
                    "deactivated": changed,
                    "note": "remove the officer from EDISTRICT_OFFICER_TOKENS too"
                    if changed
                    else "already inactive",
                }
            )
        )
        return 0
    from edistrict.outbox import OutboxWorker
    from edistrict.storage import make_store

    worker = OutboxWorker(factory, settings, make_store(settings))
    worker.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        worker.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
