from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kremlib.dates import Precision, format_approx, normalise, period_end
from kremlib.files import StoredFile
from kremlib.softdelete import SoftDeletable, SoftDeletableQuerySet
from kremlib.versioning import Versioned

from .validators import normalise_org_number, validate_municipality_number, validate_org_number, validate_period


class Municipality(models.Model):
    name = models.CharField(_("name"), max_length=100)
    number = models.CharField(
        _("municipality number"),
        max_length=4,
        unique=True,
        validators=[validate_municipality_number],
        help_text=_("The official four-digit number, e.g. 3901 for Horten."),
    )
    county = models.CharField(_("county"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:municipality_detail", args=[self.number])


class District(models.Model):
    """An area inside a municipality, such as Oslo's city district (bydel) Grünerløkka."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="districts", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ["municipality__name", "name"]
        verbose_name = _("city district")
        verbose_name_plural = _("city districts")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="district_unique_name_per_municipality")
        ]

    def __str__(self):
        return f"{self.name} ({self.municipality})"


class Sector(models.TextChoices):
    NAV = "nav", _("NAV")
    MUNICIPAL = "municipal", _("Municipal agency")
    STATE = "state", _("State agency")
    PRIVATE = "private", _("Private business")
    VOLUNTARY = "voluntary", _("Voluntary organisation")
    RESEARCH = "research", _("Research and education")
    USER_ORG = "user_org", _("User organisation")
    SOCIAL_ENTREPRENEUR = "social_entrepreneur", _("Social entrepreneur")
    OTHER = "other", _("Other")


class OrganisationQuerySet(models.QuerySet):
    def network_of(self, organisation, projects):
        """The bridge-builder's network: the other organisations in `projects` that `organisation` is a partner in,
        each with `shared`, the number of those projects they share."""
        shared = Partnership.objects.filter(organisation=organisation, project__in=projects).values("project")
        return (
            self.filter(partnerships__project__in=shared)
            .exclude(pk=organisation.pk)
            .annotate(shared=models.Count("partnerships__project", distinct=True))
        )

    def active_in(self, municipality, projects):
        """Organisations based in the municipality, or partners in one of `projects` (those of the municipality
        the reader sees): subqueries, not a join that repeats an organisation."""
        partners = Partnership.objects.filter(project__in=projects).values("organisation")
        return self.filter(Q(municipality=municipality) | Q(pk__in=partners))


class Organisation(Versioned):
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, default=Sector.OTHER)
    # NULL, not "", where none is given: the unique constraint must let many organisations have none.
    org_number = models.CharField(  # noqa: DJ001
        _("organisation number"),
        max_length=9,
        null=True,
        blank=True,
        validators=[validate_org_number],
        help_text=_("Nine digits, from the Brønnøysund Register Centre. Optional."),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("municipality"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("city district"),
    )
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            # Unique only when given: many partners (networks, groups) have no number.
            models.UniqueConstraint(
                fields=["org_number"], condition=Q(org_number__isnull=False), name="organisation_unique_org_number"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.org_number = normalise_org_number(self.org_number) or None  # "" would collide with other blanks
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("projects:organisation_detail", args=[self.pk])


class ProjectStatus(models.TextChoices):
    IDEA = "idea", _("Idea")
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CONTINUED = "continued", _("Continued by partner")


# The report the demo data and the report sections come from (/work/shared/DOMAIN.md).
SOURCE_REPORT = "«I partnerskap for sosial innovasjon» (Telemarksforsking, TF-notat 75/2012)"


class ProjectQuerySet(SoftDeletableQuerySet):
    def visible_to(self, user):
        """Coordinators see every project; others the projects their organisation is a partner in.

        Deleted projects are seen by no one here: only the coordinators' "Deleted items" page lists them."""
        from .rules import is_coordinator

        if is_coordinator(user):
            return self.alive()
        if not user.is_authenticated:
            return self.none()
        member_of = Partnership.objects.filter(organisation__participants__user=user).values("project")
        return self.alive().filter(pk__in=member_of)

    def for_list(self):
        return self.prefetch_related(
            "municipalities", models.Prefetch("partnerships", Partnership.objects.select_related("organisation"))
        )

    def in_municipality(self, municipality):
        """Projects in the municipality or in one of its city districts. A UNION of two indexed lookups, not joins:
        no project is repeated, so no DISTINCT over every column; and not an OR of the two, which PostgreSQL
        estimated at 15,000 of 20,000 projects, so that the dialogues of a municipality's projects were found by
        reading every dialogue (200 ms a query on the municipality page at national scale)."""
        in_it = self.model.municipalities.through.objects.filter(municipality=municipality).values("project")
        in_district = self.model.districts.through.objects.filter(district__municipality=municipality)
        return self.filter(pk__in=in_it.order_by().union(in_district.order_by().values("project")))

    def with_partner(self, organisation):
        """Projects the organisation is a partner in (in any role), without repeating one."""
        return self.filter(pk__in=Partnership.objects.filter(organisation=organisation).values("project"))

    def published(self):
        """Projects whose public results page is up: published by a coordinator, and not deleted."""
        return self.alive().filter(published_at__isnull=False)


class Project(Versioned, SoftDeletable):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name in the address"), max_length=100, unique=True)
    report_section = models.CharField(
        _("report section"), max_length=10, blank=True, help_text=_("Section of the 2012 report, e.g. 5.13.")
    )
    summary = models.TextField(_("summary"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    target_groups = models.TextField(_("target groups"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    continued_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="continued_projects",
        verbose_name=_("continued by"),
        help_text=_("The municipality, NAV office or partner that carried the work on."),
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    start_precision = models.CharField(
        _("start known to the"), max_length=10, choices=Precision.choices, default=Precision.DAY
    )
    end_date = models.DateField(_("end"), null=True, blank=True)
    end_precision = models.CharField(
        _("end known to the"), max_length=10, choices=Precision.choices, default=Precision.DAY
    )
    municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="projects", verbose_name=_("municipalities")
    )
    districts = models.ManyToManyField(District, blank=True, related_name="projects", verbose_name=_("city districts"))
    partners = models.ManyToManyField(
        Organisation, through="Partnership", related_name="projects", verbose_name=_("partners")
    )
    # Opt-in: set while the project's public results page is published (issue 11); None takes it down at once.
    published_at = models.DateTimeField(_("public results page published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[municipalities, districts])

    class Meta:
        ordering = ["title"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="project_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="continued") | Q(continued_by__isnull=False),
                name="project_continued_has_continuer",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:project_detail", args=[self.slug])

    def clean(self):
        if self.start_date:
            self.start_date = normalise(self.start_date, self.start_precision)
        if self.end_date:
            # An end known only to the year is stored as the year's last day, so it sorts and compares honestly.
            self.end_date = period_end(self.end_date, self.end_precision)
        validate_period(self.start_date, self.start_precision, self.end_date, self.end_precision)
        if self.status == ProjectStatus.CONTINUED and not self.continued_by_id:
            raise ValidationError({"continued_by": _("Say who continued the project.")})

    @property
    def report_citation(self):
        """The report section, with the report named in full: "5.3" alone never said which report."""
        if not self.report_section:
            return ""
        return _("Section %(section)s of %(report)s") % {"section": self.report_section, "report": SOURCE_REPORT}

    @property
    def is_closed(self):
        """Completed, or continued by a partner: new gatherings on it are likely a mistake (the form asks)."""
        return self.status in (ProjectStatus.COMPLETED, ProjectStatus.CONTINUED)

    @property
    def start_display(self):
        return format_approx(self.start_date, self.start_precision)

    @property
    def end_display(self):
        return format_approx(self.end_date, self.end_precision)

    @property
    def is_published(self):
        return self.published_at is not None

    @property
    def period_display(self):
        start, end = self.start_display, self.end_display
        if start and end:
            return start if start == end else f"{start} – {end}"
        if start:
            return _("from %(start)s") % {"start": start}
        if end:
            return _("until %(end)s") % {"end": end}
        return ""


class PartnerRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    # Holds the coordinating responsibility without leading the project (KREM in NORSOMBRO, report 5.21).
    COORDINATOR = "coordinator", pgettext_lazy("partner role", "Coordinator")
    PARTNER = "partner", _("Partner")
    FUNDER = "funder", _("Funder")
    RESEARCH_PARTNER = "research_partner", _("Research partner")
    FACILITATOR = "facilitator", _("Facilitator")
    EVALUATOR = "evaluator", _("Evaluator")


class Partnership(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="partnerships", verbose_name=_("project")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partnerships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=20, choices=PartnerRole.choices, default=PartnerRole.PARTNER)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project__title", "organisation__name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation", "role"], name="partnership_unique_role_per_organisation"
            )
        ]

    def __str__(self):
        return f"{self.organisation} – {self.get_role_display()} – {self.project}"


class ApproxDated(models.Model):
    """A date known to the day, month, season or year (see kremlib.dates)."""

    date = models.DateField(_("date"), null=True, blank=True)
    date_precision = models.CharField(
        _("date known to the"), max_length=10, choices=Precision.choices, default=Precision.DAY
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.date:
            self.date = normalise(self.date, self.date_precision)

    @property
    def date_display(self):
        return format_approx(self.date, self.date_precision)


class LearningKind(models.TextChoices):
    """The report's own structure: Gjort / Lært / Lurt."""

    DONE = "done", _("Done")
    LEARNED = "learned", _("Learned")
    WISE = "wise", _("Wise (what we recommend)")


class LearningEntry(ApproxDated):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="learning_entries", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LearningKind.choices)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="learning_entries",
        verbose_name=_("author"),
    )
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("E.g. report section 5.3."))
    public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Shown on the project's public results page, while that page is published."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "date", "created_at"]
        verbose_name = _("learning entry")
        verbose_name_plural = _("learning log")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"


class Result(ApproxDated):
    """A stated, measurable result, such as '13 of 14 participants moved into their own home'."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="results", verbose_name=_("project"))
    description = models.TextField(_("description"))
    value = models.DecimalField(
        _("number"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(-(10**9)), MaxValueValidator(10**9)],
    )
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self):
        return self.description[:80]


class ChangeLevel(models.TextChoices):
    """What does this mean for the frameworks, the guidelines and the practice?"""

    FRAMEWORK = "framework", _("Framework")
    GUIDELINE = "guideline", _("Guideline")
    PRACTICE = "practice", _("Practice")


class SystemChangeQuerySet(models.QuerySet):
    def with_status(self):
        """`current_status`: the status of the latest step (None: no step recorded yet)."""
        latest = SystemChangeStep.objects.filter(change=models.OuterRef("pk")).order_by("-date", "-created_at", "-pk")
        return self.annotate(current_status=models.Subquery(latest.values("status")[:1]))

    def due_for_recheck(self, today):
        return self.filter(recheck_date__lte=today)

    def for_page(self):
        """What the project page shows of each change: who took it on, its evidence and the indicators it moves."""
        return self.prefetch_related(
            models.Prefetch("adoptions", SystemChangeAdoption.objects.select_related("organisation")),
            "evidence_documents",
            "indicators",
        )


class SystemChange(ApproxDated):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="system_changes", verbose_name=_("project")
    )
    level = models.CharField(_("level"), max_length=10, choices=ChangeLevel.choices)
    description = models.TextField(_("description"))
    krem_contribution = models.TextField(
        _("KREM's contribution"),
        blank=True,
        help_text=_("What KREM did to bring the change about, so that the work gets its credit."),
    )
    evidence_url = models.URLField(_("evidence (link)"), blank=True, max_length=500)
    source = models.CharField(_("source"), max_length=200, blank=True)
    recheck_date = models.DateField(
        _("re-check on"), null=True, blank=True, help_text=_("When to ask again: is this still practice?")
    )
    evidence_documents = models.ManyToManyField(
        "Document",
        blank=True,
        related_name="evidence_for",
        verbose_name=_("evidence (documents)"),
        help_text=_("Documents of the project that show the change."),
    )
    indicators = models.ManyToManyField(
        "Indicator",
        blank=True,
        related_name="system_changes",
        verbose_name=_("indicators it should move"),
    )

    objects = SystemChangeQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["level", "date", "pk"]
        indexes = [
            # The register's "due for re-check": changes whose re-check date has come.
            models.Index(fields=["recheck_date"], name="systemchange_recheck_date"),
        ]
        verbose_name = _("system change")
        verbose_name_plural = _("system changes")

    def __str__(self):
        return f"{self.get_level_display()}: {self.description[:60]}"

    @property
    def current_status_display(self):
        """The label of the latest step's status (read from with_status())."""
        status = getattr(self, "current_status", None)
        return ChangeStatus(status).label if status else ""


class ChangeStatus(models.TextChoices):
    """The life of a system change, in order; it may be abandoned at any step before it is verified."""

    PROPOSED = "proposed", _("Proposed")
    DECIDED = "decided", _("Decided")
    IMPLEMENTED = "implemented", _("Implemented")
    CONTINUED = "continued", _("Continued by a partner")
    VERIFIED = "verified", _("Verified")
    ABANDONED = "abandoned", _("Abandoned")


CHANGE_ORDER = [
    ChangeStatus.PROPOSED,
    ChangeStatus.DECIDED,
    ChangeStatus.IMPLEMENTED,
    ChangeStatus.CONTINUED,
    ChangeStatus.VERIFIED,
]


class SystemChangeStep(ApproxDated):
    """One dated step in the life of a system change, with who recorded it."""

    change = models.ForeignKey(
        SystemChange, on_delete=models.CASCADE, related_name="steps", verbose_name=_("system change")
    )
    status = models.CharField(_("status"), max_length=20, choices=ChangeStatus.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="system_change_steps",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "created_at", "pk"]
        verbose_name = _("step of a system change")
        verbose_name_plural = _("steps of system changes")
        constraints = [
            models.UniqueConstraint(fields=["change", "status"], name="systemchangestep_one_per_status"),
            models.CheckConstraint(condition=Q(date__isnull=False), name="systemchangestep_has_date"),
        ]

    def __str__(self):
        return f"{self.get_status_display()} ({self.date_display})"

    def clean(self):
        super().clean()
        if self.date is None:
            raise ValidationError({"date": _("Give the date of the step (the year is enough).")})
        if not self.change_id or self.status not in ChangeStatus.values:
            return
        earlier = [step for step in self.change.steps.all() if step.pk != self.pk]
        if not earlier:
            return
        last = max(earlier, key=lambda step: (step.date, step.created_at))
        if last.status in (ChangeStatus.ABANDONED, ChangeStatus.VERIFIED):
            raise ValidationError(
                {
                    "status": _("The change is already “%(status)s”: no step can follow.")
                    % {"status": last.get_status_display()}
                }
            )
        if self.status != ChangeStatus.ABANDONED and CHANGE_ORDER.index(self.status) <= CHANGE_ORDER.index(last.status):
            raise ValidationError(
                {
                    "status": _("The change is already “%(status)s”: the next step must come after it.")
                    % {"status": last.get_status_display()}
                }
            )
        if period_end(self.date, self.date_precision) < last.date:
            raise ValidationError(
                {"date": _("The step cannot be before the previous step (%(date)s).") % {"date": last.date_display}}
            )


class AdoptionRole(models.TextChoices):
    """How an organisation took a system change on: the report's theme of partners carrying the work on."""

    DECIDED = "decided", _("Decided it")
    ADOPTED = "adopted", _("Adopted it")
    CONTINUED = "continued", _("Continued it")


class SystemChangeAdoption(ApproxDated):
    """One organisation that took a system change on (Notodden's work was continued by two bodies)."""

    change = models.ForeignKey(
        SystemChange, on_delete=models.CASCADE, related_name="adoptions", verbose_name=_("system change")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,  # the record of who carries a change on is history
        related_name="adoptions",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=AdoptionRole.choices, default=AdoptionRole.ADOPTED)
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "pk"]
        verbose_name = _("adopting organisation")
        verbose_name_plural = _("adopting organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["change", "organisation", "role"], name="systemchangeadoption_unique_role_per_organisation"
            )
        ]

    def __str__(self):
        return f"{self.organisation} – {self.get_role_display()}"


class DocumentKind(models.TextChoices):
    REPORT = "report", _("Report")
    FILM = "film", _("Film")
    ARTICLE = "article", _("Article")
    BOOK = "book", _("Book")
    OTHER = "other", _("Other")


class Document(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents", verbose_name=_("project"))
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices, default=DocumentKind.REPORT)
    url = models.URLField(_("address (URL)"), blank=True, max_length=500)

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        verbose_name = _("document or link")
        verbose_name_plural = _("documents and links")

    def __str__(self):
        return self.title


class ProjectFile(StoredFile):
    """A document uploaded to a project (the learning report, the signed agreement). Seen by whoever sees the project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="files", verbose_name=_("project"))

    storage_folder = "projects"

    class Meta(StoredFile.Meta):
        verbose_name = _("project file")
        verbose_name_plural = _("project files")

    def get_absolute_url(self):
        return reverse("projects:file_download", args=[self.project.slug, self.pk])

    @property
    def delete_url(self):
        return reverse("projects:file_delete", args=[self.project.slug, self.pk])


# Indicators: what a project measures over time, against a baseline and a target (issue 12)


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class CatalogueIndicator(models.Model):
    """A shared indicator (people into work, into own housing, ...), so that projects measuring it can be totalled."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=100)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("catalogue indicator")
        verbose_name_plural = _("indicator catalogue")

    def __str__(self):
        return self.name


class Indicator(Versioned):
    """What a project (or a group inside it, such as one cohort) measures, with an optional baseline and target."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("project"))
    catalogue = models.ForeignKey(
        CatalogueIndicator,
        on_delete=models.PROTECT,  # totals across projects are made of these links
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("from the catalogue"),
        help_text=_("Choose a shared indicator so that projects can be totalled, or leave empty and name your own."),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    group = models.CharField(
        _("group"), max_length=200, blank=True, help_text=_("A group inside the project, e.g. the first cohort.")
    )
    baseline_value = models.DecimalField(
        _("baseline"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(-(10**9)), MaxValueValidator(10**9)],
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    baseline_precision = models.CharField(
        _("baseline date known to the"), max_length=10, choices=Precision.choices, default=Precision.DAY
    )
    target_value = models.DecimalField(
        _("target"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(-(10**9)), MaxValueValidator(10**9)],
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    target_precision = models.CharField(
        _("target date known to the"), max_length=10, choices=Precision.choices, default=Precision.DAY
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "group", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name="") | Q(catalogue__isnull=False), name="indicator_named_or_from_catalogue"
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_date__isnull=False),
                name="indicator_baseline_has_date",
            ),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | Q(target_date__isnull=False),
                name="indicator_target_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.group})" if self.group else self.name

    def clean(self):
        super().clean()
        if self.catalogue_id and not self.name:
            self.name = self.catalogue.name
        if self.catalogue_id and not self.unit:
            self.unit = self.catalogue.unit
        if not self.name:
            raise ValidationError({"name": _("Name the indicator, or choose one from the catalogue.")})
        errors = {}
        for part, label in (("baseline", _("baseline")), ("target", _("target"))):
            value, date = getattr(self, f"{part}_value"), getattr(self, f"{part}_date")
            if value is not None and date is None:
                errors[f"{part}_date"] = _("Give the date of the %(what)s (the year is enough).") % {"what": label}
            elif value is None and date is not None:
                errors[f"{part}_value"] = _("Give the value of the %(what)s, or remove its date.") % {"what": label}
            elif date is not None:
                setattr(self, f"{part}_date", normalise(date, getattr(self, f"{part}_precision")))
        if errors:
            raise ValidationError(errors)

    @property
    def baseline_display(self):
        return format_approx(self.baseline_date, self.baseline_precision)

    @property
    def target_display(self):
        return format_approx(self.target_date, self.target_precision)


class Measurement(ApproxDated):
    """One measured value of an indicator for a period, e.g. 13 (of 14) in their own home, 2010."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("indicator")
    )
    value = models.DecimalField(
        _("value"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(-(10**9)), MaxValueValidator(10**9)],
    )
    denominator = models.DecimalField(
        _("out of"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10**9)],
        help_text=_("How many the value is counted among, e.g. 14 in “13 of 14”. Optional."),
    )
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("A document, report section or note.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicator_measurements",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.CheckConstraint(
                condition=Q(denominator__isnull=True)
                | (Q(value__gte=0) & Q(value__lte=models.F("denominator")) & Q(denominator__gt=0)),
                name="measurement_value_within_denominator",
            ),
            models.CheckConstraint(condition=Q(date__isnull=False), name="measurement_has_period"),
        ]
        indexes = [
            # The project page's charts: each indicator's measurements in date order.
            models.Index(fields=["indicator", "date"], name="measurement_indicator_date"),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value}"

    def clean(self):
        super().clean()
        if self.date is None:
            raise ValidationError({"date": _("Give the period the value was measured for (the year is enough).")})
        if self.denominator is not None and self.value is not None:
            if self.value > self.denominator:
                raise ValidationError(
                    {
                        "value": _("The value cannot be larger than the number it is counted among (%(of)s).")
                        % {"of": f"{self.denominator.normalize():f}"}
                    }
                )
            if self.value < 0:
                raise ValidationError({"value": _("A count among others cannot be negative.")})


