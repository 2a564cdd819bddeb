"""The dashboard on the home page (issue 11): the figures of a period, each a link to the list behind it, and charts.

`figures(user, period)` is the whole computation; the view only reads the period form and renders. Every figure is
counted with the very filter of the list it links to (ProjectFilter, DialogueFilter, SystemChangeFilter, and the
follow-up page's FollowUpAction.objects.open_in_projects_of), so the list shows the number the dashboard does.
Every chart is one GROUP BY query or two over what the user may see: the number of queries is the same for one
project as for a million.

Who sees what:
- a coordinator: every project;
- a member of a partner organisation: the same figures for the projects of their organisation (what
  Project.objects.visible_to and Dialogue.objects.visible_to give them);
- a participant with no partner organisation: the gatherings they attended and what they contributed, in all.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dialogues.filters import DialogueFilter
from dialogues.models import (
    ANONYMOUS_COUNT,
    INSIGHT_COUNT,
    NAMED_COUNT,
    VOICE_COUNTS,
    Dialogue,
    DialogueKind,
    DialogueStatus,
    FollowUpAction,
    InsightPerspective,
)
from kremlib import svgcharts
from participants.perspectives import Perspective
from projects.filters import ProjectFilter, SystemChangeFilter
from projects.models import ChangeLevel, Project, ProjectStatus, Result, SystemChange
from projects.rules import is_coordinator

TOP_MUNICIPALITIES = 8  # the municipality chart shows these, and the rest as "others"


@dataclass(frozen=True)
class Period:
    """Whole years, from `first` to `last` (both included); this year by default."""

    first: int
    last: int

    @classmethod
    def this_year(cls):
        year = timezone.localdate().year
        return cls(year, year)

    @property
    def start(self):
        return datetime.date(self.first, 1, 1)

    @property
    def end(self):
        return datetime.date(self.last, 12, 31)

    @property
    def years(self):
        return list(range(self.first, self.last + 1))

    @property
    def label(self):
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"

    def project_params(self):
        """The project list's and the system-change register's filter for the period."""
        return {"year_from": self.first, "year_to": self.last}

    def dialogue_params(self):
        """The dialogue list's filter for the period."""
        return {"date_from": self.start.isoformat(), "date_to": self.end.isoformat()}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int
    url: str
    warning: bool = False


@dataclass
class Dashboard:
    role: str  # "coordinator", "member" or "participant"
    period: Period
    figures: list = field(default_factory=list)
    charts: list = field(default_factory=list)


def link(name, params=None, *args):
    url = reverse(name, args=args)
    return f"{url}?{urlencode(params)}" if params else url


def role_of(user):
    if is_coordinator(user):
        return "coordinator"
    if Project.objects.visible_to(user).exists():
        return "member"
    return "participant"


def figures(user, period: Period) -> Dashboard:
    role = role_of(user)
    if role == "participant":
        return participant_dashboard(user, period)
    return project_dashboard(user, period, role)


# Coordinators and members


def project_dashboard(user, period, role):
    dashboard = Dashboard(role, period)
    projects_in_period = ProjectFilter(period.project_params(), queryset=Project.objects.visible_to(user)).qs
    active = ProjectFilter(
        {**period.project_params(), "status": ProjectStatus.ACTIVE}, queryset=Project.objects.visible_to(user)
    ).qs
    held_params = {**period.dialogue_params(), "status": DialogueStatus.HELD}
    held = DialogueFilter(held_params, queryset=Dialogue.objects.visible_to(user), user=user).qs
    changes = SystemChangeFilter(
        period.project_params(),
        queryset=SystemChange.objects.filter(project__in=Project.objects.visible_to(user)),
        user=user,
    ).qs
    open_actions = FollowUpAction.objects.open_in_projects_of(user)
    overdue = open_actions.overdue().count()
    dashboard.figures = [
        Figure(
            "projects",
            _("projects in the period"),
            projects_in_period.count(),
            link("projects:project_list", period.project_params()),
        ),
        Figure(
            "active_projects",
            _("active projects"),
            active.count(),
            link("projects:project_list", {**period.project_params(), "status": ProjectStatus.ACTIVE}),
        ),
        Figure("dialogues_held", _("gatherings held"), held.count(), link("dialogues:dialogue_list", held_params)),
        Figure(
            "system_changes",
            _("system changes"),
            changes.count(),
            link("projects:system_change_register", period.project_params()),
        ),
        Figure("open_actions", _("open follow-up actions"), open_actions.count(), link("dialogues:action_overview")),
        Figure(
            "overdue_actions",
            _("overdue follow-up actions"),
            overdue,
            link("dialogues:action_overview", {"overdue": "1"}),
            warning=overdue > 0,
        ),
    ]
    dashboard.charts = [
        gatherings_by_kind(held, period),
        voice_balance_trend(held, period),
        changes_by_level(changes, period),
        per_municipality(projects_in_period, held, period),
        results_over_time(Result.objects.filter(project__in=Project.objects.visible_to(user)), period),
    ]
    return dashboard


