"""Email as a task: the request returns at once when there is a queue. (Celery finds this module by its name.)"""

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction


@shared_task(
    name="kremlib.tasks.send_email",
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=60,
    retry_jitter=False,
    max_retries=5,
)
def send_email(subject, body, to, from_email=None):
    send_mail(subject=subject, message=body, from_email=from_email, recipient_list=list(to))


def send_email_later(*, subject: str, body: str, to, from_email=None):
    """Without a broker: send now, and let an error reach the caller (whose transaction then saves nothing). With
    one: queue the email once the caller's transaction has committed, so no email goes out for a rolled-back save."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        send_mail(subject=subject, message=body, from_email=from_email, recipient_list=list(to))
    else:
        transaction.on_commit(lambda: send_email.delay(subject, body, list(to), from_email))
