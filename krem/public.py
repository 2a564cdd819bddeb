"""The public results page of a project (issue 11, part 6): opt-in, without login, and nothing about a person.

Only what a coordinator published shows: the project's summary, the outcomes of its dialogues that are
published, its results and system changes (with the organisations that took them on), and the learning entries
marked public. Never an author, a participant, an attendee, an insight or feedback (they come from people), a
draft, or a learning entry not marked public. A withdrawn or deleted project answers 404 from the next request.
"""

from django.contrib.auth.decorators import login_not_required
from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from dialogues.models import Outcome, OutcomeStatus
from kremlib.http import paginate
from projects.models import LearningKind, Project, SystemChangeAdoption
from projects.panels import BLOCK_LIMIT


def published_outcomes(project):
    return (
        Outcome.objects.filter(
            status=OutcomeStatus.PUBLISHED, dialogue__project=project, dialogue__deleted_at__isnull=True
        )
        .select_related("dialogue")
        .order_by("dialogue__starts_at", "pk")
    )


@login_not_required
@require_safe
def public_project(request, slug):
    project = get_object_or_404(Project.objects.published(), slug=slug)
    entries = list(project.learning_entries.filter(public=True).order_by(F("date").asc(nulls_last=True), "pk"))
    context = {
        "project": project,
        "municipalities": project.municipalities.all(),
        "partnerships": project.partnerships.select_related("organisation").order_by("role", "organisation__name"),
        # A project with thousands of gatherings has as many outcomes: they come in pages (?side=) of BLOCK_LIMIT.
        "outcomes": paginate(request, published_outcomes(project), per_page=BLOCK_LIMIT),
        "results": project.results.all(),
        "system_changes": project.system_changes.with_status().prefetch_related(
            Prefetch("adoptions", SystemChangeAdoption.objects.select_related("organisation"))
        ),
        "learning": [(kind, [e for e in entries if e.kind == kind]) for kind in LearningKind],
    }
    response = render(request, "public/project.html", context)
    # Withdrawing must take the page down at once: no shared cache may keep a copy.
    response["Cache-Control"] = "no-store"
    return response