def years_of(period):
    return [(year, str(year)) for year in period.years]


def gatherings_by_kind(held, period):
    """Held gatherings per year, by kind: one GROUP BY."""
    rows = held.order_by().annotate(year=ExtractYear("starts_at")).values_list("year", "kind").annotate(n=Count("pk"))
    values = {(year, kind): n for year, kind, n in rows}
    kinds = [(k.value, k.label) for k in DialogueKind if any(key[1] == k.value for key in values)]
    total = sum(values.values())

    def cell_url(year, kind):
        return link(
            "dialogues:dialogue_list",
            {"date_from": f"{year}-01-01", "date_to": f"{year}-12-31", "status": DialogueStatus.HELD, "kind": kind},
        )

    def total_url(year):
        return link(
            "dialogues:dialogue_list",
            {"date_from": f"{year}-01-01", "date_to": f"{year}-12-31", "status": DialogueStatus.HELD},
        )

    return svgcharts.columns(
        id="chart-gatherings",
        title=_("Gatherings held per year, by kind"),
        summary=_("%(total)s gatherings held in %(period)s.") % {"total": total, "period": period.label},
        categories=years_of(period),
        series=kinds,
        values=values,
        value_header=_("Year"),
        total_header=_("In all"),
        cell_url=cell_url,
        total_url=total_url,
    )


def voice_balance_trend(held, period):
    """The voice balance as a trend: per year, the share of lived experience in the room (named attendance and
    anonymous headcounts) and among the insights, against the threshold of the dialogue page
    (settings.KREM_VOICE_THRESHOLD). One GROUP BY over the dialogues' stored counts (dialogues/voice_counts.py)."""
    per_year = (
        Dialogue._base_manager.filter(pk__in=held)
        .annotate(year=ExtractYear("starts_at"))
        .values("year")
        .annotate(**{name: Sum(name) for name in VOICE_COUNTS})
        .order_by()
    )
    people, voices = defaultdict(int), defaultdict(int)
    for row in per_year:
        year = row["year"]
        for perspective in Perspective.values:
            people[year, perspective] += row[NAMED_COUNT[perspective]] + row[ANONYMOUS_COUNT[perspective]]
        for perspective in InsightPerspective.values:
            voices[year, perspective] += row[INSIGHT_COUNT[perspective]]
    lived, lived_insight = Perspective.LIVED_EXPERIENCE.value, InsightPerspective.LIVED_EXPERIENCE.value
    values = {}
    for year in period.years:
        in_room = sum(n for (y, _p), n in people.items() if y == year)
        heard = sum(n for (y, _p), n in voices.items() if y == year)
        if in_room:
            values[year, "attendance"] = round(100 * people[year, lived] / in_room, 1)
        if heard:
            values[year, "insights"] = round(100 * voices[year, lived_insight] / heard, 1)
    threshold = Fraction(settings.KREM_VOICE_THRESHOLD).limit_denominator(1000)
    percent = round(100 * threshold)
    chart = svgcharts.lines(
        id="chart-voice",
        title=_("Voice balance: the share of lived experience, per year"),
        summary=_(
            "The share of lived experience among those present and among the insights raised, per year; "
            "the dashed line is the threshold of %(percent)s %% below which a dialogue is flagged."
        )
        % {"percent": percent},
        categories=years_of(period),
        series=[("attendance", _("Share of attendance")), ("insights", _("Share of insights"))],
        values=values,
        value_header=_("Year"),
        threshold=float(threshold),
        threshold_label=_("Threshold %(percent)s %%") % {"percent": percent},
    )
    # The counts behind every percentage, as on the dialogue page's voice balance.
    chart.counts = [
        {
            "year": year,
            "attendance": [(p.label, people[year, p.value]) for p in Perspective],
            "insights": [(p.label, voices[year, p.value]) for p in InsightPerspective],
        }
        for year in period.years
        if any(people[year, p.value] for p in Perspective) or any(voices[year, p.value] for p in InsightPerspective)
    ]
    return chart


