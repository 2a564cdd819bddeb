"""The Celery app: `celery -A krem worker --beat` (make worker). Settings come from krem/settings.py (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "krem.settings")

app = Celery("krem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
