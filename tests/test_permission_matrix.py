"""The permission matrix: every address of the app, for every role.

The roles (README, "Roles"), plus two who must be refused:
- anonymous: not logged in;
- outsider: a member of another organisation, in another project;
- participant: a service user with an account who attended the held dialogue, in no partner organisation;
- member: a member of the project's partner organisation;
- coordinator: in the coordinators group.

For each address the table says which roles succeed (200 or a redirect that is not to the login page) and what
the others get: "login" (a redirect to the login page), 404 (not theirs to see) or 403 (visible, not theirs to
change). Every refusal changes nothing in the database. Then, for each role that succeeds where an outsider does
not, the right is taken away (the member leaves the organisation, the participant's attendance is deleted, the
coordinator leaves the group) and the very next request is refused.

test_every_address_has_an_entry fails when an address is added without a row here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from dialogues.models import Attendance, Series
from notices.tokens import unsubscribe_token
from projects.models import Indicator, LearningEntry, Measurement, SystemChange
from projects.rules import COORDINATORS_GROUP
from tests.conftest import english
from tests.factories import (
    AttendanceFactory,
    CalendarFeedFactory,
    ConsentFactory,
    CoordinatorFactory,
    DialogueFactory,
    DialogueFileFactory,
    FollowUpActionFactory,
    GrantFactory,
    HeldDialogueFactory,
    InvitationFactory,
    MunicipalityFactory,
    OrganisationFactory,
    OutcomeFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    ProjectFileFactory,
    ProposalFactory,
    UserFactory,
    member_of,
)
from tests.test_hostile_input import fingerprint_sql, snapshot, watched_models

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "participant", "member", "coordinator"]
OK = "ok"


@pytest.fixture(autouse=True)
def site_language_afterwards():
    """The locale middleware leaves the last request's language (English here) active in the thread."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def make_world():
    municipality = MunicipalityFactory(name="Matriseby", number="4998")
    partner = OrganisationFactory(name="NAV Matriseby", municipality=municipality)
    # Its public results page is published (issue 11): anyone may read it, and the leak hunt reads it too.
    project = ProjectFactory(title="Matriseprosjekt", slug="matrise", published_at=timezone.now())
    PartnershipFactory(project=project, organisation=partner)
    held = HeldDialogueFactory(project=project, title="Holdt dialog", municipality=municipality)
    outcome = OutcomeFactory(dialogue=held)  # a draft, open for comments
    participant_user = UserFactory(username="deltaker-matrise")
    participant = ParticipantFactory(user=participant_user, display_name="Deltaker", perspective="lived_experience")
    AttendanceFactory(dialogue=held, participant=participant)
    # Consented to being named, so members may see (and remove) the attendance.
    third = AttendanceFactory(dialogue=held, participant=ParticipantFactory(display_name="Tredje"))
    ConsentFactory(participant=third.participant, purpose="attendance")
    member = member_of(partner, username="medlem-matrise")
    other = OrganisationFactory(name="Annen etat")
    PartnershipFactory(project=ProjectFactory(slug="annet"), organisation=other)
    subject = ParticipantFactory(display_name="Registrert person", email="person@example.org")
    InvitationFactory(participant=ParticipantFactory(display_name="Invitert"), token="matrise-token")
    change = SystemChange.objects.create(project=project, level="practice", description="Ny rutine")
    series = Series.objects.create(name="Matrisekonferansene", slug="matrisekonferansene")
    held.series = series
    held.save(update_fields=["series"])
    return {
        "municipality": municipality,
        "partner": partner,
        "project": project,
        "held": held,
        "outcome": outcome,
        "third": third,
        "proposal": ProposalFactory(dialogue=held, level="practice"),
        "action": FollowUpActionFactory(
            dialogue=held, responsible_participant=participant, responsible_organisation=None
        ),
        "entry": LearningEntry.objects.create(project=project, kind="done", text="Gjort", author=member),
        "change": change,
        "series": series,
        "adoption": change.adoptions.create(organisation=partner, role="continued"),
        "grant": GrantFactory(project=project, funder=other),
        "measurement": Measurement.objects.create(
            indicator=Indicator.objects.create(project=project, name="I egen bolig", unit="deltakere"),
            value=13,
            denominator=14,
            date=held.starts_at.date(),
            recorded_by=member,
        ),
        "subject": subject,
        "subject_consent": ConsentFactory(participant=subject, purpose="contact"),
        "own_consent": ConsentFactory(participant=participant, purpose="quoting"),
        "deleted_project": ProjectFactory(title="Slettet", deleted_at=held.starts_at),
        "deleted_dialogue": DialogueFactory(project=project, deleted_at=held.starts_at),
        "feed": CalendarFeedFactory(user=member),
        "project_file": ProjectFileFactory(project=project),
        "dialogue_file": DialogueFileFactory(dialogue=held),
        "anonymous": None,
        "outsider": member_of(other, username="utenfor-matrise"),
        "participant": participant_user,
        "member": member,
        "coordinator": CoordinatorFactory(username="koordinator-matrise"),
    }


