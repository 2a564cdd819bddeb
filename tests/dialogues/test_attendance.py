"""Registering attendance: named people, people added on the spot, and anonymous headcounts."""

import pytest
from django.urls import reverse

from dialogues.models import Attendance, Headcount
from participants.models import Participant, Perspective
from tests.dialogues.outcome_world import ROLES, as_role, is_login_redirect, make_world
from tests.factories import (
    AttendanceFactory,
    ConsentFactory,
    HeadcountFactory,
    HeldDialogueFactory,
    OrganisationFactory,
    ParticipantFactory,
)
from tests.querycount import assert_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = make_world()
    world["kari"] = ParticipantFactory(
        display_name="Kari", organisation=world["partner"], perspective=Perspective.STAFF
    )
    # Members see, and choose among, only people who consented to registration by name.
    ConsentFactory(participant=world["kari"], purpose="attendance")
    return world


def page(world):
    return reverse("dialogues:attendance", args=[world["dialogue"].pk])


def add(participant, perspective=""):
    return {"action": "add", "add-participant": participant.pk, "add-perspective": perspective}


def headcounts(**counts):
    data = {"action": "headcounts"}
    data.update({f"count-{p.value}": "" for p in Perspective})
    data.update({f"count-{name}": value for name, value in counts.items()})
    return data


# Who may do what

GET_EXPECTED = {"anonymous": "login", "outsider": 404, "member": 200, "coordinator": 200}


@pytest.mark.parametrize("role", ROLES)
def test_attendance_page_permission_matrix(client, world, role):
    response = as_role(client, world, role).get(page(world))
    if GET_EXPECTED[role] == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == GET_EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
def test_adding_an_attendee_permission_matrix(client, world, role):
    response = as_role(client, world, role).post(page(world), add(world["kari"]))
    registered = Attendance.objects.filter(dialogue=world["dialogue"], participant=world["kari"]).exists()
    if role == "anonymous":
        assert is_login_redirect(response) and not registered
    elif role == "outsider":
        assert response.status_code == 404 and not registered
    else:
        assert response.status_code == 302 and response["Location"] == page(world)
        assert registered


@pytest.mark.parametrize("role", ROLES)
def test_removing_an_attendee_permission_matrix(client, world, role):
    attendance = AttendanceFactory(dialogue=world["dialogue"], participant=world["kari"])
    url = reverse("dialogues:attendance_remove", args=[world["dialogue"].pk, attendance.pk])
    response = as_role(client, world, role).post(url)
    still_there = Attendance.objects.filter(pk=attendance.pk).exists()
    if role == "anonymous":
        assert is_login_redirect(response) and still_there
    elif role == "outsider":
        assert response.status_code == 404 and still_there
    else:
        assert response.status_code == 302 and response["Location"] == page(world)
        assert not still_there
        assert Participant.objects.filter(pk=world["kari"].pk).exists()  # the person stays; only the attendance goes


def test_removing_by_get_is_not_allowed_and_changes_nothing(client, world):
    attendance = AttendanceFactory(dialogue=world["dialogue"], participant=world["kari"])
    url = reverse("dialogues:attendance_remove", args=[world["dialogue"].pk, attendance.pk])
    assert as_role(client, world, "member").get(url).status_code == 405
    assert Attendance.objects.filter(pk=attendance.pk).exists()


def test_attendance_of_another_dialogue_cannot_be_removed_through_this_one(client, world):
    other = AttendanceFactory(dialogue=HeldDialogueFactory(project=world["project"]))
    url = reverse("dialogues:attendance_remove", args=[world["dialogue"].pk, other.pk])
    assert as_role(client, world, "coordinator").post(url).status_code == 404
    assert Attendance.objects.filter(pk=other.pk).exists()


def test_get_changes_nothing(client, world):
    AttendanceFactory(dialogue=world["dialogue"], participant=world["kari"])
    HeadcountFactory(dialogue=world["dialogue"], count=4)
    before = (list(Attendance.objects.values()), list(Headcount.objects.values()), Participant.objects.count())
    as_role(client, world, "member").get(page(world), {"action": "add", "add-participant": world["kari"].pk})
    assert (list(Attendance.objects.values()), list(Headcount.objects.values()), Participant.objects.count()) == before


def test_unknown_form_is_a_bad_request(client, world):
    assert as_role(client, world, "member").post(page(world), {"action": "delete_everything"}).status_code == 400


# Named attendees


def test_perspective_defaults_to_the_usual_one(client, world):
    as_role(client, world, "member").post(page(world), add(world["kari"]))
    assert Attendance.objects.get(participant=world["kari"]).perspective == Perspective.STAFF


def test_a_person_can_bring_another_perspective_to_this_dialogue(client, world):
    as_role(client, world, "member").post(page(world), add(world["kari"], Perspective.LIVED_EXPERIENCE))
    assert Attendance.objects.get(participant=world["kari"]).perspective == Perspective.LIVED_EXPERIENCE


def test_adding_the_same_person_twice_keeps_one_row_and_says_so(client, world):
    as_role(client, world, "member")
    assert client.post(page(world), add(world["kari"])).status_code == 302
    response = client.post(page(world), add(world["kari"], Perspective.OTHER))
    assert response.status_code == 200
    assert "Kari is already registered as attending this dialogue." in response.content.decode()
    attendance = Attendance.objects.get(dialogue=world["dialogue"], participant=world["kari"])
    assert attendance.perspective == Perspective.STAFF


