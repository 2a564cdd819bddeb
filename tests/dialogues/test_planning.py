"""Planning dialogues: who may plan, what is saved, and what the lists show."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogues.models import AgendaItem, Dialogue, DialogueStatus
from tests.factories import (
    AttendanceFactory,
    CoordinatorFactory,
    DialogueFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
    member_of,
)
from tests.querycount import assert_budget, assert_num_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    partner = OrganisationFactory(name="NAV Dialogby")
    project = ProjectFactory(title="Dialogby", slug="dialogby")
    PartnershipFactory(project=project, organisation=partner)
    dialogue = DialogueFactory(project=project, title="Dialogseminar i Dialogby")
    AgendaItem.objects.create(dialogue=dialogue, order=0, title="Velkommen", duration_minutes=15)
    return {
        "project": project,
        "partner": partner,
        "dialogue": dialogue,
        "member": member_of(partner, username="medlem"),
        "outsider": member_of(OrganisationFactory(name="Annen etat"), username="utenfor"),
        "coordinator": CoordinatorFactory(username="koord"),
    }


def url_for(world, name):
    pk, slug = world["dialogue"].pk, world["project"].slug
    return {
        "list": reverse("dialogues:dialogue_list"),
        "detail": reverse("dialogues:dialogue_detail", args=[pk]),
        "create": reverse("dialogues:dialogue_create", args=[slug]),
        "edit": reverse("dialogues:dialogue_edit", args=[pk]),
        "cancel": reverse("dialogues:dialogue_cancel", args=[pk]),
        "duplicate": reverse("dialogues:dialogue_duplicate", args=[pk]),
        "agenda_row": reverse("dialogues:agenda_row"),
    }[name]


MATRIX = {
    "list": {"anonymous": "login", "outsider": 200, "member": 200, "coordinator": 200},
    "detail": {"anonymous": "login", "outsider": 404, "member": 200, "coordinator": 200},
    "create": {"anonymous": "login", "outsider": 404, "member": 200, "coordinator": 200},
    "edit": {"anonymous": "login", "outsider": 404, "member": 200, "coordinator": 200},
    "cancel": {"anonymous": "login", "outsider": 404, "member": 200, "coordinator": 200},
    "duplicate": {"anonymous": "login", "outsider": 404, "member": 200, "coordinator": 200},
    "agenda_row": {"anonymous": "login", "outsider": 200, "member": 200, "coordinator": 200},
}


@pytest.mark.parametrize("page, role", [(page, role) for page, roles in MATRIX.items() for role in roles])
def test_permission_matrix(client, world, page, role):
    if role != "anonymous":
        client.force_login(world[role])
    response = client.get(url_for(world, page))
    expected = MATRIX[page][role]
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected


def test_list_shows_only_visible_dialogues(client, world):
    client.force_login(world["outsider"])
    response = client.get(url_for(world, "list"))
    assert list(response.context["upcoming"]) == [] and response.context["page"].paginator.count == 0
    client.force_login(world["member"])
    assert list(client.get(url_for(world, "list")).context["upcoming"]) == [world["dialogue"]]


def test_upcoming_first_soonest_first_then_past_latest_first(client, world):
    now = timezone.now()
    later = DialogueFactory(project=world["project"], starts_at=now + datetime.timedelta(days=30))
    old = DialogueFactory(project=world["project"], starts_at=now - datetime.timedelta(days=300), status="held")
    recent = DialogueFactory(project=world["project"], starts_at=now - datetime.timedelta(days=3), status="held")
    cancelled = DialogueFactory(
        project=world["project"], starts_at=now + datetime.timedelta(days=2), status="cancelled"
    )
    client.force_login(world["coordinator"])
    response = client.get(url_for(world, "list"))
    assert list(response.context["upcoming"]) == [world["dialogue"], later]
    assert list(response.context["page"].object_list) == [cancelled, recent, old]


def test_list_filters_by_kind_municipality_and_period(client, world):
    municipality = MunicipalityFactory(name="Filterby")
    lab = DialogueFactory(project=world["project"], kind="learning_lab", municipality=municipality)
    client.force_login(world["coordinator"])
    response = client.get(url_for(world, "list"), {"kind": "learning_lab", "municipality": municipality.pk})
    assert list(response.context["upcoming"]) == [lab]
    far = (timezone.localdate() + datetime.timedelta(days=365)).isoformat()
    assert list(client.get(url_for(world, "list"), {"date_from": far}).context["upcoming"]) == []
    assert client.get(url_for(world, "list"), {"date_from": "not-a-date"}).status_code == 200


def dialogue_post(world, **overrides):
    data = {
        "kind": "learning_lab",
        "title": "Læringslab om bolig",
        "purpose": "Hva trengs for å bo i egen bolig?",
        "starts_at": "2030-03-08T09:00",
        "ends_at": "2030-03-08T15:00",
        "venue": "Kulturhuset",
        "municipality": "",
        "facilitators": [world["partner"].pk],
        "agenda-TOTAL_FORMS": "2",
        "agenda-INITIAL_FORMS": "0",
        "agenda-MIN_NUM_FORMS": "0",
        "agenda-MAX_NUM_FORMS": "1000",
        "agenda-0-title": "Innledning",
        "agenda-0-duration_minutes": "20",
        "agenda-0-ORDER": "2",
        "agenda-1-title": "Gruppearbeid",
        "agenda-1-duration_minutes": "",
        "agenda-1-ORDER": "1",
    }
    data.update(overrides)
    return data


def test_member_plans_a_dialogue_with_an_ordered_agenda(client, world):
    client.force_login(world["member"])
    response = client.post(url_for(world, "create"), dialogue_post(world))
    dialogue = Dialogue.objects.get(title="Læringslab om bolig")
    assert response.status_code == 302 and response["Location"] == dialogue.get_absolute_url()
    assert dialogue.project == world["project"] and dialogue.status == DialogueStatus.PLANNED
    assert timezone.localtime(dialogue.starts_at).hour == 9  # Europe/Oslo
    assert [item.title for item in dialogue.agenda.all()] == ["Gruppearbeid", "Innledning"]
    assert list(dialogue.facilitators.all()) == [world["partner"]]


def test_end_before_start_changes_nothing_and_keeps_input(client, world):
    client.force_login(world["member"])
    before = Dialogue.objects.count()
    response = client.post(url_for(world, "create"), dialogue_post(world, ends_at="2030-03-08T08:00"))
    assert response.status_code == 200
    assert Dialogue.objects.count() == before
    html = response.content.decode()
    assert "Slutten må være etter starten." in html and 'value="Læringslab om bolig"' in html


def test_add_agenda_row_without_javascript(client, world):
    client.force_login(world["member"])
    response = client.post(url_for(world, "create"), dialogue_post(world, add_agenda_row="1"))
    assert response.context["formset"].total_form_count() == 3
    assert not Dialogue.objects.filter(title="Læringslab om bolig").exists()


def test_cancel_needs_a_reason_and_keeps_it(client, world):
    client.force_login(world["member"])
    version = world["dialogue"].version  # the version the form was opened on (kremlib.versioning)
    assert client.post(url_for(world, "cancel"), {"cancel_reason": "", "version": version}).status_code == 200
    world["dialogue"].refresh_from_db()
    assert world["dialogue"].status == DialogueStatus.PLANNED
    client.post(url_for(world, "cancel"), {"cancel_reason": "For få påmeldte", "version": version})
    world["dialogue"].refresh_from_db()
    assert (world["dialogue"].status, world["dialogue"].cancel_reason) == ("cancelled", "For få påmeldte")


def test_duplicate_copies_agenda_and_facilitators_but_not_attendance(client, world):
    world["dialogue"].facilitators.add(world["partner"])
    AttendanceFactory(dialogue=world["dialogue"])
    client.force_login(world["member"])
    response = client.post(url_for(world, "duplicate"), {"starts_at": "2031-01-10T10:00"})
    copy = Dialogue.objects.exclude(pk=world["dialogue"].pk).get()
    assert response["Location"] == reverse("dialogues:dialogue_edit", args=[copy.pk])
    assert copy.title == world["dialogue"].title and copy.status == DialogueStatus.PLANNED
    assert copy.ends_at - copy.starts_at == world["dialogue"].ends_at - world["dialogue"].starts_at
    assert [i.title for i in copy.agenda.all()] == ["Velkommen"]
    assert list(copy.facilitators.all()) == [world["partner"]]
    assert copy.attendances.count() == 0


def test_duplicate_rejects_absurd_dates(client, world):
    client.force_login(world["member"])
    assert client.post(url_for(world, "duplicate"), {"starts_at": "9999-01-01T10:00"}).status_code == 200
    assert Dialogue.objects.count() == 1


def test_outsider_cannot_post_to_a_dialogue(client, world):
    client.force_login(world["outsider"])
    assert client.post(url_for(world, "cancel"), {"cancel_reason": "Sabotasje"}).status_code == 404
    world["dialogue"].refresh_from_db()
    assert world["dialogue"].status == DialogueStatus.PLANNED


def test_list_query_budget(client, world):
    """One past dialogue, then 29 more past and 29 upcoming: 12 queries each time."""

    def add(n, days):
        for i in range(n):
            DialogueFactory(
                project=world["project"],
                municipality=MunicipalityFactory(),
                starts_at=timezone.now() + datetime.timedelta(days=days + i),
            )

    add(1, -100)
    client.force_login(world["coordinator"])
    assert_num_queries(client, url_for(world, "list"), 12)
    add(29, -50)
    add(29, 5)
    client.force_login(world["coordinator"])
    assert_num_queries(client, url_for(world, "list"), 12)


def test_detail_query_budget(client, world):
    """A planned dialogue: agenda, facilitators and attendees (the consents' prefetch runs at 1 row as at 30)."""

    def build(n):
        for _ in range(n):
            order = world["dialogue"].agenda.count() + 1
            AgendaItem.objects.create(dialogue=world["dialogue"], order=order, title=f"Punkt {order}")
            world["dialogue"].facilitators.add(OrganisationFactory())
            AttendanceFactory(dialogue=world["dialogue"])

    assert_budget(
        client, url_for(world, "detail"), build, 21, user=world["coordinator"]
    )  # 21: its files (issue 15); stored voice counts (issue 16)


def test_facilitating_people_are_offered_only_with_consent_to_be_named(client, world):
    from tests.factories import ConsentFactory, ParticipantFactory

    named = ParticipantFactory(display_name="Samtykket", organisation=world["partner"])
    ConsentFactory(participant=named, purpose="attendance")
    ParticipantFactory(display_name="Ikke samtykket", organisation=world["partner"])
    client.force_login(world["member"])
    html = client.get(url_for(world, "edit")).content.decode()
    assert "Samtykket" in html and "Ikke samtykket" not in html
