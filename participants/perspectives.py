from django.db import models
from django.utils.translation import gettext_lazy as _


class Perspective(models.TextChoices):
    """What a person brings to a gathering. It describes a contribution and never confers rights."""

    LIVED_EXPERIENCE = "lived_experience", _("Lived experience (service user)")
    STAFF = "staff", _("Staff")
    RESEARCHER = "researcher", _("Researcher")
    BUSINESS = "business", _("Business")
    POLITICIAN = "politician", _("Politician")
    OTHER = "other", _("Other")
