"""A participant's own contributions to a dialogue they attended: insight, feedback, a comment on the draft."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from dialogues import services
from dialogues.models import Feedback, Insight, OutcomeComment
from tests.dialogues.outcome_world import as_role, make_world
from tests.factories import AttendanceFactory, OutcomeFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_language_afterwards():
    """The locale middleware leaves the last request's language (English here) active in the thread."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world():
    world = make_world()
    world["attendee"] = UserFactory(username="deltaker")
    world["me"] = ParticipantFactory(user=world["attendee"], perspective="researcher")
    world["attendance"] = AttendanceFactory(
        dialogue=world["dialogue"], participant=world["me"], perspective="lived_experience"
    )
    world["outcome"] = OutcomeFactory(dialogue=world["dialogue"])
    return world


def url(world, name):
    return reverse(f"dialogues:{name}", args=[world["dialogue"].pk])


def test_the_insight_defaults_to_the_perspective_brought_and_is_linked_to_the_person(client, world):
    response = as_role(client, world, "attendee").post(url(world, "add_insight"), {"insight-text": "Bolig først"})
    assert response.status_code == 302 and response["Location"].endswith("#contribute")
    insight = Insight.objects.get()
    assert (insight.participant, insight.perspective, insight.text) == (world["me"], "lived_experience", "Bolig først")


def test_the_participant_may_choose_another_insight_perspective(client, world):
    as_role(client, world, "attendee").post(
        url(world, "add_insight"), {"insight-text": "Sammen", "insight-perspective": "joint"}
    )
    assert Insight.objects.get().perspective == "joint"


def test_an_empty_insight_saves_nothing_and_says_why(client, world):
    response = as_role(client, world, "attendee").post(url(world, "add_insight"), {"insight-text": ""}, follow=True)
    assert Insight.objects.count() == 0
    assert "Nothing was saved" in response.content.decode()


def test_get_changes_nothing(client, world):
    for name in ("add_insight", "add_feedback", "comment_outcome"):
        assert as_role(client, world, "attendee").get(url(world, name)).status_code == 405
    assert not (Insight.objects.exists() or Feedback.objects.exists() or OutcomeComment.objects.exists())


def test_feedback_once_per_person_the_second_replaces_the_first(client, world):
    as_role(client, world, "attendee")
    client.post(url(world, "add_feedback"), {"feedback-note": "Bra", "feedback-rating": "3"})
    client.post(url(world, "add_feedback"), {"feedback-note": "Veldig bra", "feedback-rating": "5"})
    feedback = Feedback.objects.get()
    assert (feedback.note, feedback.rating, feedback.perspective, feedback.participant) == (
        "Veldig bra",
        5,
        "lived_experience",
        world["me"],
    )
    response = client.post(url(world, "add_feedback"), {"feedback-note": "", "feedback-rating": ""}, follow=True)
    assert "Write your feedback, give a rating, or both." in response.content.decode()


def test_one_confirmation_per_person_comments_as_many_as_needed(client, world):
    as_role(client, world, "attendee")
    client.post(url(world, "comment_outcome"), {"comment-confirmed": "on"})
    response = client.post(url(world, "comment_outcome"), {"comment-confirmed": "on"}, follow=True)
    assert "You have already confirmed this summary." in response.content.decode()
    client.post(url(world, "comment_outcome"), {"comment-text": "Husk boligen"})
    assert list(OutcomeComment.objects.values_list("confirmed", "text")) == [(True, ""), (False, "Husk boligen")]
    response = client.post(url(world, "comment_outcome"), {}, follow=True)
    assert "Confirm the summary, write a comment, or both." in response.content.decode()
    assert OutcomeComment.objects.count() == 2


def test_a_published_outcome_is_closed_for_comments(client, world):
    world["outcome"].status = "published"
    world["outcome"].save()
    response = as_role(client, world, "attendee").post(url(world, "comment_outcome"), {"comment-confirmed": "on"})
    assert response.status_code == 403
    with pytest.raises(services.OutcomeNotDraft):
        services.comment_on_outcome(outcome=world["outcome"], participant=world["me"], confirmed=True, text="")
    assert not OutcomeComment.objects.exists()


def test_the_dialogue_page_offers_the_forms_only_to_the_attendee(client, world):
    html = as_role(client, world, "attendee").get(world["dialogue"].get_absolute_url()).content.decode()
    for name in ("add_insight", "add_feedback", "comment_outcome"):
        assert url(world, name) in html
    client.logout()
    html = as_role(client, world, "member").get(world["dialogue"].get_absolute_url()).content.decode()
    for name in ("add_insight", "add_feedback", "comment_outcome"):
        assert url(world, name) not in html


def test_insight_perspective_for_every_perspective():
    assert services.insight_perspective_for("lived_experience") == "lived_experience"
    assert services.insight_perspective_for("staff") == "staff"
    assert services.insight_perspective_for("politician") == "other"


@pytest.mark.parametrize("role", ["superuser", "coordinator", "member"])
def test_a_non_attendee_is_not_offered_the_forms_and_posting_them_saves_nothing(client, world, role):
    world["superuser"] = UserFactory(username="admin-test", is_staff=True, is_superuser=True)
    html = as_role(client, world, role).get(world["dialogue"].get_absolute_url()).content.decode()
    assert url(world, "add_insight") not in html and url(world, "add_feedback") not in html
    insight = client.post(url(world, "add_insight"), {"insight-text": "Ikke min"})
    feedback = client.post(url(world, "add_feedback"), {"feedback-note": "Ikke min", "feedback-rating": "3"})
    assert insight.status_code in (403, 404) and feedback.status_code in (403, 404)
    assert not Insight.objects.exists() and not Feedback.objects.exists()


def test_an_attendance_gone_between_the_check_and_the_save_answers_404(rf, world):
    """The permission passed, but the attendance is no longer there when the view looks it up."""
    from django.http import Http404

    from dialogues.views.contributions import own_attendance

    world["attendance"].delete()
    with pytest.raises(Http404):
        own_attendance(world["attendee"], world["dialogue"])
