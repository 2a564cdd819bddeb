"""The participant registry: only coordinators see it; create, edit, list and detail."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kremlib.http import PAGE_SIZE
from participants.models import AccessLog, Participant
from participants.perspectives import Perspective
from tests.factories import (
    AttendanceFactory,
    DialogueFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def url_for(world, name):
    pk = world["kari"].pk
    return {
        "list": reverse("participants:participant_list"),
        "access_log": reverse("participants:access_log"),
        "create": reverse("participants:participant_create"),
        "detail": reverse("participants:participant_detail", args=[pk]),
        "edit": reverse("participants:participant_edit", args=[pk]),
        "invite": reverse("participants:participant_invite", args=[pk]),
        "export": reverse("participants:participant_export", args=[pk]),
        "merge": reverse("participants:participant_merge", args=[pk]),
        "anonymise": reverse("participants:participant_anonymise", args=[pk]),
        "my_page": reverse("participants:my_page"),
        "my_export": reverse("participants:my_export"),
        "terms": reverse("participants:terms"),
    }[name]


# Expected status of a GET per role. "login": a redirect to the login page; "my_page": to /min-side/.
# The registry list and the access log answer 403 to non-coordinators (the pages exist; the menu hides them);
# another person's record answers 404; one's own record in the registry answers 403 for coordinator-only actions.
MATRIX = {
    "list": {"anonymous": "login", "outsider": 403, "person": 403, "coordinator": 200},
    "access_log": {"anonymous": "login", "outsider": 403, "person": 403, "coordinator": 200},
    "create": {"anonymous": "login", "outsider": 403, "person": 403, "coordinator": 200},
    "detail": {"anonymous": "login", "outsider": 404, "person": "my_page", "coordinator": 200},
    "edit": {"anonymous": "login", "outsider": 404, "person": 403, "coordinator": 200},
    "invite": {"anonymous": "login", "outsider": 404, "person": 403, "coordinator": 200},
    "export": {"anonymous": "login", "outsider": 404, "person": 200, "coordinator": 200},
    "merge": {"anonymous": "login", "outsider": 404, "person": 403, "coordinator": 200},
    "anonymise": {"anonymous": "login", "outsider": 404, "person": 403, "coordinator": 200},
    "my_page": {"anonymous": "login", "outsider": 200, "person": 200, "coordinator": 200},
    "my_export": {"anonymous": "login", "outsider": 200, "person": 200, "coordinator": "my_page"},
    "terms": {"anonymous": 200, "outsider": 200, "person": 200, "coordinator": 200},
}


def snapshot():
    return sorted(
        Participant.objects.values_list("pk", "display_name", "email", "phone", "version", "user_id", "anonymised_at")
    )


@pytest.mark.parametrize("page, role", [(page, role) for page, roles in MATRIX.items() for role in roles])
def test_permission_matrix(client, world, page, role):
    if role != "anonymous":
        client.force_login(world[role])
    before = snapshot()
    response = client.get(url_for(world, page))
    expected = MATRIX[page][role]
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif expected == "my_page":
        assert response.status_code == 302
        assert response["Location"] == reverse("participants:my_page")
    else:
        assert response.status_code == expected
    assert snapshot() == before  # a GET changes nothing


def test_the_menu_shows_participants_only_to_coordinators_and_my_page_to_people_with_a_record(client, world):
    registry, mine = reverse("participants:participant_list"), reverse("participants:my_page")
    client.force_login(world["coordinator"])
    html = client.get(reverse("home")).content.decode()
    assert f'href="{registry}"' in html and f'href="{mine}"' not in html
    client.force_login(world["person"])
    html = client.get(reverse("home")).content.decode()
    assert f'href="{registry}"' not in html and f'href="{mine}"' in html


def test_coordinator_creates_a_participant_with_a_pseudonym(client, world):
    client.force_login(world["coordinator"])
    form = client.get(url_for(world, "create")).context["form"]
    suggestion = form["display_name"].initial
    assert suggestion and form.fields["display_name"].widget.attrs["placeholder"] == suggestion
    organisation = OrganisationFactory()
    response = client.post(
        url_for(world, "create"), {"display_name": suggestion, "perspective": "staff", "organisation": organisation.pk}
    )
    created = Participant.objects.get(display_name=suggestion)
    assert response.status_code == 302 and response["Location"] == reverse(
        "participants:participant_detail", args=[created.pk]
    )
    assert (created.perspective, created.organisation, created.email, created.version) == ("staff", organisation, "", 1)


@pytest.mark.parametrize("name", ["01019012345", "Kari 010190 12345", "Kari 41019012345", "Per 0105 904 1234"])
def test_a_name_that_contains_a_national_identity_number_is_refused(client, world, name):
    client.force_login(world["coordinator"])
    count = Participant.objects.count()
    response = client.post(url_for(world, "create"), {"display_name": name, "perspective": "staff"})
    assert response.status_code == 200
    assert "national identity number" in response.context["form"].errors["display_name"][0]
    assert Participant.objects.count() == count


def test_coordinator_edits_a_participant_and_the_version_goes_up(client, world):
    client.force_login(world["coordinator"])
    kari = world["kari"]
    response = client.post(
        url_for(world, "edit"),
        {
            "display_name": "Kari N.",
            "perspective": "lived_experience",
            "email": "",
            "phone": "",
            "version": kari.version,
        },
    )
    assert response.status_code == 302
    kari.refresh_from_db()
    assert (kari.display_name, kari.email, kari.version) == ("Kari N.", "", 2)
    assert kari.history.count() == 2  # the change is in the history


def test_an_edit_opened_on_an_older_version_is_refused(client, world):
    client.force_login(world["coordinator"])
    kari = world["kari"]
    stale = kari.version
    Participant.objects.filter(pk=kari.pk).update(version=stale + 1)
    response = client.post(
        url_for(world, "edit"),
        {"display_name": "Overwrite", "perspective": "staff", "email": "", "phone": "", "version": stale},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    kari.refresh_from_db()
    assert kari.display_name == "Kari Nordmann"


def test_bad_input_changes_nothing(client, world):
    client.force_login(world["coordinator"])
    before = snapshot()
    response = client.post(
        url_for(world, "edit"), {"display_name": "", "perspective": "nonsense", "email": "not-an-email"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"display_name", "perspective", "email", "version"}
    assert snapshot() == before


def test_non_coordinators_cannot_post_to_the_registry(client, world):
    before = snapshot()
    client.force_login(world["outsider"])
    assert client.post(url_for(world, "edit"), {"display_name": "Hacked", "perspective": "staff"}).status_code == 404
    assert client.post(url_for(world, "create"), {"display_name": "New", "perspective": "staff"}).status_code == 403
    client.force_login(world["person"])
    assert client.post(url_for(world, "edit"), {"display_name": "Hacked", "perspective": "staff"}).status_code == 403
    assert snapshot() == before


def test_the_list_searches_and_filters_by_perspective_organisation_project_and_dialogue(client, world):
    client.force_login(world["coordinator"])
    project, other_project = ProjectFactory(), ProjectFactory()
    seminar = DialogueFactory(project=project)
    AttendanceFactory(dialogue=seminar, participant=world["kari"])
    AttendanceFactory(dialogue=DialogueFactory(project=project), participant=world["kari"])
    staff = ParticipantFactory(display_name="Nina Ansatt", perspective=Perspective.STAFF)
    AttendanceFactory(dialogue=DialogueFactory(project=other_project), participant=staff)

    def names(**params):
        page = client.get(url_for(world, "list"), params).context["page"]
        return [p.display_name for p in page]

    assert names() == names(q="  ") == ["Kari Nordmann", "Nina Ansatt", "Ola Utenfor"]
    assert names(q="nordm") == names(q="kari@example") == names(q="912 34") == ["Kari Nordmann"]
    assert names(perspective="staff") == ["Nina Ansatt"]
    assert names(organisation=world["kari"].organisation_id) == ["Kari Nordmann"]
    assert names(project=project.pk) == ["Kari Nordmann"]
    assert names(dialogue=seminar.pk) == ["Kari Nordmann"]
    # Filtering by project does not repeat the person nor change their attendance count.
    page = client.get(url_for(world, "list"), {"project": project.pk}).context["page"]
    assert [p.attendance_count for p in page] == [2]


def test_the_list_answers_htmx_with_the_results_only(client, world):
    client.force_login(world["coordinator"])
    response = client.get(url_for(world, "list"), {"q": "Kari"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Kari Nordmann" in html and "<html" not in html


def test_the_detail_page_shows_the_record_and_writes_the_access_log(client, world):
    client.force_login(world["coordinator"])
    AttendanceFactory(participant=world["kari"])
    response = client.get(url_for(world, "detail"))
    html = response.content.decode()
    assert "Kari Nordmann" in html and "kari@example.org" in html
    assert "No consent to contact: do not use" in html
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.participant, entry.action, entry.reason) == (
        world["coordinator"],
        world["kari"],
        "view",
        "registry detail",
    )


def test_an_anonymised_record_cannot_be_edited(client, world):
    from participants.services import anonymise

    anonymise(participant=world["kari"], by=world["coordinator"])
    client.force_login(world["coordinator"])
    assert client.get(url_for(world, "edit")).status_code == 403
    assert client.get(url_for(world, "detail")).status_code == 200


def test_visible_participants_is_the_registry_for_coordinators_and_ones_own_record_otherwise(world):
    from django.contrib.auth.models import AnonymousUser

    from participants.queries import visible_participants

    assert visible_participants(world["coordinator"]).count() == 2
    assert list(visible_participants(world["person"])) == [world["kari"]]
    assert list(visible_participants(world["no_record"])) == []
    assert list(visible_participants(AnonymousUser())) == []


def test_an_admin_permission_on_the_model_does_not_open_the_registry(client, world):
    from django.contrib.auth.models import Permission

    staff = world["outsider"]
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(
        Permission.objects.get(codename="view_participant", content_type__app_label="participants")
    )
    client.force_login(staff)
    assert client.get(url_for(world, "list")).status_code == 403
    assert client.get(url_for(world, "detail")).status_code == 404


def test_the_registry_counts_people_plainly_and_attendances_only_for_the_page_shown(client, world):
    """The paginator's COUNT and the page read participants alone; the attendances are grouped for the 25 people
    on the page, not for the whole registry (issue 16: two million rows grouped to show 25)."""
    people = [ParticipantFactory(display_name=f"Person {i:02}") for i in range(PAGE_SIZE + 5)]
    for person in people[:3]:
        AttendanceFactory(participant=person)
    AttendanceFactory(participant=people[0])
    client.force_login(world["coordinator"])
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url_for(world, "list")).context["page"]
    sql = [query["sql"] for query in captured.captured_queries]
    count = next(q for q in sql if "COUNT(*)" in q and "participants_participant" in q)
    assert "participants_attendance" not in count and "GROUP BY" not in count
    grouped = [q for q in sql if "participants_attendance" in q]
    assert len(grouped) == 1 and "GROUP BY" in grouped[0]
    assert len(page.object_list) == PAGE_SIZE
    shown = {p.display_name: p.attendance_count for p in page}
    assert shown["Person 00"] == 2 and shown["Person 01"] == shown["Person 02"] == 1 and shown["Person 03"] == 0
    # the order is the index's (display_name, id), and the next page carries on from it
    assert [p.display_name for p in page] == sorted(shown)
    second = client.get(url_for(world, "list"), {"side": 2}).context["page"]
    assert [p.display_name for p in second][0] > max(shown)
