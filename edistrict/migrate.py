"""Schema migrations (Alembic), run programmatically: no alembic.ini needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """Builds the Alembic configuration for a database URL.

    Args:
        database_url: SQLAlchemy URL of the gateway database.

    Returns:
        The Alembic config.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Brings the schema of ``engine``'s database to ``revision``.

    Args:
        engine: Engine of the gateway database.
        revision: Target revision, ``head`` by default.
    """
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
