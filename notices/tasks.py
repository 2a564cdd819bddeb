"""The queue's tasks. Beat runs `run_due_jobs` (CELERY_BEAT_SCHEDULE); both are safe to run twice at once."""

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import delivery, reminders


@shared_task(name="notices.tasks.run_due_jobs")
def run_due_jobs(now=None):
    """Record what is due at `now` (ISO date-time; default: the present), then queue the sending."""
    moment = parse_datetime(now) if now else timezone.now()
    recorded = delivery.record(reminders.everything_due(moment))
    deliver_notices.delay()
    return dict(recorded)


@shared_task(name="notices.tasks.deliver_notices")
def deliver_notices():
    """Send every waiting notice. Failed ones wait for their back-off; a later beat's run picks them up."""
    result = delivery.deliver()
    return {"sent": dict(result["sent"]), "failed": result["failed"]}
