import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone, translation

from tests.factories import DialogueFactory

pytestmark = pytest.mark.django_db


def test_dialogue_end_must_be_after_start():
    start = timezone.now()
    dialogue = DialogueFactory.build(starts_at=start, ends_at=start - datetime.timedelta(hours=1))
    with translation.override("nb"), pytest.raises(ValidationError) as error:
        dialogue.full_clean(exclude=["project"])
    assert error.value.message_dict["ends_at"] == ["Slutten må være etter starten."]


def test_database_refuses_dialogue_ending_at_its_start():
    start = timezone.now()
    with pytest.raises(IntegrityError):
        DialogueFactory(starts_at=start, ends_at=start)
