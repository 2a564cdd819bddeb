from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from krem.dates import Precision, format_approx
from projects.models import Municipality, Organisation, Project


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


class DialogueQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("project", "municipality")

    def held(self):
        return self.filter(status=DialogueStatus.HELD)

    def upcoming(self):
        return self.filter(ends_at__gte=timezone.now()).exclude(status=DialogueStatus.CANCELLED)


class Dialogue(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="dialogues", verbose_name=_("project"))
    kind = models.CharField(_("kind"), max_length=30, choices=DialogueKind.choices, default=DialogueKind.DIALOGUE_SEMINAR)
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
    status = models.CharField(_("status"), max_length=20, choices=DialogueStatus.choices, default=DialogueStatus.PLANNED)
    purpose = models.TextField(_("purpose"), blank=True, help_text=_("Which question does the gathering explore?"))
    source = models.CharField(_("source"), max_length=100, blank=True, help_text=_("E.g. report section 5.3."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DialogueQuerySet.as_manager()

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
    def when_display(self):
        if self.time_precision != TimePrecision.EXACT:
            return format_approx(timezone.localtime(self.starts_at).date(), self.time_precision)
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        if start.date() == end.date():
            return f"{formats.date_format(start, 'DATE_FORMAT')} {formats.time_format(start)}–{formats.time_format(end)}"
        return f"{formats.date_format(start, 'DATE_FORMAT')} – {formats.date_format(end, 'DATE_FORMAT')}"
