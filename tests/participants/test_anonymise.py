"""Erasure (GDPR Art. 17): the person disappears from every table, every count stays the same."""

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
    CalendarFeed,
    Dialogue,
    Feedback,
    FollowUpAction,
    Insight,
    OutcomeComment,
)
from dialogues.services import voice_balance
from participants.models import AccessLog, Attendance, Consent, Invitation, Participant
from participants.services import anonymise, end_sessions, record_consent
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
    UserFactory,
)

pytestmark = pytest.mark.django_db
User = get_user_model()

NAME, EMAIL, PHONE, EARLIER_NAME = "Kari Nordmann", "kari.nordmann@example.org", "912 34 567", "Kari Nordmann-Olsen"
NEEDLES = [NAME, EMAIL, PHONE, EARLIER_NAME]
TEXT_LIKE = (models.CharField, models.TextField, models.EmailField, models.JSONField)


@pytest.fixture
def kari(client, coordinator, admin_user):
    """Kari, with an account, everywhere the app can hold her name, email or phone."""
    user = UserFactory(username=EMAIL, email=EMAIL, first_name="Kari", last_name="Nordmann")
    kari = ParticipantFactory(
        display_name=EARLIER_NAME, user=user, email=EMAIL, phone=PHONE, organisation=OrganisationFactory(), perspective="staff"
    )
    kari.display_name = NAME
    kari.save()  # the earlier name is now only in the change history
    seminar, lab = HeldDialogueFactory(), HeldDialogueFactory()
    AttendanceFactory(dialogue=seminar, participant=kari, perspective="lived_experience")
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
    FollowUpActionFactory(dialogue=lab, responsible_participant=kari, what=f"{NAME} ringer NAV")
    ConsentFactory(participant=kari, purpose="quoting", recorded_by=coordinator)
    record_consent(participant=kari, purpose="contact", recorded_by=coordinator)
    InvitationFactory(participant=kari, email=EMAIL)
    AccessLogFactory(participant=kari, actor=coordinator, action="export", reason=f"{NAME} ba om innsyn")
    CalendarFeedFactory(user=user)
    participant_type = ContentType.objects.get_for_model(Participant)
    LogEntry.objects.create(
        user=admin_user, content_type=participant_type, object_id=str(kari.pk), object_repr=NAME, action_flag=CHANGE,
        change_message=f'[{{"changed": {{"fields": ["Display name"]}}, "name": "{NAME}"}}]',
    )
    LogEntry.objects.create(
        user=admin_user, content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk), object_repr=EMAIL,
        action_flag=CHANGE, change_message="[]",
    )
    # Her own session and export, then a failed login (django-axes keeps the username).
    client.post(reverse("login"), {"username": EMAIL, "password": PASSWORD})
    client.get(reverse("participants:my_export"))
    Client().post(reverse("login"), {"username": EMAIL, "password": "wrong"})
    Client().force_login(coordinator)
    return kari


def rows_containing(needle):
    """Every (model, field) where some row holds `needle` in a text-like column: every model, history included."""
    hits = []
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, TEXT_LIKE)]
        for values in model._base_manager.values_list(*fields) if fields else []:
            for name, value in zip(fields, values):
                if value is not None and needle.lower() in str(value).lower():
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
    assert texts == {f"Som Anonym deltaker #{kari.pk} sa: vi må møtes som likeverdige. (redigert)", "Rammene må endres."}
    assert FollowUpAction.objects.get().responsible_participant == kari
    assert OutcomeComment.objects.get().participant == kari


def test_the_change_history_keeps_its_texts_but_loses_the_person(kari, coordinator):
    anonymise(participant=kari, by=coordinator)
    label = f"Anonym deltaker #{kari.pk}"
    assert set(Participant.history.filter(id=kari.pk).values_list("display_name", "email", "phone")) == {(label, "", "")}
    for model in (Insight, Feedback, OutcomeComment):
        assert model.history.exists()
        assert not model.history.filter(participant_id=kari.pk).exists()
    assert not FollowUpAction.history.filter(responsible_participant_id=kari.pk).exists()
    assert Insight.history.filter(text="Rammene må endres.").exists()


def test_the_account_is_deactivated_and_logged_out_at_once(client, kari, coordinator):
    user = kari.user
    assert client.get(reverse("participants:my_page")).status_code == 200  # Kari is logged in
    anonymise(participant=kari, by=coordinator)
    user.refresh_from_db()
    assert (user.is_active, user.has_usable_password(), user.email, user.first_name, user.last_name) == (False, False, "", "", "")
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
