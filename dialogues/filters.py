import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from kremlib.widgets import DateInput
from projects.models import Municipality, Project

from .models import Dialogue, DialogueKind


class DialogueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), field_name="title", lookup_expr="icontains", widget=forms.TextInput(attrs={"type": "search"})
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DialogueKind.choices)
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
        self.filters["project"].queryset = Project.objects.visible_to(user)
