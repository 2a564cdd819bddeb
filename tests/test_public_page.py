"""A project's public results page (issue 11, part 6): opt-in, without login, and never a person, a draft or
anything not explicitly published. Markers are planted in every text field that must stay hidden."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects.models import LearningEntry, Project, Result, SystemChange, SystemChangeStep
from tests.factories import (
    AttendanceFactory,
    CoordinatorFactory,
    FeedbackFactory,
    FollowUpActionFactory,
    HeldDialogueFactory,
    InsightFactory,
    OrganisationFactory,
    OutcomeCommentFactory,
    OutcomeFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    ProposalFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

# Must never appear on the public page.
HIDDEN = [
    "Zqxperson",  # a participant's name
    "Zqxlogin",  # the author's login
    "Zqxauthor",  # the author's name
    "Zqxdraftsummary",  # a draft outcome's summary
    "Zqxdraftanswer",  # a draft outcome's framework answer
    "Zqxinsight",  # an insight (from a person)
    "Zqxfeedback",
    "Zqxcomment",
    "Zqxproposal",
    "Zqxaction",
    "Zqxprivateentry",  # a learning entry not marked public
    "Zqxstepnote",  # a note on a step, recorded by a person
    "Zqxgoals",  # goals and target groups are not part of what is published
    "Zqxemail@example.org",
]
# Must appear: what the coordinator published.
SHOWN = ["Publisert sammendrag", "Publisert utfall", "Et resultat", "Ny praksis", "Offentlig lærdom", "NAV Åpenby"]


@pytest.fixture
def project():
    partner = OrganisationFactory(name="NAV Åpenby")
    project = ProjectFactory(
        title="Åpent prosjekt", slug="apent", summary="Publisert sammendrag", goals="Zqxgoals", target_groups="Zqxgoals"
    )
    PartnershipFactory(project=project, organisation=partner, role="lead")
    author = UserFactory(username="Zqxlogin", first_name="Zqxauthor", email="Zqxemail@example.org")
    ParticipantFactory(user=author, display_name="Zqxauthor", organisation=partner)
    person = ParticipantFactory(display_name="Zqxperson", email="Zqxemail@example.org")
    published = HeldDialogueFactory(project=project, title="Dialogseminar i Åpenby")
    OutcomeFactory(dialogue=published, status="published", published_at=timezone.now(), summary="Publisert utfall")
    draft = HeldDialogueFactory(project=project, title="Utkastdialog")
    outcome = OutcomeFactory(dialogue=draft, summary="Zqxdraftsummary", framework_answer="Zqxdraftanswer")
    for dialogue in (published, draft):
        AttendanceFactory(dialogue=dialogue, participant=person)
        InsightFactory(dialogue=dialogue, participant=person, text="Zqxinsight")
        FeedbackFactory(dialogue=dialogue, participant=person, note="Zqxfeedback")
        ProposalFactory(dialogue=dialogue, text="Zqxproposal")
        FollowUpActionFactory(dialogue=dialogue, what="Zqxaction", responsible_participant=person)
        dialogue.facilitating_participants.add(person)
    OutcomeCommentFactory(outcome=outcome, participant=person, text="Zqxcomment")
    LearningEntry.objects.create(project=project, kind="learned", text="Offentlig lærdom", author=author, public=True)
    LearningEntry.objects.create(project=project, kind="wise", text="Zqxprivateentry", author=author)
    Result.objects.create(project=project, description="Et resultat", value=13, unit="av 14")
    change = SystemChange.objects.create(project=project, level="practice", description="Ny praksis")
    change.adoptions.create(organisation=partner, role="continued")
    SystemChangeStep.objects.create(
        change=change, status="proposed", date=datetime.date(2011, 1, 1), note="Zqxstepnote", recorded_by=author
    )
    return project


def publish(project):
    Project.objects.filter(pk=project.pk).update(published_at=timezone.now())


def public_url(project):
    return reverse("public_project", args=[project.slug])


def test_an_unpublished_project_has_no_public_page(project):
    assert Client().get(public_url(project)).status_code == 404


def test_a_published_project_is_read_without_login_and_shows_only_what_was_published(project):
    publish(project)
    response = Client().get(public_url(project))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert [text for text in HIDDEN if text.lower() in page.lower()] == []
    assert [text for text in SHOWN if text not in page] == []
    assert "Utkastdialog" not in page  # a dialogue whose outcome is a draft is not mentioned at all


def test_withdrawing_takes_the_page_down_at_once(client, project):
    publish(project)
    anonymous = Client()
    assert anonymous.get(public_url(project)).status_code == 200
    client.force_login(CoordinatorFactory())
    response = client.post(reverse("projects:project_withdraw", args=[project.slug]))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.published_at is None
    assert anonymous.get(public_url(project)).status_code == 404


def test_a_deleted_project_has_no_public_page(project):
    publish(project)
    Project.objects.filter(pk=project.pk).update(deleted_at=timezone.now())
    assert Client().get(public_url(project)).status_code == 404


def test_a_coordinator_publishes_after_confirming(client, project):
    client.force_login(CoordinatorFactory())
    url = reverse("projects:project_publish", args=[project.slug])
    refused = client.post(url, follow=True)
    assert "Bekreft" in refused.content.decode() or "Confirm" in refused.content.decode()
    project.refresh_from_db()
    assert project.published_at is None
    version = project.version
    client.post(url, {"confirm": "on"})
    project.refresh_from_db()
    assert project.published_at is not None and project.version == version + 1
    page = client.get(project.get_absolute_url()).content.decode()
    assert reverse("public_project", args=[project.slug]) in page
    assert reverse("projects:project_withdraw", args=[project.slug]) in page


def test_publishing_again_keeps_the_first_date(client, project):
    client.force_login(CoordinatorFactory())
    url = reverse("projects:project_publish", args=[project.slug])
    client.post(url, {"confirm": "on"})
    first = Project.objects.get(pk=project.pk).published_at
    client.post(url, {"confirm": "on"})
    assert Project.objects.get(pk=project.pk).published_at == first


def test_a_member_may_neither_publish_nor_mark_an_entry_public(client, project):
    member = member_of(project.partners.get(), username="apen-medlem")
    client.force_login(member)
    assert client.post(reverse("projects:project_publish", args=[project.slug]), {"confirm": "on"}).status_code == 403
    project.refresh_from_db()
    assert project.published_at is None
    form = client.get(reverse("projects:entry_create", args=[project.slug, "laering"])).content.decode()
    assert 'name="public"' not in form
    client.post(
        reverse("projects:entry_create", args=[project.slug, "laering"]),
        {"kind": "done", "text": "Medlemmets lærdom", "date_precision": "day", "public": "on"},
    )
    assert LearningEntry.objects.get(text="Medlemmets lærdom").public is False


def test_a_coordinator_marks_a_learning_entry_public(client, project):
    client.force_login(CoordinatorFactory())
    url = reverse("projects:entry_create", args=[project.slug, "laering"])
    assert 'name="public"' in client.get(url).content.decode()
    client.post(url, {"kind": "done", "text": "Koordinatorens lærdom", "date_precision": "day", "public": "on"})
    assert LearningEntry.objects.get(text="Koordinatorens lærdom").public is True


def test_publish_and_withdraw_answer_only_post(client, project):
    client.force_login(CoordinatorFactory())
    for name in ("projects:project_publish", "projects:project_withdraw"):
        assert client.get(reverse(name, args=[project.slug])).status_code == 405
    project.refresh_from_db()
    assert project.published_at is None
