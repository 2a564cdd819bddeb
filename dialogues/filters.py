import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kremlib.search import Terms
from kremlib.widgets import DateInput
from projects.forms import project_select
from projects.models import Municipality, Organisation, Project

from .models import Dialogue, DialogueKind, DialogueStatus
from .search import dialogues_matching


class DialogueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Title, purpose, venue, insights, proposals or agenda"),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DialogueKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DialogueStatus.choices)
    municipality = django_filters.ModelChoiceFilter(label=_("Municipality"), queryset=Municipality.objects.all())
    project = django_filters.ModelChoiceFilter(
        label=_("Project"), queryset=Project.objects.none(), widget=project_select()
    )
    # From the "See all" of a partner page's and a municipality page's gatherings: the same queries as those
    # blocks. Hidden, as they are not fields to fill in (the municipality field is where a gathering was held).
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(), method="of_organisation", widget=forms.HiddenInput
    )
    in_municipality = django_filters.ModelChoiceFilter(
        queryset=Municipality.objects.all(), method="filter_in_municipality", widget=forms.HiddenInput
    )
    # A gathering is found when any part of it lies within the dates: one known only to the year by any day of
    # that year (it spans the year, see Dialogue.fit_to_precision), one whose date is not known by none.
    date_from = django_filters.DateFilter(label=_("From date"), method="ends_after", widget=DateInput())
    date_to = django_filters.DateFilter(label=_("To date"), method="starts_before", widget=DateInput())

    class Meta:
        model = Dialogue
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["project"].queryset = Project.objects.visible_to(user).order_by("title", "pk")

    def of_organisation(self, queryset, name, value):
        return queryset.of_organisation(value)

    def filter_in_municipality(self, queryset, name, value):
        return queryset.in_municipality(value)

    def ends_after(self, queryset, name, value):
        """Ends after the first moment of `value` (ends_at is exclusive: a gathering ending at midnight is over)."""
        return queryset.filter(ends_at__gt=midnight(value))

    def starts_before(self, queryset, name, value):
        return queryset.filter(starts_at__lt=midnight(value + datetime.timedelta(days=1)))

    def search(self, queryset, name, value):
        terms = Terms(value)
        return dialogues_matching(queryset, terms, user=self.user) if terms else queryset


def midnight(day):
    """The first moment of `day`, Oslo time."""
    return datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=timezone.get_current_timezone())
