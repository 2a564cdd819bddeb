"""Migrations that move data keep it, forwards and backwards, on SQLite and PostgreSQL."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dialogues.models import Attendance
from tests.factories import AttendanceFactory

BEFORE_MOVE = [("participants", "0004_merged_record"), ("dialogues", "0004_history_of_links")]
AFTER_MOVE = [("participants", "0005_move_attendance_to_dialogues"), ("dialogues", "0005_attendance_from_participants")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_moving_attendance_to_dialogues_keeps_its_rows_history_and_content_types_both_ways():
    attendance = AttendanceFactory()
    ContentType.objects.get_for_model(Attendance)  # as a running site has it: admin log entries point to it
    ContentType.objects.get_for_model(Attendance.history.model)
    rows = {(attendance.pk, attendance.dialogue_id, attendance.participant_id, attendance.perspective)}
    fields = ("pk", "dialogue_id", "participant_id", "perspective")
    try:
        old = migrate(BEFORE_MOVE)
        assert set(old.get_model("participants", "Attendance").objects.values_list(*fields)) == rows
        assert old.get_model("participants", "HistoricalAttendance").objects.filter(id=attendance.pk).count() == 1
        labels = set(ContentType.objects.filter(model__endswith="attendance").values_list("app_label", flat=True))
        assert labels == {"participants"}

        new = migrate(AFTER_MOVE)
        assert set(new.get_model("dialogues", "Attendance").objects.values_list(*fields)) == rows
        assert new.get_model("dialogues", "HistoricalAttendance").objects.filter(id=attendance.pk).count() == 1
        labels = set(ContentType.objects.filter(model__endswith="attendance").values_list("app_label", flat=True))
        assert labels == {"dialogues"}
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert set(Attendance.objects.values_list(*fields)) == rows


@pytest.mark.django_db(transaction=True)
def test_a_changes_one_adopter_becomes_its_first_adopting_organisation_and_back():
    before, after = [("projects", "0008_system_change_life")], [("projects", "0009_funding_and_adoptions")]
    try:
        old = migrate(before)
        Organisation = old.get_model("projects", "Organisation")
        Project = old.get_model("projects", "Project")
        SystemChange = old.get_model("projects", "SystemChange")
        larvik = Organisation.objects.create(name="Larvik kommune")
        project = Project.objects.create(title="Larvik", slug="larvik-migrering")
        change = SystemChange.objects.create(project=project, level="framework", description="Plan", adopted_by=larvik)
        SystemChange.objects.create(project=project, level="practice", description="Uten")

        new = migrate(after)
        adoptions = new.get_model("projects", "SystemChangeAdoption").objects
        assert list(adoptions.values_list("change_id", "organisation_id", "role")) == [
            (change.pk, larvik.pk, "adopted")
        ]

        old = migrate(before)
        assert old.get_model("projects", "SystemChange").objects.get(pk=change.pk).adopted_by_id == larvik.pk
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_rough_gatherings_come_to_span_their_periods_and_going_back_refuses_only_unknown_dates():
    import datetime
    from zoneinfo import ZoneInfo

    oslo = ZoneInfo("Europe/Oslo")
    before, after = (
        [("dialogues", "0006_full_text_search")],
        [("dialogues", "0007_gatherings_known_roughly_and_series")],
    )

    def at(*day, hour=0):
        return datetime.datetime(*day, hour, tzinfo=oslo)

    try:
        old = migrate(before)
        Project = old.get_model("projects", "Project")
        Dialogue = old.get_model("dialogues", "Dialogue")
        project = Project.objects.create(title="Migrering", slug="migrering-grov")
        # As load_demo stored them before: midnight of the day given to the next midnight, whatever the precision.
        rows = {
            "exact": Dialogue.objects.create(
                project=project, title="e", starts_at=at(2011, 3, 8, hour=9), ends_at=at(2011, 3, 8, hour=15)
            ),
            "year": Dialogue.objects.create(
                project=project, title="y", starts_at=at(2011, 1, 1), ends_at=at(2011, 1, 2), time_precision="year"
            ),
            "season": Dialogue.objects.create(
                project=project, title="s", starts_at=at(2010, 4, 1), ends_at=at(2010, 4, 2), time_precision="season"
            ),
            "day": Dialogue.objects.create(
                project=project, title="d", starts_at=at(2011, 3, 8), ends_at=at(2011, 3, 9), time_precision="day"
            ),
        }

        new = migrate(after)
        spans = {
            key: tuple(new.get_model("dialogues", "Dialogue").objects.values_list("starts_at", "ends_at").get(pk=d.pk))
            for key, d in rows.items()
        }
        assert spans == {
            "exact": (at(2011, 3, 8, hour=9), at(2011, 3, 8, hour=15)),
            "year": (at(2011, 1, 1), at(2012, 1, 1)),
            "season": (at(2010, 3, 1), at(2010, 6, 1)),
            "day": (at(2011, 3, 8), at(2011, 3, 9)),
        }
        unknown = new.get_model("dialogues", "Dialogue").objects.create(project_id=project.pk, title="u")
        with pytest.raises(RuntimeError, match="1 gathering"):
            migrate(before)
        new.get_model("dialogues", "Dialogue").objects.filter(pk=unknown.pk).delete()

        old = migrate(before)  # without gatherings of unknown date, back it goes, the spans kept
        assert old.get_model("dialogues", "Dialogue").objects.get(pk=rows["year"].pk).ends_at == at(2012, 1, 1)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
