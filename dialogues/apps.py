from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialoguesConfig(AppConfig):
    name = "dialogues"
    verbose_name = _("Dialogues")

    def ready(self):
        from . import panels, voice_counts
        from .personal_data import register_personal_data

        # The gatherings, voice balance and follow-up blocks of the project, organisation and municipality pages.
        panels.register()
        # What this app holds about a person, for participants' merge, export, erasure and retention.
        register_personal_data()
        # The voice balance's stored counts follow every saved or deleted attendance, headcount and insight.
        voice_counts.connect()
