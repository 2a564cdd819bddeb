"""Retention: anonymise the participants with no activity for the retention period.

`apply_retention()` finds them (queries.inactive_since) and anonymises each one (erasure.anonymise(), with
all its side effects, and an access-log row with the reason "retention"); with dry_run it only lists them.
"""

import calendar
import datetime

from django.utils import timezone

from ..models import Participant
from ..queries import inactive_since
from .access_log import AccessReason
from .erasure import anonymise


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's last day)."""
    year, month_index = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    month = month_index + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def apply_retention(*, months: int, dry_run: bool = False) -> list[Participant]:
    """Anonymise every participant with no activity in the last `months` months (see
    queries.with_last_activity). Returns them, each with `last_activity`; with dry_run, changes nothing."""
    cutoff = months_before(timezone.now(), months)
    due = list(inactive_since(cutoff).order_by("pk"))
    if not dry_run:
        for participant in due:
            anonymise(participant=participant, by=None, reason=AccessReason.RETENTION)
    return due
