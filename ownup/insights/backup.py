"""A whole instance in one file and back: Django's dumpdata and loaddata, with the options that
make a backup restorable into a fresh database (natural keys for content types and
permissions, which a new database numbers differently, and no sessions)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, transaction

from ownup.insights import totals
from ownup.reporting.models import Mistake

# JSON written by ownup.insights.serialization, which keeps every digit of every time (Django's
# own JSON cuts them to the millisecond, its XML strips the white space around texts).
SUFFIXES = (".json", ".json.gz", ".json.bz2", ".json.xz")
FORMAT = "ownup-backup"
# The dashboard's totals are left out too: restore counts the mistakes again.
LEFT_OUT = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",
    "insights.countedmistake",
    "insights.daytotal",
    "insights.daytagtotal",
]


def _check_name(path: Path) -> None:
    if not path.name.endswith(SUFFIXES):
        raise ValueError(f"{path}: a backup file ends in {', '.join(SUFFIXES)}")


def backup(path: Path) -> None:
    _check_name(path)
    if not path.parent.is_dir():
        raise ValueError(f"{path.parent}: no such folder")
    call_command(
        "dumpdata",
        natural_foreign=True,
        natural_primary=True,
        exclude=LEFT_OUT,
        format=FORMAT,
        output=str(path),
        verbosity=0,
    )


def holds_data() -> bool:
    return User.objects.exists() or Mistake.objects.exists()


def restore(path: Path, *, replace: bool) -> None:
    """Replace everything in the database with the backup, in one transaction."""
    _check_name(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    if holds_data() and not replace:
        raise ValueError(
            "the database already holds people or mistakes; restoring replaces everything: "
            "add --replace to go ahead"
        )
    with transaction.atomic():
        postgres = connection.vendor == "postgresql"
        if postgres:
            # TRUNCATE refuses while foreign-key checks of rows written earlier in the same
            # transaction wait for its end: run them now, and defer them again for the load.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        call_command("flush", interactive=False, verbosity=0)
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        call_command("loaddata", str(path), verbosity=0)
        totals.rebuild()
