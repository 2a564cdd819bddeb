"""A worker killed with SIGKILL in the middle of a batch loses no notice and duplicates none.

The worker is a real process: `manage.py run_due_jobs` (the embedded default), and a Celery worker on a real Redis
broker (127.0.0.1:6379, db 14; skipped only when Redis is absent, and never in CI, where .ci/run starts it). Each
trial kills it after a random number of emails, then a second worker finishes once the first one's lease has ended.

The SMTP server here is slow before it takes a message (at RCPT), as a real one is over a network, and the kill
comes at a random moment, not in step with the emails. Lost: never. What no queue can close is the moment between
the server's "250 OK" and the UPDATE that marks the notice sent: a kill exactly there sends that one notice again
once the lease ends. So a kill duplicates at most the one notice in flight, and the copy carries the same
Message-ID (the notice's own), by which mail clients show it once. The tests hold it to that, and print the counts.
"""

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from notices.models import Delivery, Notice
from notices.services import record_due
from tests.factories import AttendanceFactory, DialogueFactory

from .conftest import at
from .world import contactable

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/14"
BATCH = 30
TRIALS = int(os.environ.get("KREM_KILL_TRIALS", "3"))


class SlowRecipients:
    """Slows each RCPT down, so that the batch takes long enough to be killed in the middle."""

    def __init__(self, mailbox, delay):
        self.mailbox, self.delay = mailbox, delay

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        import asyncio

        await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return await self.mailbox.handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp(smtp):
    smtp.stop()
    smtp.controller = None
    from aiosmtpd.controller import Controller

    smtp.controller = Controller(SlowRecipients(smtp.mailbox, 0.05), hostname="127.0.0.1", port=smtp.port)
    smtp.controller.start()
    return smtp


def database_url():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(port, **extra):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "KREM_TESTING", "CELERY"))}
    env.update(
        DEBUG="1",
        DATABASE_URL=database_url(),
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        KREM_NOTICE_LEASE_SECONDS="1",
        KREM_NOTICE_RETRY_BASE_SECONDS="0",
        LOG_LEVEL="WARNING",
        **extra,
    )
    env.pop("REDIS_URL", None)
    return env


def a_batch():
    """BATCH attendees with a contact consent, each to be told of the gathering in two days."""
    soon = DialogueFactory(title="Stor samling", starts_at=at(2, 10), ends_at=at(2, 13))
    for i in range(BATCH):
        AttendanceFactory(dialogue=soon, participant=contactable(f"Deltaker {i}", f"d{i}@example.org", user=False))


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def outcome(mailbox):
    """(sent, lost, duplicated): distinct notices received, notices never received, extra copies."""
    received = mailbox.notice_ids()
    expected = {str(pk) for pk in Notice.objects.values_list("pk", flat=True)}
    duplicated = sum(n - 1 for n in received.values())
    with mailbox.lock:
        ids = {(m["X-KREM-Notice"], m["Message-ID"]) for m in mailbox.messages}
    assert len(ids) == len(received), "a copy of a notice went out under another Message-ID"
    return len(set(received) & expected), len(expected - set(received)), duplicated


def kill_at_random(process, mailbox, timeout=60):
    """SIGKILL after a random number of emails, at a random moment within the next email's time."""
    kill_after = random.randint(1, BATCH - 4)
    assert wait_for(lambda: len(mailbox.messages) >= kill_after, timeout=timeout), (
        process.stderr.read() if process.poll() is not None else "no email came"
    )
    time.sleep(random.uniform(0, 0.06))
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert len(mailbox.messages) < BATCH, "killed too late: the batch was over"


def reset(mailbox):
    """A fresh trial: the batch recorded again, nothing sent yet."""
    mailbox.clear()
    Notice.objects.all().delete()
    assert sum(record_due(now=at(0)).values()) == BATCH


def run_due_jobs_process(port):
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_due_jobs", "--now", "2027-01-11T08:00"],
        cwd=ROOT,
        env=worker_env(port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.django_db(transaction=True)
def test_run_due_jobs_killed_mid_batch_loses_none_and_duplicates_at_most_the_one_in_flight(slow_smtp):
    a_batch()
    mailbox, totals = slow_smtp.mailbox, Counter()
    for _ in range(TRIALS):
        reset(mailbox)
        kill_at_random(run_due_jobs_process(slow_smtp.port), mailbox)
        time.sleep(1.2)  # the killed worker's lease ends
        second = run_due_jobs_process(slow_smtp.port)
        assert second.wait(timeout=120) == 0, second.stderr.read()
        sent, lost, duplicated = outcome(mailbox)
        totals.update(sent=sent, lost=lost, duplicated=duplicated)
        assert not Notice.objects.exclude(state=Delivery.SENT).exists()
    print(f"\nrun_due_jobs killed {TRIALS} times: {dict(totals)}")
    assert (totals["sent"], totals["lost"]) == (TRIALS * BATCH, 0)
    assert totals["duplicated"] <= TRIALS  # at most the one in flight per kill, under its own Message-ID


def redis_available():
    try:
        import redis

        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        return False


@pytest.fixture
def broker():
    if not redis_available():
        if os.environ.get("KREM_REQUIRE_REDIS"):
            pytest.fail("Redis is not answering on 127.0.0.1:6379, and CI requires it (.ci/run starts it).")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    import redis
    from celery import Celery

    redis.Redis.from_url(REDIS_URL).flushdb()
    app = Celery("probe", broker=REDIS_URL)
    yield app
    redis.Redis.from_url(REDIS_URL).flushdb()


def celery_worker(port, name):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "krem",
            "worker",
            "--pool",
            "solo",
            "-n",
            f"{name}@%h",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=worker_env(port, CELERY_BROKER_URL=REDIS_URL),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_killed_mid_batch_on_redis_loses_none_and_duplicates_at_most_the_one_in_flight(
    slow_smtp, broker
):
    a_batch()
    mailbox, totals = slow_smtp.mailbox, Counter()
    trials = max(1, TRIALS // 3)
    for _ in range(trials):
        reset(mailbox)
        first = celery_worker(slow_smtp.port, "first")
        broker.send_task("notices.tasks.deliver_notices")
        kill_at_random(first, mailbox, timeout=90)
        time.sleep(1.2)
        second = celery_worker(slow_smtp.port, "second")
        try:
            broker.send_task("notices.tasks.deliver_notices")  # the beat's next run
            assert wait_for(lambda: not Notice.objects.exclude(state=Delivery.SENT).exists(), timeout=90)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
        sent, lost, duplicated = outcome(mailbox)
        totals.update(sent=sent, lost=lost, duplicated=duplicated)
    print(f"\ncelery worker killed {trials} times: {dict(totals)}")
    assert (totals["sent"], totals["lost"]) == (trials * BATCH, 0)
    assert totals["duplicated"] <= trials
