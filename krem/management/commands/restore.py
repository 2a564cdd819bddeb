"""Replace everything in the database with a file that `manage.py backup` wrote."""

import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from .backup import is_postgresql, run


class Command(BaseCommand):
    help = "Restore the database from a file written by `manage.py backup`. Replaces all current data."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file.")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="Do not ask for confirmation."
        )

    def handle(self, *args, file, interactive, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        name = connection.settings_dict["NAME"]
        if interactive:
            answer = input(f"This replaces ALL data in the database {name} with {path}. Type 'yes' to continue: ")
            if answer != "yes":
                raise CommandError("Restore cancelled.")
        if is_postgresql():
            # One transaction: if anything fails, the database is left as it was.
            run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--single-transaction",
                    "--no-password",
                    f"--dbname={name}",
                    str(path),
                ]
            )
        else:
            self.restore_sqlite(path)
        self.stdout.write(f"Restored {name} from {path}.")

    def restore_sqlite(self, path):
        connection.ensure_connection()
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        except sqlite3.DatabaseError as error:
            raise CommandError(f"{path} is not an SQLite backup: {error}") from error
        finally:
            source.close()
