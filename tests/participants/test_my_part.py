"""Min side as the participant's home: what they took part in, consents they give, and their data as a page."""

import pytest
from django.urls import reverse

from participants.models import AccessLog, Consent
from tests.factories import (
    AttendanceFactory,
    ConsentFactory,
    DialogueFactory,
    FeedbackFactory,
    FollowUpActionFactory,
    HeldDialogueFactory,
    InsightFactory,
    OutcomeCommentFactory,
    OutcomeFactory,
)

pytestmark = pytest.mark.django_db
MY_PAGE = reverse("participants:my_page")
GIVE = reverse("participants:my_consent_give")
MY_DATA = reverse("participants:my_data")


def test_the_person_sees_what_they_took_part_in_with_links(client, world):
    kari = world["kari"]
    held = HeldDialogueFactory(title="Seminar om bolig")
    AttendanceFactory(dialogue=held, participant=kari, perspective="lived_experience")
    InsightFactory(dialogue=held, participant=kari, text="Ventetiden er for lang")
    FeedbackFactory(dialogue=held, participant=kari, note="Godt møte", rating=4)
    OutcomeCommentFactory(outcome=OutcomeFactory(dialogue=held), participant=kari, text="Mangler bolig")
    FollowUpActionFactory(dialogue=held, responsible_participant=kari, responsible_organisation=None, what="Ring NAV")
    client.force_login(world["person"])
    response = client.get(MY_PAGE)
    parts = {shown.part.section: shown.items for shown in response.context["own_parts"]}
    assert [item.detail for item in parts["attended"]] == ["Lived experience (service user)"]
    assert [item.what for item in parts["insights"]] == ["Ventetiden er for lang"]
    assert [item.what for item in parts["feedback"]] == ["Godt møte"]
    assert [item.what for item in parts["comments"]] == ["Mangler bolig"]
    assert [item.what for item in parts["actions"]] == ["Ring NAV"]
    assert all(item.url == held.get_absolute_url() for items in parts.values() for item in items)
    assert client.get(held.get_absolute_url()).status_code == 200


def test_a_gathering_the_person_may_no_longer_open_is_listed_without_a_link(client, world):
    # An action the person answers for, in a dialogue they did not attend and may not see.
    dialogue = DialogueFactory(title="Andres møte")
    FollowUpActionFactory(dialogue=dialogue, responsible_participant=world["kari"], responsible_organisation=None)
    client.force_login(world["person"])
    response = client.get(MY_PAGE)
    parts = {shown.part.section: shown.items for shown in response.context["own_parts"]}
    assert [(item.title, item.url) for item in parts["actions"]] == [("Andres møte", "")]
    assert dialogue.get_absolute_url() not in response.content.decode()


def test_the_person_gives_a_consent_themself(client, world):
    client.force_login(world["person"])
    response = client.post(GIVE, {"give-purpose": "quoting"})
    assert response.status_code == 302 and response["Location"] == MY_PAGE + "#consents"
    consent = Consent.objects.get(participant=world["kari"])
    assert (consent.purpose, consent.recorded_by, consent.withdrawn_at) == ("quoting", world["person"], None)


def test_the_form_offers_only_purposes_without_an_active_consent_and_says_what_they_mean(client, world):
    ConsentFactory(participant=world["kari"], purpose="quoting")
    client.force_login(world["person"])
    choices = dict(client.get(MY_PAGE).context["give_consent_form"].fields["purpose"].choices)
    assert set(choices) == {"attendance", "photo_film", "contact"}
    assert "may see your name" in str(choices["attendance"])
    assert client.post(GIVE, {"give-purpose": "quoting"}).status_code == 302
    assert Consent.objects.filter(participant=world["kari"]).count() == 1


def test_giving_a_consent_is_post_only_and_needs_a_record(client, world):
    client.force_login(world["person"])
    assert client.get(GIVE).status_code == 405
    client.force_login(world["no_record"])
    assert client.post(GIVE, {"give-purpose": "quoting"}).status_code == 404
    assert Consent.objects.count() == 0


def test_an_anonymised_record_gets_no_consent(client, world):
    kari = world["kari"]
    kari.anonymised_at = kari.created_at
    kari.save()
    client.force_login(world["person"])
    assert client.post(GIVE, {"give-purpose": "quoting"}).status_code == 403
    assert Consent.objects.count() == 0


