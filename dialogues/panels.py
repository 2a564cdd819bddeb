"""The dialogues' blocks on the project, organisation and municipality pages (registered in projects.panels)."""

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from kremlib.permissions import can
from projects import panels

from .models import Dialogue, DialogueStatus, FollowUpAction
from .naming import with_responsible_names
from .services import voice_balance


def project_panels(request, project, *, people):
    dialogues = project.dialogues.alive()
    return {
        "dialogues": dialogues.select_related("municipality").soonest_first(),
        "can_plan": can(request.user, "dialogues.add_dialogue", project),
        "balance": voice_balance(dialogues),
        "actions": with_responsible_names(
            people, FollowUpAction.objects.filter(dialogue__in=dialogues).open().for_list()
        ),
    }


def organisation_panels(request, organisation):
    dialogues = (
        Dialogue.objects.visible_to(request.user)
        .filter(Q(facilitators=organisation) | Q(project__partners=organisation))
        .distinct()
        .select_related("project")
        .with_project_open(request.user)
        .latest_first()
    )
    return {"dialogues": dialogues}


def municipality_panels(request, municipality, *, projects):
    dialogues = (
        Dialogue.objects.visible_to(request.user)
        .filter(Q(municipality=municipality) | Q(project__in=projects))
        .distinct()
        .select_related("project")
        .latest_first()
    )
    # The counts: the same dialogues, found by indexed lookups and without DISTINCT (nothing joined multiplies them).
    counted = Dialogue.objects.visible_to(request.user).in_municipality(municipality, projects)
    held_per_year = (
        counted.filter(status=DialogueStatus.HELD)
        .order_by()
        .annotate(year=ExtractYear("starts_at"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    shown = dialogues.with_project_open(request.user)
    return {"dialogues": shown, "held_per_year": held_per_year, "balance": voice_balance(counted)}


def register():
    panels.register("project", project_panels)
    panels.register("organisation", organisation_panels)
    panels.register("municipality", municipality_panels)
