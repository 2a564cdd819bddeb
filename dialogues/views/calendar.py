"""Calendar feeds: secret per-user and per-project subscription addresses, and one-off .ics downloads."""

import datetime
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Max
from django.db.models.functions import Greatest
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date, quote_etag
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kremlib.dates import add_months
from kremlib.http import paginate
from kremlib.permissions import require
from projects.models import Project
from projects.views import get_project_for_user

from ..ical import build_calendar
from ..models import CalendarFeed, Dialogue
from .common import get_dialogue_for_user

# A subscription shows the past year and the next two; older and later gatherings stay on the site. The window
# is whole days (Oslo), so within a day the feed changes only when its gatherings do (its ETag, below).
FEED_MONTHS_BACK = 12
FEED_MONTHS_AHEAD = 24
# And at most this many gatherings, those nearest today: a coordinator's feed holds every gathering in the
# country (34,000 in the window at national scale: 9.5 MB, 7 s to render), and a calendar needs the near ones.
FEED_MAX_EVENTS = 500
ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


def ics_response(request, dialogues, *, name):
    calendar = build_calendar(
        dialogues, name=name, link=lambda dialogue: request.build_absolute_uri(dialogue.get_absolute_url())
    )
    return HttpResponse(calendar.to_ical(), content_type=ICS_CONTENT_TYPE)


def feed_window(today):
    """(from, until): the midnights (Oslo) between which a gathering in the feed of `today` lies, at least in part."""
    return midnight(add_months(today, -FEED_MONTHS_BACK)), midnight(add_months(today, FEED_MONTHS_AHEAD))


def midnight(day):
    return datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=timezone.get_current_timezone())


def in_window(dialogues, window):
    """The gatherings that overlap the window; one whose date is not known has no place in a calendar."""
    first, last = window
    return dialogues.filter(ends_at__gt=first, starts_at__lt=last)


def nearest(dialogues, limit):
    """At most `limit` of the gatherings: every one not yet over (soonest first), then the latest past ones."""
    now = timezone.now()
    upcoming = list(dialogues.filter(ends_at__gt=now).soonest_first()[:limit])
    if len(upcoming) == limit:
        return upcoming
    past = list(dialogues.filter(ends_at__lte=now).latest_first()[: limit - len(upcoming)])
    return past[::-1] + upcoming


def feed_version(dialogues, today):
    """(ETag, Last-Modified as a timestamp) of the feed of `dialogues` (in the window of `today`), from one
    aggregate query: calendar clients poll hourly, and most polls find nothing new, so they are answered 304
    without fetching or rendering a gathering.

    The feed changes when one of its gatherings or their projects is saved (soft-deleting saves too), when one
    joins or leaves it (the count: a user's rights changed), or when the window moves on, at midnight. The
    language is in the ETag because the feed's texts are translated."""
    found = dialogues.order_by().aggregate(newest=Max(Greatest("updated_at", "project__updated_at")), count=Count("pk"))
    window_moved = midnight(today)
    last_modified = max(found["newest"], window_moved) if found["newest"] else window_moved
    stamp = f"{today}:{found['count']}:{last_modified.timestamp()}:{get_language()}"
    return quote_etag(hashlib.sha256(stamp.encode()).hexdigest()[:32]), int(last_modified.timestamp())


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
    today = timezone.localdate()
    dialogues = in_window(dialogues, feed_window(today))
    etag, last_modified = feed_version(dialogues, today)
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified
    response = ics_response(request, nearest(dialogues.for_list(), FEED_MAX_EVENTS), name=name)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return response


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
    # A coordinator plans in every project: the project calendars are a list in pages, like every list.
    page = paginate(request, plannable_projects(request.user))
    context = {
        "user_feed": feed_addresses(request, user_feed),
        "page": page,
        "project_feeds": [(project, feed_addresses(request, project_feed(project))) for project in page.object_list],
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
