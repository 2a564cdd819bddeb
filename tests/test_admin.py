"""The Django admin: its permissions are its own, deleting keeps what may come back, anonymised records stay
anonymous, and an edit opened on an old version is refused."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from dialogues.models import Attendance, Dialogue
from participants.models import Participant
from projects.models import Organisation, Project
from projects.services import delete_project
from tests.conftest import english
from tests.factories import (
    AttendanceFactory,
    CoordinatorFactory,
    DialogueFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProjectFactory,
)
from tests.htmlforms import page_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_language_afterwards():
    """The locale middleware leaves the last request's language (English in some tests) active in the thread."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def admin_url(obj, view):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


# Permissions: only superusers, and users given Django model permissions on purpose


@pytest.mark.parametrize("view", ["change", "delete"])
def test_a_staff_coordinator_without_model_permissions_gets_403_and_changes_nothing(client, view):
    coordinator = CoordinatorFactory(username="staff-koordinator", is_staff=True)
    project = ProjectFactory(title="Prosjekt")
    participant = ParticipantFactory(display_name="Kari")
    organisation = OrganisationFactory(name="NAV")
    client.force_login(coordinator)
    for obj, data in [
        (project, {"title": "Endret"}),
        (participant, {"display_name": "Endret"}),
        (organisation, {"name": "Endret"}),
    ]:
        assert client.get(admin_url(obj, view)).status_code == 403
        assert client.post(admin_url(obj, view), {**data, "post": "yes"}).status_code == 403
    assert Project.objects.get().title == "Prosjekt"
    assert Participant.objects.get().display_name == "Kari"
    assert Organisation.objects.get().name == "NAV"
    assert Project.objects.get().deleted_at is None