def first_record(obj):
    return obj.history.order_by("history_date").first().history_id


@dataclass
class Entry:
    args: Callable = lambda w: []  # world -> the URL's arguments
    expect: dict = field(default_factory=dict)  # role -> OK, 403, 404 or "login"
    method: str = "get"
    data: Callable = lambda w: {}
    query: Callable = lambda w: {}
    revoke: dict = field(default_factory=dict)  # role -> how to take the right away, when not the role's default


def everyone():
    return {"outsider": OK, "participant": OK, "member": OK, "coordinator": OK}


def only(*roles, others=404, **special):
    expect = {role: (OK if role in roles else others) for role in ROLES[1:]}
    expect.update(special)
    return expect


PUBLIC = {"anonymous": OK, **everyone()}
PROJECT = lambda w: [w["project"].slug]  # noqa: E731
HELD = lambda w: [w["held"].pk]  # noqa: E731
# Seeing the project's pages: coordinators and members; a participant who attended only sees the dialogue.
PROJECT_PAGE = only("member", "coordinator")
PLAN = only("member", "coordinator")  # dialogues.change_dialogue: the participant sees the dialogue, may not plan it
PLAN_HELD = only("member", "coordinator", participant=403)
COORDINATOR_ONLY_403 = only("coordinator", others=403)
COORDINATOR_IN_PROJECT = only("coordinator", member=403)  # the project is the member's, its change is not
OWN_CONTRIBUTION = only("participant", member=403, coordinator=403)  # to a dialogue one attended
REGISTRY_PERSON = only("coordinator")  # another person's record: 404 for all but coordinators

