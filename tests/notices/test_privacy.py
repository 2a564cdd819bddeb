"""Only people with a contact consent get email; no email names anyone its reader may not see; unsubscribing
needs no login and stops only its own kind, for its own person."""

import pytest
from django.urls import reverse
from django.utils import translation

from notices.models import Notice, NoticeKind, OptOut
from notices.recipients import key_for
from notices.services import run_due_jobs
from notices.tokens import unsubscribe_token
from participants.models import Consent
from participants.personal_data import HIDDEN_PERSON
from tests.factories import ConsentFactory, ParticipantFactory

from .conftest import at, body, subject
from .world import ALWAYS, EXPECTED, make_world, sent

pytestmark = pytest.mark.django_db

MARKER = "Zqxmarker Hemmeligsen"


def test_no_email_to_anyone_without_an_active_contact_consent(smtp):
    world = make_world()
    Consent.objects.filter(participant=world["attendee"]).update(withdrawn_at=at(-1))
    run_due_jobs(now=at(0))
    addresses = {m["To"] for m in smtp.mailbox.messages}
    assert "deltaker@example.org" not in addresses  # withdrawn
    assert "nei@example.org" not in addresses  # never given
    assert "app@example.org" not in addresses  # an account, but no consent: in the app only
    assert addresses == {address for _kind, address in EXPECTED[0]} - {"deltaker@example.org"}


def test_an_anonymised_person_gets_nothing(smtp):
    world = make_world()
    world["attendee"].__class__.objects.filter(pk=world["attendee"].pk).update(anonymised_at=at(-1))
    run_due_jobs(now=at(0))
    assert smtp.mailbox.to("deltaker@example.org") == []


def test_no_email_names_a_person_its_reader_may_not_see(smtp):
    """A co-facilitator who never consented to being named: the attendees and the other facilitator are told of
    "a person not named here", not the name."""
    world = make_world()
    hidden = ParticipantFactory(display_name=MARKER, email="skjult@example.org")
    world["soon"].facilitating_participants.add(hidden)
    world["held"].facilitating_participants.add(hidden)
    run_due_jobs(now=at(0))
    run_due_jobs(now=at(4))
    assert len(smtp.mailbox.messages) >= len(EXPECTED[0])
    for message in smtp.mailbox.messages:
        assert MARKER not in body(message) and MARKER not in subject(message), message["To"]
    (reminder,) = smtp.mailbox.to("deltaker@example.org")
    with translation.override("nb"):
        assert str(HIDDEN_PERSON) in body(reminder)


def test_a_name_with_consent_is_shown_to_a_member_of_the_project(smtp):
    """The same policy as the pages: a member of the partner sees a consenting person's name."""
    from tests.factories import member_of

    world = make_world()
    named = ParticipantFactory(display_name="Synlig Navnesen")
    ConsentFactory(participant=named, purpose="attendance")
    world["held"].facilitating_participants.add(named)
    member = member_of(world["partner"], username="medlem@example.org", email="medlem@example.org")
    ConsentFactory(participant=member.participant, purpose="contact")
    member.participant.email = "medlem@example.org"
    member.participant.save()
    world["held"].facilitating_participants.add(member.participant)
    run_due_jobs(now=at(0))
    (message,) = smtp.mailbox.to("medlem@example.org")
    assert "Synlig Navnesen" in body(message)


def unsubscribe_path(message):
    header = "".join(message["List-Unsubscribe"].split())
    return header.strip("<>").removeprefix("http://127.0.0.1:8000")


def test_one_click_unsubscribe_works_without_login_and_stops_only_that_kind_for_that_person(smtp, client):
    world = make_world()
    run_due_jobs(now=at(0))
    (message,) = smtp.mailbox.to("ansvarlig@example.org")
    response = client.post(unsubscribe_path(message), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    key = key_for(participant=world["action"].responsible_participant)
    assert list(OptOut.objects.values_list("recipient_key", "kind")) == [(key, NoticeKind.ACTION_DUE)]
    smtp.mailbox.clear()
    run_due_jobs(now=at(4))  # the same person's overdue reminder is another kind: still sent
    assert sent(smtp.mailbox) == EXPECTED[4] - ALWAYS  # (the draft summary was sent on Monday)


def test_an_unsubscribed_kind_is_not_emailed_but_still_listed_in_the_app(smtp):
    world = make_world()
    key = key_for(participant=world["attendee"])
    OptOut.objects.create(recipient_key=key, kind=NoticeKind.GATHERING_SOON)
    run_due_jobs(now=at(0))
    assert smtp.mailbox.to("deltaker@example.org") == []
    assert world["attendee"].user.notices.get().kind == NoticeKind.GATHERING_SOON


def test_the_unsubscribe_page_asks_first_and_a_get_changes_nothing(client):
    response = client.get(reverse("notices:unsubscribe", args=[unsubscribe_token("p:1", "gathering_soon")]))
    assert response.status_code == 200 and b"<form" in response.content
    assert not OptOut.objects.exists()


# Made when the test runs: a signature holds the time, so tokens made at collection could differ between the
# processes of `make test` (one second apart), which then refuse to run at all.
BAD_TOKENS = {
    "nonsense": lambda: "nonsense",
    "tampered": lambda: unsubscribe_token("p:1", "gathering_soon")[:-3] + "abc",
    "unknown kind": lambda: unsubscribe_token("p:1", "no_such_kind"),
}


@pytest.mark.parametrize("kind", BAD_TOKENS)
def test_a_token_we_did_not_sign_for_a_kind_is_refused(client, kind):
    response = client.post(reverse("notices:unsubscribe", args=[BAD_TOKENS[kind]()]))
    assert response.status_code == 404
    assert not OptOut.objects.exists()


def test_a_token_cannot_be_turned_to_another_person_or_kind():
    from notices.tokens import read_token

    mine, other = unsubscribe_token("p:1", "gathering_soon"), unsubscribe_token("p:2", "weekly_digest")
    (_mine, my_signature), (other_payload, _sig) = mine.rsplit(":", 1), other.rsplit(":", 1)
    assert read_token(mine) == ("p:1", "gathering_soon")
    assert read_token(f"{other_payload}:{my_signature}") is None


def test_erasure_deletes_the_persons_notices(smtp, coordinator):
    from participants.services import anonymise

    world = make_world()
    run_due_jobs(now=at(0))
    user = world["in_app_only"].user
    assert Notice.objects.filter(user=user).exists()
    anonymise(participant=world["in_app_only"], by=coordinator)
    assert not Notice.objects.filter(user=user).exists()
    assert Notice.objects.exists()  # only theirs
