"""The dialogues' blocks on the project, organisation and municipality pages (registered in projects.panels)."""

from django.db.models import Count
from django.db.models.functions import ExtractYear

from kremlib.http import list_url
from kremlib.permissions import can
from projects import panels

from .models import Dialogue, DialogueStatus, FollowUpAction
from .naming import with_responsible_names
from .services import voice_balance


def latest_in_date_order(dialogues, limit=panels.BLOCK_LIMIT):
    """The `limit` latest gatherings by date (the planned ones ahead among them), shown as a timeline is: soonest
    first, those of unknown date last."""
    latest = dialogues.latest_first()[:limit]
    return sorted(latest, key=lambda dialogue: (dialogue.starts_at is None, dialogue.starts_at or 0, dialogue.pk))


def project_panels(request, project, *, people):
    dialogues = project.dialogues.alive()
    open_actions = FollowUpAction.objects.filter(dialogue__in=dialogues).open()
    return {
        # The counts are bound methods, so a page counts only what it shows (the report shows no actions).
        "dialogues": latest_in_date_order(dialogues.select_related("municipality")),
        "dialogue_count": dialogues.count,
        "dialogues_url": list_url("dialogues:dialogue_list", project=project.pk),
        "can_plan": can(request.user, "dialogues.add_dialogue", project),
        "balance": voice_balance(dialogues),
        "actions": with_responsible_names(people, open_actions.for_list()[: panels.BLOCK_LIMIT]),
        "action_count": open_actions.count,
    }


def organisation_panels(request, organisation):
    dialogues = Dialogue.objects.visible_to(request.user).of_organisation(organisation)
    return {
        "dialogues": dialogues.select_related("project")
        .with_project_open(request.user)
        .latest_first()[: panels.BLOCK_LIMIT],
        "dialogue_count": dialogues.count(),
        "dialogues_url": list_url("dialogues:dialogue_list", organisation=organisation.pk),
    }


def municipality_panels(request, municipality, *, projects):
    dialogues = Dialogue.objects.visible_to(request.user).in_municipality(municipality)
    held_per_year = (
        dialogues.filter(status=DialogueStatus.HELD)
        .order_by()
        .annotate(year=ExtractYear("starts_at"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    shown = dialogues.select_related("project").with_project_open(request.user).latest_first()
    return {
        "dialogues": shown[: panels.BLOCK_LIMIT],
        "dialogue_count": dialogues.count(),
        "dialogues_url": list_url("dialogues:dialogue_list", in_municipality=municipality.pk),
        "held_per_year": held_per_year,
        "balance": voice_balance(dialogues),
    }


def register():
    panels.register("project", project_panels)
    panels.register("organisation", organisation_panels)
    panels.register("municipality", municipality_panels)
