from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Participants")

    def ready(self):
        # Change history and conflict messages name people as this app's naming policy allows each reader.
        from kremlib.naming import register_names
        from projects.models import LearningEntry, Project, Result, SystemChange

        from .personal_data import PersonalData
        from .registry import SharedTexts, register

        register_names(PersonalData)
        # Free text that anyone may write about a project, and so may name a person who took part in its dialogues.
        # Projects sit below participants, so this app registers them itself.
        register(
            SharedTexts(Project, ("summary", "goals", "target_groups"), "project", "id"),
            SharedTexts(LearningEntry, ("text",), "project", "project"),
            SharedTexts(Result, ("description",), "project", "project"),
            SharedTexts(SystemChange, ("description",), "project", "project"),
        )
