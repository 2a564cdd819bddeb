"""The voice balance's stored counts (dialogues/voice_counts.py) equal a full recount of the rows after every way
the app writes attendance, headcounts and insights."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dialogues import services
from dialogues.models import VOICE_COUNTS, Attendance, Dialogue, Headcount, Insight, InsightPerspective
from dialogues.voice_counts import recount_all
from krem.services import purge_deleted
from kremlib.softdelete import RESTORE_DAYS
from participants.models import Perspective
from participants.services import anonymise, merge
from tests.dialogues.outcome_world import as_role, make_world
from tests.dialogues.test_outcomes import outcome_post
from tests.factories import (
    AttendanceFactory,
    HeadcountFactory,
    HeldDialogueFactory,
    InsightFactory,
    OutcomeFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db


def recounted(dialogue):
    """The counts, straight from the rows (not through voice_counts)."""
    named = Counter(Attendance.objects.filter(dialogue=dialogue).values_list("perspective", flat=True))
    anonymous = dict(Headcount.objects.filter(dialogue=dialogue).values_list("perspective", "count"))
    raised = Counter(Insight.objects.filter(dialogue=dialogue).values_list("perspective", flat=True))
    return {
        **{f"named_{p}": named[p] for p in Perspective.values},
        **{f"anonymous_{p}": anonymous.get(p, 0) for p in Perspective.values},
        **{f"insights_{p}": raised[p] for p in InsightPerspective.values},
    }


def stored(dialogue):
    return Dialogue._base_manager.values(*VOICE_COUNTS).get(pk=dialogue.pk)


def assert_counted(*dialogues):
    for dialogue in dialogues:
        assert stored(dialogue) == recounted(dialogue), dialogue


@pytest.fixture
def world():
    return make_world()


def test_every_perspective_has_its_stored_count():
    assert len(VOICE_COUNTS) == 2 * len(Perspective) + len(InsightPerspective)
    for name in VOICE_COUNTS:
        field = Dialogue._meta.get_field(name)
        assert field.default == 0 and not field.editable


# Attendance


def test_registering_correcting_and_removing_attendance(client, world):
    dialogue, coordinator = world["dialogue"], world["coordinator"]
    kari = ParticipantFactory(perspective=Perspective.LIVED_EXPERIENCE)
    attendance = services.register_attendance(dialogue=dialogue, participant=kari, registered_by=coordinator)
    services.register_new_attendee(
        dialogue=dialogue, display_name="Ola", perspective=Perspective.STAFF, registered_by=coordinator
    )
    assert stored(dialogue)["named_lived_experience"] == 1 and stored(dialogue)["named_staff"] == 1
    assert_counted(dialogue)

    services.correct_attendance(attendance=attendance, perspective=Perspective.POLITICIAN)
    assert stored(dialogue)["named_lived_experience"] == 0 and stored(dialogue)["named_politician"] == 1
    assert_counted(dialogue)

    url = reverse("dialogues:attendance_remove", args=[dialogue.pk, attendance.pk])
    assert as_role(client, world, "coordinator").post(url).status_code == 302
    assert stored(dialogue)["named_politician"] == 0
    assert_counted(dialogue)


def test_registering_twice_counts_once(world):
    dialogue, kari = world["dialogue"], ParticipantFactory()
    services.register_attendance(dialogue=dialogue, participant=kari)
    with pytest.raises(services.AlreadyAttending):
        services.register_attendance(dialogue=dialogue, participant=kari)
    assert sum(stored(dialogue).values()) == 1
    assert_counted(dialogue)


def test_an_attendance_moved_to_another_dialogue_recounts_both():
    first, second = HeldDialogueFactory(), HeldDialogueFactory()
    attendance = AttendanceFactory(dialogue=first, perspective=Perspective.STAFF)
    attendance = Attendance.objects.get(pk=attendance.pk)  # as the admin's change form reads it
    attendance.dialogue = second
    attendance.save()
    assert stored(first)["named_staff"] == 0 and stored(second)["named_staff"] == 1
    assert_counted(first, second)


# Headcounts


def test_headcounts_added_changed_and_removed(client, world):
    dialogue = world["dialogue"]
    url = reverse("dialogues:attendance", args=[dialogue.pk])
    as_role(client, world, "coordinator")

    def post(**counts):
        data = {"action": "headcounts", **{f"count-{p}": "" for p in Perspective.values}}
        data.update({f"count-{name}": value for name, value in counts.items()})
        assert client.post(url, data).status_code == 302

    post(lived_experience=4, staff=2)
    assert stored(dialogue)["anonymous_lived_experience"] == 4
    assert_counted(dialogue)
    post(lived_experience=7, staff=0)  # a zero removes the row
    assert (stored(dialogue)["anonymous_lived_experience"], stored(dialogue)["anonymous_staff"]) == (7, 0)
    assert not Headcount.objects.filter(dialogue=dialogue, perspective=Perspective.STAFF).exists()
    assert_counted(dialogue)
    HeadcountFactory(dialogue=dialogue, perspective=Perspective.RESEARCHER, count=3).delete()
    assert_counted(dialogue)


# Insights


def test_insights_added_changed_and_removed_on_the_outcome_page(client, world):
    dialogue = world["dialogue"]
    OutcomeFactory(dialogue=dialogue)
    kept = InsightFactory(dialogue=dialogue, perspective=InsightPerspective.STAFF)
    dropped = InsightFactory(dialogue=dialogue, perspective=InsightPerspective.LIVED_EXPERIENCE)
    assert_counted(dialogue)
    data = outcome_post(
        dialogue,
        insights=[
            {"id": kept.pk, "text": kept.text, "perspective": InsightPerspective.JOINT},
            {"id": dropped.pk, "text": dropped.text, "perspective": dropped.perspective, "DELETE": "on"},
            {"text": "Ny innsikt", "perspective": InsightPerspective.OTHER},
        ],
    )
    url = reverse("dialogues:outcome_edit", args=[dialogue.pk])
    assert as_role(client, world, "member").post(url, data).status_code == 302
    assert {name: n for name, n in stored(dialogue).items() if n} == {"insights_joint": 1, "insights_other": 1}
    assert_counted(dialogue)


def test_an_attendees_own_insight_is_counted(world):
    attendance = AttendanceFactory(dialogue=world["dialogue"], perspective=Perspective.LIVED_EXPERIENCE)
    services.add_own_insight(attendance=attendance, text="Det hjalp å bli hørt.")
    assert stored(world["dialogue"])["insights_lived_experience"] == 1
    assert_counted(world["dialogue"])


# What happens to people: merge and erasure


def test_merging_two_records_that_attended_the_same_and_different_dialogues(world):
    both, only_duplicate = HeldDialogueFactory(), HeldDialogueFactory()
    keep = ParticipantFactory(perspective=Perspective.STAFF)
    duplicate = ParticipantFactory(perspective=Perspective.STAFF)
    AttendanceFactory(dialogue=both, participant=keep, perspective=Perspective.STAFF)
    AttendanceFactory(dialogue=both, participant=duplicate, perspective=Perspective.LIVED_EXPERIENCE)
    AttendanceFactory(dialogue=only_duplicate, participant=duplicate, perspective=Perspective.LIVED_EXPERIENCE)
    InsightFactory(dialogue=both, participant=duplicate, perspective=InsightPerspective.LIVED_EXPERIENCE)
    merge(keep=keep, duplicate=duplicate, by=world["coordinator"])
    # One person, one row: the kept record's row (and perspective) stays in the dialogue both attended.
    assert (stored(both)["named_staff"], stored(both)["named_lived_experience"]) == (1, 0)
    assert stored(both)["insights_lived_experience"] == 1
    assert stored(only_duplicate)["named_lived_experience"] == 1
    assert_counted(both, only_duplicate)


def test_anonymising_a_person_keeps_every_count(world):
    kari = ParticipantFactory(display_name="Kari Nordmann", perspective=Perspective.LIVED_EXPERIENCE)
    AttendanceFactory(dialogue=world["dialogue"], participant=kari, perspective=Perspective.LIVED_EXPERIENCE)
    InsightFactory(dialogue=world["dialogue"], participant=kari, text="Kari Nordmann sa det.")
    before = stored(world["dialogue"])
    anonymise(participant=kari, by=world["coordinator"])
    assert stored(world["dialogue"]) == before
    assert_counted(world["dialogue"])


# What happens to the dialogue


def test_restoring_an_earlier_version_of_the_dialogue_keeps_todays_counts(client, world):
    dialogue = world["dialogue"]
    first = dialogue.history.order_by("history_date").first()
    dialogue.title, dialogue.version = "Nytt navn", dialogue.version + 1
    dialogue.save()
    AttendanceFactory.create_batch(2, dialogue=dialogue, perspective=Perspective.STAFF)
    url = reverse("dialogues:dialogue_restore", args=[dialogue.pk, first.pk])
    assert as_role(client, world, "coordinator").post(url, {"version": dialogue.version}).status_code == 302
    dialogue.refresh_from_db()
    assert dialogue.title == first.title and dialogue.named_staff == 2
    assert_counted(dialogue)


def test_an_old_instance_saved_does_not_write_old_counts_back(world):
    dialogue = Dialogue.objects.get(pk=world["dialogue"].pk)
    AttendanceFactory(dialogue=dialogue, perspective=Perspective.STAFF)
    dialogue.venue = "Rådhuset"
    dialogue.save()  # read before the registration, with named_staff 0 in memory
    assert Dialogue.objects.get(pk=dialogue.pk).venue == "Rådhuset"
    assert stored(dialogue)["named_staff"] == 1
    assert_counted(dialogue)


def test_a_duplicate_starts_with_nobody_counted(world):
    dialogue = world["dialogue"]
    AttendanceFactory(dialogue=dialogue, perspective=Perspective.STAFF)
    InsightFactory(dialogue=dialogue)
    copy = services.duplicate_dialogue(dialogue=dialogue, starts_at=timezone.now() + timezone.timedelta(days=30))
    assert sum(stored(copy).values()) == 0
    assert_counted(dialogue, copy)


def test_a_deleted_dialogue_keeps_its_counts_but_leaves_the_balance_until_restored(world):
    dialogue, other = world["dialogue"], HeldDialogueFactory(project=world["project"])
    AttendanceFactory(dialogue=dialogue, perspective=Perspective.STAFF)
    AttendanceFactory(dialogue=other, perspective=Perspective.STAFF)
    services.delete_dialogue(dialogue=dialogue)
    assert_counted(dialogue, other)
    assert services.voice_balance(world["project"].dialogues.alive()).named == 1
    services.restore_dialogue(dialogue=dialogue)
    assert services.voice_balance(world["project"].dialogues.alive()).named == 2
    assert_counted(dialogue, other)


def test_purging_a_deleted_dialogue_leaves_the_others_counted(world):
    gone, other = world["dialogue"], HeldDialogueFactory()
    for dialogue in (gone, other):
        AttendanceFactory(dialogue=dialogue)
        HeadcountFactory(dialogue=dialogue, count=2)
        InsightFactory(dialogue=dialogue)
    services.delete_dialogue(dialogue=gone)
    assert purge_deleted(now=timezone.now() + timezone.timedelta(days=RESTORE_DAYS + 1)) == (0, 1)
    assert not Dialogue._base_manager.filter(pk=gone.pk).exists()
    assert sum(stored(other).values()) == 4
    assert_counted(other)


# Repair


def test_recount_voices_repairs_counts_written_around_the_orm_and_says_how_many():
    right, wrong = HeldDialogueFactory(), HeldDialogueFactory()
    for dialogue in (right, wrong):
        AttendanceFactory(dialogue=dialogue, perspective=Perspective.STAFF)
    Insight.objects.bulk_create([Insight(dialogue=wrong, text="Uten signal", perspective=InsightPerspective.JOINT)])
    Dialogue.objects.filter(pk=wrong.pk).update(named_staff=5)
    out = StringIO()
    call_command("recount_voices", stdout=out)
    assert "1 dialogue(s) had counts that differed" in out.getvalue()
    assert stored(wrong)["named_staff"] == 1 and stored(wrong)["insights_joint"] == 1
    assert_counted(right, wrong)
    assert recount_all() == 0


def test_the_data_migration_counts_the_rows_there_before(world):
    from importlib import import_module

    from django.apps import apps

    dialogue = world["dialogue"]
    AttendanceFactory.create_batch(3, dialogue=dialogue, perspective=Perspective.LIVED_EXPERIENCE)
    HeadcountFactory(dialogue=dialogue, perspective=Perspective.OTHER, count=6)
    InsightFactory.create_batch(2, dialogue=dialogue, perspective=InsightPerspective.STAFF)
    Dialogue.objects.update(**dict.fromkeys(VOICE_COUNTS, 0))  # as the new columns start
    migration = import_module("dialogues.migrations.0011_voice_counts_on_dialogue")
    migration.count_existing_rows(apps, None)
    assert stored(dialogue)["named_lived_experience"] == 3 and stored(dialogue)["anonymous_other"] == 6
    assert_counted(dialogue)


# The municipality page's counts


def test_the_municipality_page_counts_each_dialogue_it_may_see_once(client, world):
    from tests.factories import MunicipalityFactory, ProjectFactory

    here = MunicipalityFactory()
    world["project"].municipalities.add(here)
    of_project = world["dialogue"]  # the project's, held elsewhere
    in_both = HeldDialogueFactory(project=world["project"], municipality=here)
    elsewhere_project = HeldDialogueFactory(project=ProjectFactory(), municipality=here)  # not the member's
    deleted = HeldDialogueFactory(project=world["project"], municipality=here)
    for dialogue in (of_project, in_both, elsewhere_project, deleted):
        AttendanceFactory(dialogue=dialogue, perspective=Perspective.STAFF)
    services.delete_dialogue(dialogue=deleted)
    url = here.get_absolute_url()

    coordinator = as_role(client, world, "coordinator").get(url).context
    assert coordinator["balance"].named == 3
    assert [(row["year"], row["n"]) for row in coordinator["held_per_year"]] == [
        (timezone.localtime(in_both.starts_at).year, 3)
    ]
    client.logout()
    member = as_role(client, world, "member").get(url).context
    assert member["balance"].named == 2
    assert sum(row["n"] for row in member["held_per_year"]) == 2
