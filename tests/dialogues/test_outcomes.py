"""Registering the outcome of a dialogue: one form with five lists, drafts, publishing and history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogues.models import (
    DialogueStatus,
    DocumentationLink,
    Feedback,
    FollowUpAction,
    Insight,
    Outcome,
    OutcomeStatus,
    Proposal,
)
from projects.models import SystemChange
from tests.dialogues.outcome_world import ROLES, as_role, is_login_redirect, make_world
from tests.factories import (
    DocumentationLinkFactory,
    FeedbackFactory,
    FollowUpActionFactory,
    InsightFactory,
    OrganisationFactory,
    OutcomeFactory,
    ParticipantFactory,
    ProposalFactory,
)
from tests.querycount import assert_budget

pytestmark = pytest.mark.django_db

PREFIXES = ["insights", "proposals", "actions", "links", "feedback"]
ROW_MODELS = [Insight, Proposal, FollowUpAction, DocumentationLink, Feedback]


@pytest.fixture
def world():
    return make_world()


def page(dialogue):
    return reverse("dialogues:outcome_edit", args=[dialogue.pk])


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def outcome_post(dialogue, button="save", start=None, end=None, **lists):
    """The outcome form as a browser sends it. `lists` maps a prefix to its rows (dicts; an "id" makes it an old row)."""
    data = {
        "actual_start": local(start or dialogue.starts_at),
        "actual_end": local(end or dialogue.ends_at),
        "summary": "Vi lærte av hverandre.",
        "framework_answer": "Veilederen bør endres.",
        button: "1",
        # The version the form was opened on (kremlib.versioning): the one saved now, as a browser would send it.
        "version": str(Outcome.objects.filter(dialogue=dialogue).values_list("version", flat=True).first() or 1),
    }
    for prefix in PREFIXES:
        rows = lists.get(prefix, [])
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(sum(1 for row in rows if "id" in row))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for index, row in enumerate(rows):
            for name, value in row.items():
                data[f"{prefix}-{index}-{name}"] = value
    return data


def full_post(world, button="save"):
    """One row of every list."""
    return outcome_post(
        world["dialogue"],
        button,
        insights=[{"text": "Brukerne vet hva som virker.", "perspective": "lived_experience"}],
        proposals=[{"text": "Felles veiledningsmøter.", "level": "practice"}],
        actions=[
            {
                "what": "Skriv læringsnotat",
                "responsible_organisation": world["partner"].pk,
                "responsible_participant": "",
                "due_date": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
                "status": "open",
            }
        ],
        links=[{"title": "Læringsnotat", "url": "https://example.org/notat"}],
        feedback=[{"perspective": "staff", "note": "Nyttig dag.", "rating": "4"}],
    )


def row_counts():
    return [model.objects.count() for model in ROW_MODELS]


def html_of(response):
    return response.content.decode()


# Who may do what

GET_EXPECTED = {"anonymous": "login", "outsider": 404, "member": 200, "coordinator": 200}


@pytest.mark.parametrize("role", ROLES)
def test_outcome_page_permission_matrix(client, world, role):
    response = as_role(client, world, role).get(page(world["dialogue"]))
    if GET_EXPECTED[role] == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == GET_EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
def test_saving_an_outcome_permission_matrix(client, world, role):
    response = as_role(client, world, role).post(page(world["dialogue"]), full_post(world))
    if role == "anonymous":
        assert is_login_redirect(response)
    elif role == "outsider":
        assert response.status_code == 404
    else:
        assert response.status_code == 302 and response["Location"] == page(world["dialogue"])
        assert Outcome.objects.filter(dialogue=world["dialogue"]).exists()
        assert row_counts() == [1, 1, 1, 1, 1]
        return
    assert not Outcome.objects.exists()
    assert row_counts() == [0, 0, 0, 0, 0]


@pytest.mark.parametrize("role", ROLES)
def test_outcome_row_permission_matrix(client, world, role):
    url = reverse("dialogues:outcome_row", args=["insights"])
    response = as_role(client, world, role).get(url, {"dialogue": world["dialogue"].pk, "index": "3"})
    if GET_EXPECTED[role] == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == GET_EXPECTED[role]
    if response.status_code == 200:
        assert 'name="insights-3-text"' in html_of(response)
        assert "Insight 4" in html_of(response)


def test_outcome_row_of_an_unknown_list_is_404(client, world):
    as_role(client, world, "coordinator")
    url = reverse("dialogues:outcome_row", args=["passwords"])
    assert client.get(url, {"dialogue": world["dialogue"].pk}).status_code == 404
    assert client.get(reverse("dialogues:outcome_row", args=["insights"])).status_code == 404  # no dialogue given


def test_outcome_row_is_always_a_new_row_even_for_a_low_index(client, world):
    InsightFactory(dialogue=world["dialogue"], text="Eksisterende innsikt")
    url = reverse("dialogues:outcome_row", args=["insights"])
    response = as_role(client, world, "member").get(url, {"dialogue": world["dialogue"].pk, "index": "0"})
    assert "Eksisterende innsikt" not in html_of(response)


def test_action_row_offers_the_projects_organisations_not_others(client, world):
    elsewhere = OrganisationFactory(name="Helt annen etat")
    url = reverse("dialogues:outcome_row", args=["actions"])
    html = html_of(as_role(client, world, "member").get(url, {"dialogue": world["dialogue"].pk, "index": "1"}))
    assert "NAV Partnerby" in html
    assert elsewhere.name not in html


# Saving


def test_save_draft_saves_everything_and_marks_the_dialogue_held(client, world):
    dialogue = world["dialogue"]
    dialogue.status = DialogueStatus.PLANNED
    dialogue.save()
    response = as_role(client, world, "member").post(page(dialogue), full_post(world))
    assert response.status_code == 302
    outcome = Outcome.objects.get(dialogue=dialogue)
    assert (outcome.status, outcome.published_at) == (OutcomeStatus.DRAFT, None)
    assert outcome.framework_answer == "Veilederen bør endres."
    assert outcome.actual_start == dialogue.starts_at.replace(second=0, microsecond=0)
    dialogue.refresh_from_db()
    assert dialogue.status == DialogueStatus.HELD
    assert Insight.objects.get().perspective == "lived_experience"
    assert FollowUpAction.objects.get().responsible_organisation == world["partner"]
    assert Feedback.objects.get().rating == 4


def test_publish_publishes_and_later_edits_are_kept_in_history(client, world):
    as_role(client, world, "member")
    dialogue = world["dialogue"]
    client.post(page(dialogue), full_post(world, button="publish"))
    outcome = Outcome.objects.get()
    assert outcome.status == OutcomeStatus.PUBLISHED and outcome.published_at is not None
    published_at = outcome.published_at

    as_role(client, world, "coordinator")
    data = outcome_post(dialogue, "save")
    data["summary"] = "Rettet oppsummering."
    client.post(page(dialogue), data)
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.PUBLISHED  # a published outcome stays published
    assert outcome.published_at == published_at
    assert outcome.summary == "Rettet oppsummering."
    history = list(outcome.history.order_by("history_date"))
    assert [entry.history_user for entry in history] == [world["member"], world["coordinator"]]
    assert history[0].summary == "Vi lærte av hverandre."

    html = html_of(client.get(page(dialogue)))
    assert "Published" in html and "Change history" in html
    assert "medlem" in html and "koord" in html
    assert 'name="publish"' not in html  # one "save changes" button once published


def test_draft_page_offers_save_draft_and_publish(client, world):
    html = html_of(as_role(client, world, "member").get(page(world["dialogue"])))
    assert 'name="save"' in html and 'name="publish"' in html


def test_new_outcome_defaults_to_the_planned_times(client, world):
    form = as_role(client, world, "member").get(page(world["dialogue"])).context["form"]
    assert form.initial["actual_start"] == world["dialogue"].starts_at
    assert form.initial["actual_end"] == world["dialogue"].ends_at


def test_get_changes_nothing(client, world):
    outcome = OutcomeFactory(dialogue=world["dialogue"])
    InsightFactory(dialogue=world["dialogue"])
    before = (list(Outcome.objects.values()), row_counts(), outcome.history.count())
    as_role(client, world, "member").get(page(world["dialogue"]), full_post(world, button="publish"))
    assert (list(Outcome.objects.values()), row_counts(), outcome.history.count()) == before


def test_an_untouched_extra_row_is_ignored(client, world):
    data = full_post(world)
    data.update({"insights-TOTAL_FORMS": "2", "insights-1-text": "", "insights-1-perspective": ""})
    data.update({"actions-TOTAL_FORMS": "2", "actions-1-what": "", "actions-1-status": "open"})
    assert as_role(client, world, "member").post(page(world["dialogue"]), data).status_code == 302
    assert row_counts() == [1, 1, 1, 1, 1]


def test_existing_rows_are_updated_and_removed(client, world):
    dialogue = world["dialogue"]
    OutcomeFactory(dialogue=dialogue)
    keep, drop = InsightFactory(dialogue=dialogue, text="Gammel"), InsightFactory(dialogue=dialogue, text="Borte")
    data = outcome_post(
        dialogue,
        insights=[
            {"id": keep.pk, "text": "Ny tekst", "perspective": "joint"},
            {"id": drop.pk, "text": "Borte", "perspective": "lived_experience", "DELETE": "on"},
        ],
    )
    assert as_role(client, world, "member").post(page(dialogue), data).status_code == 302
    assert list(Insight.objects.values_list("text", "perspective")) == [("Ny tekst", "joint")]


# Bad input changes nothing and says why


def assert_nothing_saved(response, message):
    assert response.status_code == 200
    html = html_of(response)
    assert "Nothing was saved. Please correct the following:" in html
    assert message in html
    assert "Vi lærte av hverandre." in html  # what was typed is kept
    assert not Outcome.objects.exists()
    assert row_counts() == [0, 0, 0, 0, 0]


def test_end_before_start_saves_nothing(client, world):
    dialogue = world["dialogue"]
    data = full_post(world)
    data["actual_end"] = local(dialogue.starts_at - datetime.timedelta(hours=1))
    assert_nothing_saved(
        as_role(client, world, "member").post(page(dialogue), data), "The end must be after the start."
    )


def test_held_in_the_future_saves_nothing(client, world):
    dialogue = world["dialogue"]
    data = full_post(world)
    data["actual_start"] = local(timezone.now() + datetime.timedelta(days=3))
    data["actual_end"] = local(timezone.now() + datetime.timedelta(days=3, hours=2))
    response = as_role(client, world, "member").post(page(dialogue), data)
    assert_nothing_saved(response, "A dialogue cannot have been held in the future.")


def test_due_date_before_the_dialogue_saves_nothing(client, world):
    data = full_post(world)
    data["actions-0-due_date"] = (
        timezone.localdate(world["dialogue"].starts_at) - datetime.timedelta(days=1)
    ).isoformat()
    response = as_role(client, world, "member").post(page(world["dialogue"]), data)
    assert_nothing_saved(response, "The due date cannot be before the dialogue.")


def test_insight_with_a_perspective_but_no_text_is_an_error(client, world):
    data = full_post(world)
    data.update({"insights-TOTAL_FORMS": "2", "insights-1-text": "", "insights-1-perspective": "staff"})
    response = as_role(client, world, "member").post(page(world["dialogue"]), data)
    assert_nothing_saved(response, "Write the insight or remove the row.")
    assert 'href="#id_insights-1-text"' in html_of(response)


def test_a_row_marked_for_removal_is_not_an_error(client, world):
    data = full_post(world)
    data.update({"insights-TOTAL_FORMS": "2", "insights-1-perspective": "staff", "insights-1-DELETE": "on"})
    assert as_role(client, world, "member").post(page(world["dialogue"]), data).status_code == 302
    assert Insight.objects.count() == 1


def test_action_needs_someone_responsible(client, world):
    data = full_post(world)
    data["actions-0-responsible_organisation"] = ""
    response = as_role(client, world, "member").post(page(world["dialogue"]), data)
    assert_nothing_saved(response, "Name the organisation or the person who answers for the action.")


def test_action_responsible_may_be_a_person_of_the_project(client, world):
    from tests.factories import ConsentFactory

    person = ParticipantFactory(display_name="Kari", organisation=world["partner"])
    ConsentFactory(participant=person, purpose="attendance")
    data = full_post(world)
    data.update({"actions-0-responsible_organisation": "", "actions-0-responsible_participant": person.pk})
    assert as_role(client, world, "member").post(page(world["dialogue"]), data).status_code == 302
    assert FollowUpAction.objects.get().responsible_participant == person


def test_a_person_who_has_not_consented_to_being_named_cannot_be_made_responsible(client, world):
    person = ParticipantFactory(display_name="Uten samtykke", organisation=world["partner"])
    data = full_post(world)
    data.update({"actions-0-responsible_organisation": "", "actions-0-responsible_participant": person.pk})
    response = as_role(client, world, "member").post(page(world["dialogue"]), data)
    assert response.status_code == 200
    assert not FollowUpAction.objects.exists()
    assert "Uten samtykke" not in response.content.decode()


def test_rating_outside_1_to_5_saves_nothing(client, world):
    data = full_post(world)
    data["feedback-0-rating"] = "6"
    response = as_role(client, world, "member").post(page(world["dialogue"]), data)
    assert response.status_code == 200
    assert not Outcome.objects.exists() and not Feedback.objects.exists()


# Adding rows without JavaScript


def test_add_row_without_javascript_keeps_input_and_saves_nothing(client, world):
    data = full_post(world)
    del data["save"]
    data["add_row"] = "insights"
    response = as_role(client, world, "member").post(page(world["dialogue"]), data)
    assert response.status_code == 200
    formsets = {formset.prefix: formset for formset in response.context["formsets"]}
    assert formsets["insights"].total_form_count() == 2
    assert formsets["proposals"].total_form_count() == 1
    html = html_of(response)
    assert "Brukerne vet hva som virker." in html and 'name="insights-1-text"' in html
    assert "Nothing was saved" not in html  # adding a row is not an error
    assert not Outcome.objects.exists()
    assert row_counts() == [0, 0, 0, 0, 0]


# Sending the same form twice


def test_sending_the_first_save_twice_creates_no_duplicates(client, world):
    as_role(client, world, "member")
    data = full_post(world)
    assert client.post(page(world["dialogue"]), data).status_code == 302
    assert client.post(page(world["dialogue"]), data).status_code == 302
    assert Outcome.objects.count() == 1
    assert row_counts() == [1, 1, 1, 1, 1]


def test_sending_a_new_row_twice_on_an_existing_outcome_adds_it_once(client, world):
    dialogue = world["dialogue"]
    OutcomeFactory(dialogue=dialogue)
    old = InsightFactory(dialogue=dialogue, text="Gammel")
    data = outcome_post(
        dialogue,
        insights=[
            {"id": old.pk, "text": "Gammel", "perspective": "lived_experience"},
            {"text": "Ny innsikt", "perspective": "staff"},
        ],
    )
    as_role(client, world, "member")
    client.post(page(dialogue), data)
    client.post(page(dialogue), data)
    assert sorted(Insight.objects.values_list("text", flat=True)) == ["Gammel", "Ny innsikt"]


def test_equal_feedback_typed_on_purpose_counts_twice(client, world):
    """Only rows saved after the form was loaded are matched; a row the form showed is never a duplicate."""
    dialogue = world["dialogue"]
    OutcomeFactory(dialogue=dialogue)
    shown = FeedbackFactory(dialogue=dialogue, perspective="lived_experience", note="", rating=5)
    data = outcome_post(
        dialogue,
        feedback=[
            {"id": shown.pk, "perspective": "lived_experience", "note": "", "rating": "5"},
            {"perspective": "lived_experience", "note": "", "rating": "5"},
        ],
    )
    assert as_role(client, world, "member").post(page(dialogue), data).status_code == 302
    assert Feedback.objects.filter(dialogue=dialogue, rating=5).count() == 2


# Adopting a proposal as a system change


@pytest.mark.parametrize("role", ROLES)
def test_adopt_proposal_permission_matrix(client, world, role):
    proposal = ProposalFactory(dialogue=world["dialogue"], level="guideline")
    response = as_role(client, world, role).post(reverse("dialogues:adopt_proposal", args=[proposal.pk]))
    proposal.refresh_from_db()
    if role == "anonymous":
        assert is_login_redirect(response)
    elif role == "outsider":
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        change = SystemChange.objects.get()
        assert (change.project, change.level, change.description) == (world["project"], "guideline", proposal.text)
        assert proposal.system_change == change
        return
    assert proposal.system_change is None and not SystemChange.objects.exists()


def test_adopting_twice_makes_one_system_change(client, world):
    proposal = ProposalFactory(dialogue=world["dialogue"], level="framework")
    url = reverse("dialogues:adopt_proposal", args=[proposal.pk])
    as_role(client, world, "member")
    client.post(url)
    response = client.post(url, follow=True)
    assert SystemChange.objects.count() == 1
    assert "This proposal is already a system change of the project." in html_of(response)


def test_a_proposal_without_a_level_is_not_adopted(client, world):
    proposal = ProposalFactory(dialogue=world["dialogue"], level="")
    response = as_role(client, world, "member").post(reverse("dialogues:adopt_proposal", args=[proposal.pk]))
    assert response.status_code == 302
    assert not SystemChange.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "Only a proposal with a system level (framework, guideline or practice) can become a system change."
    ]


def test_adopting_by_get_is_not_allowed(client, world):
    proposal = ProposalFactory(dialogue=world["dialogue"])
    assert (
        as_role(client, world, "member").get(reverse("dialogues:adopt_proposal", args=[proposal.pk])).status_code == 405
    )
    assert not SystemChange.objects.exists()


def test_adopt_redirects_only_to_a_local_next(client, world):
    proposal = ProposalFactory(dialogue=world["dialogue"])
    url = reverse("dialogues:adopt_proposal", args=[proposal.pk])
    response = as_role(client, world, "member").post(url, {"next": "https://evil.example/"})
    assert response["Location"] == world["dialogue"].get_absolute_url() + "#outcome"


# Query budget


def test_outcome_page_query_budget_is_the_same_for_1_and_30_rows(client, world):
    dialogue = world["dialogue"]
    OutcomeFactory(dialogue=dialogue)
    as_role(client, world, "member")

    def build(n):
        for _ in range(n):
            InsightFactory(dialogue=dialogue)
            ProposalFactory(dialogue=dialogue)
            FollowUpActionFactory(
                dialogue=dialogue,
                responsible_participant=ParticipantFactory(organisation=world["partner"]),
                responsible_organisation=world["partner"],
            )
            DocumentationLinkFactory(dialogue=dialogue)
            FeedbackFactory(dialogue=dialogue)

    assert_budget(client, page(dialogue), build, 20, user=world["member"])


def test_add_row_of_an_unknown_list_saves_nothing_either(client, world):
    data = full_post(world)
    data["add_row"] = "passwords"
    response = as_role(client, world, "member").post(page(world["dialogue"]), data)
    assert response.status_code == 200
    assert not Outcome.objects.exists()


def test_two_first_registrations_at_once_refuse_the_second_cleanly(client, world):
    """Another person's first save lands while this request is saving: a clear message, not a 500."""
    from django.db.models.signals import pre_save

    other_saved = []

    def the_other_person_saves_first(sender, instance, **kwargs):
        if not other_saved and instance.pk is None:
            other_saved.append(True)
            OutcomeFactory(dialogue=instance.dialogue, summary="Den andres utfall")

    pre_save.connect(the_other_person_saves_first, sender=Outcome)
    try:
        response = as_role(client, world, "member").post(page(world["dialogue"]), full_post(world))
    finally:
        pre_save.disconnect(the_other_person_saves_first, sender=Outcome)
    assert response.status_code == 200
    # In one test connection the other save rolls back with this request; in real life it was committed.
    assert not Insight.objects.exists()  # nothing of this request's lists was saved
    assert "same time" in response.content.decode() or "samtidig" in response.content.decode()
