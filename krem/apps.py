from django.apps import AppConfig


class KremConfig(AppConfig):
    name = "krem"
    verbose_name = "KREM"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import start_session_clocks

        user_logged_in.connect(start_session_clocks, dispatch_uid="krem_start_session_clocks")

        from dialogues.models import Dialogue
        from kremlib.cache import invalidate_on_change
        from projects.models import Municipality, Project

        # What the home page's figures are counted from (krem.views.home_counts).
        invalidate_on_change(Project, Dialogue, Municipality)
