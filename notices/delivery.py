"""Recording notices (once, under their key) and delivering them (each by one worker, retried with back-off).

A worker takes one notice at a time: it claims it with a lease in a short transaction, sends it outside any
transaction, then marks it sent. Two workers never hold the same notice: the claim is an UPDATE that succeeds only
while the notice is free (FOR UPDATE SKIP LOCKED on PostgreSQL lets them pass each other). A worker killed while it
holds a notice leaves it claimed until the lease ends; then the next run sends it. The one window left is between
the mail server's "250 OK" and the UPDATE that marks the notice sent: a kill exactly there sends it again after the
lease (each email carries the notice's Message-ID, so mail clients show it once).
"""

import datetime
import logging
import uuid
from collections import Counter

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Delivery, Notice, NoticeKind
from .recipients import language_of, opted_out
from .tokens import unsubscribe_token

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return settings.KREM_SITE_URL + path


def unsubscribe_url(recipient_key, kind) -> str:
    return absolute(reverse("notices:unsubscribe", args=[unsubscribe_token(recipient_key, kind)]))


def record(due) -> Counter:
    """Record each due notice that is not recorded yet, worded in its recipient's language. Returns the new ones
    per kind. Recording twice, or at once from two processes, records each key once."""
    created = Counter()
    for item in due:
        r = item.recipient
        key = dict(kind=item.kind, object_ref=item.object_ref, recipient_key=r.key, due_on=item.due_on)
        if Notice.objects.filter(**key).exists():
            continue
        language = language_of(r.key)
        emailed = bool(r.address) and not opted_out(r.key, item.kind)
        with translation.override(language):
            subject, lines = item.words(r)
            body = ""
            if emailed:
                body = render_to_string(
                    "notices/email/body.txt",
                    {
                        "lines": lines,
                        "link": absolute(item.link) if item.link else "",
                        "settings_url": absolute(reverse("notices:settings")),
                        "unsubscribe_url": unsubscribe_url(r.key, item.kind),
                        "kind": NoticeKind(item.kind).label,
                    },
                )
        try:
            with transaction.atomic():
                Notice.objects.create(
                    **key,
                    user=r.user,
                    participant=r.participant,
                    email=r.address if emailed else "",
                    language=language,
                    subject=subject[:300],
                    body=body,
                    link=item.link,
                    attach_ics=item.ics_dialogue if emailed else None,
                    state=Delivery.PENDING if emailed else Delivery.IN_APP,
                )
        except IntegrityError:
            continue  # another process recorded it a moment ago
        created[item.kind] += 1
    return created


def claim(worker: str, started=None):
    """Take the next notice to send, or None. The notice is the worker's until its lease ends. Only notices due for
    an attempt by `started` (the start of this worker's run), so that one run tries a failing notice only once."""
    lease = datetime.timedelta(seconds=settings.KREM_NOTICE_LEASE_SECONDS)
    while True:
        with transaction.atomic():
            now = timezone.now()
            due = Notice.objects.claimable(now).filter(next_attempt_at__lte=started or now)
            notice = due.order_by("next_attempt_at", "pk").select_for_update(skip_locked=True).first()
            if notice is None:
                return None
            taken = (
                Notice.objects.claimable(now)
                .filter(pk=notice.pk)
                .update(lease_until=now + lease, claimed_by=worker, attempts=F("attempts") + 1)
            )
        if taken:
            notice.refresh_from_db()
            return notice
        # Another worker took it between our read and our update (SQLite has no row locks): try the next.


def message(notice, connection) -> EmailMessage:
    email = EmailMessage(
        subject=notice.subject,
        body=notice.body,
        to=[notice.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url(notice.recipient_key, notice.kind)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": f"<notice-{notice.pk}@krem>",
            "X-KREM-Notice": str(notice.pk),
            "X-KREM-Kind": notice.kind,
            "Auto-Submitted": "auto-generated",
        },
    )
    if notice.attach_ics_id:
        from dialogues.ical import build_calendar
        from dialogues.models import Dialogue

        dialogue = Dialogue.objects.for_list().get(pk=notice.attach_ics_id)
        with translation.override(notice.language):
            calendar = build_calendar([dialogue], name=dialogue.title, link=lambda d: absolute(d.get_absolute_url()))
        email.attach("invitation.ics", calendar.to_ical(), "text/calendar")
    return email


def backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.KREM_NOTICE_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


def send_claimed(notice, worker, connection) -> bool:
    """Send one claimed notice. True when sent; on failure it waits for its next attempt, or is given up."""
    try:
        message(notice, connection).send()
    except Exception as error:  # the SMTP server down, refusing, timing out: all are tried again
        connection.close()
        now = timezone.now()
        mine = Notice.objects.filter(pk=notice.pk, claimed_by=worker, state=Delivery.PENDING)
        if notice.attempts >= settings.KREM_NOTICE_MAX_ATTEMPTS:
            mine.update(state=Delivery.FAILED, lease_until=None, body="", email="", last_error=str(error)[:300])
            logger.error(
                "Notice %s (%s) to %s not sent after %s attempts: %s",
                notice.pk,
                notice.kind,
                notice.recipient_key,
                notice.attempts,
                error,
            )
        else:
            mine.update(lease_until=None, next_attempt_at=now + backoff(notice.attempts), last_error=str(error)[:300])
            logger.warning("Notice %s not sent (attempt %s), tried again later: %s", notice.pk, notice.attempts, error)
        return False
    Notice.objects.filter(pk=notice.pk).update(
        state=Delivery.SENT, sent_at=timezone.now(), lease_until=None, body="", email="", last_error=""
    )
    return True


def deliver(*, worker=None, limit=None) -> dict:
    """Send what is waiting, one notice at a time. Returns counts: sent per kind, and "failed" attempts."""
    worker = worker or uuid.uuid4().hex
    started = timezone.now()
    sent, failed = Counter(), 0
    connection = get_connection()
    try:
        while limit is None or sum(sent.values()) + failed < limit:
            notice = claim(worker, started)
            if notice is None:
                break
            if send_claimed(notice, worker, connection):
                sent[notice.kind] += 1
            else:
                failed += 1
    finally:
        connection.close()
    return {"sent": sent, "failed": failed}
