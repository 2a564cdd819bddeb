"""Each reminder is emailed on its day and on no other, through a real SMTP server."""

import datetime

import pytest

from notices.models import Delivery, Notice
from notices.services import run_due_jobs

from .conftest import at, body, subject
from .world import ALWAYS, EXPECTED, make_world, sent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", sorted(EXPECTED))
def test_run_on_one_day_emails_exactly_what_is_due_that_day(smtp, day):
    make_world()
    run_due_jobs(now=at(day))
    assert sent(smtp.mailbox) == EXPECTED[day]


def test_day_by_day_each_notice_is_emailed_once_on_its_first_day(smtp):
    make_world()
    draft_answered = False
    for day in sorted(EXPECTED):
        smtp.mailbox.clear()
        run_due_jobs(now=at(day))
        run_due_jobs(now=at(day) + datetime.timedelta(minutes=30))  # cron again within the hour: nothing new
        # Each reminder's key holds its day, so only the draft summary (one per person and draft) is not sent again.
        new = EXPECTED[day] - (ALWAYS if draft_answered else set())
        assert sent(smtp.mailbox) == new, day
        assert sum(smtp.mailbox.notice_ids().values()) == len(new)
        draft_answered = draft_answered or ALWAYS <= EXPECTED[day]


def test_running_twice_at_the_same_moment_sends_nothing_the_second_time(smtp):
    make_world()
    first = run_due_jobs(now=at(0))
    second = run_due_jobs(now=at(0))
    assert sum(first["sent"].values()) == len(EXPECTED[0])
    assert sum(second["sent"].values()) == 0 and sum(second["recorded"].values()) == 0


def test_the_gathering_reminder_carries_the_calendar_file(smtp):
    world = make_world()
    run_due_jobs(now=at(0))
    (message,) = smtp.mailbox.to("deltaker@example.org")
    ics = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(ics) == 1
    assert f"dialogue-{world['soon'].pk}@krem" in ics[0].get_payload(decode=True).decode()
    assert "Samling snart" in body(message)


def test_every_email_has_one_click_unsubscribe_and_the_settings_link(smtp):
    make_world()
    run_due_jobs(now=at(0))
    for message in smtp.mailbox.messages:
        unsubscribe = "".join(message["List-Unsubscribe"].split())
        assert unsubscribe.startswith("<http") and "/varsler/avmeld/" in unsubscribe
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "/min-side/varsler/" in body(message)


def test_norwegian_by_default_and_english_when_chosen(smtp):
    from notices.models import NoticeLanguage
    from notices.recipients import key_for

    world = make_world()
    NoticeLanguage.objects.create(recipient_key=key_for(participant=world["attendee"]), language="en")
    run_due_jobs(now=at(0))
    (english,) = smtp.mailbox.to("deltaker@example.org")
    (norwegian,) = smtp.mailbox.to("ansvarlig@example.org")
    assert subject(english).startswith("In two days")
    assert subject(norwegian).startswith("En oppfølging")
    assert "Hello," in body(english)
    assert "Hei," in body(norwegian)


def test_without_a_contact_consent_the_account_sees_the_notice_in_the_app_only(smtp):
    world = make_world()
    run_due_jobs(now=at(0))
    notice = Notice.objects.get(user=world["in_app_only"].user)
    assert notice.state == Delivery.IN_APP and notice.email == ""
    assert smtp.mailbox.to("app@example.org") == []


def test_a_sent_notice_keeps_neither_text_nor_address(smtp):
    make_world()
    run_due_jobs(now=at(0))
    assert Notice.objects.filter(state=Delivery.SENT).exists()
    assert not Notice.objects.filter(state=Delivery.SENT).exclude(body="", email="").exists()
