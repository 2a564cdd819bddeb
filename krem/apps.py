from django.apps import AppConfig


class KremConfig(AppConfig):
    name = "krem"
    verbose_name = "KREM"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import start_session_clocks

        user_logged_in.connect(start_session_clocks, dispatch_uid="krem_start_session_clocks")

        from dialogues.models import Attendance, Dialogue, Feedback, FollowUpAction, Headcount, Insight, Outcome
        from kremlib.cache import invalidate_on_change
        from participants.models import Participant
        from projects.models import Municipality, Partnership, Project, Result, SystemChange, SystemChangeStep

        # What the dashboards (krem.views.dashboard_for, krem/dashboard.py) are counted from; a member's also
        # depends on whom they belong to (Participant: user and organisation), a participant's on their feedback.
        invalidate_on_change(
            Project, Partnership, Municipality, Dialogue, Outcome, Attendance, Headcount, Insight, FollowUpAction
        )
        invalidate_on_change(Result, SystemChange, SystemChangeStep, Participant, Feedback)