def test_the_data_page_shows_labels_not_keys_or_codes_and_is_logged(client, world):
    kari = world["kari"]
    AttendanceFactory(dialogue=HeldDialogueFactory(title="Seminar om arbeid"), participant=kari)
    ConsentFactory(participant=kari, purpose="contact")
    client.force_login(world["person"])
    response = client.get(MY_DATA)
    html = response.content.decode()
    assert "Seminar om arbeid" in html and "Lived experience (service user)" in html
    assert "Contact by email or phone" in html
    for code in ("lived_experience", "usual_perspective", "purpose_label", "starts_at", "display_name"):
        assert code not in html
    assert reverse("participants:my_export") in html
    assert AccessLog.objects.filter(participant=kari, action="export", reason="own request").count() == 1


def test_the_data_page_in_norwegian(client, world):
    client.cookies.pop("django_language", None)
    ConsentFactory(participant=world["kari"], purpose="contact")
    client.force_login(world["person"])
    html = client.get(MY_DATA, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Kontakt på e-post eller telefon" in html and "Samtykker" in html


# Bounded lists, the confirmation in view, nothing typed lost


def test_each_list_is_bounded_with_see_all(client, world):
    kari = world["kari"]
    held = HeldDialogueFactory(title="Seminar om bolig")
    AttendanceFactory(dialogue=held, participant=kari)
    for number in range(7):
        InsightFactory(dialogue=held, participant=kari, text=f"Innsikt nummer {number}")
    client.force_login(world["person"])
    response = client.get(MY_PAGE)
    shown = {part.part.section: part for part in response.context["own_parts"]}
    assert len(shown["insights"].items) == 5 and shown["insights"].more
    assert not shown["attended"].more
    html = response.content.decode()
    assert "?alle=insights#own-insights" in html and "Innsikt nummer 6" in html and "Innsikt nummer 1" not in html
    everything = client.get(MY_PAGE, {"alle": "insights"})
    shown = {part.part.section: part for part in everything.context["own_parts"]}
    assert len(shown["insights"].items) == 7 and shown["insights"].all_shown
    assert "Innsikt nummer 0" in everything.content.decode()
    # Anything else asked for in full shows the bounded lists.
    assert client.get(MY_PAGE, {"alle": "<script>"}).status_code == 200


def test_after_an_insight_the_confirmation_is_in_the_section_the_page_lands_on(client, world):
    held = HeldDialogueFactory(title="Seminar om bolig")
    AttendanceFactory(dialogue=held, participant=world["kari"])
    client.force_login(world["person"])
    response = client.post(reverse("dialogues:add_insight", args=[held.pk]), {"insight-text": "Fast kontakt"})
    assert response["Location"] == held.get_absolute_url() + "#contribute"
    html = client.get(response["Location"]).content.decode()
    section = html[html.index('id="contribute"') :]
    assert "Your insight was added." in section
    assert "Your insight was added." not in html[: html.index('id="contribute"')]
    # And it is on Min side, linking to the gathering.
    mine = client.get(MY_PAGE).content.decode()
    assert "Fast kontakt" in mine and held.get_absolute_url() in mine


def test_feedback_with_errors_keeps_what_was_typed(client, world):
    held = HeldDialogueFactory(title="Seminar om bolig")
    AttendanceFactory(dialogue=held, participant=world["kari"])
    client.force_login(world["person"])
    response = client.post(
        reverse("dialogues:add_feedback", args=[held.pk]),
        {"feedback-note": "Lang tekst jeg skrev", "feedback-rating": "9"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lang tekst jeg skrev</textarea>" in html and "Nothing was saved" in html
    assert not world["kari"].feedback.exists()


def test_the_feedback_box_holds_the_feedback_already_given(client, world):
    held = HeldDialogueFactory(title="Seminar om bolig")
    AttendanceFactory(dialogue=held, participant=world["kari"])
    FeedbackFactory(dialogue=held, participant=world["kari"], note="Godt møte", rating=4)
    client.force_login(world["person"])
    html = client.get(held.get_absolute_url()).content.decode()
    assert "Godt møte</textarea>" in html and "Sending again replaces it." in html


def test_the_data_page_says_how_a_consent_was_given_in_words(client, world):
    ConsentFactory(participant=world["kari"], purpose="contact", method="oral")
    InsightFactory(dialogue=HeldDialogueFactory(), participant=world["kari"], perspective="joint")
    client.force_login(world["person"])
    html = client.get(MY_DATA).content.decode()
    assert "Orally" in html and "Jointly" in html
    for code in (">oral<", ">joint<", "recorded_at"):
        assert code not in html
