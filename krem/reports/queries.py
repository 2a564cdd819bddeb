"""What the reports read: the projects of a portfolio, its figures, and each project's chapter, in bulk.

Every function costs the same number of queries however many projects, gatherings or entries there are (the query
budgets in tests/test_query_budgets.py pin them)."""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q, Window
from django.db.models.functions import RowNumber

from dialogues.models import Dialogue, DialogueKind
from dialogues.services import voice_balance
from kremlib.http import PAGE_PARAM, list_url
from projects.models import (
    ChangeLevel,
    LearningEntry,
    LearningKind,
    Partnership,
    Project,
    Result,
    SystemChange,
)
from projects.panels import BLOCK_LIMIT


@dataclass(frozen=True)
class Selection:
    """The portfolio asked for: a period in whole years (either end open) and an optional municipality or partner."""

    from_year: int | None = None
    to_year: int | None = None
    municipality: object = None
    partner: object = None

    @property
    def period_start(self):
        return datetime.date(self.from_year, 1, 1) if self.from_year else None

    @property
    def period_end(self):
        return datetime.date(self.to_year, 12, 31) if self.to_year else None

    @property
    def has_period(self):
        return bool(self.from_year or self.to_year)


def portfolio_projects(user, selection):
    """The projects the user sees that belong to the selection. A project is in the period when its known period
    overlaps it; a project with no dates at all is left out once a period is chosen."""
    projects = Project.objects.visible_to(user)
    if selection.has_period:
        projects = projects.exclude(start_date__isnull=True, end_date__isnull=True)
    if selection.period_end:
        projects = projects.filter(Q(start_date__isnull=True) | Q(start_date__lte=selection.period_end))
    if selection.period_start:
        projects = projects.filter(Q(end_date__isnull=True) | Q(end_date__gte=selection.period_start))
    if selection.municipality:
        municipality = selection.municipality
        in_it = Project.objects.filter(Q(municipalities=municipality) | Q(districts__municipality=municipality))
        projects = projects.filter(pk__in=in_it.values("pk"))
    if selection.partner:
        projects = projects.filter(pk__in=Partnership.objects.filter(organisation=selection.partner).values("project"))
    return projects


def portfolio_gatherings(projects, selection):
    """The selected projects' gatherings that start in the period."""
    dialogues = Dialogue.objects.alive().filter(project__in=projects)
    if selection.period_start:
        dialogues = dialogues.filter(starts_at__date__gte=selection.period_start)
    if selection.period_end:
        dialogues = dialogues.filter(starts_at__date__lte=selection.period_end)
    return dialogues


def section_key(section, title):
    """Report sections in the report's order: 5.2 before 5.10; projects without a section after them, by title."""
    numbers = [int(part) for part in re.findall(r"\d+", section or "")]
    return (not numbers, numbers, title.casefold())


@dataclass
class Figure:
    label: str
    count: int


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    y: int
    width: float

    @property
    def text_y(self):
        return self.y + 13

    @property
    def count_x(self):
        return BAR_LEFT + self.width + 6


BAR_LEFT, BAR_WIDTH, BAR_STEP = 170, 180, 22


def bar_chart(figures):
    """Horizontal bars for an SVG drawn on the server (no script, no inline style): label, length, count."""
    most = max((figure.count for figure in figures), default=0) or 1
    bars = [
        Bar(figure.label, figure.count, i * BAR_STEP, round(figure.count / most * BAR_WIDTH, 1))
        for i, figure in enumerate(figures)
    ]
    return {"bars": bars, "height": len(bars) * BAR_STEP, "width": BAR_LEFT + BAR_WIDTH + 40, "left": BAR_LEFT}


@dataclass
class Summary:
    projects: int
    gatherings: int
    held: int
    by_kind: list[Figure]
    balance: object
    changes_by_level: list[Figure]
    results: int
    results_with_number: int
    learning_by_kind: list[Figure]
    municipalities: int
    partners: int

    @property
    def system_changes(self):
        return sum(figure.count for figure in self.changes_by_level)

    @property
    def levels_chart(self):
        return bar_chart(self.changes_by_level)

    @property
    def kinds_chart(self):
        return bar_chart(self.by_kind)

    @property
    def attendance_chart(self):
        return bar_chart([Figure(share.label, share.count) for share in self.balance.attendance])


