"""Recount the voice balance's stored counts of every dialogue from its rows, and say how many were off.

They are kept up to date in the transaction of every change (dialogues/voice_counts.py); this is for repair, after
rows were written around the ORM (a restore of part of a table, SQL by hand). Safe to run at any time.
"""

from django.core.management.base import BaseCommand

from dialogues.voice_counts import recount_all


class Command(BaseCommand):
    help = "Recount every dialogue's stored voice counts from its attendances, headcounts and insights."

    def handle(self, *args, **options):
        differed = recount_all()
        self.stdout.write(f"{differed} dialogue(s) had counts that differed from their rows; they are recounted.")
