"""Named queries over participants.

They would be methods of a ParticipantQuerySet; they live here because participants/models.py is not
ours to change in this issue. Views and other apps call these instead of copying filter() chains.
"""

import datetime

from django.db.models import Count, DateTimeField, F, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from projects.rules import is_coordinator

from . import registry
from .models import AccessLog, ConsentPurpose, Participant

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def visible_participants(user):
    """Coordinators see the whole registry; anyone else only their own record."""
    if is_coordinator(user):
        return Participant.objects.all()
    if not user.is_authenticated:
        return Participant.objects.none()
    return Participant.objects.filter(user=user)


def for_registry_list(queryset):
    """The registry's rows: a plain queryset, so that its count is one COUNT over participants. Their
    attendances are counted for the page shown only (with_attendance_counts): grouping two million attendance
    rows to keep 25 of them is what made the registry slow."""
    return queryset.select_related("organisation", "user")


def with_attendance_counts(participants):
    """The participants (a page of them), each with `attendance_count`: one GROUP BY over their attendances."""
    participants = list(participants)
    counts = dict(
        Participant.objects.filter(pk__in=[participant.pk for participant in participants])
        .order_by()
        .annotate(n=Count("attendances"))
        .values_list("pk", "n")
    )
    for participant in participants:
        participant.attendance_count = counts.get(participant.pk, 0)
    return participants


def related_counts(participant, relations):
    """How many rows of each reverse relation in `relations` ("attendances", "insights", ...) the participant has,
    in one query: a COUNT subquery each, over the relation's index on its foreign key (joining them all would
    multiply the rows)."""
    counts = {}
    for relation in relations:
        field = Participant._meta.get_field(relation)
        rows = (
            field.related_model._default_manager.filter(**{field.field.name: OuterRef("pk")})
            .order_by()
            .values(field.field.name)
            .annotate(n=Count("pk"))
            .values("n")
        )
        counts[f"{relation}_count"] = Coalesce(Subquery(rows), 0)
    found = Participant.objects.filter(pk=participant.pk).values(**counts).get()
    return {relation: found[f"{relation}_count"] for relation in relations}


def with_attendance_count(queryset):
    """Annotate `attendance_count` in the same query (the registry's export, which writes every row anyway)."""
    return queryset.annotate(attendance_count=Count("attendances", distinct=True))


def with_active_consent(purpose: ConsentPurpose, queryset=None):
    """The participants who have an active consent for `purpose` (at most one each, so no duplicates)."""
    queryset = Participant.objects.all() if queryset is None else queryset
    return queryset.filter(anonymised_at__isnull=True, consents__purpose=purpose, consents__withdrawn_at__isnull=True)


def consents_for_page(participant):
    """The person's consents, newest first, with who recorded and withdrew each (and what naming them needs)."""
    return (
        participant.consents.select_related("recorded_by", "withdrawn_by")
        .prefetch_related("recorded_by__groups", "withdrawn_by__groups")
        .order_by("-given_at", "-pk")
    )


def access_log_for_list(queryset=None):
    queryset = AccessLog.objects.all() if queryset is None else queryset
    # The actors' groups: the naming policy shows others the role "a coordinator" (no query per row).
    return queryset.select_related("actor", "participant").prefetch_related("actor__groups")


def _latest(model, field, *, via="participant"):
    """The latest `field` of `model`'s rows that belong to the outer participant, or the epoch."""
    rows = (
        model.objects.filter(**{via: OuterRef("pk")})
        .order_by()  # default orderings would join and group by more than the participant
        .values(via)
        .annotate(latest=Max(field))
        .values("latest")
    )
    return Coalesce(Subquery(rows, output_field=DateTimeField()), Value(EPOCH, output_field=DateTimeField()))


def _latest_history(model, *, via="participant"):
    rows = (
        model.history.filter(**{f"{via}_id": OuterRef("pk")})
        .order_by()
        .values(f"{via}_id")
        .annotate(latest=Max("history_date"))
        .values("latest")
    )
    return Coalesce(Subquery(rows, output_field=DateTimeField()), Value(EPOCH, output_field=DateTimeField()))


def with_last_activity(queryset=None):
    """Annotate `last_activity`: the latest change to the record, login, and what the apps count as activity
    (registry.ROWS: gathering attended (its end), insight, comment or feedback; feedback has no date of its own:
    its history and its dialogue's end)."""
    queryset = Participant.objects.all() if queryset is None else queryset
    epoch = Value(EPOCH, output_field=DateTimeField())
    activity = [
        *(_latest(rows.model, lookup, via=rows.field) for rows in registry.ROWS for lookup in rows.activity),
        *(_latest_history(rows.model, via=rows.field) for rows in registry.ROWS if rows.activity_in_history),
    ]
    return queryset.annotate(
        last_activity=Greatest(
            F("updated_at"),
            Coalesce(F("user__last_login"), epoch),
            *activity,
            output_field=DateTimeField(),
        )
    )


def inactive_since(cutoff, queryset=None):
    """Participants, not yet anonymised, with no activity since `cutoff`."""
    return with_last_activity(queryset).filter(anonymised_at__isnull=True, last_activity__lt=cutoff)


__all__ = [
    "access_log_for_list",
    "for_registry_list",
    "related_counts",
    "inactive_since",
    "visible_participants",
    "with_active_consent",
    "with_attendance_count",
    "with_attendance_counts",
    "with_last_activity",
]
