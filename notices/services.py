"""The periodic jobs as one workflow: record what is due at `now`, then send it (inline, or on the queue)."""

from collections import Counter

from django.conf import settings

from . import delivery, reminders


def record_due(*, now) -> Counter:
    """Record every notice due at `now` that is not recorded yet (writes Notice rows; sends nothing)."""
    return delivery.record(reminders.everything_due(now))


def run_due_jobs(*, now) -> dict:
    """Every due job at `now`: record the notices, then send the waiting ones. Without a broker the sending runs
    here; with one it is a task for the workers, and the result says only what was recorded."""
    from .tasks import deliver_notices

    recorded = record_due(now=now)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        result = delivery.deliver()
    else:
        deliver_notices.delay()
        result = {"sent": Counter(), "failed": 0, "queued": True}
    return {"recorded": recorded, **result}
