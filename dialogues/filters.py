import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from kremlib.search import Terms
from kremlib.widgets import DateInput
from projects.models import Municipality, Project

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
    project = django_filters.ModelChoiceFilter(label=_("Project"), queryset=Project.objects.none())
    date_from = django_filters.DateFilter(
        label=_("From date"), field_name="ends_at", lookup_expr="date__gte", widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        label=_("To date"), field_name="starts_at", lookup_expr="date__lte", widget=DateInput()
    )

    class Meta:
        model = Dialogue
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["project"].queryset = Project.objects.visible_to(user)

    def search(self, queryset, name, value):
        terms = Terms(value)
        return dialogues_matching(queryset, terms, user=self.user) if terms else queryset
