from django.apps import AppConfig


class KremConfig(AppConfig):
    name = "krem"
    verbose_name = "KREM"
