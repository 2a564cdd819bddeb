"""Notices: reminders and digests, each recorded once under its key before it is sent, then delivered by email
(where the person may be contacted) and listed on the home page.

Exactly once: the key (kind, object, recipient, due date) is unique, so a job run twice, or by two beats at once,
records nothing twice. A worker claims one notice at a time with a lease (UPDATE ... WHERE the notice is free);
a worker killed while it holds one leaves it to the next worker when the lease ends.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    OUTCOME_MISSING = "outcome_missing", _("Outcome not registered after a gathering")
    ACTION_DUE = "action_due", _("Follow-up action due in three days")
    ACTION_OVERDUE = "action_overdue", _("Follow-up action overdue")
    ACTION_SUMMARY = "action_summary", _("Weekly summary of follow-up actions")
    GATHERING_SOON = "gathering_soon", _("Gathering in two days")
    SUMMARY_TO_CONFIRM = "summary_to_confirm", _("Summary waiting for your confirmation")
    RECHECK_DUE = "recheck_due", _("System change due for a re-check")
    REPORTING_DUE = "reporting_due", _("Grant reporting deadline")
    WEEKLY_DIGEST = "weekly_digest", _("Weekly digest of the projects")


class Delivery(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent by email")
    FAILED = "failed", _("Could not be sent")
    IN_APP = "in_app", _("Shown in the app only")


class NoticeQuerySet(models.QuerySet):
    def claimable(self, at):
        """Waiting, due for an attempt, and held by no worker (or by one whose lease has ended)."""
        return self.filter(state=Delivery.PENDING, next_attempt_at__lte=at).filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=at)
        )

    def for_user(self, user):
        return self.filter(user=user) if user.is_authenticated else self.none()

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    kind = models.CharField(_("kind"), max_length=30, choices=NoticeKind.choices)
    object_ref = models.CharField(_("about"), max_length=80, help_text=_("E.g. dialogue:12 or week:2027-01-11."))
    recipient_key = models.CharField(_("recipient"), max_length=30, help_text=_("p:<participant> or u:<account>."))
    due_on = models.DateField(_("due on"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("account"),
    )
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("participant"),
    )
    # Like the text, kept only until the email is sent or given up.
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="nb")
    subject = models.CharField(_("subject"), max_length=300)
    # Kept only until the email is sent (or given up): a sent notice keeps no text that could name anyone.
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    attach_ics = models.ForeignKey(
        "dialogues.Dialogue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("calendar file of"),
    )
    state = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            # Recorded before it is sent: a job run twice, or by two beats at once, records (and sends) nothing twice.
            models.UniqueConstraint(
                fields=["kind", "object_ref", "recipient_key", "due_on"], name="notice_once_per_key"
            ),
        ]
        indexes = [
            # Workers claim waiting notices in order of their next attempt.
            models.Index(fields=["state", "next_attempt_at"], name="notice_claim_idx"),
            # The home page lists the user's newest notices and counts the unread.
            models.Index(fields=["user", "-created_at"], name="notice_user_created_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient_key} ({self.due_on})"


class OptOut(models.Model):
    """A person wants no email of this kind (they still see the notice in the app when they have an account)."""

    recipient_key = models.CharField(_("recipient"), max_length=30)
    kind = models.CharField(_("kind"), max_length=30, choices=NoticeKind.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["recipient_key", "kind"]
        verbose_name = _("email opt-out")
        verbose_name_plural = _("email opt-outs")
        constraints = [models.UniqueConstraint(fields=["recipient_key", "kind"], name="optout_once_per_kind")]

    def __str__(self):
        return f"{self.recipient_key}: {self.kind}"


class NoticeLanguage(models.Model):
    """The language a person chose for their notices (none chosen: Norwegian)."""

    recipient_key = models.CharField(_("recipient"), max_length=30, unique=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("language of notices")
        verbose_name_plural = _("languages of notices")

    def __str__(self):
        return f"{self.recipient_key}: {self.language}"
