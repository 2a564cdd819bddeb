"""Remove for good the projects and dialogues deleted RESTORE_DAYS (30) days ago or longer, with their change history.

Until then a coordinator can restore them from "Deleted items". Schedule it nightly, e.g. with cron:
    30 2 * * *  cd /srv/krem && .venv/bin/python manage.py purge_deleted
"""

from django.core.management.base import BaseCommand

from krem.services import purge_deleted
from kremlib.softdelete import RESTORE_DAYS


class Command(BaseCommand):
    help = f"Remove for good the projects and dialogues deleted {RESTORE_DAYS} days ago or longer."

    def handle(self, *args, **options):
        projects, dialogues = purge_deleted()
        self.stdout.write(
            f"Removed {projects} projects and {dialogues} dialogues deleted {RESTORE_DAYS} or more days ago."
        )