MATRIX = {
    # Public: the login page and what it links to, the invitation link, the terms, the health check, feeds
    "login": Entry(expect=PUBLIC),
    "password_reset": Entry(expect=PUBLIC),
    "password_reset_done": Entry(expect=PUBLIC),
    "password_reset_confirm": Entry(args=lambda w: ["MQ", "ugyldig-token"], expect=PUBLIC),
    "password_reset_complete": Entry(expect=PUBLIC),
    "set_language": Entry(method="post", data=lambda w: {"language": "en", "next": "/"}, expect=PUBLIC),
    "healthz": Entry(expect=PUBLIC),
    "readyz": Entry(expect=PUBLIC),
    # Prometheus: neither a configured address nor the token, so nobody (tests/test_operations.py lets them in)
    "metrics": Entry(expect={role: 404 for role in ROLES}),
    "dialogues:feed": Entry(args=lambda w: [w["feed"].token], expect=PUBLIC),
    "participants:accept_invitation": Entry(args=lambda w: ["matrise-token"], expect=PUBLIC),
    "participants:terms": Entry(expect=PUBLIC),
    # A project's public results page, while it is published (withdrawn: 404 for all, tests/test_public_page.py)
    "public_project": Entry(args=PROJECT, expect=PUBLIC),
    # The one-click unsubscribe link of an email: signed, for one person and one kind, no login
    "notices:unsubscribe": Entry(args=lambda w: [unsubscribe_token("p:1", "gathering_soon")], expect=PUBLIC),
    # Every logged-in user
    "home": Entry(expect=everyone()),
    # Logging out ends on the login page, logged in or not.
    "logout": Entry(method="post", expect={role: "login" for role in ROLES}),
    "password_change": Entry(expect=everyone()),
    "password_change_done": Entry(expect=everyone()),
    # The header's search box; the leak hunt searches for the withdrawn quote (tests/test_leaks.py).
    "search": Entry(query=lambda w: {"q": "Zqxquote"}, expect=everyone()),
    "projects:project_list": Entry(expect=everyone()),
    # The portfolio report: everyone's own portfolio, the projects they may see (a participant's has none)
    "reports:portfolio_report": Entry(expect=everyone()),
    "reports:portfolio_report_pdf": Entry(expect=everyone()),
    "projects:organisation_list": Entry(expect=everyone()),
    # The bounded selects' lookups (kremlib/widgets.py): each answers with what the user may see (see
    # tests/test_bounded_choices.py); the registry's people only to coordinators, the people to add as attending
    # only to those who may change the dialogue
    "projects:project_lookup": Entry(query=lambda w: {"q": "Matrise"}, expect=everyone()),
    "projects:organisation_lookup": Entry(query=lambda w: {"q": "NAV"}, expect=everyone()),
    "dialogues:dialogue_lookup": Entry(query=lambda w: {"q": "Holdt"}, expect=everyone()),
    "participants:participant_lookup": Entry(query=lambda w: {"q": "Registrert"}, expect=COORDINATOR_ONLY_403),
    "dialogues:attendee_lookup": Entry(args=HELD, query=lambda w: {"q": "Tredje"}, expect=PLAN_HELD),
    "projects:organisation_detail": Entry(args=lambda w: [w["partner"].pk], expect=everyone()),
    "projects:organisation_history": Entry(args=lambda w: [w["partner"].pk], expect=everyone()),
    "projects:municipality_list": Entry(expect=everyone()),
    "projects:indicator_totals": Entry(expect=everyone()),
    "projects:system_change_register": Entry(expect=everyone()),
    # The registers across projects: each user sees the rows of the projects they see (none for an outsider's
    # or a participant's, as on the project pages); so do the exports of every list
    "projects:learning_register": Entry(expect=everyone()),
    "projects:result_register": Entry(expect=everyone()),
    "projects:project_export": Entry(args=lambda w: ["csv"], expect=everyone()),
    "projects:organisation_export": Entry(args=lambda w: ["xlsx"], expect=everyone()),
    "projects:municipality_export": Entry(args=lambda w: ["csv"], expect=everyone()),
    "projects:learning_export": Entry(args=lambda w: ["xlsx"], expect=everyone()),
    "projects:result_export": Entry(args=lambda w: ["csv"], expect=everyone()),
    "projects:system_change_export": Entry(args=lambda w: ["xlsx"], expect=everyone()),
    "dialogues:dialogue_export": Entry(args=lambda w: ["csv"], expect=everyone()),
    "dialogues:attendance_export": Entry(args=lambda w: ["xlsx"], expect=everyone()),
    "dialogues:action_export": Entry(args=lambda w: ["csv"], expect=everyone()),
    "projects:municipality_detail": Entry(args=lambda w: [w["municipality"].number], expect=everyone()),
    "dialogues:dialogue_list": Entry(expect=everyone()),
    # A series' page: every signed-in user; only the gatherings one may see are listed, the rest counted.
    "dialogues:series_detail": Entry(args=lambda w: [w["series"].slug], expect=everyone()),
    "dialogues:agenda_row": Entry(expect=everyone()),
    "dialogues:action_overview": Entry(expect=everyone()),
    "dialogues:feeds": Entry(expect=everyone()),
    "dialogues:reset_user_feed": Entry(method="post", expect=everyone()),
    "participants:my_page": Entry(expect=everyone()),
    "participants:my_export": Entry(expect=everyone()),
    "participants:my_data": Entry(expect=everyone()),
    # One's own notices: settings on "Min side" (also for a coordinator without a participant record), mark as read
    "notices:settings": Entry(expect=everyone()),
    "notices:mark_read": Entry(method="post", expect=everyone()),
    # One's own consent, given on "Min side": whoever has a record of their own (the coordinator has none)
    "participants:my_consent_give": Entry(
        method="post",
        data=lambda w: {"give-purpose": "photo_film"},
        expect=only("outsider", "participant", "member"),
    ),
    # Coordinators only (deleted items exist for no one else: 404)
    "deleted_items": Entry(expect=only("coordinator")),
    "projects:funding": Entry(expect=only("coordinator")),
    "restore_deleted_project": Entry(
        args=lambda w: [w["deleted_project"].pk], method="post", expect=only("coordinator")
    ),
    "restore_deleted_dialogue": Entry(
        args=lambda w: [w["deleted_dialogue"].pk], method="post", expect=only("coordinator")
    ),
    "projects:project_create": Entry(expect=COORDINATOR_ONLY_403),
    "projects:partner_row": Entry(expect=COORDINATOR_ONLY_403),
    "projects:organisation_create": Entry(expect=COORDINATOR_ONLY_403),
    "projects:organisation_edit": Entry(args=lambda w: [w["partner"].pk], expect=COORDINATOR_ONLY_403),
    "projects:organisation_restore": Entry(
        args=lambda w: [w["partner"].pk, first_record(w["partner"])], expect=COORDINATOR_ONLY_403
    ),
    "participants:participant_list": Entry(expect=COORDINATOR_ONLY_403),
    "participants:participant_create": Entry(expect=COORDINATOR_ONLY_403),
    "participants:access_log": Entry(expect=COORDINATOR_ONLY_403),
    "participants:participant_export_list": Entry(args=lambda w: ["xlsx"], expect=COORDINATOR_ONLY_403),
    # Projects: members see and add to the learning log; coordinators change the project
    "projects:project_detail": Entry(args=PROJECT, expect=PROJECT_PAGE),
    "projects:project_history": Entry(args=PROJECT, expect=PROJECT_PAGE),
    "reports:project_report": Entry(args=PROJECT, expect=PROJECT_PAGE),
    "reports:project_report_pdf": Entry(args=PROJECT, expect=PROJECT_PAGE),
    "projects:project_edit": Entry(args=PROJECT, expect=COORDINATOR_IN_PROJECT),
    "projects:project_close": Entry(args=PROJECT, expect=COORDINATOR_IN_PROJECT),
    "projects:project_delete": Entry(args=PROJECT, expect=COORDINATOR_IN_PROJECT),
    "projects:project_publish": Entry(
        args=PROJECT, method="post", data=lambda w: {"confirm": "on"}, expect=COORDINATOR_IN_PROJECT
    ),
    "projects:project_withdraw": Entry(args=PROJECT, method="post", expect=COORDINATOR_IN_PROJECT),
    "projects:project_restore": Entry(
        args=lambda w: [w["project"].slug, first_record(w["project"])], expect=COORDINATOR_IN_PROJECT
    ),
    "projects:entry_create": Entry(args=lambda w: [w["project"].slug, "laering"], expect=PROJECT_PAGE),
    "projects:entry_edit": Entry(args=lambda w: [w["project"].slug, "laering", w["entry"].pk], expect=PROJECT_PAGE),
    "projects:entry_delete": Entry(args=lambda w: [w["project"].slug, "laering", w["entry"].pk], expect=PROJECT_PAGE),
    # Indicators: members read them on the project page; coordinators record measurements
    "projects:measurement_create": Entry(
        args=lambda w: [w["project"].slug, w["measurement"].indicator_id], expect=COORDINATOR_IN_PROJECT
    ),
    "projects:measurement_edit": Entry(
        args=lambda w: [w["project"].slug, w["measurement"].pk], expect=COORDINATOR_IN_PROJECT
    ),
    "projects:measurement_delete": Entry(
        args=lambda w: [w["project"].slug, w["measurement"].pk], method="post", expect=COORDINATOR_IN_PROJECT
    ),
    "projects:step_create": Entry(args=lambda w: [w["project"].slug, w["change"].pk], expect=COORDINATOR_IN_PROJECT),
    "projects:measurement_import": Entry(args=PROJECT, expect=COORDINATOR_IN_PROJECT),
    "projects:measurement_export": Entry(args=PROJECT, expect=PROJECT_PAGE),
    "projects:adoption_create": Entry(
        args=lambda w: [w["project"].slug, w["change"].pk], expect=COORDINATOR_IN_PROJECT
    ),
    "projects:adoption_delete": Entry(
        args=lambda w: [w["project"].slug, w["adoption"].pk],
        method="post",
        expect=COORDINATOR_IN_PROJECT,
    ),
    # Files: whoever sees the page downloads them; those who change the page upload and delete them
    "projects:file_upload": Entry(args=PROJECT, expect=COORDINATOR_IN_PROJECT),
    "projects:file_download": Entry(args=lambda w: [w["project"].slug, w["project_file"].pk], expect=PROJECT_PAGE),
    "projects:file_delete": Entry(
        args=lambda w: [w["project"].slug, w["project_file"].pk], method="post", expect=COORDINATOR_IN_PROJECT
    ),
    "dialogues:file_upload": Entry(args=HELD, expect=PLAN_HELD),
    "dialogues:file_download": Entry(
        args=lambda w: [w["held"].pk, w["dialogue_file"].pk], expect=only("participant", "member", "coordinator")
    ),
    "dialogues:file_delete": Entry(
        args=lambda w: [w["held"].pk, w["dialogue_file"].pk], method="post", expect=PLAN_HELD
    ),
    "dialogues:dialogue_create": Entry(args=PROJECT, expect=PLAN),
    "dialogues:reset_project_feed": Entry(args=PROJECT, method="post", expect=PLAN),
    # The held dialogue: the participant attended it, so sees it; members and coordinators plan and record it
    "dialogues:dialogue_detail": Entry(args=HELD, expect=only("participant", "member", "coordinator")),
    "dialogues:dialogue_ics": Entry(args=HELD, expect=only("participant", "member", "coordinator")),
    "dialogues:dialogue_history": Entry(args=HELD, expect=PLAN_HELD),
    "dialogues:outcome_history": Entry(args=HELD, expect=PLAN_HELD),
    "dialogues:dialogue_edit": Entry(args=HELD, expect=PLAN_HELD),
    "dialogues:dialogue_cancel": Entry(args=HELD, expect=PLAN_HELD),
    "dialogues:dialogue_duplicate": Entry(args=HELD, expect=PLAN_HELD),
    "dialogues:dialogue_delete": Entry(args=HELD, expect=PLAN_HELD),
    "dialogues:attendance": Entry(args=HELD, expect=PLAN_HELD),
    "dialogues:attendance_remove": Entry(args=lambda w: [w["held"].pk, w["third"].pk], method="post", expect=PLAN_HELD),
    "dialogues:attendance_correct": Entry(
        args=lambda w: [w["held"].pk, w["third"].pk],
        method="post",
        data=lambda w: {"correct-perspective": "staff"},
        expect=PLAN_HELD,
    ),
    "dialogues:outcome_edit": Entry(args=HELD, expect=PLAN_HELD),
    "dialogues:outcome_row": Entry(
        args=lambda w: ["insights"], query=lambda w: {"dialogue": w["held"].pk}, expect=PLAN_HELD
    ),
    "dialogues:adopt_proposal": Entry(args=lambda w: [w["proposal"].pk], method="post", expect=PLAN_HELD),
    "dialogues:dialogue_restore": Entry(
        args=lambda w: [w["held"].pk, first_record(w["held"])], expect=only("coordinator", member=403, participant=403)
    ),
    "dialogues:outcome_restore": Entry(
        args=lambda w: [w["held"].pk, first_record(w["outcome"])],
        expect=only("coordinator", member=403, participant=403),
    ),
    # The participant role: one's own contributions to a dialogue one attended
    "dialogues:add_insight": Entry(
        args=HELD, method="post", data=lambda w: {"insight-text": "Innsikt"}, expect=OWN_CONTRIBUTION
    ),
    "dialogues:add_feedback": Entry(
        args=HELD, method="post", data=lambda w: {"feedback-rating": "4"}, expect=OWN_CONTRIBUTION
    ),
    "dialogues:comment_outcome": Entry(
        args=HELD, method="post", data=lambda w: {"comment-confirmed": "on"}, expect=OWN_CONTRIBUTION
    ),
    # A follow-up action the participant answers for by name: they, the project's members and coordinators
    "dialogues:action_done": Entry(
        args=lambda w: [w["action"].pk],
        method="post",
        expect=only("participant", "member", "coordinator"),
        revoke={
            "participant": lambda w: (
                type(w["action"]).objects.filter(pk=w["action"].pk).update(responsible_participant=None)
            )
        },
    ),
    # Another person's registry record: coordinators only, 404 for everyone else
    "participants:participant_detail": Entry(args=lambda w: [w["subject"].pk], expect=REGISTRY_PERSON),
    "participants:participant_edit": Entry(args=lambda w: [w["subject"].pk], expect=REGISTRY_PERSON),
    "participants:consent_add": Entry(
        args=lambda w: [w["subject"].pk], method="post", data=lambda w: {"purpose": "quoting"}, expect=REGISTRY_PERSON
    ),
    "participants:participant_invite": Entry(args=lambda w: [w["subject"].pk], expect=REGISTRY_PERSON),
    "participants:participant_export": Entry(args=lambda w: [w["subject"].pk], expect=REGISTRY_PERSON),
    "participants:participant_merge": Entry(args=lambda w: [w["subject"].pk], expect=REGISTRY_PERSON),
    "participants:participant_anonymise": Entry(args=lambda w: [w["subject"].pk], expect=REGISTRY_PERSON),
    # One's own consent: the person themself (not a membership: nothing to revoke) and coordinators
    "participants:consent_withdraw": Entry(
        args=lambda w: [w["own_consent"].pk],
        method="post",
        expect=only("participant", "coordinator"),
        revoke={"participant": None},
    ),
}


