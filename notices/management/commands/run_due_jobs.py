import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from notices.models import NoticeKind
from notices.services import run_due_jobs


class Command(BaseCommand):
    help = "Run every due job (reminders, digests) at this moment or at --now, and send the notices. For cron."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="The moment to run at, e.g. 2027-01-15T08:00 (Oslo time unless given).")

    def handle(self, *args, now=None, **options):
        moment = timezone.now()
        if now:
            parsed = parse_datetime(now)
            if parsed is None:
                try:
                    parsed = datetime.datetime.combine(datetime.date.fromisoformat(now), datetime.time(8))
                except ValueError:
                    raise CommandError(f"--now must be a date and time like 2027-01-15T08:00, not {now!r}.") from None
            moment = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        result = run_due_jobs(now=moment)
        self.stdout.write(f"run_due_jobs at {timezone.localtime(moment):%Y-%m-%d %H:%M}")
        for kind in NoticeKind:
            recorded, sent = result["recorded"].get(kind, 0), result["sent"].get(kind, 0)
            if recorded or sent:
                self.stdout.write(f"  {kind.value}: {recorded} recorded, {sent} sent")
        total = sum(result["sent"].values())
        queued = " (sending queued for the workers)" if result.get("queued") else ""
        self.stdout.write(f"sent {total}, failed attempts {result['failed']}{queued}")
