"""Erasure (GDPR Art. 17): the person disappears from every table, every count stays the same."""

import json

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from dialogues.models import (
    AgendaItem,
    Attendance,
    CalendarFeed,
    Dialogue,
    Feedback,
    FollowUpAction,
    Insight,
    Outcome,
    OutcomeComment,
    Proposal,
)
from dialogues.services import voice_balance
from participants.models import AccessLog, Consent, Invitation, MergedRecord, Participant
from participants.services import anonymise, end_sessions, merge, record_consent, texts_naming
from projects.models import LearningEntry
from tests.factories import (
    PASSWORD,
    AccessLogFactory,
    AttendanceFactory,
    CalendarFeedFactory,
    ConsentFactory,
    FeedbackFactory,
    FollowUpActionFactory,
    HeadcountFactory,
    HeldDialogueFactory,
    InsightFactory,
    InvitationFactory,
    OrganisationFactory,
    OutcomeCommentFactory,
    OutcomeFactory,
    ParticipantFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
User = get_user_model()

NAME, EMAIL, PHONE, EARLIER_NAME = "Kari Nordmann", "kari.nordmann@example.org", "912 34 567", "Kari Nordmann-Olsen"
# A duplicate of Kari, registered with other details and merged into her before she is anonymised.
DUPLICATE_NAME, DUPLICATE_EMAIL, DUPLICATE_PHONE = "Kari Ødegård", "k.odegard@example.net", "41 52 63 74"
NEEDLES = [NAME, EMAIL, PHONE, EARLIER_NAME, DUPLICATE_NAME, DUPLICATE_EMAIL, DUPLICATE_PHONE]
TEXT_LIKE = (models.CharField, models.TextField, models.EmailField, models.JSONField)


@pytest.fixture
def kari(client, coordinator, admin_user):
    """Kari, with an account, everywhere the app can hold her name, email or phone."""
    user = UserFactory(username=EMAIL, email=EMAIL, first_name="Kari", last_name="Nordmann")
    kari = ParticipantFactory(
        display_name=EARLIER_NAME,
        user=user,
        email=EMAIL,
        phone=PHONE,
        organisation=OrganisationFactory(),
        perspective="staff",
    )
    kari.display_name = NAME
    kari.save()  # the earlier name is now only in the change history
    seminar, lab = HeldDialogueFactory(), HeldDialogueFactory()
    attendance = AttendanceFactory(dialogue=seminar, participant=kari, perspective="lived_experience")
    AttendanceFactory(dialogue=lab, participant=kari, perspective="staff")
    AttendanceFactory(dialogue=seminar)  # someone else
    HeadcountFactory(dialogue=seminar, perspective="staff", count=4)
    insight = InsightFactory(dialogue=seminar, participant=kari, text=f"Som {NAME} sa: vi må møtes som likeverdige.")
    insight.text += " (redigert)"
    insight.save()  # history with the name in two rows
    InsightFactory(dialogue=lab, participant=kari, perspective="staff", text="Rammene må endres.")
    InsightFactory(dialogue=lab, perspective="lived_experience", text="Noen andres innsikt.")
    FeedbackFactory(dialogue=seminar, participant=kari, note=f"Skriv til meg på {EMAIL} eller {PHONE}.")
    OutcomeCommentFactory(outcome=OutcomeFactory(dialogue=seminar), participant=kari, text=f"Hilsen {NAME.lower()}")
    action = FollowUpActionFactory(dialogue=lab, responsible_participant=kari, what=f"{NAME} ringer NAV")
    ConsentFactory(participant=kari, purpose="quoting", recorded_by=coordinator)
    record_consent(participant=kari, purpose="contact", recorded_by=coordinator)
    InvitationFactory(participant=kari, email=EMAIL)
    AccessLogFactory(participant=kari, actor=coordinator, action="export", reason=f"{NAME} ba om innsyn")
    CalendarFeedFactory(user=user)
    participant_type = ContentType.objects.get_for_model(Participant)
    LogEntry.objects.create(
        user=admin_user,
        content_type=participant_type,
        object_id=str(kari.pk),
        object_repr=NAME,
        action_flag=CHANGE,
        change_message=f'[{{"changed": {{"fields": ["Display name"]}}, "name": "{NAME}"}}]',
    )
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr=EMAIL,
        action_flag=CHANGE,
        change_message="[]",
    )
    # The admin log of other objects names her: their __str__ holds her name, and so may a change message.
    for obj, message in [(attendance, '[{"changed": {"fields": ["Perspective brought"]}}]'), (action, f"Ring {PHONE}")]:
        LogEntry.objects.create(
            user=admin_user,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=str(obj),
            action_flag=CHANGE,
            change_message=message,
        )
    merged_into_kari(kari, seminar, coordinator, admin_user)
    written_by_others(kari, seminar, lab)
    # Her own session and export, then a failed login (django-axes keeps the username).
    client.post(reverse("login"), {"username": EMAIL, "password": PASSWORD})
    client.get(reverse("participants:my_export"))
    Client().post(reverse("login"), {"username": EMAIL, "password": "wrong"})
    Client().force_login(coordinator)
    return kari