def url_names(resolver=None, namespace=""):
    """Every named address of the project, admin and static files aside."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            yield from url_names(pattern, f"{pattern.namespace}:" if pattern.namespace else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and "static" not in str(pattern.pattern):
            yield namespace + pattern.name


def test_every_address_has_an_entry():
    names = set(url_names())
    assert names - set(MATRIX) == set(), "add the new addresses to MATRIX in tests/test_permission_matrix.py"
    assert set(MATRIX) - names == set(), "MATRIX names addresses that no longer exist"


def test_every_entry_says_what_every_role_gets():
    for name, entry in MATRIX.items():
        assert set(entry.expect) >= set(ROLES[1:]), name


# Running the table


def request(client, world, name):
    entry = MATRIX[name]
    url = reverse(name, args=entry.args(world))
    if entry.method == "post":
        return client.post(url, entry.data(world))
    return client.get(url, entry.query(world))


def is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def outcome_of(response):
    if is_login_redirect(response):
        return "login"
    if response.status_code in (200, 302):
        return OK
    return response.status_code


def client_as(world, role):
    client = english(Client())
    if role != "anonymous":
        client.force_login(world[role])
    return client


def expected(entry, role):
    if role == "anonymous":
        return entry.expect.get("anonymous", "login")
    return entry.expect[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(name, role):
    world = make_world()
    entry = MATRIX[name]
    client = client_as(world, role)
    models = fingerprint_sql(watched_models())
    before = snapshot(models)
    got = outcome_of(request(client, world, name))
    assert got == expected(entry, role), (name, role, got)
    if got != OK:
        assert snapshot(models) == before, f"{name}: a refused request changed the database"


def revoke_membership(world, role):
    """Take away what makes `role` more than an outsider."""
    if role == "member":
        world["member"].participant.organisation = None
        world["member"].participant.save()
    elif role == "participant":
        Attendance.objects.filter(participant__user=world["participant"]).delete()
    elif role == "coordinator":
        world["coordinator"].groups.remove(Group.objects.get(name=COORDINATORS_GROUP))


REVOCABLE = [
    pytest.param(name, role, id=f"{name}-{role}")
    for name, entry in sorted(MATRIX.items())
    for role in ("participant", "member", "coordinator")
    if entry.expect[role] == OK
    and entry.expect["outsider"] != OK
    and entry.revoke.get(role, revoke_membership) is not None
]


@pytest.mark.parametrize("name, role", REVOCABLE)
def test_a_revoked_right_is_refused_on_the_very_next_request(name, role):
    world = make_world()
    entry = MATRIX[name]
    client = client_as(world, role)
    warm_up = client.get(reverse("home"))  # the session is live, and whatever a request caches was cached
    assert warm_up.status_code == 200
    revoke = entry.revoke.get(role, revoke_membership)
    if revoke is revoke_membership:
        revoke(world, role)
    else:
        revoke(world)
    got = outcome_of(request(client, world, name))
    assert got in (403, 404), (name, role, got)
