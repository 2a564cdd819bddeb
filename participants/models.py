from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dialogues.models import Dialogue
from projects.models import Organisation


class Perspective(models.TextChoices):
    """What a person brings to a gathering. It describes a contribution and never confers rights."""

    LIVED_EXPERIENCE = "lived_experience", _("Lived experience (service user)")
    STAFF = "staff", _("Staff")
    RESEARCHER = "researcher", _("Researcher")
    BUSINESS = "business", _("Business")
    POLITICIAN = "politician", _("Politician")
    OTHER = "other", _("Other")


class Participant(models.Model):
    display_name = models.CharField(
        _("display name"), max_length=100, help_text=_("A pseudonym is fine. Never a national identity number.")
    )
    perspective = models.CharField(
        _("usual perspective"), max_length=20, choices=Perspective.choices, default=Perspective.OTHER
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participants",
        verbose_name=_("organisation"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participant",
        verbose_name=_("user account"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self):
        return self.display_name


class Attendance(models.Model):
    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("dialogue")
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("participant")
    )
    perspective = models.CharField(_("perspective brought"), max_length=20, choices=Perspective.choices)

    class Meta:
        ordering = ["dialogue", "participant__display_name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["dialogue", "participant"], name="attendance_once_per_dialogue"),
        ]

    def __str__(self):
        return f"{self.participant} @ {self.dialogue}"
