from django.apps import AppConfig


class KremlibConfig(AppConfig):
    """Installed only for its template tags (krem_history, krem_perms, krem_time)."""

    name = "kremlib"
    verbose_name = "KREM library"