def test_member_chooses_among_partner_people_and_earlier_attendees_only(client, world):
    earlier = AttendanceFactory(
        dialogue=HeldDialogueFactory(project=world["project"]), participant__display_name="Ola"
    ).participant
    ConsentFactory(participant=earlier, purpose="attendance")
    no_consent = AttendanceFactory(dialogue=HeldDialogueFactory(project=world["project"])).participant
    stranger = ParticipantFactory(display_name="Fremmed", organisation=OrganisationFactory())
    as_role(client, world, "member")
    choices = set(client.get(page(world)).context["add_form"].fields["participant"].queryset)
    assert {world["kari"], earlier} <= choices
    assert stranger not in choices
    assert no_consent not in choices  # a name is shown to members only with consent
    response = client.post(page(world), add(stranger))
    assert response.status_code == 200
    assert not Attendance.objects.filter(participant=stranger).exists()


def test_coordinator_chooses_among_everyone(client, world):
    stranger = ParticipantFactory(display_name="Fremmed", organisation=OrganisationFactory())
    response = as_role(client, world, "coordinator").post(page(world), add(stranger))
    assert response.status_code == 302
    assert Attendance.objects.filter(dialogue=world["dialogue"], participant=stranger).exists()


def test_quick_add_creates_a_person_who_attended(client, world):
    response = as_role(client, world, "member").post(
        page(world), {"action": "quick_add", "new-display_name": "Pseudonym P", "new-perspective": "lived_experience"}
    )
    assert response.status_code == 302
    person = Participant.objects.get(display_name="Pseudonym P")
    assert (person.perspective, person.organisation, person.user) == (Perspective.LIVED_EXPERIENCE, None, None)
    assert Attendance.objects.get(participant=person).dialogue == world["dialogue"]


def test_quick_add_without_a_name_changes_nothing(client, world):
    before = Participant.objects.count()
    response = as_role(client, world, "member").post(
        page(world), {"action": "quick_add", "new-display_name": "", "new-perspective": "staff"}
    )
    assert response.status_code == 200
    assert "ds-error-summary" in response.content.decode()
    assert Participant.objects.count() == before
    assert not Attendance.objects.exists()


def test_quick_add_refuses_a_national_identity_number(client, world):
    before = Participant.objects.count()
    response = as_role(client, world, "member").post(
        page(world), {"action": "quick_add", "new-display_name": "Ola 010190 12345", "new-perspective": "staff"}
    )
    assert response.status_code == 200
    assert Participant.objects.count() == before


# Anonymous headcounts


def test_headcounts_are_saved_per_perspective_and_zero_removes(client, world):
    HeadcountFactory(dialogue=world["dialogue"], perspective=Perspective.POLITICIAN, count=2)
    response = as_role(client, world, "member").post(
        page(world), headcounts(lived_experience="7", staff="3", politician="0")
    )
    assert response.status_code == 302
    assert dict(world["dialogue"].headcounts.values_list("perspective", "count")) == {
        "lived_experience": 7,
        "staff": 3,
    }


@pytest.mark.parametrize("bad", ["-1", "10001", "mange"])
def test_impossible_headcount_is_rejected_and_changes_nothing(client, world, bad):
    HeadcountFactory(dialogue=world["dialogue"], perspective=Perspective.STAFF, count=4)
    response = as_role(client, world, "member").post(page(world), headcounts(lived_experience=bad, staff="9"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a whole number from 0 to 10,000." in html
    assert 'aria-invalid="true"' in html
    assert dict(world["dialogue"].headcounts.values_list("perspective", "count")) == {"staff": 4}


def test_the_limit_itself_is_allowed(client, world):
    as_role(client, world, "member").post(page(world), headcounts(other="10000"))
    assert world["dialogue"].headcounts.get().count == 10_000


# Totals


def test_totals_add_named_and_anonymous_by_perspective(client, world):
    dialogue = world["dialogue"]
    AttendanceFactory(dialogue=dialogue, participant=world["kari"], perspective=Perspective.STAFF)
    AttendanceFactory.create_batch(2, dialogue=dialogue, participant__perspective=Perspective.LIVED_EXPERIENCE)
    HeadcountFactory(dialogue=dialogue, perspective=Perspective.LIVED_EXPERIENCE, count=5)
    AttendanceFactory(participant=world["kari"])  # another dialogue: not counted
    response = as_role(client, world, "member").get(page(world))
    totals = response.context["attendance_totals"]
    rows = {row.perspective: (row.named, row.anonymous, row.total) for row in totals.rows}
    assert rows["lived_experience"] == (2, 5, 7)
    assert rows["staff"] == (1, 0, 1)
    assert (totals.named, totals.anonymous, totals.total) == (3, 5, 8)
    html = response.content.decode()
    assert "Attendance by perspective" in html and "Kari" in html


def test_attendance_page_query_budget_is_the_same_for_1_and_30_attendees(client, world):
    as_role(client, world, "member")
    organisation = world["partner"]

    def build(n):
        for _ in range(n):
            AttendanceFactory(dialogue=world["dialogue"], participant__organisation=organisation)

    assert_budget(client, page(world), build, 17, user=world["member"])  # totals stored; +1 scope (16)
