"""Consent: recorded by a coordinator, withdrawn in one step by the person or a coordinator, effective at once."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import Consent, ConsentPurpose
from participants.services import (
    ConsentAlreadyActive,
    contact_details,
    has_consent,
    record_consent,
    withdraw_consent,
)
from tests.factories import ConsentFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


def consent_add_url(participant):
    return reverse("participants:consent_add", args=[participant.pk])


def withdraw_url(consent):
    return reverse("participants:consent_withdraw", args=[consent.pk])


def test_coordinator_records_a_consent_with_who_and_when(client, world):
    client.force_login(world["coordinator"])
    response = client.post(
        consent_add_url(world["kari"]), {"purpose": "quoting", "given_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.participant, consent.purpose, consent.recorded_by) == (
        world["kari"],
        "quoting",
        world["coordinator"],
    )
    assert timezone.now() - consent.given_at < datetime.timedelta(minutes=1)
    assert has_consent(world["kari"], ConsentPurpose.QUOTING)


def test_a_consent_given_on_an_earlier_day_starts_that_day(client, world):
    client.force_login(world["coordinator"])
    day = timezone.localdate() - datetime.timedelta(days=3)
    client.post(consent_add_url(world["kari"]), {"purpose": "photo_film", "given_on": day.isoformat()})
    assert timezone.localtime(Consent.objects.get().given_at).date() == day


@pytest.mark.parametrize(
    "data",
    [
        {"purpose": "nonsense", "given_on": "2020-01-01"},
        {"purpose": "quoting", "given_on": ""},
        {"purpose": "quoting", "given_on": (datetime.date.today() + datetime.timedelta(days=2)).isoformat()},
    ],
)
def test_bad_consent_input_changes_nothing(client, world, data):
    client.force_login(world["coordinator"])
    response = client.post(consent_add_url(world["kari"]), data)
    assert response.status_code == 302
    assert not Consent.objects.exists()


def test_a_second_active_consent_for_the_same_purpose_is_refused(client, world):
    ConsentFactory(participant=world["kari"], purpose="quoting")
    with pytest.raises(ConsentAlreadyActive):
        record_consent(participant=world["kari"], purpose="quoting", recorded_by=world["coordinator"])
    assert Consent.objects.count() == 1


def test_only_coordinators_record_consents(client, world):
    for role, status in [("outsider", 404), ("person", 403)]:
        client.force_login(world[role])
        response = client.post(consent_add_url(world["kari"]), {"purpose": "quoting", "given_on": "2020-01-01"})
        assert response.status_code == status
    client.logout()
    assert client.post(consent_add_url(world["kari"]), {"purpose": "quoting"}).status_code == 302
    assert not Consent.objects.exists()


def test_recording_consent_is_post_only(client, world):
    client.force_login(world["coordinator"])
    assert client.get(consent_add_url(world["kari"])).status_code == 405
    assert client.get(withdraw_url(ConsentFactory(participant=world["kari"]))).status_code == 405


def test_the_person_withdraws_their_own_consent_in_one_step_and_it_stops_at_once(client, world):
    consent = ConsentFactory(participant=world["kari"], purpose="quoting", recorded_by=world["coordinator"])
    assert has_consent(world["kari"], "quoting")
    client.force_login(world["person"])
    response = client.post(withdraw_url(consent))
    assert response.status_code == 302 and response["Location"].startswith(reverse("participants:my_page"))
    consent.refresh_from_db()
    assert consent.withdrawn_by == world["person"]
    assert timezone.now() - consent.withdrawn_at < datetime.timedelta(minutes=1)
    assert not has_consent(world["kari"], "quoting")


def test_a_coordinator_withdraws_with_the_day_the_person_said_so(client, world):
    given = timezone.now() - datetime.timedelta(days=10)
    consent = ConsentFactory(participant=world["kari"], purpose="contact", given_at=given)
    day = timezone.localdate() - datetime.timedelta(days=2)
    client.force_login(world["coordinator"])
    response = client.post(withdraw_url(consent), {f"c{consent.pk}-withdrawn_on": day.isoformat()})
    assert response["Location"].startswith(reverse("participants:participant_detail", args=[world["kari"].pk]))
    consent.refresh_from_db()
    assert timezone.localtime(consent.withdrawn_at).date() == day
    assert consent.withdrawn_by == world["coordinator"]
    assert not has_consent(world["kari"], "contact")


@pytest.mark.parametrize("days_ago", [-2, 20])  # in the future; before the consent was given
def test_a_withdrawal_date_outside_the_consent_changes_nothing(client, world, days_ago):
    consent = ConsentFactory(participant=world["kari"], given_at=timezone.now() - datetime.timedelta(days=10))
    client.force_login(world["coordinator"])
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    client.post(withdraw_url(consent), {f"c{consent.pk}-withdrawn_on": day.isoformat()})
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_withdrawing_twice_keeps_the_first_date(client, world):
    consent = ConsentFactory(participant=world["kari"])
    first = withdraw_consent(consent=consent, by=world["coordinator"]).withdrawn_at
    client.force_login(world["person"])
    client.post(withdraw_url(consent))
    consent.refresh_from_db()
    assert (consent.withdrawn_at, consent.withdrawn_by) == (first, world["coordinator"])


def test_others_cannot_withdraw_someone_elses_consent(client, world):
    consent = ConsentFactory(participant=world["kari"])
    client.force_login(world["outsider"])
    assert client.post(withdraw_url(consent)).status_code == 404
    client.logout()
    assert client.post(withdraw_url(consent)).status_code == 302  # to the login page
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_the_person_sees_withdraw_buttons_on_my_page(client, world):
    ConsentFactory(participant=world["kari"], purpose="photo_film")
    client.force_login(world["person"])
    html = client.get(reverse("participants:my_page")).content.decode()
    assert "Withdraw consent to photo and film" in html


def test_has_consent_is_false_for_nobody_and_for_an_anonymised_record(world):
    assert not has_consent(None, "contact")
    consent = ConsentFactory(participant=world["kari"], purpose="contact")
    assert has_consent(world["kari"], "contact")
    world["kari"].anonymised_at = timezone.now()
    assert not has_consent(world["kari"], "contact")
    assert not has_consent(consent.participant.__class__(), "contact")  # not saved


def test_contact_details_are_shown_to_others_only_with_consent(world):
    kari, colleague = world["kari"], UserFactory()
    assert contact_details(kari, user=colleague) is None
    own = contact_details(kari, user=world["person"])
    coordinator_view = contact_details(kari, user=world["coordinator"])
    assert own.email == coordinator_view.email == "kari@example.org"
    assert coordinator_view.consented is False
    consent = ConsentFactory(participant=kari, purpose="contact")
    assert contact_details(kari, user=colleague).phone == "912 34 567"
    withdraw_consent(consent=consent, by=world["person"])
    assert contact_details(kari, user=colleague) is None  # at once
    assert contact_details(ParticipantFactory(), user=world["coordinator"]) is None  # nothing stored


def test_with_active_consent_lists_exactly_who_may_be_contacted(world):
    from participants.queries import with_active_consent

    assert list(with_active_consent(ConsentPurpose.CONTACT)) == []
    consent = ConsentFactory(participant=world["kari"], purpose="contact")
    ConsentFactory(participant=world["kari"], purpose="quoting")
    assert list(with_active_consent(ConsentPurpose.CONTACT)) == [world["kari"]]
    withdraw_consent(consent=consent, by=None)
    assert list(with_active_consent(ConsentPurpose.CONTACT)) == []


def test_the_service_keeps_the_first_withdrawal(world):
    consent = ConsentFactory(participant=world["kari"])
    first = withdraw_consent(consent=consent, by=world["person"])
    again = withdraw_consent(consent=consent, by=world["coordinator"], at=timezone.now())
    assert (again.withdrawn_at, again.withdrawn_by) == (first.withdrawn_at, world["person"])


def test_other_database_errors_are_not_mistaken_for_a_duplicate_consent(world):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        record_consent(participant=world["kari"], purpose=None, recorded_by=world["coordinator"])