# Funding: the grants a project lives on, and the reports its funders expect (issue 12)


class GrantStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    APPLIED = "applied", _("Applied for")
    GRANTED = "granted", _("Granted")
    REJECTED = "rejected", _("Rejected")
    REPORTED = "reported", _("Reported")


class GrantQuerySet(models.QuerySet):
    def counted(self):
        """Grants whose money the project has or had: granted, or granted and reported on."""
        return self.filter(status__in=[GrantStatus.GRANTED, GrantStatus.REPORTED])


class Grant(Versioned):
    """A grant applied for or received: funder, amount in NOK, period, status and the reporting deadline."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="grants", verbose_name=_("project"))
    funder = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,  # totals by funder are made of these links
        related_name="grants",
        verbose_name=_("funder"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("E.g. the programme or the call."))
    amount = models.DecimalField(
        _("amount (NOK)"),
        max_digits=12,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10**10)],
    )
    status = models.CharField(_("status"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.PLANNED)
    start_date = models.DateField(_("from"), null=True, blank=True)
    start_precision = models.CharField(
        _("from known to the"), max_length=10, choices=Precision.choices, default=Precision.YEAR
    )
    end_date = models.DateField(_("to"), null=True, blank=True)
    end_precision = models.CharField(
        _("to known to the"), max_length=10, choices=Precision.choices, default=Precision.YEAR
    )
    reporting_deadline = models.DateField(_("reporting deadline"), null=True, blank=True)
    documents = models.ManyToManyField(
        Document,
        blank=True,
        related_name="grants",
        verbose_name=_("documents"),
        help_text=_("Application, decision, report."),
    )
    note = models.TextField(_("note"), blank=True)

    objects = GrantQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = [models.F("start_date").asc(nulls_last=True), "pk"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        indexes = [
            # Reminders and the funding page: grants whose reporting deadline is coming.
            models.Index(fields=["reporting_deadline"], name="grant_reporting_deadline"),
        ]

    def __str__(self):
        return f"{self.funder}: {self.title or self.get_status_display()}"

    def clean(self):
        super().clean()
        validate_period(self.start_date, self.start_precision, self.end_date, self.end_precision)
        if self.start_date:
            self.start_date = normalise(self.start_date, self.start_precision)
        if self.end_date:
            self.end_date = normalise(self.end_date, self.end_precision)

    @property
    def period_display(self):
        start = format_approx(self.start_date, self.start_precision)
        end = format_approx(self.end_date, self.end_precision)
        return f"{start}–{end}" if start and end else start or end
