"""Dialogues as an RFC 5545 calendar, for calendar subscriptions and one-off .ics downloads.

A gathering is never shown more precisely than it is known:

- exact time: DTSTART/DTEND as UTC date-times;
- known to the day: an all-day event (DATE values, DTEND exclusive);
- known only to the month, season or year: an all-day span over the whole period, marked
  TRANSP:TRANSPARENT (it does not make anyone busy) and with the precision written in the
  description. We keep these in the feed rather than leave them out, because a gathering
  planned for "autumn 2026" is still worth seeing in one's calendar, and silently dropping it
  would hide it; the span says "some time in this period", which is exactly what we know;
- date not known at all: no event (there is no period to span). The feeds leave such gatherings out, and
  a gathering's own .ics download is not offered.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vText

from kremlib.dates import format_approx, normalise, period_end

from .models import DialogueStatus, TimePrecision

PRODID = "-//KREM//Partnership tracker//NB"
# Calendar clients that honour REFRESH-INTERVAL poll the feed hourly.
REFRESH_INTERVAL = datetime.timedelta(hours=1)


def build_calendar(dialogues, *, name, link):
    """A VCALENDAR with one VEVENT per dialogue. `link(dialogue)` gives the absolute URL of its page.

    The dialogues need their project and municipality loaded (Dialogue.objects.for_list()).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # icalendar escapes only the properties it knows as text; NAME and X-WR-CALNAME need vText.
    calendar.add("x-wr-calname", vText(one_line(name)))
    calendar.add("name", vText(one_line(name)))
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")  # Outlook's older name for the same
    stamp = timezone.now().astimezone(datetime.UTC)
    for dialogue in dialogues:
        if dialogue.starts_at is None:
            continue
        calendar.add_component(build_event(dialogue, link=link(dialogue), stamp=stamp))
    return calendar


def build_event(dialogue, *, link, stamp):
    event = Event()
    event.add("uid", event_uid(dialogue))
    event.add("dtstamp", stamp)
    start, end = event_span(dialogue)
    event.add("dtstart", start)
    event.add("dtend", end)
    if dialogue.time_precision not in (TimePrecision.EXACT, TimePrecision.DAY):
        event.add("transp", "TRANSPARENT")
    event.add("summary", one_line(dialogue.title))
    location = event_location(dialogue)
    if location:
        event.add("location", location)
    event.add("description", event_description(dialogue))
    event.add("url", link)
    event.add("status", "CANCELLED" if dialogue.status == DialogueStatus.CANCELLED else "CONFIRMED")
    event.add("created", dialogue.created_at.astimezone(datetime.UTC))
    event.add("last-modified", dialogue.updated_at.astimezone(datetime.UTC))
    event.add("sequence", event_sequence(dialogue))
    return event


def event_uid(dialogue):
    """Stable for the life of the dialogue, so clients update the event instead of adding a new one."""
    return f"dialogue-{dialogue.pk}@krem"


def event_span(dialogue):
    """(DTSTART, DTEND): UTC date-times for exact times, else dates with an exclusive end."""
    if dialogue.time_precision == TimePrecision.EXACT:
        return dialogue.starts_at.astimezone(datetime.UTC), dialogue.ends_at.astimezone(datetime.UTC)
    # Dates are Oslo dates. ends_at is exclusive: a gathering stored as 10 March 00:00 to 11 March 00:00
    # lasts only 10 March, so the last day is the one just before ends_at.
    first_day = timezone.localdate(dialogue.starts_at)
    last_day = timezone.localdate(dialogue.ends_at - datetime.timedelta(microseconds=1))
    precision = dialogue.time_precision
    start = normalise(first_day, precision)
    end = period_end(max(first_day, last_day), precision) + datetime.timedelta(days=1)
    return start, end


def event_sequence(dialogue):
    """Grows with every save: whole seconds between creation and the last change (fits RFC 5545's integer)."""
    return max(0, int((dialogue.updated_at - dialogue.created_at).total_seconds()))


def event_location(dialogue):
    parts = [dialogue.venue.strip(), dialogue.municipality.name if dialogue.municipality else ""]
    return one_line(", ".join(part for part in parts if part))


def one_line(text):
    """A title or place on one line: a line break typed into it means nothing, and some clients choke on it."""
    return " ".join(str(text).split())


def event_description(dialogue):
    lines = [
        _("Kind: %(kind)s") % {"kind": dialogue.get_kind_display()},
        _("Project: %(project)s") % {"project": dialogue.project.title},
    ]
    precision = dialogue.time_precision
    if precision == TimePrecision.DAY:
        lines.append(_("The time of day is not known."))
    elif precision != TimePrecision.EXACT:
        when = format_approx(timezone.localdate(dialogue.starts_at), precision)
        lines.append(approximate_date_note(precision) % {"when": when})
    if dialogue.status == DialogueStatus.CANCELLED:
        lines.append(_("Cancelled."))
        if dialogue.cancel_reason.strip():
            lines.append(_("Reason: %(reason)s") % {"reason": dialogue.cancel_reason.strip()})
    if dialogue.purpose.strip():
        lines.append("")
        lines.append(_("Purpose: %(purpose)s") % {"purpose": dialogue.purpose.strip()})
    return "\n".join(lines)


def approximate_date_note(precision):
    # Whole sentences per precision: Norwegian needs a different form of the noun in each.
    return {
        TimePrecision.MONTH: _("Only the month is known: %(when)s. The event spans the whole month."),
        TimePrecision.SEASON: _("Only the season is known: %(when)s. The event spans the whole season."),
        TimePrecision.YEAR: _("Only the year is known: %(when)s. The event spans the whole year."),
    }[precision]
