"""Back up the database into one new file: pg_dump's custom format on PostgreSQL, an SQLite copy otherwise.

Beside it, `<name>.files.tar` holds every uploaded file of the private storage (kremlib/files.py), read through
the storage API so that any backend is backed up. `manage.py restore FILE` reads both back. See README.md, "Backups".
"""

import os
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from kremlib.files import private_storage


def is_postgresql():
    return connection.vendor == "postgresql"


def libpq_environment():
    """pg_dump and pg_restore read the connection from these variables, so the password stays off the command line."""
    db = connection.settings_dict
    values = {"PGHOST": db["HOST"], "PGPORT": db["PORT"], "PGUSER": db["USER"], "PGPASSWORD": db["PASSWORD"]}
    return os.environ | {name: str(value) for name, value in values.items() if value}


def run(command):
    result = subprocess.run(command, env=libpq_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")


class Command(BaseCommand):
    help = "Back up the database into a new file in --dir and print its path."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(settings.BASE_DIR / "backups"), help="Folder for the backup file.")

    def handle(self, *args, dir, **options):
        folder = Path(dir)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / f"krem-{timezone.localtime():%Y%m%d-%H%M%S}.backup"
        # The backup holds personal data: only the owner may read it. Never overwrite an older one.
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            raise CommandError(f"{path} already exists; try again in a second.") from None
        try:
            if is_postgresql():
                run(["pg_dump", "--format=custom", "--no-password", f"--file={path}", connection.settings_dict["NAME"]])
            else:
                self.copy_sqlite(path)
            write_files(files_archive(path))
        except BaseException:
            path.unlink()
            files_archive(path).unlink(missing_ok=True)
            raise
        self.stdout.write(str(path))

    def copy_sqlite(self, path):
        # SQLite's backup API, not a plain file copy: it gives a consistent copy even while the app writes.
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()


def files_archive(path):
    """Where the uploaded files of the backup `path` are: beside it, with the same name."""
    return path.with_name(path.stem + ".files.tar")


def stored_names(storage, folder=""):
    """Every file name in `storage`, walking its folders."""
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from stored_names(storage, f"{folder}/{sub}" if folder else sub)


def write_files(archive):
    storage = private_storage()
    os.close(os.open(archive, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    with tarfile.open(archive, "w") as tar:
        try:
            names = sorted(stored_names(storage))
        except FileNotFoundError:  # a folder storage that never received a file
            names = []
        for name in names:
            with storage.open(name, "rb") as handle:
                info = tarfile.TarInfo(name)
                info.size = storage.size(name)
                info.mode = 0o600
                tar.addfile(info, handle)