def changes_by_level(changes, period):
    """System changes dated in the period, by level: one GROUP BY."""
    values = {(level, "n"): n for level, n in changes.order_by().values_list("level").annotate(n=Count("pk"))}
    total = sum(values.values())

    def cell_url(level, _series):
        return link("projects:system_change_register", {**period.project_params(), "level": level})

    return svgcharts.columns(
        id="chart-levels",
        title=_("System changes by level"),
        summary=_("%(total)s system changes dated in %(period)s: frameworks, guidelines and practice.")
        % {"total": total, "period": period.label},
        categories=[(level.value, level.label) for level in ChangeLevel],
        series=[("n", _("System changes"))],
        values=values,
        value_header=_("Level"),
        cell_url=cell_url,
    )


def per_municipality(projects_in_period, held, period):
    """Projects and held gatherings per municipality, the TOP_MUNICIPALITIES with most and the rest as "others".
    Two GROUP BY queries; the sorting runs over one row per municipality (a few hundred at most in Norway)."""
    through = Project.municipalities.through
    project_rows = (
        through.objects.filter(project__in=projects_in_period)
        .values_list("municipality_id", "municipality__name")
        .annotate(n=Count("project_id", distinct=True))
        .order_by()
    )
    gathering_rows = (
        held.exclude(municipality=None)
        .order_by()
        .values_list("municipality_id", "municipality__name")
        .annotate(n=Count("pk"))
    )
    names, counts = {}, defaultdict(int)
    for pk, name, n in project_rows:
        names[pk] = name
        counts[pk, "projects"] = n
    for pk, name, n in gathering_rows:
        names[pk] = name
        counts[pk, "gatherings"] = n
    ranked = sorted(names, key=lambda pk: (-(counts[pk, "projects"] + counts[pk, "gatherings"]), names[pk]))
    top, rest = ranked[:TOP_MUNICIPALITIES], ranked[TOP_MUNICIPALITIES:]
    categories = [(pk, names[pk]) for pk in top]
    values = {key: n for key, n in counts.items() if key[0] in top}
    if rest:
        categories.append(("others", _("Others (%(count)s)") % {"count": len(rest)}))
        values["others", "projects"] = sum(counts[pk, "projects"] for pk in rest)
        values["others", "gatherings"] = sum(counts[pk, "gatherings"] for pk in rest)

    def cell_url(pk, series):
        if pk == "others":
            return ""
        if series == "projects":
            return link("projects:project_list", {**period.project_params(), "municipality": pk})
        return link(
            "dialogues:dialogue_list", {**period.dialogue_params(), "status": DialogueStatus.HELD, "municipality": pk}
        )

    return svgcharts.bars(
        id="chart-municipalities",
        title=_("Projects and gatherings per municipality"),
        summary=_("The %(top)s municipalities with most projects and gatherings in %(period)s, and the others.")
        % {"top": len(top), "period": period.label},
        categories=categories,
        series=[("projects", _("Projects")), ("gatherings", _("Gatherings held"))],
        values=values,
        value_header=_("Municipality"),
        cell_url=cell_url,
    )


def results_over_time(results, period):
    """Stated results dated in the period, per year: one GROUP BY."""
    rows = (
        results.filter(date__year__gte=period.first, date__year__lte=period.last)
        .order_by()
        .annotate(year=ExtractYear("date"))
        .values_list("year")
        .annotate(n=Count("pk"))
    )
    values = {(year, "n"): n for year, n in rows}
    return svgcharts.columns(
        id="chart-results",
        title=_("Results over time"),
        summary=_("%(total)s stated results dated in %(period)s.")
        % {"total": sum(values.values()), "period": period.label},
        categories=years_of(period),
        series=[("n", _("Results"))],
        values=values,
        value_header=_("Year"),
    )


# Participants: their own gatherings and contributions


def participant_dashboard(user, period):
    """What the person took part in, in all (not only the period): the same rows as the sections of "Min side"
    (dialogues/personal_data.py, OwnPart) that each figure links to."""
    dashboard = Dashboard("participant", period)
    participant = getattr(user, "participant", None)
    if participant is None:
        return dashboard
    mine = reverse("participants:my_page")
    dashboard.figures = [
        Figure("attended", _("gatherings you took part in"), participant.attendances.count(), f"{mine}#own-attended"),
        Figure("insights", _("insights you raised"), participant.insights.count(), f"{mine}#own-insights"),
        Figure("feedback", _("feedback you gave"), participant.feedback.count(), f"{mine}#own-feedback"),
    ]
    return dashboard
