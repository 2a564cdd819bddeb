"""One naming policy everywhere (participants.personal_data.PersonalData): each finding of the privacy review,
with the behaviour that replaces it. The crawl over every address is tests/test_leaks.py."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dialogues.models import Attendance, FollowUpAction, Insight
from participants.models import ConsentPurpose
from projects.models import LearningEntry
from tests.conftest import english
from tests.factories import (
    AttendanceFactory,
    ConsentFactory,
    CoordinatorFactory,
    FollowUpActionFactory,
    HeldDialogueFactory,
    InsightFactory,
    MunicipalityFactory,
    OrganisationFactory,
    OutcomeFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    UserFactory,
    member_of,
)
from tests.htmlforms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    partner = OrganisationFactory(name="NAV Navneby")
    project = ProjectFactory(slug="navneby")
    PartnershipFactory(project=project, organisation=partner)
    held = HeldDialogueFactory(project=project)
    return {
        "partner": partner,
        "project": project,
        "held": held,
        "member": member_of(partner, username="medlem-navn"),
        "coordinator": CoordinatorFactory(username="koord-navn"),
    }


def client_for(user):
    client = english(Client())
    client.force_login(user)
    return client


def test_history_names_who_changed_a_row_only_to_coordinators(world):
    editor = UserFactory(username="redaktor@example.org")
    project = world["project"]
    project.summary = "Endret"
    project.save()
    project.history.filter(history_id=project.history.latest().history_id).update(history_user=editor)
    url = reverse("projects:project_history", args=[project.slug])
    assert "redaktor@example.org" in client_for(world["coordinator"]).get(url).content.decode()
    member_page = client_for(world["member"]).get(url)
    assert member_page.status_code == 200
    assert "redaktor@example.org" not in member_page.content.decode()


def test_a_member_sees_their_own_changes_as_theirs(world):
    project = world["project"]
    project.save()
    project.history.filter(history_id=project.history.latest().history_id).update(history_user=world["member"])
    page = client_for(world["member"]).get(reverse("projects:project_history", args=[project.slug]))
    assert page.context["page"].object_list[0].who == "you"


def test_the_learning_log_never_shows_a_login_and_names_only_with_consent(world):
    author = member_of(world["partner"], username="forfatter@example.org")
    author.participant.display_name = "Forfatter Fornavn"
    author.participant.save()
    LearningEntry.objects.create(project=world["project"], kind="done", text="Gjort noe", author=author)
    url = reverse("projects:project_detail", args=[world["project"].slug])
    html = client_for(world["member"]).get(url).content.decode()
    assert "forfatter@example.org" not in html and "Forfatter Fornavn" not in html
    ConsentFactory(participant=author.participant, purpose=ConsentPurpose.ATTENDANCE)
    html = client_for(world["member"]).get(url).content.decode()
    assert "Forfatter Fornavn" in html and "forfatter@example.org" not in html


def test_removing_an_attendance_the_member_may_not_see_named_is_not_found(world):
    hidden = AttendanceFactory(dialogue=world["held"], participant=ParticipantFactory(display_name="Skjult Person"))
    url = reverse("dialogues:attendance_remove", args=[world["held"].pk, hidden.pk])
    response = client_for(world["member"]).post(url, follow=True)
    assert response.status_code == 404
    assert "Skjult Person" not in response.content.decode()
    assert Attendance.objects.filter(pk=hidden.pk).exists()
    # A coordinator, who sees the name, removes it.
    assert client_for(world["coordinator"]).post(url).status_code == 302
    assert not Attendance.objects.filter(pk=hidden.pk).exists()


def withdrawn_quote(world):
    quoter = ParticipantFactory(display_name="Sitert")
    ConsentFactory(participant=quoter, purpose=ConsentPurpose.QUOTING, withdrawn_at=timezone.now())
    return InsightFactory(dialogue=world["held"], participant=quoter, text="Ordrett sitat som er trukket")


def test_the_outcome_editor_shows_a_withdrawn_quote_read_only_and_keeps_it(world):
    OutcomeFactory(dialogue=world["held"])
    insight = withdrawn_quote(world)
    client = client_for(world["member"])
    url = reverse("dialogues:outcome_edit", args=[world["held"].pk])
    page = client.get(url)
    html = page.content.decode()
    assert "Ordrett sitat" not in html and "(withdrawn consent to quoting)" in html
    data = form_data(page.content)
    data["insights-0-text"] = "Overskrevet av et medlem"  # a tampered form cannot change the wording either
    assert client.post(url, data).status_code == 302
    insight.refresh_from_db()
    assert insight.text == "Ordrett sitat som er trukket"
    assert "Ordrett sitat" in client_for(world["coordinator"]).get(url).content.decode()


def test_outcome_history_hides_every_wording_of_a_withdrawn_quote(world):
    insight = withdrawn_quote(world)
    insight.text = "Andre ordlyd"
    insight.save()
    url = reverse("dialogues:outcome_history", args=[world["held"].pk])
    html = client_for(world["member"]).get(url).content.decode()
    assert "Ordrett sitat" not in html and "Andre ordlyd" not in html and "(withdrawn consent to quoting)" in html
    assert "Andre ordlyd" in client_for(world["coordinator"]).get(url).content.decode()


def test_responsible_options_name_only_who_may_be_named_and_keep_working(world):
    named = ParticipantFactory(display_name="Navngitt Person", organisation=world["partner"])
    ConsentFactory(participant=named, purpose=ConsentPurpose.ATTENDANCE)
    withdrawn = ParticipantFactory(display_name="Trukket Person", organisation=world["partner"])
    consent = ConsentFactory(participant=withdrawn, purpose=ConsentPurpose.ATTENDANCE)
    action = FollowUpActionFactory(
        dialogue=world["held"], responsible_participant=withdrawn, responsible_organisation=None
    )
    consent.withdrawn_at = timezone.now()
    consent.save()
    client = client_for(world["member"])
    row = client.get(reverse("dialogues:outcome_row", args=["actions"]), {"dialogue": world["held"].pk, "index": 1})
    html = row.content.decode()
    assert "Navngitt Person" in html and "Trukket Person" not in html
    assert f'value="{withdrawn.pk}"' in html  # still offered, under a neutral label
    OutcomeFactory(dialogue=world["held"])
    url = reverse("dialogues:outcome_edit", args=[world["held"].pk])
    assert client.post(url, form_data(client.get(url).content)).status_code == 302
    assert FollowUpAction.objects.get(pk=action.pk).responsible_participant == withdrawn


def test_facilitator_options_never_keep_a_withdrawn_name(world):
    person = ParticipantFactory(display_name="Tilrettelegger Trukket", organisation=world["partner"])
    consent = ConsentFactory(participant=person, purpose=ConsentPurpose.ATTENDANCE)
    world["held"].facilitating_participants.add(person)
    consent.withdrawn_at = timezone.now()
    consent.save()
    client = client_for(world["member"])
    url = reverse("dialogues:dialogue_edit", args=[world["held"].pk])
    page = client.get(url)
    assert "Tilrettelegger Trukket" not in page.content.decode()
    assert client.post(url, form_data(page.content)).status_code == 302
    assert list(world["held"].facilitating_participants.all()) == [person]  # saving kept them


def test_links_are_in_the_history_and_restored(world):
    coordinator = client_for(world["coordinator"])
    project = world["project"]
    horten, larvik = MunicipalityFactory(name="Horten"), MunicipalityFactory(name="Larvik")
    edit = reverse("projects:project_edit", args=[project.slug])
    data = form_data(coordinator.get(edit).content)
    assert coordinator.post(edit, {**data, "municipalities": [horten.pk]}).status_code == 302
    data = form_data(coordinator.get(edit).content)
    assert coordinator.post(edit, {**data, "municipalities": [larvik.pk]}).status_code == 302
    page = coordinator.get(reverse("projects:project_history", args=[project.slug]))
    newest = page.context["page"].object_list[0]
    assert [(c.label, c.old, c.new) for c in newest.changes] == [("Municipalities", "Horten", "Larvik")]
    assert project.history.count() == 3  # one version per save, links included: no records of their own
    record = project.history.order_by("history_date")[1]  # the version with Horten
    restore = reverse("projects:project_restore", args=[project.slug, record.history_id])
    assert coordinator.post(restore, form_data(coordinator.get(restore).content)).status_code == 302
    assert list(project.municipalities.all()) == [horten]


def test_facilitating_people_in_history_are_named_as_the_policy_allows(world):
    person = ParticipantFactory(display_name="Uten Samtykke", organisation=world["partner"])
    client = client_for(world["coordinator"])
    edit = reverse("dialogues:dialogue_edit", args=[world["held"].pk])
    data = form_data(client.get(edit).content)
    world["held"].facilitating_participants.add(person)  # as an earlier form would have saved it
    assert client.post(edit, {**data, "version": world["held"].version}).status_code in (200, 302)
    url = reverse("dialogues:dialogue_history", args=[world["held"].pk])
    assert "Uten Samtykke" not in client_for(world["member"]).get(url).content.decode()


def test_an_insight_by_a_quoted_author_is_shown(world):
    quoted = ParticipantFactory(display_name="Sitert Med Samtykke")
    ConsentFactory(participant=quoted, purpose=ConsentPurpose.QUOTING)
    InsightFactory(dialogue=world["held"], participant=quoted, text="Dette kan siteres")
    assert Insight.objects.count() == 1
    url = reverse("dialogues:outcome_history", args=[world["held"].pk])
    assert "Dette kan siteres" in client_for(world["member"]).get(url).content.decode()
