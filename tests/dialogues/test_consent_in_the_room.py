"""Consent recorded where people meet: on the attendance page, staff record the consent a person gave in the room
(purpose, how it was given, by whom, when), and a person they may not name stays in their own registration under
a numbered neutral label that they can correct or remove. Responsible-person lists offer the user themself and
everyone they may name.

Marker names (ZETA...) are planted on people a reader may not name; no response to that reader may contain them.
"""

import pytest
from django.urls import reverse

from dialogues.forms_outcome import outcome_formsets
from dialogues.models import Attendance
from participants.models import Consent, ConsentMethod, Participant, Perspective
from tests.dialogues.outcome_world import as_role, make_world
from tests.factories import AttendanceFactory, ConsentFactory, ParticipantFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db

MARKER = "ZETA-Kari-Bjerkestrand"
OTHER_MARKER = "ZETA-Ola-Skjultvik"


@pytest.fixture
def world():
    world = make_world()
    world["colleague"] = member_of(world["partner"], username="kollega")
    return world


def page(world):
    return reverse("dialogues:attendance", args=[world["dialogue"].pk])


def correct_url(world, attendance):
    return reverse("dialogues:attendance_correct", args=[world["dialogue"].pk, attendance.pk])


def remove_url(world, attendance):
    return reverse("dialogues:attendance_remove", args=[world["dialogue"].pk, attendance.pk])


def quick_add(name=MARKER, perspective="lived_experience", consents=(), method=""):
    data = {"action": "quick_add", "new-display_name": name, "new-perspective": perspective}
    if consents:
        data["new-consents"] = list(consents)
    if method:
        data["new-consent_method"] = method
    return data


# Consent given in the room


def test_a_consent_given_orally_is_recorded_with_how_by_whom_and_when(client, world):
    response = as_role(client, world, "member").post(
        page(world), quick_add(consents=["attendance", "quoting"], method="oral"), follow=True
    )
    person = Participant.objects.get(display_name=MARKER)
    consents = Consent.objects.filter(participant=person).order_by("purpose")
    assert [(c.purpose, c.method, c.recorded_by) for c in consents] == [
        ("attendance", ConsentMethod.ORAL, world["member"]),
        ("quoting", ConsentMethod.ORAL, world["member"]),
    ]
    assert all(c.recorded_at is not None and c.withdrawn_at is None for c in consents)
    html = response.content.decode()
    # With consent to registration by name, the person is named, to the adder and to colleagues alike.
    assert "The consent given here was recorded." in html and MARKER in html
    client.force_login(world["colleague"])
    assert MARKER in client.get(page(world)).content.decode()


def test_a_consent_without_how_it_was_given_saves_nothing(client, world):
    response = as_role(client, world, "member").post(page(world), quick_add(consents=["attendance"]))
    assert response.status_code == 200
    assert "Say how the consent was given" in response.content.decode()
    assert not Participant.objects.filter(display_name=MARKER).exists()
    assert not Consent.objects.exists()


def test_how_without_a_purpose_saves_nothing(client, world):
    response = as_role(client, world, "member").post(page(world), quick_add(method="paper"))
    assert response.status_code == 200
    assert not Attendance.objects.exists() and not Consent.objects.exists()


def test_a_consent_is_recorded_when_adding_a_registered_person(client, world):
    kari = ParticipantFactory(display_name="Kari", organisation=world["partner"])
    ConsentFactory(participant=kari, purpose="attendance")
    as_role(client, world, "member").post(
        page(world),
        {"action": "add", "add-participant": kari.pk, "add-consents": ["photo_film"], "add-consent_method": "paper"},
    )
    attendance = Attendance.objects.get(participant=kari)
    assert attendance.registered_by == world["member"]
    assert Consent.objects.get(participant=kari, purpose="photo_film").method == ConsentMethod.PAPER


# Named registration without consent: the adder's own rows, under a number


def test_without_consent_the_adder_sees_a_numbered_label_never_the_name(client, world):
    AttendanceFactory(dialogue=world["dialogue"], participant__display_name=OTHER_MARKER)  # someone else's row
    response = as_role(client, world, "member").post(page(world), quick_add(perspective="staff"), follow=True)
    html = response.content.decode()
    assert MARKER not in html and OTHER_MARKER not in html
    assert "Participant 2 (staff) was added and registered as attending." in html
    mine = Attendance.objects.get(participant__display_name=MARKER)
    assert mine.registered_by == world["member"]
    # Listed, with its correction form and remove button; the other person's row only as a count.
    assert correct_url(world, mine) in html and remove_url(world, mine) in html
    assert "1 more person is registered by name but not named here" in html
    rows = response.context["attendees"]
    assert [(row.pk, row.label) for row in rows] == [(mine.pk, "Participant 2 (staff)")]


def test_a_colleague_does_not_get_the_adders_hidden_row(client, world):
    as_role(client, world, "member").post(page(world), quick_add())
    mine = Attendance.objects.get(participant__display_name=MARKER)
    client.force_login(world["colleague"])
    html = client.get(page(world)).content.decode()
    assert MARKER not in html and correct_url(world, mine) not in html
    assert client.post(correct_url(world, mine), {"correct-perspective": "staff"}).status_code == 404
    assert client.post(remove_url(world, mine)).status_code == 404
    mine.refresh_from_db()
    assert mine.perspective == "lived_experience"
    assert not Consent.objects.exists()


