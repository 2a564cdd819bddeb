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
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ProjectStatus.choices)
    partner = django_filters.ModelChoiceFilter(
        label=_("Partner"),
        field_name="partners",
        queryset=Organisation.objects.order_by("name", "pk"),
        widget=organisation_select(),
    )
    sector = django_filters.ChoiceFilter(
        label=_("Partner sector"), field_name="partners__sector", choices=Sector.choices
    )
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

    def with_dialogue_kind(self, queryset, name, value):
        # One filter() call, so both conditions hold for the same dialogue: a deleted gathering does not count.
        return queryset.filter(dialogues__kind=value, dialogues__deleted_at__isnull=True)

    # A project overlaps the years [from, to] when it ends no earlier than `from` and starts no later than `to`;
    # a missing date is taken as open.
    def from_year(self, queryset, name, value):
        return queryset.filter(Q(end_date__year__gte=value) | Q(end_date__isnull=True))

    def to_year(self, queryset, name, value):
        return queryset.filter(Q(start_date__year__lte=value) | Q(start_date__isnull=True))

    @property
    def qs(self):
        # Joins over partners and dialogues repeat rows; distinct keeps one row per project.
        return super().qs.distinct()


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Sector.choices)
    municipality = django_filters.ModelChoiceFilter(label=_("Municipality"), queryset=Municipality.objects.all())

    class Meta:
        model = Organisation
        fields = []

    def search(self, queryset, name, value):
        terms = Terms(value)
        return organisations_matching(queryset, terms) if terms else queryset


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
        return queryset.filter(
            project__in=Project.objects.filter(Q(municipalities=value) | Q(districts__municipality=value)).values("pk")
        )

    def with_partner(self, queryset, name, value):
        return queryset.filter(project__in=Project.objects.filter(partners=value).values("pk"))


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
