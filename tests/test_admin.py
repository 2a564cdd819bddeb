"""The Django admin: its permissions are its own, deleting keeps what may come back, anonymised records stay
anonymous, and an edit opened on an old version is refused."""

import pytest
from django.urls import reverse

from participants.models import Participant
from projects.models import Organisation, Project
from tests.factories import CoordinatorFactory, OrganisationFactory, ParticipantFactory, ProjectFactory

pytestmark = pytest.mark.django_db


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
    for obj, data in [(project, {"title": "Endret"}), (participant, {"display_name": "Endret"}), (organisation, {"name": "Endret"})]:
        assert client.get(admin_url(obj, view)).status_code == 403
        assert client.post(admin_url(obj, view), {**data, "post": "yes"}).status_code == 403
    assert Project.objects.get().title == "Prosjekt"
    assert Participant.objects.get().display_name == "Kari"
    assert Organisation.objects.get().name == "NAV"
    assert Project.objects.get().deleted_at is None