def summary(projects, gatherings) -> Summary:
    """The portfolio's figures, as counts (never names): projects, gatherings by kind, attendance and insights by
    perspective (the voice balance), system changes by level, results, the learning log by kind."""
    kinds = dict(gatherings.order_by().values_list("kind").annotate(n=Count("pk")))
    held = gatherings.held()
    levels = dict(
        SystemChange.objects.filter(project__in=projects).order_by().values_list("level").annotate(n=Count("pk"))
    )
    learning = dict(
        LearningEntry.objects.filter(project__in=projects).order_by().values_list("kind").annotate(n=Count("pk"))
    )
    results = Result.objects.filter(project__in=projects).aggregate(
        all=Count("pk"), numbers=Count("pk", filter=Q(value__isnull=False))
    )
    counts = projects.aggregate(
        projects=Count("pk", distinct=True),
        municipalities=Count("municipalities", distinct=True),
        partners=Count("partnerships__organisation", distinct=True),
    )
    return Summary(
        projects=counts["projects"],
        gatherings=sum(kinds.values()),
        held=held.count(),
        by_kind=[Figure(kind.label, kinds[kind.value]) for kind in DialogueKind if kinds.get(kind.value)],
        balance=voice_balance(held),
        changes_by_level=[Figure(level.label, levels.get(level.value, 0)) for level in ChangeLevel],
        results=results["all"],
        results_with_number=results["numbers"],
        learning_by_kind=[Figure(kind.label, learning.get(kind.value, 0)) for kind in LearningKind],
        municipalities=counts["municipalities"],
        partners=counts["partners"],
    )


def max_chapters():
    """How many chapters one request renders, the PDF's included: a bigger portfolio comes in parts (?side=)."""
    return settings.KREM_REPORT_MAX_CHAPTERS


def chapter_page(request, projects):
    """The part of the portfolio this request renders: at most max_chapters() projects, in the report's order.
    The order is decided over the ids and section numbers only, so ordering 20,000 projects loads no more."""
    ordered = sorted(projects.values_list("pk", "report_section", "title"), key=lambda row: section_key(*row[1:]))
    return Paginator([pk for pk, _section, _title in ordered], max_chapters()).get_page(request.GET.get(PAGE_PARAM))


@dataclass
class Chapter:
    """One project as a chapter of the report (the shape of the source report's chapter 5): background, partners,
    what was done, what was learned and what we recommend, results, system changes and documentation."""

    project: Project
    learning: list = field(default_factory=list)
    dialogues: list = field(default_factory=list)  # the latest BLOCK_LIMIT in the period, in timeline order
    dialogue_count: int = 0  # all of them in the period
    dialogues_url: str = ""  # the dialogue list of them

    @property
    def idp(self):
        return f"p{self.project.pk}-"


def latest_gatherings(project_ids, gatherings, limit=BLOCK_LIMIT):
    """The `limit` latest gatherings of each project by date, in one query (a numbering of each project's gatherings,
    latest first), in timeline order: soonest first, those of unknown date last. A project with 5,000 gatherings
    is a chapter of a few pages, not a hundred."""
    latest = Window(
        RowNumber(),
        partition_by=[F("project_id")],
        order_by=[F("starts_at").desc(nulls_last=True), F("pk").desc()],
    )
    rows = (
        gatherings.filter(project__in=project_ids)
        .select_related("municipality")
        .annotate(krem_latest=latest)
        .filter(krem_latest__lte=limit)
    )
    by_project = {}
    for dialogue in sorted(rows, key=lambda d: (d.starts_at is None, d.starts_at or 0, d.pk)):
        by_project.setdefault(dialogue.project_id, []).append(dialogue)
    return by_project


def chapters(project_ids, gatherings, selection=None):
    """The chapters of these projects, in the order given. A fixed number of queries, however many.

    Each chapter's timeline shows the latest BLOCK_LIMIT gatherings in the period, with the count of all and the
    address of the dialogue list that shows them (the project, and the period's dates)."""
    entries = LearningEntry.objects.order_by("date", "created_at", "pk")
    projects = (
        Project.objects.filter(pk__in=project_ids)
        .prefetch_related(
            "municipalities",
            "districts__municipality",
            Prefetch(
                "partnerships",
                Partnership.objects.select_related("organisation").order_by("role", "organisation__name"),
            ),
            Prefetch("learning_entries", entries),
            "results",
            Prefetch("system_changes", SystemChange.objects.with_status().for_page()),
            "documents",
        )
        .select_related("continued_by")
    )
    by_pk = {project.pk: project for project in projects}
    dialogues = latest_gatherings(project_ids, gatherings)
    counts = dict(gatherings.filter(project__in=project_ids).order_by().values_list("project").annotate(n=Count("pk")))
    period = {}
    if selection is not None and selection.period_start:
        period["date_from"] = selection.period_start.isoformat()
    if selection is not None and selection.period_end:
        period["date_to"] = selection.period_end.isoformat()
    result = []
    for pk in project_ids:
        project = by_pk[pk]
        project_entries = list(project.learning_entries.all())
        learning = [(kind, [e for e in project_entries if e.kind == kind]) for kind in LearningKind]
        chapter = Chapter(project, learning, dialogues.get(pk, []), counts.get(pk, 0))
        chapter.dialogues_url = list_url("dialogues:dialogue_list", project=pk, **period)
        result.append(chapter)
    return result
