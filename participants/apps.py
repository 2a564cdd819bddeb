from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Participants")

    def ready(self):
        # Change history and conflict messages name people as this app's naming policy allows each reader.
        from kremlib.naming import register_names

        from .personal_data import PersonalData

        register_names(PersonalData)
