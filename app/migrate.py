"""Alembic, driven from Python: used by the command line, the server and the tests."""

from pathlib import Path

from alembic import command
from alembic.config import Config

PACKAGE = Path(__file__).resolve().parent


def script_location() -> Path:
    """The migrations: inside the package when it is installed from the wheel, next to
    it (the repository's top-level ``migrations/``) when it runs from a checkout.

    The package's own copy comes first, so an installed Masthead never picks up some
    other distribution's top-level ``migrations`` folder in site-packages.
    """
    for folder in (PACKAGE / "migrations", PACKAGE.parent / "migrations"):
        if (folder / "env.py").is_file():
            return folder
    raise FileNotFoundError(f"no Alembic migrations in {PACKAGE} or next to it")


def alembic_config(database_url: str) -> Config:
    """The configuration ``alembic.ini`` gives the ``alembic`` command, built in code so
    that an installed package needs no file of it."""
    config = Config()
    # Option values are interpolated by configparser: a literal "%" must be doubled.
    config.set_main_option("script_location", str(script_location()).replace("%", "%%"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> None:
    command.current(alembic_config(database_url), verbose=False)
