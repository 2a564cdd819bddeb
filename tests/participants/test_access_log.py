"""The access log: append-only, written on every view and export, readable by coordinators and the person."""

import pytest
from django.urls import reverse

from participants.models import AccessLog
from tests.factories import AccessLogFactory, ParticipantFactory

pytestmark = pytest.mark.django_db
LOG = reverse("participants:access_log")


def test_coordinators_see_the_whole_log_in_pages_from_a_cursor(client, world):
    AccessLogFactory.create_batch(30, participant=world["kari"], actor=world["coordinator"])
    client.force_login(world["coordinator"])
    first = client.get(LOG).context["page"]
    assert len(first) == 25 and first.has_next
    rest = client.get(LOG, {"etter": first.next_cursor}).context["page"]
    assert len(rest) == 5 and not rest.has_next
    assert {e.pk for e in first} | {e.pk for e in rest} == set(AccessLog.objects.values_list("pk", flat=True))


def test_the_log_filters_by_person_and_action(client, world):
    other = ParticipantFactory()
    AccessLogFactory(participant=world["kari"], action="export", reason="access request")
    AccessLogFactory(participant=other)
    client.force_login(world["coordinator"])
    by_person = client.get(LOG, {"participant": world["kari"].pk}).context["page"]
    assert [e.participant for e in by_person] == [world["kari"]]
    by_action = client.get(LOG, {"action": "export"}).context["page"]
    assert [e.reason for e in by_action] == ["access request"]
    html = client.get(LOG, {"action": "export"}, headers={"HX-Request": "true"}).content.decode()
    assert "Access request (GDPR Art. 15)" in html and "<html" not in html


def test_the_log_cannot_be_changed_through_the_model(world):
    entry = AccessLogFactory(participant=world["kari"])
    entry.reason = "changed"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    assert AccessLog.objects.get().reason == "registry detail"


def test_an_entry_by_the_system_and_a_typed_reason_read_well(client, world):
    AccessLogFactory(participant=world["kari"], actor=None, action="anonymise", reason="retention")
    AccessLogFactory(participant=world["kari"], action="something-new", reason="Telefon fra Kari")
    client.force_login(world["person"])
    html = client.get(reverse("participants:my_page")).content.decode()
    assert "the system" in html and "Retention period ended" in html
    assert "something-new" in html and "Telefon fra Kari" in html
