"""manage.py backup and restore give back every row, on whichever database the suite runs on."""

import stat
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from krem.management.commands.load_demo import DATA_FILE
from projects.models import Municipality
from tests.factories import AttendanceFactory, CoordinatorFactory, DialogueFactory, PartnershipFactory

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


def test_restore_gives_back_every_row_after_a_wipe(tmp_path):
    load_data()
    before = snapshot()
    assert before[Municipality._meta.db_table]

    path = backup(tmp_path)
    call_command("flush", interactive=False)  # every table emptied (Django then recreates permissions)
    wiped = snapshot()
    assert not any(wiped[model._meta.db_table] for model in apps.get_app_config("projects").get_models())
    call_command("restore", str(path), interactive=False, stdout=StringIO())

    assert snapshot() == before
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