def merged_into_kari(kari, seminar, coordinator, admin_user):
    """A duplicate with its own name, email and phone, change history, attendance, an insight and an admin log
    entry, merged into Kari (the merge deletes it; its id lives on in history and the admin log)."""
    duplicate = ParticipantFactory(display_name=DUPLICATE_NAME, email=DUPLICATE_EMAIL)
    duplicate.phone = DUPLICATE_PHONE
    duplicate.save()
    workshop = HeldDialogueFactory(project=seminar.project, purpose=f"Med {DUPLICATE_NAME} som innleder")
    AttendanceFactory(dialogue=workshop, participant=duplicate)
    AttendanceFactory(dialogue=seminar, participant=duplicate)  # Kari's row wins: this one is deleted
    InsightFactory(
        dialogue=workshop, participant=duplicate, text=f"{DUPLICATE_NAME} ({DUPLICATE_PHONE}) vil ha likeverd."
    )
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(Participant),
        object_id=str(duplicate.pk),
        object_repr=DUPLICATE_NAME,
        action_flag=CHANGE,
        change_message=f"Ny e-post: {DUPLICATE_EMAIL}",
    )
    # Django writes change messages as JSON with non-ASCII letters escaped: "Kari \u00d8deg\u00e5rd".
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(Dialogue),
        object_id=str(seminar.pk),
        object_repr=str(seminar),
        action_flag=CHANGE,
        change_message=json.dumps([{"deleted": {"name": "attendance", "object": f"{DUPLICATE_NAME} @ {seminar}"}}]),
    )
    merge(keep=kari, duplicate=duplicate, by=coordinator)


def written_by_others(kari, seminar, lab):
    """Texts that others wrote in her dialogues and their projects, naming her; each edited once, so two
    historical rows hold the name."""
    someone = AttendanceFactory(dialogue=lab).participant
    texts = [
        (Outcome.objects.get(dialogue=seminar), "summary", f"{NAME} og {DUPLICATE_NAME} la fram saken."),
        (InsightFactory(dialogue=lab, participant=someone), "text", f"Jeg er enig med {NAME}."),
        (ProposalFactory(dialogue=seminar), "text", f"{EARLIER_NAME} foreslår faste møter."),
        (
            LearningEntry.objects.create(project=seminar.project, kind="learned", text="-"),
            "text",
            f"Spør {NAME} ({EMAIL}).",
        ),
        (AgendaItem.objects.create(dialogue=lab, title="-"), "title", f"Innledning ved {NAME}"),
    ]
    for obj, field, text in texts:
        for version in (text, f"{text} Redigert."):
            setattr(obj, field, version)
            obj.save()


def rows_containing(needle):
    """Every (model, field) where some row holds `needle` in a text-like column: every model, history included.

    Also finds the needle written as in JSON, with non-ASCII letters escaped (as Django's admin log does)."""
    forms = {needle.lower(), json.dumps(needle)[1:-1].lower()}
    hits = []
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, TEXT_LIKE)]
        for values in model._base_manager.values_list(*fields) if fields else []:
            for name, value in zip(fields, values):
                if value is not None and any(form in str(value).lower() for form in forms):
                    hits.append(f"{model._meta.label}.{name}")
    return sorted(set(hits))


def counts():
    dialogues = Dialogue.objects.all()
    return {
        "attendance": dict(Attendance.objects.values_list("perspective").annotate(n=Count("pk")).order_by()),
        "insights": dict(Insight.objects.values_list("perspective").annotate(n=Count("pk")).order_by()),
        "balance": voice_balance(dialogues),
        "per_dialogue": [voice_balance(Dialogue.objects.filter(pk=d.pk)) for d in dialogues.order_by("pk")],
    }


