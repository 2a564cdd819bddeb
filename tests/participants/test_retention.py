"""Retention: `manage.py apply_retention` anonymises people with no activity for N months."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dialogues.models import Feedback
from participants.models import Participant
from participants.queries import with_last_activity
from participants.services import months_before
from tests.factories import (
    AttendanceFactory,
    DialogueFactory,
    FeedbackFactory,
    InsightFactory,
    OutcomeCommentFactory,
    ParticipantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
LONG_AGO = timezone.now() - datetime.timedelta(days=4 * 365)
RECENTLY = timezone.now() - datetime.timedelta(days=30)


def dormant(name, **kwargs):
    """A participant whose record was last changed four years ago."""
    participant = ParticipantFactory(display_name=name, **kwargs)
    Participant.objects.filter(pk=participant.pk).update(updated_at=LONG_AGO, created_at=LONG_AGO)
    return participant


def long_ago_dialogue():
    return DialogueFactory(starts_at=LONG_AGO, ends_at=LONG_AGO + datetime.timedelta(hours=3))


@pytest.fixture
def people(db):
    gone = dormant("Borte Lenge")
    AttendanceFactory(participant=gone, dialogue=long_ago_dialogue())
    attended = dormant("Var Nylig")
    AttendanceFactory(
        participant=attended,
        dialogue=DialogueFactory(starts_at=RECENTLY, ends_at=RECENTLY + datetime.timedelta(hours=2)),
    )
    spoke = dormant("Sa Noe")
    InsightFactory(participant=spoke)  # created now
    commented = dormant("Kommenterte")
    OutcomeCommentFactory(participant=commented)
    gave_feedback = dormant("Ga Tilbakemelding")
    FeedbackFactory(participant=gave_feedback, dialogue=long_ago_dialogue())  # its history says: given now
    logged_in = dormant("Logget Inn", user=UserFactory(last_login=RECENTLY))
    edited = ParticipantFactory(display_name="Nylig Endret")
    already = dormant("Allerede Anonym")
    Participant.objects.filter(pk=already.pk).update(anonymised_at=LONG_AGO)
    return {"gone": gone, "active": [attended, spoke, commented, gave_feedback, logged_in, edited]}


def run(*args):
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def test_dry_run_lists_who_would_go_and_changes_nothing(people):
    before = list(Participant.objects.order_by("pk").values())
    output = run("--dry-run")
    assert f"Would anonymise #{people['gone'].pk} Borte Lenge" in output
    assert "1 participant(s) with no activity for 36 months would be anonymised." in output
    assert list(Participant.objects.order_by("pk").values()) == before


def test_a_real_run_anonymises_the_inactive_only_and_prints_no_names(people):
    output = run()
    assert f"Anonymised #{people['gone'].pk} (last activity" in output and "Borte Lenge" not in output
    people["gone"].refresh_from_db()
    assert people["gone"].anonymised_at is not None
    assert people["gone"].access_log.get().reason == "retention"
    for participant in people["active"]:
        participant.refresh_from_db()
        assert participant.anonymised_at is None, participant.display_name
    assert "0 participant(s)" in run()  # nothing left to do


def test_months_come_from_the_option_or_the_setting(people, settings):
    assert "0 participant(s)" in run("--dry-run", "--months", "60")
    settings.KREM_RETENTION_MONTHS = 1  # the default is read when the command runs
    from participants.management.commands.apply_retention import Command

    parser = Command().create_parser("manage.py", "apply_retention")
    assert parser.parse_args([]).months == 1
    with pytest.raises(CommandError):
        run("--months", "0")


def test_last_activity_is_the_latest_of_all_signs_of_life(people):
    activity = dict(with_last_activity().values_list("display_name", "last_activity"))
    assert activity["Borte Lenge"] < timezone.now() - datetime.timedelta(days=3 * 365)
    assert abs(activity["Var Nylig"] - (RECENTLY + datetime.timedelta(hours=2))) < datetime.timedelta(seconds=1)
    assert activity["Logget Inn"] == RECENTLY
    assert timezone.now() - activity["Ga Tilbakemelding"] < datetime.timedelta(minutes=1)
    assert Feedback.history.exists()


@pytest.mark.parametrize(
    "moment, months, expected",
    [
        (
            datetime.datetime(2025, 3, 31, 12, tzinfo=datetime.UTC),
            1,
            datetime.datetime(2025, 2, 28, 12, tzinfo=datetime.UTC),
        ),
        (datetime.datetime(2024, 3, 31, tzinfo=datetime.UTC), 1, datetime.datetime(2024, 2, 29, tzinfo=datetime.UTC)),
        (datetime.datetime(2025, 1, 15, tzinfo=datetime.UTC), 36, datetime.datetime(2022, 1, 15, tzinfo=datetime.UTC)),
        (datetime.datetime(2025, 1, 15, tzinfo=datetime.UTC), 13, datetime.datetime(2023, 12, 15, tzinfo=datetime.UTC)),
    ],
)
def test_months_before_counts_calendar_months(moment, months, expected):
    assert months_before(moment, months) == expected
