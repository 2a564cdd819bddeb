"""Exactly once: recorded under a unique key before sending, claimed by one worker, retried when SMTP is down."""

import threading
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from notices import delivery
from notices.models import Delivery, Notice
from notices.services import record_due, run_due_jobs

from .conftest import at
from .world import EXPECTED, make_world, sent


@pytest.mark.django_db
def test_the_key_is_unique_in_the_database():
    make_world()
    record_due(now=at(0))
    notice = Notice.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(
            kind=notice.kind, object_ref=notice.object_ref, recipient_key=notice.recipient_key, due_on=notice.due_on
        )


@pytest.mark.django_db
def test_smtp_down_the_notice_waits_and_is_sent_when_it_is_back(smtp):
    make_world()
    smtp.stop()
    result = run_due_jobs(now=at(0))
    assert sum(result["sent"].values()) == 0 and result["failed"] == len(EXPECTED[0])
    assert set(Notice.objects.filter(state=Delivery.PENDING).values_list("attempts", flat=True)) == {1}
    assert not Notice.objects.filter(state=Delivery.PENDING, last_error="").exists()
    smtp.start()
    result = run_due_jobs(now=at(0))
    assert sum(result["sent"].values()) == len(EXPECTED[0])
    assert sent(smtp.mailbox) == EXPECTED[0]
    assert set(Notice.objects.filter(state=Delivery.SENT).values_list("attempts", flat=True)) == {2}


@pytest.mark.django_db
def test_the_back_off_doubles_and_the_last_try_is_reported(smtp, settings, caplog):
    settings.KREM_NOTICE_RETRY_BASE_SECONDS = 60
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    settings.KREM_NOTICE_RETRY_BASE_SECONDS = 0
    settings.KREM_NOTICE_MAX_ATTEMPTS = 3
    make_world()
    smtp.stop()
    for _ in range(5):
        run_due_jobs(now=at(0))
    emailed = Notice.objects.exclude(state=Delivery.IN_APP)
    assert set(emailed.values_list("state", "attempts")) == {(Delivery.FAILED, 3)}
    assert not emailed.exclude(body="").exists()  # given up: the text is not kept
    assert sum("not sent after 3 attempts" in r.getMessage() for r in caplog.records if r.levelname == "ERROR") == len(
        EXPECTED[0]
    )


@pytest.mark.django_db
def test_a_notice_waiting_for_its_back_off_is_not_sent_early(smtp, settings):
    settings.KREM_NOTICE_RETRY_BASE_SECONDS = 3600
    make_world()
    smtp.stop()
    run_due_jobs(now=at(0))
    smtp.start()
    assert sum(run_due_jobs(now=at(0))["sent"].values()) == 0


@pytest.mark.django_db
def test_run_due_jobs_prints_the_notices_sent_per_kind_and_nothing_the_second_time(smtp):
    make_world()
    out = StringIO()
    call_command("run_due_jobs", "--now", "2027-01-11T08:00", stdout=out)
    assert "outcome_missing: 1 recorded, 1 sent" in out.getvalue()
    assert f"sent {len(EXPECTED[0])}," in out.getvalue()
    again = StringIO()
    call_command("run_due_jobs", "--now", "2027-01-11T08:00", stdout=again)
    assert "sent 0," in again.getvalue()


@pytest.mark.django_db
def test_run_due_jobs_refuses_a_bad_moment_with_a_clear_message():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2027-01-15T08:00"):
        call_command("run_due_jobs", "--now", "i morgen")


@pytest.mark.django_db
def test_without_a_broker_the_beat_task_sends_the_same_notices_as_the_command(smtp, settings):
    from notices.tasks import run_due_jobs as beat_task

    assert settings.CELERY_TASK_ALWAYS_EAGER
    make_world()
    beat_task.delay(at(0).isoformat())
    assert sent(smtp.mailbox) == EXPECTED[0]


# Two beats and two workers at once, 100 times: every notice is emailed exactly once.

TRIALS = 100


def at_once(jobs):
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            barrier.wait()
            job()
        except Exception as error:  # pragma: no cover - the assertion below shows it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_beats_and_two_workers_at_once_send_each_notice_exactly_once(smtp):
    make_world()
    moment = at(0)
    duplicates = lost = 0
    for _ in range(TRIALS):
        Notice.objects.all().delete()
        smtp.mailbox.clear()
        beat = lambda: record_due(now=moment)  # noqa: E731
        worker = lambda: delivery.deliver()  # noqa: E731
        errors = at_once([beat, beat, worker, worker])
        assert errors == []
        delivery.deliver()  # the workers may have looked before the beats recorded anything
        per_key = Counter((m["X-KREM-Kind"], m["To"]) for m in smtp.mailbox.messages)
        duplicates += sum(n - 1 for n in per_key.values())
        lost += len(EXPECTED[0] - set(per_key))
    assert (duplicates, lost) == (0, 0)
