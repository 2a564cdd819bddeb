import django_filters
from django import forms
from django.apps import apps
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kremlib.widgets import BoundedSelect
from projects.forms import organisation_select, project_select
from projects.models import Organisation, Project

from .models import AccessLog, Participant, Perspective
from .services import AccessAction


def dialogues_to_choose(request):
    """The dialogues to filter by. Dialogues sit above participants, so the model is named, not imported."""
    dialogue = apps.get_model("dialogues", "Dialogue")
    return dialogue.objects.alive().order_by(F("starts_at").desc(nulls_last=True), "-pk")


def registry_search(queryset, value):
    """The registry's search: name, email or phone (the registry's lookup searches the same)."""
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(Q(display_name__icontains=value) | Q(email__icontains=value) | Q(phone__icontains=value))


class ParticipantFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Name, email or phone"),
    )
    perspective = django_filters.ChoiceFilter(label=_("Usual perspective"), choices=Perspective.choices)
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name", "pk"), widget=organisation_select()
    )
    project = django_filters.ModelChoiceFilter(
        label=_("Attended in project"),
        queryset=Project.objects.alive().order_by("title", "pk"),
        method="attended_in_project",
        widget=project_select(),
    )
    dialogue = django_filters.ModelChoiceFilter(
        label=_("Attended dialogue"),
        queryset=dialogues_to_choose,
        method="attended_dialogue",
        # The lookup is the dialogues app's; its URL is named, not imported (dialogues sit above participants).
        widget=BoundedSelect(lookup="dialogues:dialogue_lookup", search_label=_("Search for dialogue")),
    )

    class Meta:
        model = Participant
        fields = []

    def search(self, queryset, name, value):
        return registry_search(queryset, value)

    # Subqueries rather than joins: no repeated rows, and the attendance count stays the person's total.
    def attended_in_project(self, queryset, name, value):
        return queryset.filter(pk__in=Participant.objects.filter(attendances__dialogue__project=value).values("pk"))

    def attended_dialogue(self, queryset, name, value):
        return queryset.filter(pk__in=Participant.objects.filter(attendances__dialogue=value).values("pk"))


class AccessLogFilter(django_filters.FilterSet):
    # Bounded: a number past the column's range would reach the database and fail there (a 500 on SQLite).
    participant = django_filters.NumberFilter(
        label=_("Participant number"), field_name="participant", min_value=1, max_value=2**63 - 1
    )
    action = django_filters.ChoiceFilter(label=_("What"), field_name="action", choices=AccessAction.choices)

    class Meta:
        model = AccessLog
        fields = []
