import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kremlib.versioning import Versioned
from projects.models import Organisation

from .perspectives import Perspective
from .validators import validate_no_national_id

__all__ = ["AccessLog", "Consent", "ConsentMethod", "Invitation", "MergedRecord", "Participant", "Perspective"]


class Participant(Versioned):
    display_name = models.CharField(
        _("display name"),
        max_length=100,
        validators=[validate_no_national_id],
        help_text=_("A pseudonym is fine. Never a national identity number."),
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
    email = models.EmailField(_("email"), blank=True, help_text=_("Optional. Only used with consent to contact."))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        indexes = [
            # The registry (participants.views.participant_list) pages through ORDER BY display_name, id: with
            # this index a page is read in order instead of sorting the whole registry.
            models.Index(fields=["display_name", "id"], name="participant_name_id_idx"),
        ]

    def __str__(self):
        return self.display_name


class MergedRecord(models.Model):
    """The id of a duplicate record that was merged into `participant` and deleted.

    Erasure needs it: the duplicate's change history, its texts' history and the admin log still carry that id
    (GDPR Art. 17). When `participant` is itself merged into a third record, its merged ids move along."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="merged_records", verbose_name=_("merged into")
    )
    merged_id = models.BigIntegerField(_("id of the merged record"))
    merged_at = models.DateTimeField(_("merged"), default=timezone.now)

    class Meta:
        ordering = ["participant", "merged_at", "pk"]
        verbose_name = _("merged record")
        verbose_name_plural = _("merged records")
        constraints = [
            # A deleted record was merged into exactly one other.
            models.UniqueConstraint(fields=["merged_id"], name="merged_record_once"),
        ]

    def __str__(self):
        return f"#{self.merged_id} → #{self.participant_id}"


class ConsentPurpose(models.TextChoices):
    ATTENDANCE = "attendance", _("Registration of attendance by name")
    QUOTING = "quoting", _("Quoting insights")
    PHOTO_FILM = "photo_film", _("Photo and film")
    CONTACT = "contact", _("Contact by email or phone")


class ConsentMethod(models.TextChoices):
    """How the person gave the consent: said so, signed a form, or clicked (e.g. on Min side)."""

    ORAL = "oral", _("Orally")
    PAPER = "paper", _("On paper")
    DIGITAL = "digital", _("Digitally")


class ConsentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """One consent for one purpose. Withdrawing keeps the row, with the date, as a record."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="consents", verbose_name=_("participant")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    # Blank for consents recorded before the way was asked.
    method = models.CharField(_("how it was given"), max_length=10, choices=ConsentMethod.choices, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recorded_consents",
        verbose_name=_("recorded by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="withdrawn_consents",
        verbose_name=_("withdrawn by"),
    )
    history = HistoricalRecords()

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "purpose", "-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            # At most one active consent per purpose; withdrawn ones stay as the record.
            models.UniqueConstraint(
                fields=["participant", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_purpose",
            ),
        ]

    def __str__(self):
        return f"{self.participant}: {self.get_purpose_display()}"

    @property
    def is_active(self):
        return self.withdrawn_at is None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """A single-use link, valid for 7 days, through which a participant sets a password. Only the hash is stored."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("participant")
    )
    email = models.EmailField(_("email"))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="sent_invitations",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.participant} <{self.email}>"

    @classmethod
    def new_token(cls):
        """A fresh random token and its hash; the token goes in the email, the hash in the database."""
        token = secrets.token_urlsafe(32)
        return token, hash_token(token)

    @property
    def is_usable(self):
        return self.accepted_at is None and self.expires_at > timezone.now()


class AccessLog(models.Model):
    """Append-only: who looked at or exported whose personal data, when and why."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="access_log_entries",
        verbose_name=_("who"),
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="access_log", verbose_name=_("whose data")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    action = models.CharField(_("what"), max_length=30)
    reason = models.CharField(_("why"), max_length=200)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            # The person's own "who looked at my data" page lists by participant, newest first.
            models.Index(fields=["participant", "-at"], name="accesslog_participant_at_idx"),
            # The whole access log (/deltakere/tilgangslogg/), newest first from a cursor: ORDER BY at DESC, id DESC
            # WHERE at <= the last row's, LIMIT 26 (kremlib.http.keyset_page), never a scan of every row.
            models.Index(fields=["-at", "-id"], name="accesslog_at_id_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.participant}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The access log is append-only.")
