"""The registry list and detail, the access log and "Min side" make as many queries for 1 row as for 30."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AccessLogFactory,
    AttendanceFactory,
    ConsentFactory,
    CoordinatorFactory,
    FeedbackFactory,
    FollowUpActionFactory,
    InsightFactory,
    InvitationFactory,
    OrganisationFactory,
    OutcomeCommentFactory,
    ParticipantFactory,
    UserFactory,
)
from tests.querycount import count_queries

pytestmark = pytest.mark.django_db


def withdrawn(person):
    """A withdrawn consent, recorded and withdrawn by two different users (one active consent per purpose only)."""
    return ConsentFactory(
        participant=person,
        purpose="quoting",
        recorded_by=CoordinatorFactory(),
        withdrawn_at=timezone.now(),
        withdrawn_by=UserFactory(),
    )


def budgets(client, build, url):
    build(1)
    one = count_queries(client, url)
    build(29)
    thirty = count_queries(client, url)
    return one, thirty


@pytest.fixture
def coordinator_client(client):
    client.force_login(CoordinatorFactory(username="budsjett"))
    return client


def test_registry_list(coordinator_client):
    def build(n):
        for _ in range(n):
            participant = ParticipantFactory(organisation=OrganisationFactory(), user=UserFactory())
            AttendanceFactory(participant=participant)

    one, thirty = budgets(coordinator_client, build, reverse("participants:participant_list"))
    assert one == thirty


def test_registry_detail(coordinator_client):
    person = ParticipantFactory(user=UserFactory(), organisation=OrganisationFactory(), email="a@example.org")
    ConsentFactory(participant=person, purpose="contact", recorded_by=CoordinatorFactory())  # the one active consent

    def build(n):
        for _ in range(n):
            AttendanceFactory(participant=person)
            InsightFactory(participant=person)
            FeedbackFactory(participant=person)
            OutcomeCommentFactory(participant=person)
            FollowUpActionFactory(responsible_participant=person)
            withdrawn(person)
            InvitationFactory(participant=person, created_by=CoordinatorFactory())
            AccessLogFactory(participant=person, actor=CoordinatorFactory())

    one, thirty = budgets(coordinator_client, build, reverse("participants:participant_detail", args=[person.pk]))
    assert one == thirty


def test_access_log(coordinator_client):
    def build(n):
        for _ in range(n):
            AccessLogFactory(participant=ParticipantFactory(), actor=CoordinatorFactory())

    one, thirty = budgets(coordinator_client, build, reverse("participants:access_log"))
    assert one == thirty


def test_my_page(client):
    person = ParticipantFactory(user=UserFactory())
    client.force_login(person.user)

    def build(n):
        for _ in range(n):
            withdrawn(person)
            InvitationFactory(participant=person, created_by=CoordinatorFactory())
            AccessLogFactory(participant=person, actor=CoordinatorFactory())

    one, thirty = budgets(client, build, reverse("participants:my_page"))
    assert one == thirty
