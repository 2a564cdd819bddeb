import pytest
from django.db import IntegrityError

from participants.models import Participant
from tests.factories import AttendanceFactory

pytestmark = pytest.mark.django_db


def test_one_attendance_row_per_person_and_dialogue():
    attendance = AttendanceFactory()
    with pytest.raises(IntegrityError):
        AttendanceFactory(dialogue=attendance.dialogue, participant=attendance.participant)


def test_there_is_no_national_identity_number_field():
    names = {field.name.lower() for field in Participant._meta.get_fields()}
    assert not names & {"fodselsnummer", "personnummer", "national_id", "ssn", "nin"}
