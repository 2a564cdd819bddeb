"""Access (GDPR Art. 15): everything about a person as JSON, for themself or from a coordinator; always logged."""

import json

import pytest
from django.urls import reverse

from participants.models import AccessLog
from participants.services import withdraw_consent
from tests.factories import (
    AccessLogFactory,
    AttendanceFactory,
    ConsentFactory,
    FeedbackFactory,
    FollowUpActionFactory,
    InsightFactory,
    InvitationFactory,
    OutcomeCommentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):
    kari = world["kari"]
    AttendanceFactory(participant=kari, perspective="lived_experience")
    insight = InsightFactory(participant=kari, text="Først")
    insight.text = "Etterpå"
    insight.save()
    FeedbackFactory(participant=kari, note="Bra dag", rating=4)
    OutcomeCommentFactory(participant=kari, text="Stemmer", confirmed=True)
    FollowUpActionFactory(responsible_participant=kari, what="Ringe NAV")
    withdraw_consent(
        consent=ConsentFactory(participant=kari, purpose="quoting", recorded_by=world["coordinator"]), by=kari.user
    )
    InvitationFactory(participant=kari, email="kari@example.org", created_by=world["coordinator"])
    AccessLogFactory(participant=kari, actor=world["coordinator"])
    kari.phone = "400 00 000"
    kari.save()
    return world


def download(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    return json.loads(response.content)


def test_the_person_downloads_everything_about_themself(client, data):
    client.force_login(data["person"])
    exported = download(client, reverse("participants:my_export"))
    assert exported["participant"]["display_name"] == "Kari Nordmann"
    assert exported["participant"]["account"]["username"] == "kari@example.org"
    assert [a["perspective"] for a in exported["attendances"]] == ["lived_experience"]
    assert [i["text"] for i in exported["insights"]] == ["Etterpå"]
    assert exported["feedback"][0]["rating"] == 4
    assert exported["outcome_comments"][0]["confirmed"] is True
    assert exported["follow_up_actions"][0]["what"] == "Ringe NAV"
    assert exported["consents"][0]["purpose"] == "quoting" and exported["consents"][0]["withdrawn_at"]
    # Other people's accounts by their role (the naming policy: account names are for coordinators).
    assert exported["invitations"][0]["invited_by"] == "a coordinator"
    assert exported["access_log"][0]["who"] == "a coordinator"
    assert exported["consents"][0]["withdrawn_by"] == "you"
    # The change history: the record's rows (with the earlier phone number) and the insight's edits.
    assert ["912 34 567", "400 00 000"] == [row["phone"] for row in exported["history"]["participant"]]
    assert [row["text"] for row in exported["history"]["insights"]] == ["Først", "Etterpå"]
    assert len(exported["history"]["feedback"]) == len(exported["history"]["outcome_comments"]) == 1
    entry = AccessLog.objects.latest("pk")
    assert (entry.actor, entry.participant, entry.action, entry.reason) == (
        data["person"],
        data["kari"],
        "export",
        "own request",
    )


def test_a_coordinator_exports_for_anyone_with_a_reason(client, data):
    client.force_login(data["coordinator"])
    url = reverse("participants:participant_export", args=[data["kari"].pk])
    exported = download(client, url, reason="Brev fra Kari 3. mars")
    assert exported["participant"]["email"] == "kari@example.org"
    entry = AccessLog.objects.latest("pk")
    assert (entry.actor, entry.action, entry.reason) == (data["coordinator"], "export", "Brev fra Kari 3. mars")
    download(client, url)
    assert AccessLog.objects.latest("pk").reason == "access request"


def test_others_cannot_export(client, data):
    before = AccessLog.objects.count()
    client.force_login(data["outsider"])
    assert client.get(reverse("participants:participant_export", args=[data["kari"].pk])).status_code == 404
    assert AccessLog.objects.count() == before


def test_a_user_without_a_record_has_nothing_to_export(client, world):
    client.force_login(world["no_record"])
    assert client.get(reverse("participants:my_export"))["Location"] == reverse("participants:my_page")
    page = client.get(reverse("participants:my_page"))
    assert "not linked to a participant record" in page.content.decode()


def test_a_coordinator_export_names_the_accounts(client, data):
    client.force_login(data["coordinator"])
    exported = download(client, reverse("participants:participant_export", args=[data["kari"].pk]))
    assert exported["invitations"][0]["invited_by"] == "koord"
    assert exported["access_log"][0]["who"] == "koord"
