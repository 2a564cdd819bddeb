"""Every list and detail page makes the same number of queries for 1 row as for 30."""

import pytest
from django.urls import reverse

from projects.models import Document, LearningEntry, Result, SystemChange
from tests.factories import (
    CoordinatorFactory,
    DialogueFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProjectFactory,
    member_of,
)
from tests.querycount import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(client):
    client.force_login(CoordinatorFactory())
    return client


def make_projects(n, municipality, organisation):
    for _ in range(n):
        project = ProjectFactory()
        project.municipalities.add(municipality)
        PartnershipFactory(project=project, organisation=organisation)
        PartnershipFactory(project=project)
        DialogueFactory(project=project, municipality=municipality)


def budgets(client, build, url):
    """Queries at 1 row and at 30 rows (29 more added)."""
    build(1)
    one = count_queries(client, url() if callable(url) else url)
    build(29)
    thirty = count_queries(client, url() if callable(url) else url)
    return one, thirty


def test_project_list(coordinator_client):
    municipality, organisation = MunicipalityFactory(), OrganisationFactory()
    one, thirty = budgets(
        coordinator_client, lambda n: make_projects(n, municipality, organisation), reverse("projects:project_list")
    )
    assert one == thirty


def test_project_list_for_a_member(client):
    municipality, organisation = MunicipalityFactory(), OrganisationFactory()
    client.force_login(member_of(organisation))
    one, thirty = budgets(
        client, lambda n: make_projects(n, municipality, organisation), reverse("projects:project_list")
    )
    assert one == thirty


def test_project_detail(coordinator_client):
    project = ProjectFactory()
    coordinator = CoordinatorFactory(username="skribent")

    def build(n):
        for _ in range(n):
            PartnershipFactory(project=project)
            project.municipalities.add(MunicipalityFactory())
            DialogueFactory(project=project, municipality=MunicipalityFactory())
            for kind in ("done", "learned", "wise"):
                LearningEntry.objects.create(project=project, kind=kind, text="x", author=coordinator)
            Result.objects.create(project=project, description="r")
            SystemChange.objects.create(
                project=project, level="practice", description="s", adopted_by=OrganisationFactory()
            )
            Document.objects.create(project=project, title="d")

    one, thirty = budgets(coordinator_client, build, project.get_absolute_url())
    assert one == thirty


def test_organisation_list(coordinator_client):
    one, thirty = budgets(
        coordinator_client, lambda n: OrganisationFactory.create_batch(n), reverse("projects:organisation_list")
    )
    assert one == thirty


def test_organisation_detail(coordinator_client):
    organisation = OrganisationFactory()

    def build(n):
        for _ in range(n):
            partnership = PartnershipFactory(organisation=organisation)
            PartnershipFactory(project=partnership.project)
            DialogueFactory(project=partnership.project).facilitators.add(organisation)

    one, thirty = budgets(coordinator_client, build, organisation.get_absolute_url())
    assert one == thirty


def test_municipality_list(coordinator_client):
    one, thirty = budgets(
        coordinator_client, lambda n: MunicipalityFactory.create_batch(n), reverse("projects:municipality_list")
    )
    assert one == thirty


def test_municipality_detail(coordinator_client):
    municipality, organisation = MunicipalityFactory(), OrganisationFactory()
    one, thirty = budgets(
        coordinator_client, lambda n: make_projects(n, municipality, organisation), municipality.get_absolute_url()
    )
    assert one == thirty