def test_the_world_really_holds_the_name_everywhere_first(kari):
    assert "participants.HistoricalParticipant.display_name" in rows_containing(EARLIER_NAME)
    found = rows_containing(EMAIL)
    assert {"auth.User.username", "axes.AccessAttempt.username", "participants.Invitation.email"} <= set(found)
    assert {"admin.LogEntry.object_repr", "dialogues.HistoricalInsight.text", "participants.AccessLog.reason"} <= set(
        rows_containing(NAME)
    )
    assert {
        "admin.LogEntry.change_message",
        "dialogues.HistoricalOutcome.summary",
        "dialogues.HistoricalInsight.text",
        "dialogues.HistoricalDialogue.purpose",
        "dialogues.Outcome.summary",
        "participants.HistoricalParticipant.display_name",
    } <= set(rows_containing(DUPLICATE_NAME))
    assert "participants.HistoricalParticipant.phone" in rows_containing(DUPLICATE_PHONE)
    assert {"admin.LogEntry.change_message", "participants.HistoricalParticipant.email"} <= set(
        rows_containing(DUPLICATE_EMAIL)
    )
    assert {
        "dialogues.AgendaItem.title",
        "dialogues.HistoricalAgendaItem.title",
        "projects.LearningEntry.text",
        "projects.HistoricalLearningEntry.text",
        "dialogues.Insight.text",
    } <= set(rows_containing(NAME))
    assert "dialogues.HistoricalProposal.text" in rows_containing(EARLIER_NAME)
    assert not Participant.objects.filter(display_name=DUPLICATE_NAME).exists()  # merged: only history holds it


def test_after_anonymising_no_row_in_any_table_holds_the_name_email_or_phone(kari, coordinator):
    anonymise(participant=kari, by=coordinator)
    for needle in NEEDLES:
        assert rows_containing(needle) == [], needle


def test_every_count_stays_the_same(kari, coordinator):
    before = counts()
    anonymise(participant=kari, by=coordinator)
    assert counts() == before


def test_the_record_stays_with_its_perspective_attendance_and_insights(kari, coordinator):
    attendances = set(kari.attendances.values_list("pk", "dialogue_id", "perspective"))
    insights = set(kari.insights.values_list("pk", flat=True))
    anonymise(participant=kari, by=coordinator)
    kari.refresh_from_db()
    assert kari.display_name == f"Anonym deltaker #{kari.pk}"
    assert (kari.email, kari.phone, kari.organisation, kari.perspective) == ("", "", None, "staff")
    assert kari.anonymised_at is not None
    assert set(kari.attendances.values_list("pk", "dialogue_id", "perspective")) == attendances
    assert set(kari.insights.values_list("pk", flat=True)) == insights
    texts = set(Insight.objects.filter(pk__in=insights).values_list("text", flat=True))
    label = f"Anonym deltaker #{kari.pk}"
    assert texts == {
        f"Som Anonym deltaker #{kari.pk} sa: vi må møtes som likeverdige. (redigert)",
        "Rammene må endres.",
        f"{label} ({label}) vil ha likeverd.",  # the merged duplicate's insight
    }
    assert FollowUpAction.objects.get().responsible_participant == kari
    assert OutcomeComment.objects.get().participant == kari


def test_the_change_history_keeps_its_texts_but_loses_the_person(kari, coordinator):
    anonymise(participant=kari, by=coordinator)
    label = f"Anonym deltaker #{kari.pk}"
    assert set(Participant.history.filter(id=kari.pk).values_list("display_name", "email", "phone")) == {
        (label, "", "")
    }
    for model in (Insight, Feedback, OutcomeComment):
        assert model.history.exists()
        assert not model.history.filter(participant_id=kari.pk).exists()
    assert not FollowUpAction.history.filter(responsible_participant_id=kari.pk).exists()
    assert Insight.history.filter(text="Rammene må endres.").exists()


def test_the_history_of_the_merged_duplicate_is_scrubbed_too(kari, coordinator):
    duplicate_pk = kari.merged_records.get().merged_id
    ids = [kari.pk, duplicate_pk]
    anonymise(participant=kari, by=coordinator)
    label = f"Anonym deltaker #{kari.pk}"
    assert set(Participant.history.filter(id=duplicate_pk).values_list("display_name", "email", "phone")) == {
        (label, "", "")
    }
    assert Participant.history.filter(id=duplicate_pk).count() == 3  # created, changed, deleted by the merge
    for model in (Insight, Feedback, OutcomeComment, Attendance, Consent):
        assert not model.history.filter(participant_id__in=ids).exists(), model
    assert Attendance.history.filter(participant_id=None).exists()  # the rows stay, without the link
    assert not FollowUpAction.history.filter(responsible_participant_id__in=ids).exists()


