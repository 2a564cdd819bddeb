import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kremlib.dates import Precision, format_approx
from kremlib.files import StoredFile
from kremlib.softdelete import SoftDeletable, SoftDeletableQuerySet
from kremlib.versioning import Versioned
from participants.models import Participant
from participants.perspectives import Perspective
from projects.models import ChangeLevel, Municipality, Organisation, Project, SystemChange

MAX_HEADCOUNT = 10_000


class DialogueKind(models.TextChoices):
    DIALOGUE_SEMINAR = "dialogue_seminar", _("Dialogue seminar")
    LEARNING_LAB = "learning_lab", _("Learning lab")
    CHANGE_METHOD_COURSE = "change_method_course", _("Change-method course")
    WORKSHOP = "workshop", _("Workshop")
    POLITICAL_WORKSHOP = "political_workshop", _("Political workshop")
    INSPIRATION_DAY = "inspiration_day", _("Inspiration day")
    CONFERENCE = "conference", _("Conference")
    OTHER = "other", _("Other")


class DialogueStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class TimePrecision(models.TextChoices):
    """How well the time of a gathering is known. The report often gives only a day or a season."""

    EXACT = "exact", _("Exact time")
    DAY = Precision.DAY.value, Precision.DAY.label
    MONTH = Precision.MONTH.value, Precision.MONTH.label
    SEASON = Precision.SEASON.value, Precision.SEASON.label
    YEAR = Precision.YEAR.value, Precision.YEAR.label


class DialogueQuerySet(SoftDeletableQuerySet):
    def visible_to(self, user):
        """What dialogues.view_dialogue allows, as one query; deleted dialogues (and those of deleted projects) never.

        Coordinators see every dialogue; members of a partner organisation the dialogues of its projects; a
        participant the dialogues they attended, and the dialogues of those projects whose outcome is published."""
        from projects.rules import is_coordinator

        if is_coordinator(user):
            return self.alive()
        if not user.is_authenticated:
            return self.none()
        attended = Attendance.objects.filter(participant__user=user, dialogue__deleted_at__isnull=True)
        return self.alive().filter(
            Q(project__in=Project.objects.visible_to(user))
            | Q(pk__in=attended.values("dialogue"))
            | Q(project__in=attended.values("dialogue__project"), outcome__status=OutcomeStatus.PUBLISHED)
        )

    def alive(self):
        """Not deleted, and not in a deleted project."""
        return self.filter(deleted_at__isnull=True, project__deleted_at__isnull=True)

    def for_list(self):
        return self.select_related("project", "municipality")

    def held(self):
        return self.filter(status=DialogueStatus.HELD)

    def upcoming(self):
        """Planned and not yet over: held and cancelled dialogues are past, whatever their planned time."""
        return self.filter(ends_at__gte=timezone.now(), status=DialogueStatus.PLANNED)


