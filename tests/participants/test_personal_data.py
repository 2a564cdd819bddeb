"""Personal data of others: names only for coordinators, and for the project's members with consent.

Everyone else sees counts. Insights show the perspective, never the author; an insight whose author withdrew
their consent to quoting is not shown verbatim to anyone but coordinators and the author."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from dialogues.models import Attendance
from participants.models import Participant
from participants.personal_data import PersonalData, with_name_consents
from tests.dialogues.outcome_world import make_world
from tests.factories import (
    AttendanceFactory,
    ConsentFactory,
    FollowUpActionFactory,
    InsightFactory,
    OutcomeCommentFactory,
    OutcomeFactory,
    ParticipantFactory,
    UserFactory,
)
from tests.querycount import assert_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = make_world()
    dialogue = world["dialogue"]
    world["consenting"] = ParticipantFactory(display_name="Synlig Samtykke")
    ConsentFactory(participant=world["consenting"], purpose="attendance")
    world["private"] = ParticipantFactory(display_name="Skjult Uten")
    world["attendee_user"] = UserFactory(username="deltaker")
    world["attendee"] = ParticipantFactory(display_name="Meg Selv", user=world["attendee_user"])
    for person in (world["consenting"], world["private"], world["attendee"]):
        AttendanceFactory(dialogue=dialogue, participant=person)
    return world


def page_for(client, world, role, url=None):
    client.force_login(world[role])
    return client.get(url or world["dialogue"].get_absolute_url()).content.decode()


def test_coordinator_sees_every_attendee_name(client, world):
    html = page_for(client, world, "coordinator")
    assert "Synlig Samtykke" in html and "Skjult Uten" in html and "Meg Selv" in html


def test_member_sees_only_the_names_of_those_who_consented(client, world):
    html = page_for(client, world, "member")
    assert "Synlig Samtykke" in html
    assert "Skjult Uten" not in html and "Meg Selv" not in html
    assert "2 people registered by name are not named here" in html


def test_participant_sees_their_own_name_and_counts(client, world):
    html = page_for(client, world, "attendee_user")
    assert "Meg Selv" in html
    assert "Synlig Samtykke" not in html and "Skjult Uten" not in html  # not a member: consent is for members
    assert "Attendance by perspective" in html


def test_attendance_page_names_only_consenting_attendees_and_registration_still_works(client, world):
    url = reverse("dialogues:attendance", args=[world["dialogue"].pk])
    html = page_for(client, world, "member", url)
    assert "Synlig Samtykke" in html and "Skjult Uten" not in html
    assert "2 more people are registered by name but not named here" in html
    response = client.post(url, {"action": "quick_add", "new-display_name": "Ny Person", "new-perspective": "staff"})
    assert response.status_code == 302
    assert Attendance.objects.filter(dialogue=world["dialogue"], participant__display_name="Ny Person").exists()


def test_facilitating_people_and_responsible_people_are_named_only_with_consent(client, world):
    dialogue = world["dialogue"]
    dialogue.facilitating_participants.add(world["consenting"], world["private"])
    FollowUpActionFactory(
        dialogue=dialogue, what="Ring NAV", responsible_participant=world["private"], responsible_organisation=None
    )
    FollowUpActionFactory(dialogue=dialogue, what="Skriv notat", responsible_participant=world["consenting"])
    for url in (dialogue.get_absolute_url(), reverse("dialogues:action_overview"), world["project"].get_absolute_url()):
        html = page_for(client, world, "member", url)
        assert "Skjult Uten" not in html, url
        assert "Synlig Samtykke" in html, url
        assert "a named person" in html, url
    html = page_for(client, world, "member")
    assert "1 facilitating person, not named here" in html
    html = page_for(client, world, "coordinator", reverse("dialogues:action_overview"))
    assert "Skjult Uten" in html


def test_marking_done_by_htmx_keeps_the_name_hidden(client, world):
    action = FollowUpActionFactory(dialogue=world["dialogue"], responsible_participant=world["private"])
    client.force_login(world["member"])
    response = client.post(reverse("dialogues:action_done", args=[action.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Skjult Uten" not in response.content.decode()


def withdraw(consent):
    consent.withdrawn_at = timezone.now()
    consent.save()


def test_an_insight_is_not_quoted_once_its_author_withdrew_consent_to_quoting(client, world):
    consent = ConsentFactory(participant=world["attendee"], purpose="quoting")
    InsightFactory(dialogue=world["dialogue"], participant=world["attendee"], text="Mitt sitat")
    InsightFactory(dialogue=world["dialogue"], participant=world["private"], text="Aldri spurt")
    InsightFactory(dialogue=world["dialogue"], participant=None, text="Felles innsikt")
    assert "Mitt sitat" in page_for(client, world, "member")
    withdraw(consent)
    html = page_for(client, world, "member")
    assert "Mitt sitat" not in html and "(withdrawn consent to quoting)" in html
    assert "Aldri spurt" in html and "Felles innsikt" in html  # no withdrawal: shown
    assert "Mitt sitat" in page_for(client, world, "coordinator")
    assert "Mitt sitat" in page_for(client, world, "attendee_user")  # the author
    ConsentFactory(participant=world["attendee"], purpose="quoting")  # given again
    assert "Mitt sitat" in page_for(client, world, "member")


def test_comments_on_a_draft_are_listed_for_those_who_may_change_the_dialogue(client, world):
    outcome = OutcomeFactory(dialogue=world["dialogue"])
    OutcomeCommentFactory(outcome=outcome, participant=world["private"], text="Mangler noe", confirmed=False)
    OutcomeCommentFactory(outcome=outcome, participant=world["consenting"], text="", confirmed=True)
    html = page_for(client, world, "member")
    assert "Mangler noe" in html and "Confirmed the summary" in html
    assert "Skjult Uten" not in html and "A participant" in html
    assert "Mangler noe" not in page_for(client, world, "attendee_user")
    assert "Skjult Uten" in page_for(client, world, "coordinator")


def test_personal_data_without_prefetch_and_for_no_one(world):
    member = PersonalData(world["member"])
    assert member.shows_name(world["consenting"], world["project"].pk)  # asks has_consent itself
    assert not member.shows_name(world["private"], world["project"].pk)
    assert not member.shows_name(None, world["project"].pk)
    assert not member.shows_name(world["consenting"], project_id=-1)  # not the member's project
    world["consenting"].anonymised_at = timezone.now()
    assert not member.shows_name(world["consenting"], world["project"].pk)
    from django.contrib.auth.models import AnonymousUser

    nobody = PersonalData(AnonymousUser())
    assert not nobody.shows_name(world["private"], world["project"].pk)
    assert nobody.shows_quote(None)
    withdrawn = ConsentFactory(participant=world["private"], purpose="quoting")
    withdraw(withdrawn)
    assert not nobody.shows_quote(world["private"])
    assert PersonalData(world["coordinator"]).shows_quote(world["private"])
    prefetched = world["dialogue"].attendances.prefetch_related(with_name_consents("participant"))
    names = {a.participant.display_name for a in prefetched if member.shows_name(a.participant, world["project"].pk)}
    assert names == {"Synlig Samtykke"}


def test_quotable_selects_exactly_the_insights_shows_quote_allows(world):
    """The search's filter (one query) and the pages' check (per insight) agree, for every reader."""
    from django.contrib.auth.models import AnonymousUser

    from dialogues.models import Insight

    dialogue = world["dialogue"]
    InsightFactory(dialogue=dialogue, participant=None, text="Uten forfatter")
    InsightFactory(dialogue=dialogue, participant=world["consenting"], text="Aldri spurt")
    InsightFactory(dialogue=dialogue, participant=world["private"], text="Trukket")
    withdraw(ConsentFactory(participant=world["private"], purpose="quoting"))
    InsightFactory(dialogue=dialogue, participant=world["attendee"], text="Egen, trukket")
    withdraw(ConsentFactory(participant=world["attendee"], purpose="quoting"))
    given_again = ParticipantFactory()
    InsightFactory(dialogue=dialogue, participant=given_again, text="Gitt igjen")
    withdraw(ConsentFactory(participant=given_again, purpose="quoting"))
    ConsentFactory(participant=given_again, purpose="quoting")
    insights = Insight.objects.filter(dialogue=dialogue).select_related("participant")
    found = {}
    for reader in ("anonymous", "member", "attendee_user", "coordinator"):
        people = PersonalData(AnonymousUser() if reader == "anonymous" else world[reader])
        found[reader] = set(insights.filter(people.quotable("participant")).values_list("text", flat=True))
        assert found[reader] == {i.text for i in insights if people.shows_quote(i.participant)}, reader
    assert "Trukket" not in found["member"] and "Egen, trukket" not in found["member"]
    assert found["attendee_user"] - found["member"] == {"Egen, trukket"}
    assert {"Trukket", "Gitt igjen", "Uten forfatter"} <= found["coordinator"]


def test_dialogue_page_query_budget_is_the_same_for_1_and_30_people(client, world):
    """Consent checks are prefetched: no query per attendee, insight, action or comment."""
    dialogue = world["dialogue"]
    outcome = OutcomeFactory(dialogue=dialogue)

    def build(n):
        for _ in range(n):
            person = ParticipantFactory()
            ConsentFactory(participant=person, purpose="attendance")
            ConsentFactory(participant=person, purpose="quoting")
            AttendanceFactory(dialogue=dialogue, participant=person)
            dialogue.facilitating_participants.add(person)
            InsightFactory(dialogue=dialogue, participant=person)
            FollowUpActionFactory(dialogue=dialogue, responsible_participant=person)
            OutcomeCommentFactory(outcome=outcome, participant=person)

    assert_budget(
        client, dialogue.get_absolute_url(), build, 30, user=world["member"]
    )  # its files (issue 15); stored voice counts, the visibility scope (16)


@translation.override("en")
def test_accounts_are_named_to_coordinators_and_otherwise_by_role(world):
    coordinator, member = world["coordinator"], world["member"]
    assert PersonalData(coordinator).user_label(member) == member.get_username()
    assert PersonalData(member).user_label(member) == "you"
    assert PersonalData(member).user_label(coordinator) == "a coordinator"
    assert PersonalData(member).user_label(UserFactory()) == ""
    assert PersonalData(member).user_label(None) == ""
    assert PersonalData(member).author_label(None, None) == ""
    assert PersonalData(member).object_label(UserFactory(), None) == "another user"
    assert PersonalData(member).object_label(world["project"], None) == str(world["project"])


def test_a_person_field_without_a_policy_names_no_one(world):
    from participants.personal_data import PersonChoiceField

    field = PersonChoiceField(queryset=Participant.objects.all())
    assert world["private"].display_name not in [label for _value, label in field.choices]


def test_quotes_are_hidden_from_members_only_where_the_author_withdrew(world):
    withdrawn, never_asked, given = ParticipantFactory(), ParticipantFactory(), ParticipantFactory()
    ConsentFactory(participant=withdrawn, purpose="quoting", withdrawn_at=timezone.now())
    ConsentFactory(participant=given, purpose="quoting")
    ids = [withdrawn.pk, never_asked.pk, given.pk, None]
    assert PersonalData(world["member"]).hidden_quote_authors(ids) == {withdrawn.pk}
    assert PersonalData(world["coordinator"]).hidden_quote_authors(ids) == frozenset()
    assert PersonalData(world["member"]).hidden_quote_authors([None]) == frozenset()


def test_a_learning_entry_author_is_named_by_their_participant_name_only_with_consent(world):
    member, project = world["member"], world["project"]
    consenting_user, private_user, no_record = (
        UserFactory(username="samtykke@example.org"),
        UserFactory(username="skjult@example.org"),
        UserFactory(username="uten-post@example.org"),
    )
    world["consenting"].user = consenting_user
    world["consenting"].save()
    world["private"].user = private_user
    world["private"].save()
    people = PersonalData(member)
    assert people.author_label(consenting_user, project.pk) == "Synlig Samtykke"
    assert people.author_label(private_user, project.pk) == ""
    assert people.author_label(no_record, project.pk) == ""
    assert people.author_label(member, project.pk) == (member.get_full_name() or member.get_username())
