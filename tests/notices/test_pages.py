"""The notices on the home page, and the notification settings on Min side."""

import pytest
from django.urls import reverse

from notices.models import Notice, NoticeKind, NoticeLanguage, OptOut
from notices.recipients import key_for
from notices.services import run_due_jobs
from tests.factories import ParticipantFactory, UserFactory

from .conftest import at
from .world import make_world

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_ones_notices_with_the_unread_count(client):
    world = make_world()
    run_due_jobs(now=at(0))
    client.force_login(world["in_app_only"].user)
    page = client.get(reverse("home")).content.decode()
    assert "Samling snart" in page
    assert "1 ulest" in page or "1 unread" in page


def test_someone_elses_notices_are_not_on_my_home_page(client):
    world = make_world()
    run_due_jobs(now=at(0))
    client.force_login(UserFactory())
    assert "Samling snart" not in client.get(reverse("home")).content.decode()
    assert Notice.objects.filter(user=world["in_app_only"].user).exists()


def test_marking_read_clears_only_my_unread_count(client):
    world = make_world()
    run_due_jobs(now=at(0))
    client.force_login(world["in_app_only"].user)
    assert client.get(reverse("notices:mark_read")).status_code == 405  # a GET changes nothing
    assert Notice.objects.unread().filter(user=world["in_app_only"].user).count() == 1
    response = client.post(reverse("notices:mark_read"))
    assert response.status_code == 302
    assert Notice.objects.unread().filter(user=world["in_app_only"].user).count() == 0
    assert Notice.objects.unread().exclude(user=world["in_app_only"].user).exists()


def test_the_settings_page_opts_out_per_kind_and_chooses_the_language(client):
    user = UserFactory()
    person = ParticipantFactory(user=user)
    client.force_login(user)
    assert client.get(reverse("notices:settings")).status_code == 200
    wanted = [kind for kind in NoticeKind.values if kind != NoticeKind.WEEKLY_DIGEST]
    response = client.post(reverse("notices:settings"), {"kinds": wanted, "language": "en"})
    assert response.status_code == 302
    key = key_for(participant=person)
    assert list(OptOut.objects.values_list("recipient_key", "kind")) == [(key, NoticeKind.WEEKLY_DIGEST)]
    assert NoticeLanguage.objects.get(recipient_key=key).language == "en"
    client.post(reverse("notices:settings"), {"kinds": NoticeKind.values, "language": "nb"})
    assert not OptOut.objects.exists()


def test_a_bad_settings_form_is_answered_with_the_form_not_an_error(client):
    client.force_login(UserFactory())
    response = client.post(reverse("notices:settings"), {"kinds": ["nonsense"], "language": "xx"})
    assert response.status_code == 200
    assert not OptOut.objects.exists() and not NoticeLanguage.objects.exists()


def test_a_coordinator_without_a_participant_record_has_settings_too(client, coordinator):
    client.force_login(coordinator)
    client.post(reverse("notices:settings"), {"kinds": [], "language": "nb"})
    assert OptOut.objects.filter(recipient_key=f"u:{coordinator.pk}").count() == len(NoticeKind.values)