def test_the_adder_corrects_the_perspective_of_their_hidden_row(client, world):
    as_role(client, world, "member").post(page(world), quick_add())
    mine = Attendance.objects.get(participant__display_name=MARKER)
    response = client.post(correct_url(world, mine), {"correct-perspective": "staff"}, follow=True)
    mine.refresh_from_db()
    assert mine.perspective == Perspective.STAFF
    html = response.content.decode()
    assert "Participant 1 (lived experience (service user)) was corrected." in html and MARKER not in html


def test_recording_the_consent_later_names_the_person_for_the_adder(client, world):
    as_role(client, world, "member").post(page(world), quick_add())
    mine = Attendance.objects.get(participant__display_name=MARKER)
    response = client.post(
        correct_url(world, mine),
        {"correct-perspective": "lived_experience", "correct-consents": "attendance", "correct-consent_method": "oral"},
        follow=True,
    )
    consent = Consent.objects.get(participant=mine.participant)
    assert (consent.purpose, consent.method, consent.recorded_by) == ("attendance", "oral", world["member"])
    assert f"{MARKER} was corrected. The consent given here was recorded." in response.content.decode()


def test_a_correction_with_errors_changes_nothing_and_names_no_one(client, world):
    as_role(client, world, "member").post(page(world), quick_add())
    mine = Attendance.objects.get(participant__display_name=MARKER)
    response = client.post(
        correct_url(world, mine), {"correct-perspective": "nonsense", "correct-consents": "attendance"}, follow=True
    )
    html = response.content.decode()
    assert "was not changed" in html and MARKER not in html
    assert not Consent.objects.exists()
    mine.refresh_from_db()
    assert mine.perspective == "lived_experience"


def test_the_adder_removes_their_hidden_row_and_the_message_names_no_one(client, world):
    as_role(client, world, "member").post(page(world), quick_add())
    mine = Attendance.objects.get(participant__display_name=MARKER)
    response = client.post(remove_url(world, mine), follow=True)
    assert not Attendance.objects.filter(pk=mine.pk).exists()
    html = response.content.decode()
    assert "Participant 1 (lived experience (service user)) is no longer registered as attending." in html
    assert MARKER not in html


def test_a_row_registered_before_registered_by_existed_stays_a_count(client, world):
    AttendanceFactory(dialogue=world["dialogue"], participant__display_name=MARKER)
    html = as_role(client, world, "member").get(page(world)).content.decode()
    assert MARKER not in html and "1 more person is registered by name" in html


def test_correcting_by_get_changes_nothing(client, world):
    as_role(client, world, "member").post(page(world), quick_add())
    mine = Attendance.objects.get(participant__display_name=MARKER)
    assert client.get(correct_url(world, mine), {"correct-perspective": "staff"}).status_code == 405
    mine.refresh_from_db()
    assert mine.perspective == "lived_experience"


def test_the_coordinator_sees_every_name_and_who_registered(client, world):
    as_role(client, world, "member").post(page(world), quick_add())
    client.force_login(world["coordinator"])
    html = client.get(page(world)).content.decode()
    assert MARKER in html


def test_the_participant_sees_how_a_consent_was_given_on_min_side(client, world):
    user = UserFactory(username="kari-bruker")
    as_role(client, world, "member").post(page(world), quick_add(consents=["quoting"], method="paper"))
    person = Participant.objects.get(display_name=MARKER)
    person.user = user
    person.save()
    client.force_login(user)
    html = client.get(reverse("participants:my_page")).content.decode()
    assert "On paper" in html


def test_a_consent_given_on_min_side_is_recorded_as_given_digitally(client, world):
    person = ParticipantFactory(user=UserFactory(username="selv"))
    client.force_login(person.user)
    client.post(reverse("participants:my_consent_give"), {"give-purpose": "quoting"})
    assert Consent.objects.get(participant=person).method == ConsentMethod.DIGITAL


# The responsible-person list


def responsible_options(world, user):
    formset = outcome_formsets(world["dialogue"], user=user)["actions"]
    return dict(formset.forms[0].fields["responsible_participant"].choices)


def test_the_responsible_person_list_offers_the_user_themself(world):
    options = responsible_options(world, world["member"])
    assert len(options) >= 2, "never only '---------'"
    assert world["member"].participant.pk in {getattr(value, "value", value) for value in options}


def test_the_list_offers_named_people_and_hides_names_it_may_not_show(world):
    named = ParticipantFactory(display_name="Synlig Navnesen", organisation=world["partner"])
    ConsentFactory(participant=named, purpose="attendance")
    hidden = AttendanceFactory(dialogue=world["dialogue"], participant__display_name=MARKER).participant
    labels = " ".join(str(label) for label in responsible_options(world, world["member"]).values())
    assert "Synlig Navnesen" in labels and MARKER not in labels
    values = {getattr(value, "value", value) for value in responsible_options(world, world["member"])}
    assert hidden.pk not in values  # not offered at all: the member may not name them


def test_the_coordinator_is_offered_every_attendee_by_name(world):
    AttendanceFactory(dialogue=world["dialogue"], participant__display_name=MARKER)
    labels = " ".join(str(label) for label in responsible_options(world, world["coordinator"]).values())
    assert MARKER in labels


def test_the_outcome_page_lists_the_member_themself(client, world):
    html = as_role(client, world, "member").get(reverse("dialogues:outcome_edit", args=[world["dialogue"].pk]))
    assert world["member"].participant.display_name in html.content.decode()
