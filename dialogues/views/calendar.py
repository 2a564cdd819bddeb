"""Calendar feeds: secret per-user and per-project subscription addresses, and one-off .ics downloads."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kremlib.permissions import require
from projects.models import Project
from projects.views import get_project_for_user

from ..ical import build_calendar
from ..models import CalendarFeed, Dialogue
from .common import get_dialogue_for_user

# A subscription shows what is coming and the past year; older gatherings stay on the site.
FEED_WINDOW = datetime.timedelta(days=365)
ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


def ics_response(request, dialogues, *, name):
    calendar = build_calendar(
        dialogues, name=name, link=lambda dialogue: request.build_absolute_uri(dialogue.get_absolute_url())
    )
    return HttpResponse(calendar.to_ical(), content_type=ICS_CONTENT_TYPE)


# Public: calendar clients cannot log in. The unguessable token is the only key, so a wrong or
# reset token, or a feed whose user was deactivated, is simply not found.
@login_not_required
@require_safe
def feed(request, token):
    calendar_feed = get_object_or_404(CalendarFeed.objects.select_related("user", "project"), token=token)
    if calendar_feed.user is not None:
        if not calendar_feed.user.is_active:
            raise Http404
        dialogues = Dialogue.objects.visible_to(calendar_feed.user)
        name = _("KREM: my gatherings")
    elif calendar_feed.project is not None:
        if calendar_feed.project.deleted_at is not None:
            raise Http404
        dialogues = Dialogue.objects.alive().filter(project=calendar_feed.project)
        name = _("KREM: %(project)s") % {"project": calendar_feed.project.title}
    else:  # the database forbids this; never serve "everything" by accident
        raise Http404
    dialogues = dialogues.filter(ends_at__gte=timezone.now() - FEED_WINDOW).for_list().soonest_first()
    return ics_response(request, dialogues, name=name)


@require_safe
def dialogue_ics(request, pk):
    dialogue = get_dialogue_for_user(request.user, pk, "dialogues.view_dialogue")
    if not dialogue.date_known:
        raise Http404(_("The date of this gathering is not known, so there is no calendar event."))
    response = ics_response(request, [dialogue], name=dialogue.title)
    filename = f"{slugify(dialogue.title, allow_unicode=True) or 'dialog'}-{dialogue.pk}.ics"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def plannable_projects(user):
    """The projects the user may plan in (dialogues.add_dialogue), each with its feed loaded.

    add_dialogue is "coordinator or member of a partner organisation", which is exactly what
    Project.objects.visible_to() selects; filtering here with has_perm would cost a query per project.
    tests/dialogues/test_calendar.py checks that the two agree.
    """
    return Project.objects.visible_to(user).select_related("calendar_feed").order_by("title")


@require_safe
def feeds(request):
    user_feed = CalendarFeed.objects.filter(user=request.user).first()
    projects = plannable_projects(request.user)
    context = {
        "user_feed": feed_addresses(request, user_feed),
        "project_feeds": [(project, feed_addresses(request, project_feed(project))) for project in projects],
    }
    return render(request, "dialogues/calendar_feeds.html", context)


def project_feed(project):
    try:
        return project.calendar_feed
    except CalendarFeed.DoesNotExist:
        return None


def feed_addresses(request, calendar_feed):
    """The feed's https address to copy, and its webcal: twin that opens the calendar app; None without a feed."""
    if calendar_feed is None:
        return None
    url = request.build_absolute_uri(reverse("dialogues:feed", args=[calendar_feed.token]))
    return {"url": url, "webcal": "webcal://" + url.split("://", 1)[1]}


@require_POST
def reset_user_feed(request):
    calendar_feed, created = CalendarFeed.objects.get_or_create(user=request.user)
    if created:
        messages.success(request, _("Your calendar address is ready."))
    else:
        calendar_feed.reset()
        messages.success(request, _("Your calendar has a new address. The old address no longer works."))
    return redirect(reverse("dialogues:feeds") + "#my-calendar")


@require_POST
def reset_project_feed(request, slug):
    project = get_project_for_user(request.user, slug)
    require(request.user, "dialogues.add_dialogue", project)
    calendar_feed, created = CalendarFeed.objects.get_or_create(project=project)
    if created:
        message = _("The calendar address for “%(project)s” is ready.")
    else:
        calendar_feed.reset()
        message = _("The calendar for “%(project)s” has a new address. The old address no longer works.")
    messages.success(request, message % {"project": project.title})
    return redirect(reverse("dialogues:feeds") + f"#project-{project.slug}")
