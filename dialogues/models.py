import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kremlib.dates import Precision, format_approx, normalise, period_end
from kremlib.files import StoredFile
from kremlib.softdelete import SoftDeletable, SoftDeletableQuerySet
from kremlib.versioning import Versioned
from participants.models import Participant
from participants.perspectives import Perspective
from projects.models import ChangeLevel, Municipality, Organisation, Partnership, Project, SystemChange

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


def span(first_day, last_day, precision):
    """(starts_at, ends_at) of a gathering known only to the day, month, season or year: midnight (Oslo) at the
    start of its period, and midnight after its period's last day. Stored so, a rough gathering sorts, filters and
    compares as the whole period it stands for, as a project's approximate dates do (kremlib.dates)."""
    zone = timezone.get_current_timezone()
    first = normalise(first_day, precision)
    last = period_end(max(first_day, last_day), precision) + datetime.timedelta(days=1)
    return (
        datetime.datetime.combine(first, datetime.time(0, 0), tzinfo=zone),
        datetime.datetime.combine(last, datetime.time(0, 0), tzinfo=zone),
    )


class Series(models.Model):
    """Gatherings that belong together, such as KREM's "Tenk Om" conferences in Oslo and Larvik."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name in the address"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True, help_text=_("E.g. report section 5.14."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("series")
        verbose_name_plural = pgettext_lazy("plural", "series")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("dialogues:series_detail", args=[self.slug])


class InsightPerspective(models.TextChoices):
    LIVED_EXPERIENCE = "lived_experience", _("Lived experience")
    STAFF = "staff", _("Staff")
    OTHER = "other", _("Other")
    JOINT = "joint", _("Jointly")


# The voice balance's counts, stored on each dialogue (dialogues/voice_counts.py keeps them): the field of each
# perspective value, for named attendance, anonymous headcounts and insights.
NAMED_COUNT = {value: f"named_{value}" for value in Perspective.values}
ANONYMOUS_COUNT = {value: f"anonymous_{value}" for value in Perspective.values}
INSIGHT_COUNT = {value: f"insights_{value}" for value in InsightPerspective.values}
VOICE_COUNTS = [*NAMED_COUNT.values(), *ANONYMOUS_COUNT.values(), *INSIGHT_COUNT.values()]


def voice_count(kind, perspective):
    """A stored count: set by voice_counts.recount() alone, so no form shows it (editable=False)."""
    return models.PositiveIntegerField(format_lazy("{}: {}", kind, perspective.label), default=0, editable=False)


def visibility_scope(user):
    """(the ids of the projects the user is a member of, {the id of each dialogue they attended: its project's}),
    for DialogueQuerySet.visible_to. One query, asked once a request: kept on the user object, like
    projects.rules.is_coordinator. As lists of ids PostgreSQL finds a member's dialogues through the indexes on
    project and key (60 ms for a member of the partner in 1,486 projects at national scale); as subqueries in
    one OR it read the whole dialogue table, and the outcomes, for every list and count (270 ms)."""
    if not hasattr(user, "_krem_dialogue_scope"):
        # (project, None) for each project of the user's organisation, (project, dialogue) for each attendance
        member_of = Partnership.objects.filter(
            organisation__participants__user=user, project__deleted_at__isnull=True
        ).values_list("project_id", models.Value(None, output_field=models.IntegerField()))
        attended = Attendance.objects.filter(participant__user=user, dialogue__deleted_at__isnull=True).values_list(
            "dialogue__project_id", "dialogue_id"
        )
        rows = list(member_of.order_by().union(attended.order_by(), all=True))
        user._krem_dialogue_scope = (
            sorted({project for project, dialogue in rows if dialogue is None}),
            {dialogue: project for project, dialogue in rows if dialogue is not None},
        )
    return user._krem_dialogue_scope


class DialogueQuerySet(SoftDeletableQuerySet):
    def visible_to(self, user):
        """What dialogues.view_dialogue allows (after visibility_scope, one query a request); deleted dialogues (and
        those of deleted projects) never.

        Coordinators see every dialogue; members of a partner organisation the dialogues of its projects; a
        participant the dialogues they attended, and the dialogues of those projects whose outcome is published."""
        from projects.rules import is_coordinator

        if is_coordinator(user):
            return self.alive()
        if not user.is_authenticated:
            return self.none()
        projects, attended = visibility_scope(user)
        visible = Q(project__in=projects)
        if attended:
            visible |= Q(pk__in=attended) | Q(
                project__in=set(attended.values()), outcome__status=OutcomeStatus.PUBLISHED
            )
        return self.alive().filter(visible)

    def alive(self):
        """Not deleted, and not in a deleted project."""
        return self.filter(deleted_at__isnull=True, project__deleted_at__isnull=True)

    def for_list(self):
        return self.select_related("project", "municipality", "series")

    def of_organisation(self, organisation):
        """Gatherings the organisation facilitates, or of a project it is a partner in (the partner page). Indexed
        lookups as subqueries, not joins over facilitators and partners: no row is repeated, so no DISTINCT."""
        facilitated = Dialogue.facilitators.through.objects.filter(organisation=organisation).values("dialogue")
        return self.filter(Q(pk__in=facilitated) | Q(project__in=Project.objects.with_partner(organisation)))

    def in_municipality(self, municipality):
        """Gatherings held in the municipality, or of a project in it or in one of its districts (the
        municipality page). A UNION of two indexed lookups (the foreign keys' indexes on municipality and
        project): with an OR of the two, PostgreSQL scanned every dialogue."""
        here = Dialogue.objects.filter(municipality=municipality).order_by().values("pk")
        of_projects = Dialogue.objects.filter(project__in=Project.objects.in_municipality(municipality))
        return self.filter(pk__in=here.union(of_projects.order_by().values("pk")))

    def with_attended(self, user):
        """Annotate `attended`: the user has an attendance row (for "I attended" in lists), in the same query."""
        if not user.is_authenticated:
            return self.annotate(attended=models.Value(False))
        mine = Attendance.objects.filter(dialogue=models.OuterRef("pk"), participant__user=user)
        return self.annotate(attended=models.Exists(mine))

    def with_project_open(self, user):
        """Annotate `project_open`: the user may open the dialogue's project page (a participant often may not), so
        a list links the project only then and names it as text otherwise, instead of linking to a 404."""
        visible = Project.objects.visible_to(user).filter(pk=models.OuterRef("project_id"))
        return self.annotate(project_open=models.Exists(visible))

    def held(self):
        return self.filter(status=DialogueStatus.HELD)

    def upcoming(self):
        """Planned and not yet over: held and cancelled dialogues are past, whatever their planned time. A planned
        gathering whose date is not known is not known to be over, so it is upcoming too (listed last)."""
        return self.filter(Q(ends_at__gte=timezone.now()) | Q(ends_at__isnull=True), status=DialogueStatus.PLANNED)

    def soonest_first(self):
        """By start, a gathering of unknown date last (on every database: PostgreSQL sorts NULL first otherwise)."""
        return self.order_by(F("starts_at").asc(nulls_last=True), "pk")

    def latest_first(self):
        return self.order_by(F("starts_at").desc(nulls_last=True), "-pk")


class Dialogue(Versioned, SoftDeletable):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="dialogues", verbose_name=_("project"))
    kind = models.CharField(
        _("kind"), max_length=30, choices=DialogueKind.choices, default=DialogueKind.DIALOGUE_SEMINAR
    )
    title = models.CharField(_("title"), max_length=200)
    # Both empty: the date is not known at all (as a project's empty start). Known only roughly: the whole period
    # (see span()); time_precision says how much of it is known.
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    time_precision = models.CharField(
        _("time known to the"), max_length=10, choices=TimePrecision.choices, default=TimePrecision.EXACT
    )
    series = models.ForeignKey(
        Series,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dialogues",
        verbose_name=_("series"),
        help_text=_("E.g. the “Tenk Om” conferences."),
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
    # Who was in the room and who was heard (VOICE_COUNTS): the rows counted, so that the voice balance of
    # 35,000 dialogues sums one table instead of counting 2 million attendances.
    named_lived_experience = voice_count(_("named attendees"), Perspective.LIVED_EXPERIENCE)
    named_staff = voice_count(_("named attendees"), Perspective.STAFF)
    named_researcher = voice_count(_("named attendees"), Perspective.RESEARCHER)
    named_business = voice_count(_("named attendees"), Perspective.BUSINESS)
    named_politician = voice_count(_("named attendees"), Perspective.POLITICIAN)
    named_other = voice_count(_("named attendees"), Perspective.OTHER)
    anonymous_lived_experience = voice_count(_("anonymous headcount"), Perspective.LIVED_EXPERIENCE)
    anonymous_staff = voice_count(_("anonymous headcount"), Perspective.STAFF)
    anonymous_researcher = voice_count(_("anonymous headcount"), Perspective.RESEARCHER)
    anonymous_business = voice_count(_("anonymous headcount"), Perspective.BUSINESS)
    anonymous_politician = voice_count(_("anonymous headcount"), Perspective.POLITICIAN)
    anonymous_other = voice_count(_("anonymous headcount"), Perspective.OTHER)
    insights_lived_experience = voice_count(_("insights raised by"), InsightPerspective.LIVED_EXPERIENCE)
    insights_staff = voice_count(_("insights raised by"), InsightPerspective.STAFF)
    insights_other = voice_count(_("insights raised by"), InsightPerspective.OTHER)
    insights_joint = voice_count(_("insights raised by"), InsightPerspective.JOINT)

    objects = DialogueQuerySet.as_manager()

    # The counts are not part of a version: restoring one must not bring back the counts of its day.
    history = HistoricalRecords(m2m_fields=[facilitators, facilitating_participants], excluded_fields=VOICE_COUNTS)

    class Meta:
        ordering = [F("starts_at").desc(nulls_last=True), "-pk"]
        verbose_name = _("dialogue")
        verbose_name_plural = _("dialogues")
        constraints = [
            models.CheckConstraint(
                # Both empty (date not known), or both given and in order. The NOT NULLs matter: a CHECK that is
                # NULL passes, so "ends_at > starts_at" alone would let one of them be empty.
                condition=Q(starts_at__isnull=True, ends_at__isnull=True)
                | Q(starts_at__isnull=False, ends_at__isnull=False, ends_at__gt=F("starts_at")),
                name="dialogue_ends_after_start",
            ),
        ]
        indexes = [
            # The dialogue list and the calendar feed select by time.
            models.Index(fields=["starts_at"], name="dialogue_starts_at_idx"),
            # upcoming().soonest_first(): the home page's next gatherings and the planned ones in the dialogue
            # list. Without it PostgreSQL walks dialogue_starts_at_idx past every held gathering (191,000 rows at
            # national scale, 148 ms); with it 0.2 ms.
            models.Index(fields=["status", "starts_at"], name="dialogue_status_starts_idx"),
            # And dialogue_latest_first_idx, (starts_at DESC NULLS LAST, id DESC), on PostgreSQL only (SQLite has no
            # NULLS LAST in an index): migration 0012_latest_first_index says which queries need it.
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("dialogues:dialogue_detail", args=[self.pk])

    def clean(self):
        if self.starts_at is None and self.ends_at is not None:
            raise ValidationError(
                {
                    "starts_at": ValidationError(
                        _("Give the start too, or leave both empty when the date is not known."),
                        code="end_without_start",
                    )
                }
            )
        if self.starts_at is not None and self.ends_at is None and self.time_precision == TimePrecision.EXACT:
            raise ValidationError(
                {
                    "ends_at": ValidationError(
                        _("Give the end, or choose how well the time is known."), code="start_without_end"
                    )
                }
            )
        if self.starts_at and self.ends_at:
            if self.time_precision == TimePrecision.EXACT:
                before = self.ends_at <= self.starts_at
            else:  # known to the day or roughly: the end's day may be the start's, not before it
                before = timezone.localdate(self.ends_at) < timezone.localdate(self.starts_at)
            if before:
                raise ValidationError(
                    {"ends_at": ValidationError(_("The end must be after the start."), code="end_before_start")}
                )
        self.fit_to_precision()

    def save(self, *args, **kwargs):
        self.fit_to_precision()
        if self._state.adding or self.pk is None:  # a new row, or a copy of another dialogue (pk set to None)
            for name in VOICE_COUNTS:  # nobody is counted yet
                setattr(self, name, 0)
        elif kwargs.get("update_fields") is None:
            # The counts are recount()'s alone: an instance read before someone was registered must not write
            # its old counts back.
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                f.attname
                for f in self._meta.concrete_fields
                if not f.primary_key and f.attname not in deferred and f.name not in VOICE_COUNTS
            ]
        super().save(*args, **kwargs)

    def fit_to_precision(self):
        """A gathering known only to the day or roughly spans its whole period (an end left empty: the start's)."""
        if self.starts_at is None or self.time_precision == TimePrecision.EXACT:
            return
        first_day = timezone.localdate(self.starts_at)
        # ends_at is exclusive: a gathering from 10 March 00:00 to 11 March 00:00 lasts only 10 March.
        last_day = timezone.localdate(self.ends_at - datetime.timedelta(microseconds=1)) if self.ends_at else first_day
        self.starts_at, self.ends_at = span(first_day, last_day, self.time_precision)

    @property
    def date_known(self):
        return self.starts_at is not None

    @property
    def is_upcoming(self):
        if self.status != DialogueStatus.PLANNED:
            return False
        return self.ends_at is None or self.ends_at >= timezone.now()

    # The one rule for gatherings in time, which attendance, headcounts and the outcome all follow: what happened
    # is recorded once the gathering has begun, never before. Forms show RECORD_RULE as help before the user types.
    RECORD_RULE = _("Attendance and the outcome are registered once the gathering has begun, not in advance.")

    def has_begun(self, now=None):
        # A gathering whose date is not known has begun once it is marked held (the report's Horten kino conference).
        if self.starts_at is None:
            return self.status == DialogueStatus.HELD
        return self.starts_at <= (now or timezone.now())

    def record_error(self, started=None):
        """A ValidationError if what happened may not be recorded yet, else None.

        `started` is the actual start the user gives (the outcome); attendance is checked against the outcome's
        actual start once one is registered (it may differ from the plan), else against the planned one.
        """
        now = timezone.now()
        if started is not None:
            if started > now:
                return ValidationError(_("A dialogue cannot have been held in the future."), code="held_in_future")
            return None
        registered = Outcome.objects.filter(dialogue=self, actual_start__isnull=False).values_list("actual_start")
        if (actual := registered.first()) is not None:
            return self.record_error(started=actual[0])
        if self.starts_at is None and not self.has_begun(now):
            return ValidationError(
                _("This gathering has no date and is not marked as held. %(rule)s"),
                code="not_begun",
                params={"rule": self.RECORD_RULE},
            )
        if not self.has_begun(now):
            return ValidationError(
                _("This gathering has not begun yet (it starts %(start)s). %(rule)s"),
                code="not_begun",
                params={"start": self.when_display, "rule": self.RECORD_RULE},
            )
        return None

    @property
    def when_display(self):
        if self.starts_at is None:
            return _("Date not known")
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
    # Who registered the row: they may correct or remove it even where they may not see the person's name.
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registered_attendances",
        verbose_name=_("registered by"),
    )
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
        if self.actual_start and (error := self.dialogue.record_error(self.actual_start)) is not None:
            raise ValidationError({"actual_start": error})

    @property
    def is_published(self):
        return self.status == OutcomeStatus.PUBLISHED

    @property
    def project_id(self):
        """The project the outcome belongs to (through its dialogue), e.g. for whose names may be shown."""
        return self.dialogue.project_id


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

    def overdue(self):
        """Open, with a due date before today (FollowUpAction.is_overdue, as one filter)."""
        return self.open().filter(due_date__lt=timezone.localdate())

    def open_in_projects_of(self, user):
        """Open actions of the projects the user is a member of (every project for coordinators). Not those of
        dialogues a participant merely attended: they find their own actions under "mine", and may not mark the
        others done. The follow-up page lists these, and the home page counts them: one definition for both."""
        return self.open().filter(
            dialogue__in=Dialogue.objects.visible_to(user), dialogue__project__in=Project.objects.visible_to(user)
        )

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
        starts_at = self.dialogue.starts_at if self.dialogue_id else None
        if self.due_date and starts_at and self.due_date < timezone.localtime(starts_at).date():
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