def test_the_merged_ids_are_kept(kari, coordinator):
    duplicate_pk = kari.merged_records.get().merged_id
    anonymise(participant=kari, by=coordinator)
    assert list(MergedRecord.objects.values_list("participant", "merged_id")) == [(kari.pk, duplicate_pk)]


def test_the_admin_log_keeps_its_entries_without_her_name(kari, coordinator):
    entries = LogEntry.objects.count()
    seminar = Outcome.objects.get(comments__participant=kari).dialogue
    anonymise(participant=kari, by=coordinator)
    label = f"Anonym deltaker #{kari.pk}"
    assert LogEntry.objects.count() == entries
    reprs = set(LogEntry.objects.values_list("object_repr", flat=True))
    assert {label, f"{label} @ {seminar}", f"{label} ringer NAV", f"anonymised-{kari.user_id}"} <= reprs
    assert LogEntry.objects.filter(change_message=f"Ring {label}").exists()
    assert LogEntry.objects.filter(change_message=f"Ny e-post: {label}").exists()
    assert LogEntry.objects.filter(change_message__contains=f"{label} @ {seminar}").exists()


def test_texts_that_others_wrote_in_her_dialogues_and_projects_now_say_the_label(kari, coordinator):
    outcome = Outcome.objects.get(comments__participant=kari)
    version = outcome.version
    anonymise(participant=kari, by=coordinator)
    label = f"Anonym deltaker #{kari.pk}"
    outcome.refresh_from_db()
    assert outcome.summary == f"{label} og {label} la fram saken. Redigert."
    assert outcome.version == version + 1  # an editor opened before, with the name in it, is refused
    assert set(outcome.history.values_list("summary", flat=True)) == {
        "Vi snakket sammen som likeverdige partnere.",
        f"{label} og {label} la fram saken.",
        outcome.summary,
    }
    assert Insight.objects.filter(text=f"Jeg er enig med {label}. Redigert.").exclude(participant=kari).exists()
    assert Proposal.objects.filter(text=f"{label} foreslår faste møter. Redigert.").exists()
    assert LearningEntry.objects.filter(text=f"Spør {label} ({label}). Redigert.").exists()
    assert AgendaItem.history.filter(title=f"Innledning ved {label}").exists()
    assert Dialogue.objects.filter(purpose=f"Med {label} som innleder").exists()  # attended by the duplicate


