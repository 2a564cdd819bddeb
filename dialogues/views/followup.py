"""Follow-up actions: my open actions and my projects', and marking one done."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kremlib.http import is_htmx, paginate, safe_next
from kremlib.permissions import can
from participants.personal_data import PersonalData

from .. import services
from ..forms_outcome import ActionDoneForm, ActionListForm
from ..models import (
    ActionStatus,
    Dialogue,
    FollowUpAction,
)
from ..naming import with_responsible_names

# "My open actions" above the projects' list: the first few, with their count and a link to all of them in pages.
MINE_SHOWN = 10


def actions_in_visible_projects(user, *, overdue=False, project=None):
    """FollowUpAction.objects.open_in_projects_of(user) (only the overdue ones with `overdue`, only those of
    `project` with it), ordered by project and due date, for grouping."""
    actions = FollowUpAction.objects.open_in_projects_of(user)
    if overdue:
        actions = actions.overdue()
    if project is not None:
        actions = actions.filter(dialogue__project=project)
    return actions.for_list().order_by(
        "dialogue__project__title", "dialogue__project_id", F("due_date").asc(nulls_last=True), "pk"
    )


def mine_open(user, *, project=None):
    """The open actions the user answers for, by name or through their organisation, of dialogues not deleted
    (only those of `project` with it)."""
    mine = FollowUpAction.objects.responsible(user).open().filter(dialogue__in=Dialogue.objects.alive())
    return mine if project is None else mine.filter(dialogue__project=project)


def action_overview(request):
    """My open actions, and the open actions of every project I may see (every project for coordinators); with
    ?mine=1 all of mine, in pages, and nothing else; with ?project= only that project's.

    Every action on this page may be marked done by the user: they answer for it, or they are a member of
    its project (or a coordinator), so the rows need no permission query each."""
    people = PersonalData(request.user)
    choices = ActionListForm(request.GET, user=request.user).choices()
    project, overdue = choices["project"], choices["overdue"]
    mine = mine_open(request.user, project=project).for_list()
    context = {"overdue": overdue, "project": project, "all_mine": choices["mine"]}
    if choices["mine"]:
        page = paginate(request, mine)
        page.object_list = with_responsible_names(people, page.object_list)
        context.update(page=page, mine=page.object_list, mine_count=page.paginator.count)
    else:
        page = paginate(request, actions_in_visible_projects(request.user, overdue=overdue, project=project))
        page.object_list = with_responsible_names(people, page.object_list)
        context.update(page=page, mine=with_responsible_names(people, mine[:MINE_SHOWN]), mine_count=mine.count())
    return render(request, "dialogues/action_overview.html", context)


@require_POST
def action_done(request, action_pk):
    """Mark a follow-up action done. With htmx the answer is the updated row; otherwise a redirect back."""
    visible = Q(dialogue__in=Dialogue.objects.visible_to(request.user))
    mine = Q(
        pk__in=FollowUpAction.objects.responsible(request.user)
        .filter(dialogue__in=Dialogue.objects.alive())
        .values("pk")
    )
    action = get_object_or_404(FollowUpAction.objects.filter(visible | mine).for_list(), pk=action_pk)
    if not can(request.user, "dialogues.change_followupaction", action):
        raise PermissionDenied
    was_open = action.status == ActionStatus.OPEN
    services.complete_action(action=action)
    form = ActionDoneForm(request.POST)
    form.is_valid()
    if is_htmx(request):
        with_responsible_names(PersonalData(request.user), [action])
        context = {"action": action, "show_dialogue": form.cleaned_data.get("show_dialogue"), "can_change": True}
        return render(request, "dialogues/partials/action_row.html", context)
    if was_open:
        messages.success(request, _("The action was marked done."))
    return redirect(safe_next(request, form.cleaned_data.get("next"), reverse("dialogues:action_overview")))
