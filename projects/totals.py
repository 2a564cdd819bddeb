"""Totals of the catalogue indicators across projects, by year and by municipality (the portfolio page).

A project that measured an indicator several times in a year counts with its latest value of that year (counts
such as "13 of 14 in their own home" are levels, not additions); groups inside a project (cohorts) are different
people, so they are added. A project in several municipalities counts in each of them, so the municipality
totals of a year may add up to more than the year's total.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .models import CatalogueIndicator, Measurement, Project


@dataclass
class Total:
    value: Decimal = Decimal(0)
    denominator: Decimal = Decimal(0)
    without_denominator: int = 0  # measurements in the total that are not counted among a known number
    projects: set = field(default_factory=set)

    def add(self, project_id, value, denominator):
        self.value += value
        if denominator is None:
            self.without_denominator += 1
        else:
            self.denominator += denominator
        self.projects.add(project_id)

    @property
    def project_count(self):
        return len(self.projects)

    @property
    def has_denominator(self):
        """ "x of y" is only honest when every measurement in the total had its y."""
        return self.without_denominator == 0 and self.denominator > 0


@dataclass
class IndicatorTotals:
    catalogue: CatalogueIndicator
    by_year: list  # [(year, Total)], oldest first
    by_municipality: list  # [(year, municipality name, Total)]


def catalogue_totals(projects):
    """Totals for the catalogue indicators measured in `projects` (a queryset, e.g. Project.objects.visible_to(user)).

    Three queries, however many projects and measurements: the catalogue, the measurements, the municipalities."""
    rows = (
        Measurement.objects.filter(indicator__project__in=projects, indicator__catalogue__isnull=False)
        .order_by("date", "pk")
        .values_list("indicator_id", "indicator__project_id", "indicator__catalogue_id", "date", "value", "denominator")
    )
    latest = {}  # (indicator, year) -> the year's latest measurement; rows come oldest first
    for indicator_id, project_id, catalogue_id, date, value, denominator in rows:
        latest[indicator_id, date.year] = (project_id, catalogue_id, value, denominator)
    project_ids = {project_id for project_id, *_rest in latest.values()}
    municipalities = defaultdict(list)
    links = Project.municipalities.through.objects.filter(project_id__in=project_ids).order_by("municipality__name")
    for project_id, name in links.values_list("project_id", "municipality__name"):
        municipalities[project_id].append(name)

    years = defaultdict(lambda: defaultdict(Total))
    places = defaultdict(lambda: defaultdict(Total))
    for (_indicator_id, year), (project_id, catalogue_id, value, denominator) in latest.items():
        years[catalogue_id][year].add(project_id, value, denominator)
        for name in municipalities.get(project_id) or [""]:
            places[catalogue_id][year, name].add(project_id, value, denominator)
    return [
        IndicatorTotals(
            catalogue=catalogue,
            by_year=sorted(years[catalogue.pk].items()),
            by_municipality=[(year, name, total) for (year, name), total in sorted(places[catalogue.pk].items())],
        )
        for catalogue in CatalogueIndicator.objects.order_by("name")
        if catalogue.pk in years
    ]
