"""Replace everything in the database, and the uploaded files, with what `manage.py backup` wrote."""

import sqlite3
import tarfile
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kremlib.files import private_storage

from .backup import files_archive, is_postgresql, run, stored_names


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
        archive = files_archive(path)
        if archive.is_file():
            count = restore_files(archive)
            self.stdout.write(f"Restored {count} files from {archive}.")
        else:
            self.stderr.write(f"No {archive.name} beside the backup: the uploaded files were left as they are.")
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


def safe_member(member):
    """Only plain files with relative names that stay inside the storage: an archive is input, too."""
    parts = member.name.split("/")
    return member.isfile() and not member.name.startswith("/") and ".." not in parts and "" not in parts


def restore_files(archive):
    """Make the private storage hold exactly the archive's files. Returns how many were restored."""
    storage = private_storage()
    try:
        tar = tarfile.open(archive, "r")
    except tarfile.TarError as error:
        raise CommandError(f"{archive} is not a files archive: {error}") from error
    with tar:
        members = [member for member in tar.getmembers() if safe_member(member)]
        wanted = {member.name for member in members}
        try:
            for name in list(stored_names(storage)):
                if name not in wanted:
                    storage.delete(name)  # a file the restored database knows nothing of
        except FileNotFoundError:
            pass
        for member in members:
            if storage.exists(member.name):
                storage.delete(member.name)
            saved = storage.save(member.name, File(tar.extractfile(member)))
            if saved != member.name:
                raise CommandError(f"The storage renamed {member.name} to {saved}.")
    return len(members)
