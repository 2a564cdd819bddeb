from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialoguesConfig(AppConfig):
    name = "dialogues"
    verbose_name = _("Dialogues")

    def ready(self):
        # The gatherings, voice balance and follow-up blocks of the project, organisation and municipality pages.
        from . import panels

        panels.register()