class Dialogue(Versioned, SoftDeletable):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="dialogues", verbose_name=_("project"))
    kind = models.CharField(
        _("kind"), max_length=30, choices=DialogueKind.choices, default=DialogueKind.DIALOGUE_SEMINAR
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_precision = models.CharField(
        _("time known to the"), max_length=10, choices=TimePrecision.choices, default=TimePrecision.EXACT
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dialogues",
        verbose_name=_("municipality"),
    )
    facilitators = models.ManyToManyField(
        Organisation, blank=True, related_name="facilitated_dialogues", verbose_name=_("facilitating organisations")
    )
    facilitating_participants = models.ManyToManyField(
        "participants.Participant",
        blank=True,
        related_name="facilitated_dialogues",
        verbose_name=_("facilitating people"),
        help_text=_("Facilitators can bring any perspective, service users as well as staff."),
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DialogueStatus.choices, default=DialogueStatus.PLANNED
    )
    purpose = models.TextField(_("purpose"), blank=True, help_text=_("Which question does the gathering explore?"))
    source = models.CharField(_("source"), max_length=100, blank=True, help_text=_("E.g. report section 5.3."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DialogueQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[facilitators, facilitating_participants])

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("dialogue")
        verbose_name_plural = _("dialogues")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="dialogue_ends_after_start"),
        ]
        indexes = [
            # The dialogue list and the calendar feed select by time.
            models.Index(fields=["starts_at"], name="dialogue_starts_at_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("dialogues:dialogue_detail", args=[self.pk])

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")}, code="end_before_start")

    @property
    def is_upcoming(self):
        return self.ends_at >= timezone.now() and self.status == DialogueStatus.PLANNED

    @property
    def when_display(self):
        if self.time_precision != TimePrecision.EXACT:
            return format_approx(timezone.localtime(self.starts_at).date(), self.time_precision)
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        if start.date() == end.date():
            return (
                f"{formats.date_format(start, 'DATE_FORMAT')} {formats.time_format(start)}–{formats.time_format(end)}"
            )
        return f"{formats.date_format(start, 'DATE_FORMAT')} – {formats.date_format(end, 'DATE_FORMAT')}"


class Attendance(models.Model):
    """A person took part in a gathering, bringing a perspective. It joins a dialogue and a participant, so it lives
    here, above both; its tables keep the names they had in the participants app (migration 0005 moved it)."""

    dialogue = models.ForeignKey(
        "Dialogue", on_delete=models.CASCADE, related_name="attendances", verbose_name=_("dialogue")
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("participant")
    )
    perspective = models.CharField(_("perspective brought"), max_length=20, choices=Perspective.choices)
    history = HistoricalRecords(table_name="participants_historicalattendance")

    class Meta:
        db_table = "participants_attendance"
        ordering = ["dialogue", "participant__display_name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["dialogue", "participant"], name="attendance_once_per_dialogue"),
        ]

    def __str__(self):
        return f"{self.participant} @ {self.dialogue}"


class AgendaItem(models.Model):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("dialogue"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("agenda item"), max_length=200)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["dialogue", "order", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")

    def __str__(self):
        return self.title


class Headcount(models.Model):
    """People who took part without being registered by name, counted per perspective."""

    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.CASCADE, related_name="headcounts", verbose_name=_("dialogue")
    )
    perspective = models.CharField(_("perspective"), max_length=20, choices=Perspective.choices)
    count = models.PositiveIntegerField(_("number of people"), default=0, validators=[MaxValueValidator(MAX_HEADCOUNT)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["dialogue", "perspective"]
        verbose_name = _("anonymous headcount")
        verbose_name_plural = _("anonymous headcounts")
        constraints = [
            models.UniqueConstraint(fields=["dialogue", "perspective"], name="headcount_once_per_perspective"),
            models.CheckConstraint(condition=Q(count__lte=MAX_HEADCOUNT), name="headcount_not_absurd"),
        ]

    def __str__(self):
        return f"{self.get_perspective_display()}: {self.count}"


class OutcomeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Outcome(Versioned):
    """What came out of a held dialogue. Saved as a draft first, then published; edits are kept in history."""

    dialogue = models.OneToOneField(
        Dialogue, on_delete=models.CASCADE, related_name="outcome", verbose_name=_("dialogue")
    )
    status = models.CharField(_("status"), max_length=10, choices=OutcomeStatus.choices, default=OutcomeStatus.DRAFT)
    actual_start = models.DateTimeField(_("actual start"))
    actual_end = models.DateTimeField(_("actual end"))
    framework_answer = models.TextField(
        _("what does this mean for the frameworks, the guidelines and the practice?"), blank=True
    )
    summary = models.TextField(_("summary"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.CheckConstraint(condition=Q(actual_end__gt=F("actual_start")), name="outcome_ends_after_start"),
        ]

    def __str__(self):
        return _("Outcome of %(dialogue)s") % {"dialogue": self.dialogue}

    def clean(self):
        if self.actual_start and self.actual_end and self.actual_end <= self.actual_start:
            raise ValidationError({"actual_end": _("The end must be after the start.")}, code="end_before_start")
        if self.actual_start and self.actual_start > timezone.now():
            raise ValidationError(
                {"actual_start": _("A dialogue cannot have been held in the future.")}, code="held_in_future"
            )

    @property
    def is_published(self):
        return self.status == OutcomeStatus.PUBLISHED

    @property
    def project_id(self):
        """The project the outcome belongs to (through its dialogue), e.g. for whose names may be shown."""
        return self.dialogue.project_id


class InsightPerspective(models.TextChoices):
    LIVED_EXPERIENCE = "lived_experience", _("Lived experience")
    STAFF = "staff", _("Staff")
    OTHER = "other", _("Other")
    JOINT = "joint", _("Jointly")


class Insight(models.Model):
    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.CASCADE, related_name="insights", verbose_name=_("dialogue")
    )
    text = models.TextField(_("insight"))
    perspective = models.CharField(_("raised by"), max_length=20, choices=InsightPerspective.choices)
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="insights",
        verbose_name=_("participant"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["dialogue", "created_at", "pk"]
        verbose_name = _("insight")
        verbose_name_plural = _("insights")

    def __str__(self):
        return self.text[:80]


class Proposal(models.Model):
    """A proposal from the dialogue. With a level it is a system-change proposal for the project."""

    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("dialogue")
    )
    text = models.TextField(_("proposal"))
    level = models.CharField(
        _("system level"),
        max_length=10,
        choices=ChangeLevel.choices,
        blank=True,
        help_text=_("Choose a level if the proposal would change frameworks, guidelines or practice."),
    )
    system_change = models.OneToOneField(
        SystemChange,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal",
        verbose_name=_("system change"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["dialogue", "pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self):
        return self.text[:80]


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class FollowUpActionQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("dialogue__project", "responsible_organisation", "responsible_participant").order_by(
            F("due_date").asc(nulls_last=True), "pk"
        )

    def open(self):
        return self.filter(status=ActionStatus.OPEN)

    def responsible(self, user):
        """Actions the user answers for: by name, or through their organisation."""
        participant = getattr(user, "participant", None) if user.is_authenticated else None
        if participant is None:
            return self.none()
        mine = Q(responsible_participant=participant)
        if participant.organisation_id:
            mine |= Q(responsible_organisation_id=participant.organisation_id)
        return self.filter(mine)


class FollowUpAction(models.Model):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="actions", verbose_name=_("dialogue"))
    what = models.TextField(_("what"))
    responsible_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up_actions",
        verbose_name=_("responsible organisation"),
    )
    responsible_participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_actions",
        verbose_name=_("responsible person"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    history = HistoricalRecords()

    objects = FollowUpActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        indexes = [
            # "My open actions" filters by status and sorts by due date.
            models.Index(fields=["status", "due_date"], name="action_status_due_idx"),
        ]

    def __str__(self):
        return self.what[:80]

    def clean(self):
        if self.due_date and self.dialogue_id and self.due_date < timezone.localtime(self.dialogue.starts_at).date():
            raise ValidationError(
                {"due_date": _("The due date cannot be before the dialogue.")}, code="due_before_dialogue"
            )

    @property
    def is_overdue(self):
        return self.status == ActionStatus.OPEN and self.due_date is not None and self.due_date < timezone.localdate()


class DocumentationLink(models.Model):
    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.CASCADE, related_name="documentation", verbose_name=_("dialogue")
    )
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("address (URL)"), max_length=500)
    history = HistoricalRecords()

    class Meta:
        ordering = ["dialogue", "pk"]
        verbose_name = _("documentation link")
        verbose_name_plural = _("documentation links")

    def __str__(self):
        return self.title


class DialogueFile(StoredFile):
    """A document uploaded to a gathering (the programme, the evaluation). Seen by whoever sees the gathering."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="files", verbose_name=_("dialogue"))

    storage_folder = "dialogues"

    class Meta(StoredFile.Meta):
        verbose_name = _("dialogue file")
        verbose_name_plural = _("dialogue files")

    def get_absolute_url(self):
        return reverse("dialogues:file_download", args=[self.dialogue_id, self.pk])

    @property
    def delete_url(self):
        return reverse("dialogues:file_delete", args=[self.dialogue_id, self.pk])


class Feedback(models.Model):
    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("dialogue")
    )
    perspective = models.CharField(_("perspective"), max_length=20, choices=Perspective.choices)
    note = models.TextField(_("feedback"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating (1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("participant"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["dialogue", "perspective", "pk"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.get_perspective_display()}: {self.note[:60]}"


class CalendarFeed(models.Model):
    """A secret address for a calendar feed, per user or per project. Resetting it gives a new token."""

    token = models.CharField(_("token"), max_length=64, unique=True, default=secrets.token_urlsafe)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    project = models.OneToOneField(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feed",
        verbose_name=_("project"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, project__isnull=True) | Q(user__isnull=True, project__isnull=False),
                name="calendar_feed_user_xor_project",
            ),
        ]

    def __str__(self):
        return str(self.user or self.project)

    def reset(self):
        self.token = secrets.token_urlsafe()
        self.save(update_fields=["token"])


class OutcomeComment(models.Model):
    """A participant confirms, or comments on, the summary of a draft outcome."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="comments", verbose_name=_("outcome"))
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.CASCADE,
        related_name="outcome_comments",
        verbose_name=_("participant"),
    )
    confirmed = models.BooleanField(_("I confirm the summary"), default=False)
    text = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["outcome", "created_at", "pk"]
        verbose_name = _("comment on outcome")
        verbose_name_plural = _("comments on outcomes")

    def __str__(self):
        return self.text[:80] or str(_("Confirmed"))
