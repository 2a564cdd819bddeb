"""manage.py backup and restore give back every row, on whichever database the suite runs on."""

import stat
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command

from krem.management.commands.backup import files_archive, stored_names
from krem.management.commands.load_demo import DATA_FILE
from projects.models import Municipality
from tests.factories import (
    AttendanceFactory,
    CoordinatorFactory,
    DialogueFactory,
    DialogueFileFactory,
    PartnershipFactory,
    ProjectFileFactory,
)

# Real commits: pg_dump reads the database from outside our connection.
pytestmark = pytest.mark.django_db(transaction=True)


def load_data():
    if DATA_FILE.exists():
        call_command("load_demo", stdout=StringIO())
    else:  # the report's data file is not written yet
        CoordinatorFactory()
        partnership = PartnershipFactory()
        partnership.project.municipalities.add(partnership.organisation.municipality)
        AttendanceFactory(dialogue=DialogueFactory(project=partnership.project))


def add_files():
    """Uploaded files, different bytes each, among them every byte value and an empty-looking tail."""
    from projects.models import Project

    project = Project.objects.order_by("pk").first()
    for i in range(3):
        ProjectFileFactory(project=project, file__data=b"%PDF-1.4\n" + bytes(range(256)) * (i + 1) + b"%%EOF")
    DialogueFileFactory(dialogue=DialogueFactory(project=project), file__data=b"%PDF-1.4\n" + b"\x00" * 5000)


def stored_files():
    """Every file in the private storage: name -> bytes."""
    storage = storages["private"]
    try:
        names = list(stored_names(storage))
    except FileNotFoundError:
        return {}
    return {name: storage.open(name, "rb").read() for name in names}


def snapshot():
    """Every row of every table, many-to-many tables included."""
    return {
        model._meta.db_table: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models(include_auto_created=True)
    }


def backup(folder):
    out = StringIO()
    call_command("backup", dir=folder, stdout=out)
    return Path(out.getvalue().strip())


def test_restore_gives_back_every_row_and_every_file_byte_for_byte_after_a_wipe(tmp_path):
    load_data()
    add_files()
    before = snapshot()
    files_before = stored_files()
    assert before[Municipality._meta.db_table]
    assert len(files_before) == 4

    path = backup(tmp_path)
    assert files_archive(path).is_file()
    assert stat.S_IMODE(files_archive(path).stat().st_mode) == 0o600
    call_command("flush", interactive=False)  # every table emptied (Django then recreates permissions)
    storage = storages["private"]
    for name in files_before:
        storage.delete(name)
    storage.save("projects/orphan.pdf", ContentFile(b"%PDF- not in the backup"))  # left by the lost machine
    wiped = snapshot()
    assert not any(wiped[model._meta.db_table] for model in apps.get_app_config("projects").get_models())
    call_command("restore", str(path), interactive=False, stdout=StringIO())

    assert snapshot() == before
    assert stored_files() == files_before  # every file, byte for byte, and no other
    Municipality.objects.create(name="Ny kommune", number="9999")  # ids continue where they were


def test_backup_is_a_new_file_only_its_owner_can_read(tmp_path):
    first = backup(tmp_path)
    assert first.parent == tmp_path
    assert first.suffix == ".backup"
    assert first.stat().st_size > 0
    assert stat.S_IMODE(first.stat().st_mode) == 0o600


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    load_data()
    before = snapshot()
    junk = tmp_path / "junk.backup"
    junk.write_text("not a backup")
    with pytest.raises(CommandError):
        call_command("restore", str(junk), interactive=False, stdout=StringIO())
    assert snapshot() == before


def test_restore_refuses_a_files_archive_that_would_write_outside_the_storage(tmp_path):
    import io
    import tarfile

    from krem.management.commands.restore import restore_files

    archive = tmp_path / "evil.files.tar"
    with tarfile.open(archive, "w") as tar:
        for name in ("../../escaped.pdf", "/etc/escaped.pdf", "projects/ok.pdf"):
            info = tarfile.TarInfo(name)
            info.size = 4
            tar.addfile(info, io.BytesIO(b"%PDF"))
    assert restore_files(archive) == 1
    assert list(stored_files()) == ["projects/ok.pdf"]
    assert not (tmp_path.parent / "escaped.pdf").exists()
