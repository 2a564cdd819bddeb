"""The periodic jobs: what is due at the moment `now`. Each function returns the notices due then, not yet recorded.

Every function takes `now` (an aware datetime) so that tests and `run_due_jobs --now` move time instead of
waiting. Days are Oslo days. A notice is due on one day only; running a job again that day finds the same notices,
and recording them again changes nothing (the key is unique), so the jobs may run as often as one likes.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dialogues.models import (
    ActionStatus,
    Attendance,
    Dialogue,
    DialogueStatus,
    FollowUpAction,
    Outcome,
    OutcomeStatus,
    TimePrecision,
)
from participants.models import Participant
from participants.personal_data import PersonalData
from projects.models import Grant, GrantStatus, LearningEntry, Project, SystemChange, SystemChangeStep
from projects.rules import COORDINATORS_GROUP

from . import recipients
from .models import NoticeKind

OUTCOME_REMINDER_DAYS = (3, 7)  # after the gathering was held (Decidim reminds meeting authors after 3 and 7 days)
ACTION_DUE_IN_DAYS = 3
GATHERING_IN_DAYS = 2
REPORTING_DAYS_AHEAD = 14
SUMMARY_AHEAD_DAYS = 7  # the weekly summary lists actions due in the coming week ...
SUMMARY_OVERDUE_DAYS = 28  # ... and those overdue by up to four weeks (older ones are for the follow-up page)
DRAFT_DAYS = 30  # a draft summary is put to its attendees when the gathering ended within this many days
DIGEST_WEEKDAY = 0  # Monday: the weekly summary and the coordinators' digest


@dataclass
class Due:
    """One notice to record: its key, and how to word it for its recipient (called in the recipient's language)."""

    kind: str
    object_ref: str
    due_on: datetime.date
    recipient: recipients.Recipient
    words: object  # words(recipient) -> (subject, [lines])
    link: str = ""
    ics_dialogue: object = None
    extra: dict = field(default_factory=dict)


def today_at(now) -> datetime.date:
    return timezone.localdate(now)


def day_text(day) -> str:
    return date_format(day, "DATE_FORMAT")


def names(recipient) -> PersonalData:
    return PersonalData(recipient.reader)


def people(recipient, participants, project_id) -> str:
    """The people, as the recipient may see them: names where the policy allows, a neutral label otherwise."""
    policy = names(recipient)
    return ", ".join(policy.name(participant, project_id) for participant in participants)


def with_contact_consents(lookup: str):
    from django.db.models import Prefetch

    from participants.models import Consent, ConsentPurpose

    return Prefetch(
        f"{lookup}__consents" if lookup else "consents",
        queryset=Consent.objects.active().filter(purpose=ConsentPurpose.CONTACT),
        to_attr="krem_contact_consents",
    )


def coordinators():
    accounts = get_user_model().objects.filter(is_active=True)
    accounts = accounts.filter(Q(groups__name=COORDINATORS_GROUP) | Q(is_superuser=True)).distinct()
    accounts = accounts.select_related("participant").order_by("pk")
    return [r for r in (recipients.for_user(account) for account in accounts) if r is not None]


# To whoever registered or facilitates a gathering: the outcome is not registered 3 and 7 days after


def registrar(dialogue):
    first = Dialogue.history.filter(id=dialogue.pk, history_type="+").order_by("history_date").first()
    return first.history_user if first is not None else None


def outcome_missing(now):
    today = today_at(now)
    due = []
    for days in OUTCOME_REMINDER_DAYS:
        held_on = today - datetime.timedelta(days=days)
        dialogues = (
            Dialogue.objects.alive()
            .exclude(status=DialogueStatus.CANCELLED)
            .filter(outcome__isnull=True, ends_at__date=held_on, ends_at__lte=now)
            .select_related("project")
            .prefetch_related("facilitating_participants__user", with_contact_consents("facilitating_participants"))
        )
        for dialogue in dialogues:
            facilitators = list(dialogue.facilitating_participants.all())
            found = {}
            account = registrar(dialogue)
            if account is not None and (r := recipients.for_user(account)) is not None:
                found[r.key] = r
            for participant in facilitators:
                if (r := recipients.for_participant(participant)) is not None:
                    found.setdefault(r.key, r)

            def words(recipient, dialogue=dialogue, days=days, facilitators=facilitators):
                lines = [
                    ngettext(
                        "“%(title)s” was held %(days)d day ago, and its outcome is not registered yet.",
                        "“%(title)s” was held %(days)d days ago, and its outcome is not registered yet.",
                        days,
                    )
                    % {"title": dialogue.title, "days": days},
                    _("Project: %(project)s") % {"project": dialogue.project.title},
                ]
                if facilitators:
                    lines.append(
                        _("Facilitated by: %(people)s")
                        % {"people": people(recipient, facilitators, dialogue.project_id)}
                    )
                lines.append(_("Register what came out of it while it is fresh: insights, proposals and actions."))
                return _("Register the outcome of “%(title)s”") % {"title": dialogue.title}, lines

            link = reverse("dialogues:outcome_edit", args=[dialogue.pk])
            due += [
                Due(NoticeKind.OUTCOME_MISSING, f"dialogue:{dialogue.pk}", today, r, words, link)
                for r in found.values()
            ]
    return due


# To the responsible person (or the responsible organisation's people): due in 3 days, overdue, weekly summary


def action_recipients(action):
    if action.responsible_participant is not None:
        found = [recipients.for_participant(action.responsible_participant)]
    elif action.responsible_organisation is not None:
        found = [recipients.for_participant(p) for p in action.responsible_organisation.participants.all()]
    else:
        found = []
    return [r for r in found if r is not None]


def action_lines(recipient, action):
    lines = [
        _("“%(what)s” (from “%(dialogue)s”), due %(day)s.")
        % {"what": action.what, "dialogue": action.dialogue.title, "day": day_text(action.due_date)}
    ]
    if action.responsible_participant is not None:
        lines.append(
            _("Responsible: %(people)s")
            % {"people": people(recipient, [action.responsible_participant], action.dialogue.project_id)}
        )
    elif action.responsible_organisation is not None:
        lines.append(_("Responsible: %(organisation)s") % {"organisation": action.responsible_organisation.name})
    return lines


def follow_up(now):
    today = today_at(now)
    actions = (
        FollowUpAction.objects.filter(status=ActionStatus.OPEN, dialogue__in=Dialogue.objects.alive())
        .filter(
            due_date__gte=today - datetime.timedelta(days=SUMMARY_OVERDUE_DAYS),
            due_date__lte=today + datetime.timedelta(days=SUMMARY_AHEAD_DAYS),
        )
        .select_related("dialogue", "responsible_organisation", "responsible_participant__user")
        .prefetch_related(
            "responsible_organisation__participants__user",
            with_contact_consents("responsible_participant"),
            with_contact_consents("responsible_organisation__participants"),
        )
        .order_by("due_date", "pk")
    )
    by_recipient = defaultdict(list)
    who = {}
    for action in actions:
        for r in action_recipients(action):
            who[r.key] = r
            by_recipient[r.key].append(action)
    due = []
    for key, mine in by_recipient.items():
        r = who[key]
        if len(mine) > 1:
            # Several: one summary on Mondays rather than an email per action.
            if today.weekday() == DIGEST_WEEKDAY:

                def words(recipient, mine=mine):
                    lines = [_("Follow-up actions that are overdue or due in the coming week:"), ""]
                    for action in mine:
                        lines += ["– " + line for line in action_lines(recipient, action)[:1]]
                    return (
                        ngettext(
                            "%(count)d follow-up action needs you this week",
                            "%(count)d follow-up actions need you this week",
                            len(mine),
                        )
                        % {"count": len(mine)},
                        lines,
                    )

                ref = f"week:{today.isoformat()}"
                due.append(Due(NoticeKind.ACTION_SUMMARY, ref, today, r, words, reverse("dialogues:action_overview")))
            continue
        action = mine[0]
        if action.due_date == today + datetime.timedelta(days=ACTION_DUE_IN_DAYS):
            kind = NoticeKind.ACTION_DUE
        elif action.due_date == today - datetime.timedelta(days=1):
            kind = NoticeKind.ACTION_OVERDUE
        else:
            continue

        def words(recipient, action=action, kind=kind):
            if kind == NoticeKind.ACTION_DUE:
                subject = _("A follow-up action is due in three days: “%(what)s”")
            else:
                subject = _("A follow-up action is overdue: “%(what)s”")
            return subject % {"what": action.what[:80]}, action_lines(recipient, action)

        link = reverse("dialogues:dialogue_detail", args=[action.dialogue_id])
        due.append(Due(kind, f"action:{action.pk}", action.due_date, r, words, link))
    return due


# To attendees: the gathering in two days (with its .ics), and a draft summary waiting for them


def gathering_soon(now):
    day = today_at(now) + datetime.timedelta(days=GATHERING_IN_DAYS)
    attendances = (
        Attendance.objects.filter(
            dialogue__in=Dialogue.objects.alive(),
            dialogue__status=DialogueStatus.PLANNED,
            dialogue__starts_at__date=day,
            dialogue__time_precision__in=[TimePrecision.EXACT, TimePrecision.DAY],
        )
        .select_related("dialogue__project", "dialogue__municipality", "participant__user")
        .prefetch_related(
            with_contact_consents("participant"),
            "dialogue__facilitating_participants",
        )
        .order_by("pk")
    )
    due = []
    for attendance in attendances:
        r = recipients.for_participant(attendance.participant)
        if r is None:
            continue
        dialogue = attendance.dialogue

        def words(recipient, dialogue=dialogue):
            lines = [
                _("“%(title)s” is on %(when)s.") % {"title": dialogue.title, "when": dialogue.when_display},
            ]
            if dialogue.venue:
                lines.append(_("Venue: %(venue)s") % {"venue": dialogue.venue})
            facilitators = list(dialogue.facilitating_participants.all())
            if facilitators:
                lines.append(
                    _("Facilitated by: %(people)s") % {"people": people(recipient, facilitators, dialogue.project_id)}
                )
            lines.append(_("The calendar file is attached."))
            return _("In two days: “%(title)s”") % {"title": dialogue.title}, lines

        link = reverse("dialogues:dialogue_detail", args=[dialogue.pk])
        due.append(
            Due(NoticeKind.GATHERING_SOON, f"dialogue:{dialogue.pk}", day, r, words, link, ics_dialogue=dialogue)
        )
    return due


def summary_to_confirm(now):
    since = now - datetime.timedelta(days=DRAFT_DAYS)
    outcomes = (
        Outcome.objects.filter(
            status=OutcomeStatus.DRAFT,
            dialogue__in=Dialogue.objects.alive(),
            dialogue__ends_at__gte=since,
            dialogue__ends_at__lte=now,
        )
        .exclude(summary="")
        .select_related("dialogue__project")
        .order_by("pk")
    )
    due = []
    for outcome in outcomes:
        dialogue = outcome.dialogue
        answered = outcome.comments.values("participant")
        attendees = (
            Participant.objects.filter(attendances__dialogue=dialogue)
            .exclude(pk__in=answered)
            .select_related("user")
            .prefetch_related(with_contact_consents(""))
            .order_by("pk")
        )
        for participant in attendees:
            r = recipients.for_participant(participant)
            if r is None:
                continue

            def words(recipient, dialogue=dialogue):
                return (
                    _("Confirm or comment on the summary of “%(title)s”") % {"title": dialogue.title},
                    [
                        _(
                            "The summary of “%(title)s” is a draft and waits for you: confirm it, or say what is missing."
                        )
                        % {"title": dialogue.title},
                    ],
                )

            link = reverse("dialogues:dialogue_detail", args=[dialogue.pk])
            held_on = timezone.localdate(dialogue.ends_at)
            due.append(Due(NoticeKind.SUMMARY_TO_CONFIRM, f"outcome:{outcome.pk}", held_on, r, words, link))
    return due


# To coordinators: system changes due for a re-check, grant reporting deadlines, and the weekly digest


def recheck_due(now):
    today = today_at(now)
    changes = list(
        SystemChange.objects.filter(recheck_date=today, project__in=Project.objects.alive())
        .select_related("project")
        .order_by("pk")
    )
    due = []
    for r in coordinators() if changes else []:
        for change in changes:

            def words(recipient, change=change):
                return (
                    _("Re-check a system change in “%(project)s”") % {"project": change.project.title},
                    [
                        _("Is this still practice? %(change)s") % {"change": change.description[:200]},
                        _("Record a new step, or set the next re-check date."),
                    ],
                )

            link = change.project.get_absolute_url()
            due.append(Due(NoticeKind.RECHECK_DUE, f"change:{change.pk}", today, r, words, link))
    return due


def reporting_due(now):
    day = today_at(now) + datetime.timedelta(days=REPORTING_DAYS_AHEAD)
    grants = list(
        Grant.objects.filter(reporting_deadline=day, status=GrantStatus.GRANTED, project__in=Project.objects.alive())
        .select_related("project", "funder")
        .order_by("pk")
    )
    due = []
    for r in coordinators() if grants else []:
        for grant in grants:

            def words(recipient, grant=grant):
                return (
                    _("Report to %(funder)s by %(day)s") % {"funder": grant.funder.name, "day": day_text(day)},
                    [
                        _("The report on “%(grant)s” in “%(project)s” is due %(day)s.")
                        % {
                            "grant": grant.title or grant.funder.name,
                            "project": grant.project.title,
                            "day": day_text(day),
                        },
                    ],
                )

            link = grant.project.get_absolute_url()
            due.append(Due(NoticeKind.REPORTING_DUE, f"grant:{grant.pk}", day, r, words, link))
    return due


def weekly_digest(now):
    today = today_at(now)
    if today.weekday() != DIGEST_WEEKDAY:
        return []
    start = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=7), datetime.time()))
    end = start + datetime.timedelta(days=7)
    projects = (
        Project.objects.alive()
        .annotate(
            held=Count(
                "dialogues",
                filter=Q(
                    dialogues__deleted_at__isnull=True,
                    dialogues__status=DialogueStatus.HELD,
                    dialogues__ends_at__gte=start,
                    dialogues__ends_at__lt=end,
                ),
                distinct=True,
            ),
            published=Count(
                "dialogues__outcome",
                filter=Q(dialogues__outcome__published_at__gte=start, dialogues__outcome__published_at__lt=end),
                distinct=True,
            ),
        )
        .order_by("title")
    )
    learned = dict(
        LearningEntry.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("project")
        .annotate(n=Count("pk"))
        .values_list("project", "n")
    )
    steps = dict(
        SystemChangeStep.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("change__project")
        .annotate(n=Count("pk"))
        .values_list("change__project", "n")
    )
    rows = [
        (p.title, p.held, p.published, learned.get(p.pk, 0), steps.get(p.pk, 0))
        for p in projects
        if p.held or p.published or learned.get(p.pk) or steps.get(p.pk)
    ]
    if not rows:
        return []

    def words(recipient):
        lines = [
            _("What happened in the projects in the week before %(day)s (counts only):") % {"day": day_text(today)},
            "",
        ]
        for title, held, published, entries, changes in rows:
            lines.append(
                _(
                    "%(project)s: %(held)d held, %(published)d outcomes published, %(entries)d learning entries, %(steps)d system-change steps"
                )
                % {"project": title, "held": held, "published": published, "entries": entries, "steps": changes}
            )
        return _("Weekly digest: %(count)d projects with news") % {"count": len(rows)}, lines

    return [
        Due(NoticeKind.WEEKLY_DIGEST, f"digest:{today.isoformat()}", today, r, words, reverse("home"))
        for r in coordinators()
    ]


JOBS = [outcome_missing, follow_up, gathering_soon, summary_to_confirm, recheck_due, reporting_due, weekly_digest]


def everything_due(now):
    due = []
    for job in JOBS:
        due += job(now)
    return due