def test_the_account_is_deactivated_and_logged_out_at_once(client, kari, coordinator):
    user = kari.user
    assert client.get(reverse("participants:my_page")).status_code == 200  # Kari is logged in
    anonymise(participant=kari, by=coordinator)
    user.refresh_from_db()
    assert (user.is_active, user.has_usable_password(), user.email, user.first_name, user.last_name) == (
        False,
        False,
        "",
        "",
        "",
    )
    assert user.username == f"anonymised-{user.pk}"
    assert not any(s.get_decoded().get(SESSION_KEY) == str(user.pk) for s in Session.objects.all())
    response = client.get(reverse("participants:my_page"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Client().post(reverse("login"), {"username": EMAIL, "password": PASSWORD}).status_code == 200  # no login
    assert not CalendarFeed.objects.filter(user=user).exists()


def test_invitations_are_deleted_consents_withdrawn_and_the_erasure_logged(kari, coordinator):
    anonymise(participant=kari, by=coordinator)
    assert not Invitation.objects.exists()
    assert not Consent.objects.active().exists()
    assert set(Consent.objects.values_list("withdrawn_by", flat=True)) == {coordinator.pk}
    entry = AccessLog.objects.filter(action="anonymise").get()
    assert (entry.actor, entry.participant, entry.reason) == (coordinator, kari, "erasure")


def test_anonymising_twice_changes_nothing_more(kari, coordinator):
    first = anonymise(participant=kari, by=coordinator)
    again = anonymise(participant=kari, by=None)
    assert again.anonymised_at == first.anonymised_at
    assert AccessLog.objects.filter(action="anonymise").count() == 1


def test_a_person_without_an_account_or_consents(coordinator):
    person = ParticipantFactory(display_name="Per Uten Konto")
    InsightFactory(participant=person, text="Ingen navn her.")
    anonymise(participant=person, by=coordinator)
    person.refresh_from_db()
    assert person.display_name.startswith("Anonym deltaker #") and person.user is None
    assert Insight.objects.get().text == "Ingen navn her."
    assert rows_containing("Per Uten Konto") == []


def test_end_sessions_ends_only_that_users_sessions(coordinator):
    mine, other = Client(), Client()
    user = UserFactory()
    mine.force_login(user)
    other.force_login(coordinator)
    assert end_sessions(user) == 1
    assert Session.objects.count() == 1


def test_coordinator_anonymises_after_a_confirmation_page(client, kari, coordinator):
    url = reverse("participants:participant_anonymise", args=[kari.pk])
    client.force_login(coordinator)
    assert client.get(url).status_code == 200
    kari.refresh_from_db()
    assert kari.anonymised_at is None  # the GET only asks
    response = client.post(url)
    assert response.status_code == 302
    kari.refresh_from_db()
    assert kari.anonymised_at is not None
    assert client.get(url).status_code == 403  # nothing left to anonymise


def test_others_cannot_anonymise(client, world):
    url = reverse("participants:participant_anonymise", args=[world["kari"].pk])
    for role, status in [("outsider", 404), ("person", 403)]:
        client.force_login(world[role])
        assert client.post(url).status_code == status
    world["kari"].refresh_from_db()
    assert world["kari"].anonymised_at is None and world["kari"].user.is_active


def test_the_confirmation_page_lists_the_texts_that_will_change_and_changes_nothing(client, kari, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("participants:participant_anonymise", args=[kari.pk]))
    texts = {(item.kind, item.field, item.text): item.words for item in response.context["texts"]}
    seminar = Outcome.objects.get(comments__participant=kari).dialogue
    assert texts[("Outcome", "Summary", f"{NAME} og {DUPLICATE_NAME} la fram saken. Redigert.")] == [
        NAME,
        DUPLICATE_NAME,
    ]
    assert texts[("Learning entry", "Text", f"Spør {NAME} ({EMAIL}). Redigert.")] == [NAME, EMAIL]
    assert texts[("Dialogue", "Purpose", f"Med {DUPLICATE_NAME} som innleder")] == [DUPLICATE_NAME]
    assert ("Insight", "Insight", "Noen andres innsikt.") not in texts
    assert f"{seminar}" in response.content.decode() and "Replaced:" in response.content.decode()
    assert Outcome.objects.filter(summary__startswith=NAME).exists()  # the GET only asks


def test_texts_outside_her_dialogues_and_projects_are_left_alone(kari, coordinator):
    elsewhere = HeldDialogueFactory()
    proposal = ProposalFactory(dialogue=elsewhere, text=f"{NAME} i en annen sammenheng")
    anonymise(participant=kari, by=coordinator)
    proposal.refresh_from_db()
    assert proposal.text == f"{NAME} i en annen sammenheng"


def test_a_name_shorter_than_three_letters_is_not_replaced_in_text(coordinator):
    bo = ParticipantFactory(display_name="Bo", phone="12")
    dialogue = AttendanceFactory(participant=bo).dialogue
    agenda = AgendaItem.objects.create(dialogue=dialogue, title="Hvor vil vi bo om ti år?")
    LogEntry.objects.create(
        user=coordinator,
        content_type=ContentType.objects.get_for_model(AgendaItem),
        object_id=str(agenda.pk),
        object_repr=agenda.title,
        action_flag=CHANGE,
        change_message="Bo",
    )
    anonymise(participant=bo, by=coordinator)
    bo.refresh_from_db()
    assert bo.display_name == f"Anonym deltaker #{bo.pk}" and bo.phone == ""
    assert list(AgendaItem.history.values_list("title", flat=True)) == ["Hvor vil vi bo om ti år?"]
    assert LogEntry.objects.get().change_message == "Bo"


def test_a_name_that_is_a_common_word_is_replaced_as_a_whole_word_only(coordinator):
    # The documented choice: erasure errs on the side of the person; the confirmation page lists the text first.
    sol = ParticipantFactory(display_name="Sol")
    outcome = OutcomeFactory(summary="Sol fortalte om solen. Vi fikk sol og regn.")
    AttendanceFactory(participant=sol, dialogue=outcome.dialogue)
    assert [item.words for item in texts_naming(sol)] == [["Sol", "sol"]]
    anonymise(participant=sol, by=coordinator)
    outcome.refresh_from_db()
    label = f"Anonym deltaker #{sol.pk}"
    assert outcome.summary == f"{label} fortalte om solen. Vi fikk {label} og regn."


def test_a_replaced_name_never_makes_a_text_longer_than_its_field(coordinator):
    person = ParticipantFactory(display_name="Åse")
    dialogue = AttendanceFactory(participant=person).dialogue
    title = f"{'x' * 190} Åse"
    agenda = AgendaItem.objects.create(dialogue=dialogue, title=title)
    anonymise(participant=person, by=coordinator)
    agenda.refresh_from_db()
    assert agenda.title == f"{'x' * 190} Anonym deltaker #{person.pk}"[:200] and len(agenda.title) == 200
