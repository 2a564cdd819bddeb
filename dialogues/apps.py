from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialoguesConfig(AppConfig):
    name = "dialogues"
    verbose_name = _("Dialogues")

    def ready(self):
        # What this app holds about a person, for participants' merge, export, erasure and retention.
        from .personal_data import register_personal_data

        register_personal_data()