# Deleting a project or a dialogue from the admin moves it to "Deleted items"


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_deleting_a_project_in_the_admin_moves_it_to_deleted_items_with_its_dialogues(client, admin_user, coordinator):
    project = ProjectFactory(title="Prosjekt")
    DialogueFactory(project=project)  # protected from a real delete: the admin would refuse
    client.force_login(admin_user)
    confirm = client.get(admin_url(project, "delete"))
    assert confirm.status_code == 200 and not confirm.context["protected"]
    response = client.post(admin_url(project, "delete"), {"post": "yes"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.is_deleted and project.version == 2
    assert Dialogue.objects.count() == 1
    assert project.history.first().deleted_at is not None  # in the history, as a deletion from the app is
    client.force_login(coordinator)
    assert project in client.get(reverse("deleted_items")).context["projects"]
    client.post(reverse("restore_deleted_project", args=[project.pk]))
    project.refresh_from_db()
    assert not project.is_deleted


def test_deleting_a_dialogue_in_the_admin_moves_it_to_deleted_items(client, admin_user):
    dialogue = DialogueFactory()
    AttendanceFactory(dialogue=dialogue)
    client.force_login(admin_user)
    assert client.post(admin_url(dialogue, "delete"), {"post": "yes"}).status_code == 302
    dialogue.refresh_from_db()
    assert dialogue.is_deleted and Attendance.objects.filter(dialogue=dialogue).exists()
    assert Dialogue.objects.restorable().get() == dialogue


@pytest.mark.parametrize("factory", [ProjectFactory, DialogueFactory])
def test_delete_selected_in_the_admin_moves_every_row_to_deleted_items(client, admin_user, factory):
    rows = factory.create_batch(2)
    kept = factory()
    model = type(kept)
    client.force_login(admin_user)
    data = {"action": "delete_selected", "_selected_action": [row.pk for row in rows]}
    assert client.post(changelist(model), data).status_code == 200  # asks first
    response = client.post(changelist(model), {**data, "post": "yes"})
    assert response.status_code == 302
    assert set(model.objects.deleted()) == set(rows)
    assert model.objects.count() == 3 and not model.objects.get(pk=kept.pk).is_deleted


def test_deleting_an_already_deleted_row_again_keeps_its_deletion_time(client, admin_user):
    project = ProjectFactory()
    delete_project(project=project)
    deleted_at = Project.objects.get().deleted_at
    client.force_login(admin_user)
    client.post(admin_url(project, "delete"), {"post": "yes"})
    assert Project.objects.get().deleted_at == deleted_at


@pytest.mark.parametrize("factory", [ProjectFactory, DialogueFactory])
def test_change_lists_mark_deleted_rows_and_filter_by_them(client, admin_user, factory):
    alive, deleted = factory(title="Levende"), factory(title="Slettet")
    model = type(alive)
    model.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    client.force_login(admin_user)
    everything = client.get(changelist(model))
    assert "deleted_column" in everything.context["cl"].list_display
    assert set(everything.context["cl"].result_list) == {alive, deleted}
    assert list(client.get(changelist(model), {"deleted": "yes"}).context["cl"].result_list) == [deleted]
    assert list(client.get(changelist(model), {"deleted": "no"}).context["cl"].result_list) == [alive]


# Anonymised records are read-only


@pytest.fixture
def anonymised(db):
    return ParticipantFactory(display_name="Anonym deltaker #1", anonymised_at=timezone.now())


def test_an_anonymised_record_cannot_be_changed_or_deleted_in_the_admin(client, admin_user, anonymised):
    client.force_login(admin_user)
    page = client.get(admin_url(anonymised, "change"))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert (
        client.post(
            admin_url(anonymised, "change"), {"display_name": "Kari Nordmann", "perspective": "staff"}
        ).status_code
        == 403
    )
    assert client.post(admin_url(anonymised, "delete"), {"post": "yes"}).status_code == 403
    response = client.post(
        changelist(Participant), {"action": "delete_selected", "_selected_action": [anonymised.pk], "post": "yes"}
    )
    assert response.status_code == 200 and response.context["protected"]  # refused, with the reason
    assert Participant.objects.get().display_name == "Anonym deltaker #1"


def test_the_attendance_of_an_anonymised_person_cannot_be_changed_or_removed_in_the_admin(
    client, admin_user, anonymised
):
    attendance = AttendanceFactory(participant=anonymised)
    other = ParticipantFactory(display_name="Kari")
    client.force_login(admin_user)
    assert client.post(admin_url(attendance, "change"), {"participant": other.pk}).status_code == 403
    assert client.post(admin_url(attendance, "delete"), {"post": "yes"}).status_code == 403
    # On the dialogue's page: the row is shown, but what is sent for it is ignored.
    url = admin_url(attendance.dialogue, "change")
    form = page_form(client, url, having="version")
    prefix = next(name for name in form if name.endswith("-participant")).rsplit("-", 1)[0]
    response = client.post(url, {**form, f"{prefix}-participant": str(other.pk), f"{prefix}-DELETE": "on"})
    assert response.status_code == 302
    assert Attendance.objects.get().participant == anonymised


# The version check


CONFLICT = "Someone else saved this after you opened the form"


def saved_elsewhere(obj, field, value):
    """Someone saves the object through the app after the admin form was opened: a new version, in history."""
    setattr(obj, field, value)
    obj.version += 1
    obj.save()


@pytest.mark.parametrize(
    "make, field",
    [
        (lambda: ProjectFactory(title="Før"), "title"),
        (lambda: OrganisationFactory(name="Før"), "name"),
        (lambda: DialogueFactory(title="Før"), "title"),
        (lambda: ParticipantFactory(display_name="Før"), "display_name"),
    ],
)
def test_an_admin_edit_opened_on_an_old_version_is_refused_and_saves_nothing(client, admin_user, make, field):
    obj = make()
    client.force_login(admin_user)
    english(client)
    url = admin_url(obj, "change")
    form = page_form(client, url, having="version")
    assert form["version"] == "1"
    saved_elsewhere(obj, field, "Av en annen")

    response = client.post(url, {**form, field: "Fra admin"})
    assert response.status_code == 200
    html = response.content.decode()
    assert CONFLICT in html and "Av en annen" in html  # says so, and shows what the other person changed
    obj.refresh_from_db()
    assert (getattr(obj, field), obj.version) == ("Av en annen", 2)

    # The form now carries the version saved meanwhile: sending it again saves over it, as in the app.
    again = page_form_of(response)
    assert again["version"] == "2"
    assert client.post(url, {**again, field: "Fra admin"}).status_code == 302
    obj.refresh_from_db()
    assert (getattr(obj, field), obj.version) == ("Fra admin", 3)


def test_an_admin_edit_of_the_current_version_saves_and_counts_a_version(client, admin_user):
    project = ProjectFactory(title="Før")
    client.force_login(admin_user)
    url = admin_url(project, "change")
    assert client.post(url, page_form(client, url, having="version", title="Etter")).status_code == 302
    project.refresh_from_db()
    assert (project.title, project.version) == ("Etter", 2)


def page_form_of(response):
    from tests.htmlforms import form_data

    return form_data(response.content, "version")
