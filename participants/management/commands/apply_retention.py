"""Anonymise participants with no activity for a number of months (default KREM_RETENTION_MONTHS).

Run it from cron, e.g. weekly. Real runs print only record numbers, never names, so the log keeps nobody's
name; --dry-run lists names too, for the coordinator who checks the list first.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from participants.services import apply_retention


class Command(BaseCommand):
    help = "Anonymise participants with no activity in the last N months (default: KREM_RETENTION_MONTHS)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--months", type=int, default=settings.KREM_RETENTION_MONTHS, help="Months without activity."
        )
        parser.add_argument("--dry-run", action="store_true", help="Only list who would be anonymised; change nothing.")

    def handle(self, *args, months, dry_run, **options):
        if months < 1:
            raise CommandError("--months must be at least 1.")
        due = apply_retention(months=months, dry_run=dry_run)
        for participant in due:
            last = timezone.localtime(participant.last_activity).date().isoformat()
            if dry_run:
                self.stdout.write(
                    f"Would anonymise #{participant.pk} {participant.display_name} (last activity {last})"
                )
            else:
                self.stdout.write(f"Anonymised #{participant.pk} (last activity {last})")
        verb = "would be anonymised" if dry_run else "anonymised"
        self.stdout.write(f"{len(due)} participant(s) with no activity for {months} months {verb}.")
