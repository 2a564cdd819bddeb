"""One of each reminder, around MONDAY (2027-01-11): who gets what on which day."""

from dialogues.models import DialogueStatus
from projects.models import SystemChange
from tests.factories import (
    AttendanceFactory,
    ConsentFactory,
    CoordinatorFactory,
    DialogueFactory,
    FollowUpActionFactory,
    GrantFactory,
    OrganisationFactory,
    OutcomeFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    UserFactory,
)

from .conftest import at


def contactable(name, email, user=True, **kwargs):
    """A participant who consented to contact, with an address (and an account unless user=False)."""
    person = ParticipantFactory(
        display_name=name, email=email, user=UserFactory(username=email, email=email) if user else None, **kwargs
    )
    ConsentFactory(participant=person, purpose="contact")
    return person


def make_world():
    partner = OrganisationFactory(name="NAV Varselby")
    project = ProjectFactory(title="Varselprosjekt", slug="varsel")
    PartnershipFactory(project=project, organisation=partner)
    coordinator = CoordinatorFactory(username="koordinator-varsel", email="koordinator@example.org")

    # Held on Friday 8 January, no outcome: its facilitator is reminded on Monday 11 (3 days) and Friday 15 (7 days).
    facilitator = contactable("Fasilitator", "fasilitator@example.org")
    held = DialogueFactory(
        project=project, title="Holdt uten utfall", starts_at=at(-3, 9), ends_at=at(-3, 12), status=DialogueStatus.HELD
    )
    held.facilitating_participants.add(facilitator)

    # One action due Thursday 14: due in three days on Monday 11, overdue on Friday 15.
    responsible = contactable("Ansvarlig", "ansvarlig@example.org")
    one = FollowUpActionFactory(
        dialogue=held, what="Ett tiltak", responsible_participant=responsible, due_date=at(3).date()
    )
    # Two actions of one person: a summary on Mondays (11 and 18), never an email per action.
    busy = contactable("Travel", "travel@example.org")
    for days, what in ((2, "Første tiltak"), (5, "Andre tiltak")):
        FollowUpActionFactory(dialogue=held, what=what, responsible_participant=busy, due_date=at(days).date())

    # A gathering on Wednesday 13: attendees with a contact consent are told on Monday 11.
    soon = DialogueFactory(
        project=project, title="Samling snart", starts_at=at(2, 10), ends_at=at(2, 13), venue="Huset"
    )
    attendee = contactable("Deltaker Snart", "deltaker@example.org")
    AttendanceFactory(dialogue=soon, participant=attendee)
    AttendanceFactory(
        dialogue=soon, participant=ParticipantFactory(display_name="Uten samtykke", email="nei@example.org")
    )
    in_app_only = ParticipantFactory(
        display_name="Bare i appen", user=UserFactory(username="bare-app", email="app@example.org")
    )
    AttendanceFactory(dialogue=soon, participant=in_app_only)

    # A draft summary of a gathering held on Sunday 10: put to its attendee from then on (once).
    drafted = DialogueFactory(
        project=project, title="Utkast venter", starts_at=at(-1, 9), ends_at=at(-1, 12), status=DialogueStatus.HELD
    )
    OutcomeFactory(dialogue=drafted)
    reader = contactable("Leser", "leser@example.org", user=False)
    AttendanceFactory(dialogue=drafted, participant=reader)

    # For the coordinators: a re-check on Tuesday 12, a report due Thursday 28 (told on Wednesday 13).
    SystemChange.objects.create(project=project, level="practice", description="Ny rutine", recheck_date=at(1).date())
    GrantFactory(project=project, funder=partner, status="granted", reporting_deadline=at(16).date(), title="Tilskudd")
    return {
        "project": project,
        "partner": partner,
        "coordinator": coordinator,
        "held": held,
        "soon": soon,
        "action": one,
        "in_app_only": in_app_only,
        "attendee": attendee,
    }


# day (relative to MONDAY) -> {(kind, address)} emailed when the jobs run on that day only
ALWAYS = {("summary_to_confirm", "leser@example.org")}  # from the draft's gathering on, until it is answered
EXPECTED = {
    -2: set(),
    -1: set(),  # the gathering ends at noon, after the 08:00 run
    0: ALWAYS
    | {
        ("outcome_missing", "fasilitator@example.org"),
        ("action_due", "ansvarlig@example.org"),
        ("action_summary", "travel@example.org"),
        ("gathering_soon", "deltaker@example.org"),
        ("weekly_digest", "koordinator@example.org"),
    },
    1: ALWAYS | {("recheck_due", "koordinator@example.org")},
    2: ALWAYS | {("reporting_due", "koordinator@example.org")},
    3: ALWAYS,
    4: ALWAYS | {("outcome_missing", "fasilitator@example.org"), ("action_overdue", "ansvarlig@example.org")},
    5: ALWAYS,
    6: ALWAYS,
    7: ALWAYS | {("action_summary", "travel@example.org")},
    8: ALWAYS,
}


def sent(mailbox):
    return {(m["X-KREM-Kind"], m["To"]) for m in mailbox.messages}
