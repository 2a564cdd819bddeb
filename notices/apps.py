from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notices")

    def ready(self):
        from participants.registry import AccountRows, register

        from .models import Notice

        # Erasure deletes the person's notices with their account. A sent notice keeps neither text nor address
        # (notices/delivery.py), so what is left of one is its kind, what it was about, and its subject.
        register(AccountRows(Notice, "user"))
