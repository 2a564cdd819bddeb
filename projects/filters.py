import django_filters
from django import forms
from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kremlib.filters import OrderingFilter
from kremlib.search import Terms

from .forms import organisation_select, project_select
from .models import (
    ChangeLevel,
    ChangeStatus,
    LearningEntry,
    LearningKind,
    Municipality,
    Organisation,
    Partnership,
    Project,
    ProjectStatus,
    Result,
    Sector,
    SystemChange,
)
from .search import LEARNING_ENTRY, RESULT, SYSTEM_CHANGE, organisations_matching, projects_matching


def gathering_kinds():
    """The kinds of gathering, as the dialogues app defines them. projects sits below dialogues and never imports
    it; the model is named by string and read when the form is built."""
    return apps.get_model("dialogues", "Dialogue")._meta.get_field("kind").choices


class YearFilter(django_filters.NumberFilter):
    """A whole year in a sane range: a year lookup with -1 or 3.5 would fail in the database layer (a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1900, max_value=2200, **kwargs)


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Title, summary, goals, partner name or learning log"),
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"), field_name="municipalities", queryset=Municipality.objects.all()
    )
    # From the municipality page's "See all": in the municipality or one of its city districts. Not a field to
    # fill in (the list's own municipality field names the municipality itself), so it rides along hidden.
    in_municipality = django_filters.ModelChoiceFilter(
        queryset=Municipality.objects.all(), method="filter_in_municipality", widget=forms.HiddenInput
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ProjectStatus.choices)
    partner = django_filters.ModelChoiceFilter(
        label=_("Partner"),
        queryset=Organisation.objects.order_by("name", "pk"),
        method="with_partner",
        widget=organisation_select(),
    )
    sector = django_filters.ChoiceFilter(label=_("Partner sector"), method="with_sector", choices=Sector.choices)
    dialogue_kind = django_filters.ChoiceFilter(
        label=_("Gathering kind"), method="with_dialogue_kind", choices=gathering_kinds
    )
    year_from = YearFilter(label=_("From year"), method="from_year")
    year_to = YearFilter(label=_("To year"), method="to_year")
    order = OrderingFilter(
        label=_("Sort by"),
        fields=(("title", "title"), ("start_date", "start"), ("status", "status"), ("updated_at", "updated")),
        field_labels={
            "title": _("Title"),
            "start_date": _("Start"),
            "status": _("Status"),
            "updated_at": _("Last changed"),
        },
    )

    class Meta:
        model = Project
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("year_from", "year_to"):
            self.filters[name].field.widget = forms.NumberInput(attrs={"min": 1990, "max": 2100})

    def search(self, queryset, name, value):
        terms = Terms(value)
        return projects_matching(queryset, terms) if terms else queryset

    # Partners and gatherings are subqueries, not joins: no project is repeated, so the count and the page need no
    # DISTINCT over every column (which sorted on disk at 20,000 projects).
    def filter_in_municipality(self, queryset, name, value):
        return queryset.in_municipality(value)

    def with_partner(self, queryset, name, value):
        return queryset.with_partner(value)

    def with_sector(self, queryset, name, value):
        return queryset.filter(pk__in=Partnership.objects.filter(organisation__sector=value).values("project"))

    def with_dialogue_kind(self, queryset, name, value):
        # One filter() call, so both conditions hold for the same dialogue: a deleted gathering does not count.
        return queryset.filter(
            pk__in=Project.objects.filter(dialogues__kind=value, dialogues__deleted_at__isnull=True).values("pk")
        )

    # A project overlaps the years [from, to] when it ends no earlier than `from` and starts no later than `to`;
    # a missing date is taken as open.
    def from_year(self, queryset, name, value):
        return queryset.filter(Q(end_date__year__gte=value) | Q(end_date__isnull=True))

    def to_year(self, queryset, name, value):
        return queryset.filter(Q(start_date__year__lte=value) | Q(start_date__isnull=True))


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Sector.choices)
    municipality = django_filters.ModelChoiceFilter(label=_("Municipality"), queryset=Municipality.objects.all())
    # From the "See all" of a partner page's network and of a municipality page's partners, hidden as they are
    # not fields to fill in. Both go by the projects the user sees, as those blocks do.
    worked_with = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), method="filter_worked_with", widget=forms.HiddenInput
    )
    in_municipality = django_filters.ModelChoiceFilter(
        queryset=Municipality.objects.all(), method="filter_in_municipality", widget=forms.HiddenInput
    )

    class Meta:
        model = Organisation
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def search(self, queryset, name, value):
        terms = Terms(value)
        return organisations_matching(queryset, terms) if terms else queryset

    def filter_worked_with(self, queryset, name, value):
        network = Organisation.objects.network_of(value, Project.objects.visible_to(self.user))
        return queryset.filter(pk__in=network.values("pk"))

    def filter_in_municipality(self, queryset, name, value):
        projects = Project.objects.visible_to(self.user).in_municipality(value)
        return queryset.filter(pk__in=Organisation.objects.active_in(value, projects).values("pk"))


class ProjectRowFilter(django_filters.FilterSet):
    """The registers' filters for rows that belong to a project (learning entries, results, system changes): the
    project (among those the user sees), its municipality and partners, the period of the row's own date, and
    the search box. Municipality and partner are subqueries: no row is repeated."""

    searchable = None

    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    project = django_filters.ModelChoiceFilter(
        label=_("Project"), queryset=Project.objects.none(), widget=project_select()
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"), queryset=Municipality.objects.all(), method="in_municipality"
    )
    partner = django_filters.ModelChoiceFilter(
        label=_("Partner"),
        queryset=Organisation.objects.order_by("name", "pk"),
        method="with_partner",
        widget=organisation_select(),
    )
    year_from = YearFilter(label=_("From year"), field_name="date", lookup_expr="year__gte")
    year_to = YearFilter(label=_("To year"), field_name="date", lookup_expr="year__lte")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["project"].queryset = Project.objects.visible_to(user).order_by("title", "pk")
        for name in ("year_from", "year_to"):
            self.filters[name].field.widget = forms.NumberInput(attrs={"min": 1990, "max": 2100})

    def search(self, queryset, name, value):
        terms = Terms(value)
        return (
            queryset.filter(pk__in=terms.filter(self._meta.model.objects.all(), self.searchable).values("pk"))
            if terms
            else queryset
        )

    def in_municipality(self, queryset, name, value):
        return queryset.filter(project__in=Project.objects.in_municipality(value).values("pk"))

    def with_partner(self, queryset, name, value):
        return queryset.filter(project__in=Project.objects.with_partner(value).values("pk"))


class LearningEntryFilter(ProjectRowFilter):
    searchable = LEARNING_ENTRY

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=LearningKind.choices, empty_label=_("Any kind"))

    class Meta:
        model = LearningEntry
        fields = []


class ResultFilter(ProjectRowFilter):
    searchable = RESULT

    class Meta:
        model = Result
        fields = []


class SystemChangeFilter(ProjectRowFilter):
    """The register of system changes. Expects a queryset annotated with_status()."""

    searchable = SYSTEM_CHANGE

    status = django_filters.ChoiceFilter(
        label=_("Status"), field_name="current_status", choices=ChangeStatus.choices, empty_label=_("Any status")
    )
    level = django_filters.ChoiceFilter(label=_("Level"), choices=ChangeLevel.choices)
    due = django_filters.BooleanFilter(label=_("Due for re-check"), method="filter_due", widget=forms.CheckboxInput)
    # year_from and year_to (ProjectRowFilter): the home page's figures link here with a period.

    class Meta:
        model = SystemChange
        fields = []

    def filter_due(self, queryset, name, value):
        return queryset.due_for_recheck(timezone.localdate()) if value else queryset
