"""Query budgets: every list and detail page makes an exact, pinned number of queries, at 1 row as at 30.

"Rows" are what the page lists (projects, dialogues, attendees, history versions, ...); on a detail page, the
entries of each block it renders. Each page is counted for the coordinator (who sees most) and, where the page
takes another path for them, for a member of a partner organisation and for a participant (a service user who
attended a dialogue). The rows are built so that every role counted sees them, and the test checks that the page
at 30 rows is longer than at 1 row (a budget of a page that shows the role none of the rows would prove nothing).

BUDGETS is the table. When a page changes, run its test: the failure shows the captured SQL at 1 and at 30
rows; write down the new number only when every query in it is one the page needs. Queries every page of a
logged-in user makes: the session, the user, whether they are a coordinator (krem_perms in the menu), their
participant record (the menu's "My page"), and the SAVEPOINT and RELEASE SAVEPOINT of ATOMIC_REQUESTS.

test_every_page_has_a_budget fails when an address is added that has neither a budget nor a reason in EXEMPT.
"""

import datetime
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogues.models import AgendaItem, Series
from notices.models import Notice
from projects.models import (
    CatalogueIndicator,
    District,
    Document,
    Indicator,
    LearningEntry,
    Measurement,
    Project,
    Result,
    SystemChange,
    SystemChangeAdoption,
    SystemChangeStep,
)
from tests.factories import (
    AccessLogFactory,
    AttendanceFactory,
    CalendarFeedFactory,
    ConsentFactory,
    CoordinatorFactory,
    DialogueFactory,
    DialogueFileFactory,
    DocumentationLinkFactory,
    FeedbackFactory,
    FollowUpActionFactory,
    GrantFactory,
    HeadcountFactory,
    HeldDialogueFactory,
    InsightFactory,
    InvitationFactory,
    MunicipalityFactory,
    OrganisationFactory,
    OutcomeCommentFactory,
    OutcomeFactory,
    ParticipantFactory,
    PartnershipFactory,
    ProjectFactory,
    ProjectFileFactory,
    ProposalFactory,
    UserFactory,
    member_of,
)
from tests.querycount import assert_budget
from tests.test_permission_matrix import url_names

pytestmark = pytest.mark.django_db


# The world: a project with a partner organisation, a dialogue held two days ago (draft outcome) that the
# participant attended, a member of the partner, a coordinator, and a person in the registry.


def make_world():
    municipality = MunicipalityFactory(name="Budsjettby", number="4997")
    partner = OrganisationFactory(name="NAV Budsjettby", municipality=municipality)
    project = ProjectFactory(title="Budsjettprosjekt", slug="budsjett")
    project.municipalities.add(municipality)
    PartnershipFactory(project=project, organisation=partner, role="lead")
    held = HeldDialogueFactory(project=project, title="Holdt dialog", municipality=municipality)
    participant_user = UserFactory(username="deltaker-budsjett")
    participant = ParticipantFactory(user=participant_user, display_name="Deltaker Budsjett")
    AttendanceFactory(dialogue=held, participant=participant)
    subject = ParticipantFactory(
        display_name="Registrert Person", user=UserFactory(), organisation=OrganisationFactory(), email="r@example.org"
    )
    ConsentFactory(participant=subject, purpose="contact", recorded_by=CoordinatorFactory())
    return {
        "municipality": municipality,
        "partner": partner,
        "project": project,
        "held": held,
        "outcome": OutcomeFactory(dialogue=held),  # a draft: the participant may comment on it
        "participant": participant_user,
        "person": participant,
        "subject": subject,
        "member": member_of(partner, username="medlem-budsjett"),
        "coordinator": CoordinatorFactory(username="koordinator-budsjett"),
    }


def edit(obj, **changes):
    """Save a change the way the app does, as a new version (history is written by the save)."""
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.version += 1
    obj.save()


def named_person(**kwargs):
    """A participant who consented to being named and quoted (members see their name)."""
    person = ParticipantFactory(**kwargs)
    ConsentFactory(participant=person, purpose="attendance")
    ConsentFactory(participant=person, purpose="quoting")
    return person


def withdrawn(person):
    """A withdrawn consent, recorded and withdrawn by two different users (one active consent per purpose only)."""
    return ConsentFactory(
        participant=person,
        purpose="quoting",
        recorded_by=CoordinatorFactory(),
        withdrawn_at=timezone.now(),
        withdrawn_by=UserFactory(),
    )


DISTRICT_NUMBERS = itertools.count()


def district(municipality):
    return District.objects.create(municipality=municipality, name=f"Bydel {next(DISTRICT_NUMBERS)}")


def soon(days):
    return timezone.now() + datetime.timedelta(days=days)


# The rows of each page: build(world, n) adds n of them, seen by every role counted.


def partner_projects(w, n):
    """Projects the partner organisation is in (so the member sees them), each with a municipality, another
    partner, a dialogue in the world's municipality and one the participant attended."""
    for _ in range(n):
        project = ProjectFactory()
        project.municipalities.add(w["municipality"])
        PartnershipFactory(project=project, organisation=w["partner"])
        PartnershipFactory(project=project)
        DialogueFactory(project=project, municipality=w["municipality"])
        AttendanceFactory(dialogue=HeldDialogueFactory(project=project), participant=w["person"])


def upcoming_and_mine(w, n):
    """Upcoming dialogues everyone counted sees (the participant is registered), and open actions they answer
    for: by name (the participant), through their organisation (the member)."""
    for i in range(n):
        dialogue = DialogueFactory(project=w["project"], municipality=MunicipalityFactory(), starts_at=soon(1 + i))
        AttendanceFactory(dialogue=dialogue, participant=w["person"])
        FollowUpActionFactory(dialogue=w["held"], responsible_participant=w["person"], responsible_organisation=None)
        FollowUpActionFactory(dialogue=w["held"], responsible_organisation=w["partner"])


def public_results(w, n):
    """What the public results page shows, n of each: published outcomes, results, system changes with an
    adopting organisation, learning entries marked public, partners and municipalities."""
    project = w["project"]
    for _ in range(n):
        OutcomeFactory(dialogue=HeldDialogueFactory(project=project), status="published", published_at=timezone.now())
        Result.objects.create(project=project, description="Et resultat")
        change = SystemChange.objects.create(project=project, level="practice", description="Ny praksis")
        SystemChangeAdoption.objects.create(change=change, organisation=OrganisationFactory(), role="adopted")
        LearningEntry.objects.create(project=project, kind="learned", text="Lært", public=True)
        PartnershipFactory(project=project, organisation=OrganisationFactory())
        project.municipalities.add(MunicipalityFactory())


def public_url(w, role):
    """The role is not used: the page is for anyone, without logging in."""
    project = w["project"]
    project.published_at = timezone.now()
    project.save()
    return reverse("public_project", args=[project.slug])


NOTICE_NUMBERS = itertools.count()


def upcoming_mine_and_notices(w, n):
    """As upcoming_and_mine, and n notices for each role counted (the home page's notices block)."""
    upcoming_and_mine(w, n)
    for role in ("participant", "member", "coordinator"):
        for i in range(n):
            Notice.objects.create(
                kind="weekly_digest",
                object_ref=f"digest:{next(NOTICE_NUMBERS)}",
                recipient_key=f"u:{w[role].pk}",
                due_on=datetime.date(2027, 1, 11),
                user=w[role],
                subject=f"Varsel {i}",
                link="/",
                state="in_app",
            )


def measured_projects(w, n):
    """Projects the member sees, each in its own municipality, measuring two catalogue indicators in two years."""
    housing, work = (CatalogueIndicator.objects.get(code=code) for code in ("i-egen-bolig", "i-arbeid"))
    for i in range(n):
        project = ProjectFactory()
        project.municipalities.add(MunicipalityFactory())
        PartnershipFactory(project=project, organisation=w["partner"])
        for catalogue in (housing, work):
            indicator = Indicator.objects.create(project=project, catalogue=catalogue, name=catalogue.name)
            for year in (2010, 2011 + i):
                Measurement.objects.create(indicator=indicator, value=1, denominator=2, date=datetime.date(year, 1, 1))


def system_changes(w, n):
    """Changes in projects the member sees, each adopted by an organisation, with two steps and a re-check date."""
    for _ in range(n):
        project = ProjectFactory()
        project.municipalities.add(w["municipality"])
        PartnershipFactory(project=project, organisation=w["partner"])
        change = SystemChange.objects.create(
            project=project, level="practice", description="s", recheck_date=datetime.date(2020, 1, 1)
        )
        adopt(change)
        for status, year in (("proposed", 2010), ("decided", 2011)):
            SystemChangeStep.objects.create(change=change, status=status, date=datetime.date(year, 1, 1))


def learning_entries(w, n):
    """Entries of every kind in projects the member sees, by authors who may be named (a member with a consent to
    being named), who may not (a member of another organisation) and by a coordinator without a participant record."""
    named_author = member_of(w["partner"])
    ConsentFactory(participant=named_author.participant, purpose="attendance")
    for i in range(n):
        project = ProjectFactory()
        project.municipalities.add(w["municipality"])
        PartnershipFactory(project=project, organisation=w["partner"])
        author = (named_author, member_of(OrganisationFactory()), CoordinatorFactory())[i % 3]
        LearningEntry.objects.create(project=project, kind=("done", "learned", "wise")[i % 3], text="x", author=author)


def results(w, n):
    """Results in projects the member sees."""
    for i in range(n):
        project = ProjectFactory()
        PartnershipFactory(project=project, organisation=w["partner"])
        Result.objects.create(
            project=project, description="r", value=i, unit="personer", date=datetime.date(2011, 1, 1)
        )


def adopt(change):
    """Two organisations took the change on, in different roles."""
    for role in ("decided", "continued"):
        SystemChangeAdoption.objects.create(change=change, organisation=OrganisationFactory(), role=role)


def grants(w, n):
    """Granted grants of several funders over several years, and reports due."""
    for i in range(n):
        GrantFactory(
            project=ProjectFactory(),
            status="granted",
            amount=100_000,
            start_date=datetime.date(2010 + i % 3, 1, 1),
            reporting_deadline=datetime.date(2030, 1, 1),
        )


def project_measurements(w, n):
    """Measurements of two of the project's indicators, as the export writes them."""
    for name in ("i", "j"):
        indicator = Indicator.objects.create(project=w["project"], name=f"{name}{Indicator.objects.count()}")
        for i in range(n):
            Measurement.objects.create(indicator=indicator, value=i, date=datetime.date(2000 + i, 1, 1))


def deleted_rows(w, n):
    for _ in range(n):
        ProjectFactory(deleted_at=timezone.now())
        DialogueFactory(project=w["project"], deleted_at=timezone.now())


def project_blocks(w, n):
    """Every block of the project page: partners, municipalities, districts, dialogues (with attendance for the
    voice balance), the three kinds of learning entries (authors with and without consent, and a coordinator without
    a participant record), results, system changes, documents and open follow-up actions."""
    project, author = w["project"], w["member"]
    for _ in range(n):
        PartnershipFactory(project=project)
        municipality = MunicipalityFactory()
        project.municipalities.add(municipality)
        project.districts.add(district(municipality))
        dialogue = HeldDialogueFactory(project=project, municipality=municipality)
        AttendanceFactory(dialogue=dialogue, participant=named_person())
        HeadcountFactory(dialogue=dialogue)
        for kind in ("done", "learned", "wise"):
            LearningEntry.objects.create(project=project, kind=kind, text="x", author=author)
        LearningEntry.objects.create(project=project, kind="done", text="y", author=member_of(OrganisationFactory()))
        LearningEntry.objects.create(project=project, kind="wise", text="z", author=CoordinatorFactory())
        Result.objects.create(project=project, description="r")
        change = SystemChange.objects.create(project=project, level="practice", description="s")
        adopt(change)
        ProjectFileFactory(project=project)
        document = Document.objects.create(project=project, title="d")
        change.evidence_documents.add(document)
        GrantFactory(project=project).documents.add(document)
        indicator = Indicator.objects.create(project=project, name="i", baseline_value=1, baseline_date=soon(0).date())
        change.indicators.add(indicator)
        for recorder in (author, member_of(OrganisationFactory()), CoordinatorFactory()):
            Measurement.objects.create(
                indicator=indicator, value=1, denominator=2, date=soon(0).date(), recorded_by=recorder
            )
        FollowUpActionFactory(dialogue=dialogue, responsible_participant=named_person())
        FollowUpActionFactory(dialogue=dialogue, responsible_participant=ParticipantFactory())


def portfolio_chapters(w, n):
    """Projects of the partner (the member's portfolio), each a chapter with every block: municipality and district,
    partners, a held gathering with named and counted attendance and an insight, the three kinds of learning entry,
    a result, a system change with adoptions, evidence and an indicator, and a document."""
    for _ in range(n):
        project = ProjectFactory(report_section=f"5.{Project.objects.count()}")
        municipality = MunicipalityFactory()
        project.municipalities.add(municipality)
        project.districts.add(district(municipality))
        PartnershipFactory(project=project, organisation=w["partner"])
        PartnershipFactory(project=project)
        dialogue = HeldDialogueFactory(project=project, municipality=municipality)
        AttendanceFactory(dialogue=dialogue, participant=named_person())
        HeadcountFactory(dialogue=dialogue)
        InsightFactory(dialogue=dialogue)
        for kind in ("done", "learned", "wise"):
            LearningEntry.objects.create(project=project, kind=kind, text="x", author=w["member"])
        Result.objects.create(project=project, description="r", value=1)
        change = SystemChange.objects.create(project=project, level="practice", description="s")
        adopt(change)
        document = Document.objects.create(project=project, title="d")
        change.evidence_documents.add(document)
        change.indicators.add(Indicator.objects.create(project=project, name="i"))


def project_versions(w, n):
    project = w["project"]
    for i in range(n):
        edit(project, summary=f"Versjon {i}", continued_by=OrganisationFactory())
        project.municipalities.add(MunicipalityFactory())
        PartnershipFactory(project=project)
        LearningEntry.objects.create(project=project, kind="done", text="x", author=member_of(OrganisationFactory()))
        Result.objects.create(project=project, description="r")
        adopt(SystemChange.objects.create(project=project, level="practice", description="s"))
        Document.objects.create(project=project, title="d")
        GrantFactory(project=project)
        indicator = Indicator.objects.create(project=project, name="i")
        Measurement.objects.create(indicator=indicator, value=1, date=soon(0).date(), recorded_by=CoordinatorFactory())


def organisations(w, n):
    for _ in range(n):
        organisation = OrganisationFactory()
        PartnershipFactory(organisation=organisation, project=w["project"])


def organisation_blocks(w, n):
    """The partner's projects (seen by the member), the dialogues it facilitates or whose project it is in, and
    its network of other organisations."""
    for _ in range(n):
        partnership = PartnershipFactory(organisation=w["partner"])
        PartnershipFactory(project=partnership.project)
        DialogueFactory(project=partnership.project).facilitators.add(w["partner"])
        AttendanceFactory(dialogue=HeldDialogueFactory(project=partnership.project), participant=w["person"])


def organisation_versions(w, n):
    for i in range(n):
        edit(w["partner"], notes=f"Versjon {i}", municipality=MunicipalityFactory())


def municipalities(w, n):
    for _ in range(n):
        municipality = MunicipalityFactory()
        w["project"].municipalities.add(municipality)


def municipality_blocks(w, n):
    """The municipality's projects and dialogues (held ones counted per year, with attendance for the voice
    balance), its districts and partners."""
    partner_projects(w, n)
    for _ in range(n):
        district(w["municipality"])
        OrganisationFactory(municipality=w["municipality"])
        dialogue = HeldDialogueFactory(project=w["project"], municipality=w["municipality"])
        AttendanceFactory(dialogue=dialogue, participant=named_person())


def dialogues(w, n):
    """Upcoming and past dialogues of the project, each attended by the participant (who sees them)."""
    for i in range(n):
        for starts_at in (soon(5 + i), soon(-50 - i)):
            dialogue = DialogueFactory(project=w["project"], municipality=MunicipalityFactory(), starts_at=starts_at)
            AttendanceFactory(dialogue=dialogue, participant=w["person"])


def series_url(w):
    return Series.objects.get_or_create(name="Budsjettkonferansene", slug="budsjettkonferansene")[0].get_absolute_url()


def series_gatherings(w, n):
    """Gatherings of the series, each in its own municipality, known exactly, roughly or not at all, that every role
    counted sees (the participant attended them); and as many of other projects, which are only counted."""
    series = Series.objects.get(slug="budsjettkonferansene")
    for i in range(n):
        known = [{}, {"time_precision": "year"}, {"starts_at": None, "ends_at": None}][i % 3]
        dialogue = DialogueFactory(project=w["project"], municipality=MunicipalityFactory(), series=series, **known)
        AttendanceFactory(dialogue=dialogue, participant=w["person"])
        DialogueFactory(series=series)


def dialogue_blocks(w, n):
    """Every block of the held dialogue's page: agenda, facilitating organisations and people, attendees (named
    with consent and not), insights (quotable and not), proposals, follow-up actions, documentation links,
    feedback and the comments on its draft outcome."""
    held, outcome = w["held"], w["outcome"]
    for i in range(n):
        AgendaItem.objects.create(dialogue=held, order=i + 1, title=f"Punkt {i}")
        held.facilitators.add(OrganisationFactory())
        person, private = named_person(), ParticipantFactory()
        held.facilitating_participants.add(person, private)
        AttendanceFactory(dialogue=held, participant=person)
        AttendanceFactory(dialogue=held, participant=private)
        InsightFactory(dialogue=held, participant=person)
        InsightFactory(dialogue=held, participant=private)
        ProposalFactory(dialogue=held)
        FollowUpActionFactory(dialogue=held, responsible_participant=person)
        FollowUpActionFactory(dialogue=held, responsible_participant=private, responsible_organisation=None)
        DocumentationLinkFactory(dialogue=held)
        DialogueFileFactory(dialogue=held)
        FeedbackFactory(dialogue=held)
        OutcomeCommentFactory(outcome=outcome, participant=person)
        OutcomeCommentFactory(outcome=outcome, participant=private)


def dialogue_versions(w, n):
    held = w["held"]
    for i in range(n):
        edit(held, title=f"Versjon {i}", municipality=MunicipalityFactory())
        held.facilitators.add(OrganisationFactory())
        held.agenda.create(title=f"Punkt {i}")


def outcome_versions(w, n):
    held = w["held"]
    for i in range(n):
        edit(w["outcome"], summary=f"Versjon {i}")
        InsightFactory(dialogue=held, text=f"Innsikt {i}", participant=named_person())
        ProposalFactory(dialogue=held)
        FollowUpActionFactory(dialogue=held)
        DocumentationLinkFactory(dialogue=held)
        DialogueFileFactory(dialogue=held)
        FeedbackFactory(dialogue=held)


def attendees(w, n):
    """Attendees of the held dialogue, from the partner organisation, named with consent and not, and not named
    but registered by the member (listed to them under a number, with a correction form)."""
    for _ in range(n):
        AttendanceFactory(dialogue=w["held"], participant=named_person(organisation=w["partner"]))
        AttendanceFactory(dialogue=w["held"], participant__organisation=w["partner"])
        AttendanceFactory(dialogue=w["held"], participant__organisation=w["partner"], registered_by=w["member"])


def outcome_lists(w, n):
    """The five lists of the outcome form."""
    held = w["held"]
    for _ in range(n):
        InsightFactory(dialogue=held)
        ProposalFactory(dialogue=held)
        FollowUpActionFactory(
            dialogue=held,
            responsible_participant=ParticipantFactory(organisation=w["partner"]),
            responsible_organisation=w["partner"],
        )
        DocumentationLinkFactory(dialogue=held)
        DialogueFileFactory(dialogue=held)
        FeedbackFactory(dialogue=held)


def actions(w, n):
    """Open actions in projects of the partner: one the partner answers for, one the participant answers for by
    name (their "mine"), in a dialogue due on different days."""
    for i in range(n):
        project = ProjectFactory()
        PartnershipFactory(project=project, organisation=w["partner"])
        dialogue = HeldDialogueFactory(project=project)
        FollowUpActionFactory(
            dialogue=dialogue,
            responsible_organisation=w["partner"],
            due_date=timezone.localdate() - datetime.timedelta(days=i % 3),
        )
        FollowUpActionFactory(dialogue=dialogue, responsible_organisation=None, responsible_participant=w["person"])


def feed_projects(w, n):
    """Projects of the partner, with and without a calendar address."""
    for _ in range(n):
        project = ProjectFactory()
        PartnershipFactory(project=project, organisation=w["partner"])
        CalendarFeedFactory(project=project)
        PartnershipFactory(project=ProjectFactory(), organisation=w["partner"])


def feed_dialogues(w, n):
    municipality = MunicipalityFactory()
    for _ in range(n):
        dialogue = DialogueFactory(project=w["project"], municipality=municipality, venue="Biblioteket")
        AttendanceFactory(dialogue=dialogue, participant=w["person"])


def registry(w, n):
    for _ in range(n):
        person = ParticipantFactory(organisation=OrganisationFactory(), user=UserFactory())
        AttendanceFactory(participant=person)


def registry_blocks(w, n):
    person = w["subject"]
    for _ in range(n):
        AttendanceFactory(participant=person)
        InsightFactory(participant=person)
        FeedbackFactory(participant=person)
        OutcomeCommentFactory(participant=person)
        FollowUpActionFactory(responsible_participant=person)
        withdrawn(person)
        InvitationFactory(participant=person, created_by=CoordinatorFactory())
        AccessLogFactory(participant=person, actor=CoordinatorFactory())


def access_log_entries(w, n):
    for _ in range(n):
        AccessLogFactory(participant=ParticipantFactory(), actor=CoordinatorFactory())


def own_record(w, n):
    """The consents, invitations and access log of the participant's and the member's own records."""
    for person in (w["person"], w["member"].participant):
        for _ in range(n):
            withdrawn(person)
            InvitationFactory(participant=person, created_by=CoordinatorFactory())
            AccessLogFactory(participant=person, actor=CoordinatorFactory())


def own_part(w, n):
    """What the participant and the member took part in (attended, wrote, answer for), and their own records."""
    own_record(w, n)
    for person in (w["person"], w["member"].participant):
        for _ in range(n):
            dialogue = HeldDialogueFactory(project=w["project"])
            AttendanceFactory(dialogue=dialogue, participant=person)
            InsightFactory(dialogue=dialogue, participant=person)
            FeedbackFactory(dialogue=dialogue, participant=person)
            OutcomeCommentFactory(outcome=OutcomeFactory(dialogue=dialogue), participant=person)
            FollowUpActionFactory(dialogue=dialogue, responsible_participant=person, responsible_organisation=None)


def search_hits(w, n):
    """n more hits of every kind for "budsjett" that every role counted may see (the groups show 10 at most)."""
    for _ in range(n):
        project = ProjectFactory(title="Budsjettarbeid")
        PartnershipFactory(project=project, organisation=w["partner"])
        LearningEntry.objects.create(project=w["project"], kind="learned", text="Budsjettet holdt.")
        DialogueFactory(project=w["project"], title="Budsjettmøte")
        InsightFactory(dialogue=w["held"], participant=named_person(), text="Budsjettet må ses under ett.")
        ProposalFactory(dialogue=w["held"], text="Et felles budsjett.")
        AgendaItem.objects.create(dialogue=w["held"], title="Budsjettet")
        OrganisationFactory(name="Budsjettkontoret")


def partner_rows(w, n):
    """Projects of the partner organisation (the member sees them), organisations, and people of the partner
    who consented to being named (the member may add them as attending): what the lookups offer."""
    for _ in range(n):
        PartnershipFactory(project=ProjectFactory(), organisation=w["partner"])
        named_person(organisation=w["partner"])


# The pages


@dataclass
class Page:
    build: Callable  # (world, n) -> None: n more rows
    url: Callable = None  # world -> address; None: the address of the url name, without arguments
    anonymous: bool = False  # the page is asked for without logging in


def feed_url(w, role):
    """The calendar feed of the role's user; "project": the project's feed."""
    owner = {"project": w["project"]} if role == "project" else {"user": w[role]}
    feed = CalendarFeedFactory(**owner)
    return reverse("dialogues:feed", args=[feed.token])


PAGES = {
    "home": Page(upcoming_mine_and_notices),
    "search": Page(search_hits, lambda w: reverse("search") + "?q=budsjett"),
    "public_project": Page(public_results, public_url, anonymous=True),
    "deleted_items": Page(deleted_rows),
    "projects:project_list": Page(partner_projects),
    "projects:project_detail": Page(project_blocks, lambda w: w["project"].get_absolute_url()),
    "reports:project_report": Page(
        project_blocks, lambda w: reverse("reports:project_report", args=[w["project"].slug])
    ),
    "reports:portfolio_report": Page(portfolio_chapters),
    "projects:project_history": Page(
        project_versions, lambda w: reverse("projects:project_history", args=[w["project"].slug])
    ),
    "projects:organisation_list": Page(organisations),
    "projects:organisation_detail": Page(organisation_blocks, lambda w: w["partner"].get_absolute_url()),
    "projects:organisation_history": Page(
        organisation_versions, lambda w: reverse("projects:organisation_history", args=[w["partner"].pk])
    ),
    "projects:municipality_list": Page(municipalities),
    "projects:indicator_totals": Page(measured_projects),
    "projects:system_change_register": Page(system_changes),
    "projects:learning_register": Page(learning_entries),
    "projects:result_register": Page(results),
    "projects:funding": Page(grants),
    "projects:measurement_export": Page(
        project_measurements, lambda w: reverse("projects:measurement_export", args=[w["project"].slug])
    ),
    "projects:municipality_detail": Page(municipality_blocks, lambda w: w["municipality"].get_absolute_url()),
    "dialogues:dialogue_list": Page(dialogues),
    "dialogues:dialogue_detail": Page(dialogue_blocks, lambda w: w["held"].get_absolute_url()),
    "dialogues:series_detail": Page(series_gatherings, series_url),
    "dialogues:dialogue_history": Page(
        dialogue_versions, lambda w: reverse("dialogues:dialogue_history", args=[w["held"].pk])
    ),
    "dialogues:outcome_history": Page(
        outcome_versions, lambda w: reverse("dialogues:outcome_history", args=[w["held"].pk])
    ),
    "dialogues:attendance": Page(attendees, lambda w: reverse("dialogues:attendance", args=[w["held"].pk])),
    "dialogues:outcome_edit": Page(outcome_lists, lambda w: reverse("dialogues:outcome_edit", args=[w["held"].pk])),
    "dialogues:action_overview": Page(actions),
    "dialogues:feeds": Page(feed_projects),
    "dialogues:feed": Page(feed_dialogues, feed_url, anonymous=True),
    "participants:participant_list": Page(registry),
    "projects:project_lookup": Page(partner_rows),
    "projects:organisation_lookup": Page(organisations),
    "dialogues:dialogue_lookup": Page(dialogues),
    "dialogues:attendee_lookup": Page(
        partner_rows, lambda w: reverse("dialogues:attendee_lookup", args=[w["held"].pk])
    ),
    "participants:participant_lookup": Page(registry),
    "participants:participant_detail": Page(
        registry_blocks, lambda w: reverse("participants:participant_detail", args=[w["subject"].pk])
    ),
    "participants:access_log": Page(access_log_entries),
    "participants:my_page": Page(own_part),
    "participants:my_data": Page(own_part),
}

# (url name, role): the queries of one GET, at 1 row as at 30. Six of them are on every page of a logged-in
# user (see the module's docstring); the notes say what else the page asks for.
# A member or a participant: +1 on every page that lists or checks dialogues, the projects and attendances that
# decide which they may see (dialogues.models.visibility_scope, once a request; issue 16).
BUDGETS = {
    # the dashboard (krem/dashboard.py): six figures, each one COUNT (projects, active projects, gatherings held,
    # system changes, open and overdue actions), and the charts' GROUP BY queries (gatherings by year and kind;
    # the stored voice counts by year (one GROUP BY over the dialogues, issue 16); changes by level; projects and gatherings by
    # municipality; results by year); then upcoming dialogues (5 at most), the count of the user's open actions,
    # the user's newest notices (5 at most) and the count of the unread.
    # A member is asked once whether they see any project (their role), and the visibility subqueries cost one
    # more; a participant gets their three counts of "Min side" instead of the figures and charts
    ("home", "coordinator"): 21,  # -2: the voice trend sums the stored counts (issue 16)
    ("home", "member"): 24,
    ("home", "participant"): 15,
    # anonymous: the project, its municipalities, partners, published outcomes, results, system changes (with their
    # status as a subquery) and their adopting organisations, the public learning entries; and the SAVEPOINT pair;
    # the outcomes come in pages of 15, with their count (+1, issue 16)
    ("public_project", "coordinator"): 11,
    ("deleted_items", "coordinator"): 9,  # +1: the deleted gatherings are a list in pages, with its count (16)
    # one query per kind (projects, learning log, dialogues, insights, proposals, agenda items, partners), each
    # with what its hits show joined in and the visibility and quoting rules in subqueries
    ("search", "coordinator"): 13,
    ("search", "member"): 14,
    ("search", "participant"): 14,
    # the count, the page, its municipalities and partners; the filter's lists of municipalities and partners
    ("projects:project_list", "coordinator"): 12,
    ("projects:project_list", "member"): 12,
    # every block is one query; who may be named is prefetched for the learning log and for the actions; a member
    # is asked once whether they are a member of the project (may add learning, may plan; kept for the request), and for their projects;
    # the indicators (with their catalogue entry), their measurements (with who recorded them) and those recorders'
    # naming consents are three; the system changes' adopting organisations, evidence documents and indicators are
    # three more, and the grants with their documents two
    # +1: the files (issue 15); +2: the gatherings and the open actions show 15 each, with the count of all
    # (issue 16)
    # -2: the voice balance from the stored counts (issue 16)
    ("projects:project_detail", "coordinator"): 30,
    ("projects:project_detail", "member"): 32,
    # the project page's queries, less the follow-up actions (and their count) it does not show
    (
        "reports:project_report",
        "coordinator",
    ): 27,  # +1: the files (15), +1: the gatherings' count, -2: stored voices (16)
    ("reports:project_report", "member"): 29,
    # the ordering of the ids, the summary's counts (each one query), and the chapters' blocks (each one query);
    # each chapter's timeline shows its latest 15 gatherings, with the count of all: one query for the counts of
    # every chapter (+1, issue 16); the voice balance sums the stored counts (-2, issue 16)
    ("reports:portfolio_report", "coordinator"): 30,
    ("reports:portfolio_report", "member"): 30,
    # (the indicators' and the measurements' history records are one query each)
    ("projects:project_history", "coordinator"): 26,
    ("projects:project_history", "member"): 26,
    ("projects:organisation_list", "coordinator"): 9,
    ("projects:organisation_list", "member"): 9,
    # (one count of the projects the user may not open, named as a number: issue 13); its projects, network and
    # gatherings show 15 each, with the count of all (+3, issue 16)
    ("projects:organisation_detail", "coordinator"): 14,
    ("projects:organisation_detail", "member"): 15,
    ("projects:organisation_detail", "participant"): 15,
    ("projects:organisation_history", "coordinator"): 12,
    ("projects:organisation_history", "member"): 12,
    ("projects:municipality_list", "coordinator"): 7,
    ("projects:municipality_list", "member"): 7,
    # the measurements of the visible projects, their municipalities and the catalogue
    ("projects:indicator_totals", "coordinator"): 9,
    ("projects:indicator_totals", "member"): 9,
    # the count and the page (the current status is a subquery), its adopting organisations, the filter's
    # projects, municipalities and partners
    ("projects:system_change_register", "coordinator"): 12,
    ("projects:system_change_register", "member"): 12,
    # the count and the page (authors and their participant records joined), the authors' name consents, the
    # filter's projects, municipalities and partners; a member's projects (who may be named)
    ("projects:learning_register", "coordinator"): 12,
    ("projects:learning_register", "member"): 13,
    # the count and the page (projects joined), the filter's projects, municipalities and partners
    ("projects:result_register", "coordinator"): 11,
    ("projects:result_register", "member"): 11,
    # the totals by funder and year (and their count), the sum of all, the reports due
    ("projects:funding", "coordinator"): 10,
    # the project, and its measurements with their indicators
    ("projects:measurement_export", "coordinator"): 7,
    ("projects:measurement_export", "member"): 7,
    # its projects, partners and gatherings show 15 each, with the count of all (the projects' from their count by
    # status; +2), and the projects no longer load their municipalities and partners, which it does not show (-2)
    # the voice balance is one sum of the dialogues' stored counts (issue 16: it was three counts of the rows)
    ("projects:municipality_detail", "coordinator"): 17,
    ("projects:municipality_detail", "member"): 18,
    ("dialogues:dialogue_list", "coordinator"): 12,
    ("dialogues:dialogue_list", "member"): 13,
    ("dialogues:dialogue_list", "participant"): 13,
    # the most expensive page: every block is one query, consents are prefetched per block, the voice balance and
    # the attendance totals are one query each (the stored counts, issue 16); whether a member or participant is a
    # member of the project is asked once (projects.rules.is_project_member keeps the answer for the request)
    ("dialogues:series_detail", "coordinator"): 10,
    ("dialogues:series_detail", "member"): 11,
    ("dialogues:series_detail", "participant"): 11,
    ("dialogues:dialogue_detail", "coordinator"): 26,  # +1: the files (issue 15); -3: stored voice counts (16)
    ("dialogues:dialogue_detail", "member"): 30,
    ("dialogues:dialogue_detail", "participant"): 31,  # + the feedback already given, shown in its box
    ("dialogues:dialogue_history", "coordinator"): 16,
    ("dialogues:dialogue_history", "member"): 18,
    ("dialogues:outcome_history", "coordinator"): 18,
    ("dialogues:outcome_history", "member"): 22,
    ("dialogues:attendance", "coordinator"): 13,  # -1: the totals from the stored counts (issue 16)
    ("dialogues:attendance", "member"): 17,
    ("dialogues:outcome_edit", "coordinator"): 17,
    ("dialogues:outcome_edit", "member"): 20,
    # a coordinator answers for nothing (no participant record); the others' own actions are the first few and
    # their count (+1, issue 16)
    ("dialogues:action_overview", "coordinator"): 9,
    ("dialogues:action_overview", "member"): 13,
    ("dialogues:action_overview", "participant"): 11,
    # +1: the count of the projects' pages (issue 16)
    ("dialogues:feeds", "coordinator"): 9,
    ("dialogues:feeds", "member"): 9,
    # anonymous (calendar clients do not log in): the feed and its user, the newest change and the count in the
    # window (ETag and Last-Modified: a 304 stops here), the dialogues not yet over and the latest past ones (at
    # most FEED_MAX_EVENTS in all); the role is whose feed
    ("dialogues:feed", "coordinator"): 7,
    ("dialogues:feed", "member"): 8,
    ("dialogues:feed", "participant"): 8,
    ("dialogues:feed", "project"): 6,
    # +1: the attendances are counted for the page's 25 people only, after the plain count and page (issue 16)
    ("participants:participant_list", "coordinator"): 12,
    # the bounded selects' lookups (kremlib/widgets.py), a partial without the menu: the session, the user, the
    # SAVEPOINT pair, the coordinator check (visible_to; organisations need none), and the first rows in one query
    ("projects:project_lookup", "coordinator"): 6,
    ("projects:project_lookup", "member"): 6,
    ("projects:organisation_lookup", "coordinator"): 5,
    ("dialogues:dialogue_lookup", "coordinator"): 6,
    ("dialogues:dialogue_lookup", "member"): 7,
    ("dialogues:dialogue_lookup", "participant"): 7,
    ("participants:participant_lookup", "coordinator"): 6,
    # + the dialogue, the people's name consents; a member: + whether they may change it, their projects (names)
    ("dialogues:attendee_lookup", "coordinator"): 8,
    ("dialogues:attendee_lookup", "member"): 11,
    # the view is written in the access log (an INSERT); every block is one query, accounts' groups are prefetched;
    # the blocks of what the person took part in show 15 each, with the count of all: one query for the five (+1,
    # issue 16)
    ("participants:participant_detail", "coordinator"): 23,
    # from a cursor, without the COUNT of the whole log (-1, issue 16)
    ("participants:access_log", "coordinator"): 8,
    # a coordinator without a participant record: the page that says there is none
    ("participants:my_page", "coordinator"): 7,
    # and one query for each part the person took part in (attended, insights, feedback, comments, actions), and
    # the purposes without an active consent (the form to give one); the person's access log goes from a cursor,
    # without its COUNT (-1, issue 16)
    ("participants:my_page", "member"): 21,
    ("participants:my_page", "participant"): 21,
    # the access-log INSERT, then export_data: the record, each registered section and its change history, the
    # consents, invitations and access log, each with its accounts' groups prefetched (none per row); notices are
    # a registered section too
    ("participants:my_data", "coordinator"): 7,
    ("participants:my_data", "member"): 29,
    ("participants:my_data", "participant"): 29,
}

# The page lists nothing for the role (a coordinator without a participant record has no "My page").
NO_ROWS = {("participants:my_page", "coordinator"), ("participants:my_data", "coordinator")}

# Addresses that are not list or detail pages, and why.
POST_ONLY = "POST only: an action, then a redirect"
FORM = "a form (create, edit, confirm), not a list or detail page"
DOWNLOAD = "a download of one record"
PARTIAL = "an htmx partial: one empty form row"
AUTH = "Django's own login and password pages"
EXPORT = "a streamed download of a list: budget in tests/test_exports.py"
EXEMPT = {
    # Django's authentication views, the language switch, the health check, the terms
    "login": AUTH,
    "logout": POST_ONLY,
    "password_change": AUTH,
    "password_change_done": AUTH,
    "password_reset": AUTH,
    "password_reset_done": AUTH,
    "password_reset_confirm": AUTH,
    "password_reset_complete": AUTH,
    "set_language": POST_ONLY,
    "healthz": "the health check: SELECT 1",
    "readyz": "the readiness check: SELECT 1, the cache, the broker",
    "metrics": "the Prometheus metrics: no database rows",
    "projects:file_upload": FORM,
    "projects:file_download": DOWNLOAD,
    "projects:file_delete": POST_ONLY,
    "dialogues:file_upload": FORM,
    "dialogues:file_download": DOWNLOAD,
    "dialogues:file_delete": POST_ONLY,
    "participants:terms": "a page of text, no rows",
    "participants:accept_invitation": FORM,
    # krem
    "restore_deleted_project": POST_ONLY,
    "restore_deleted_dialogue": POST_ONLY,
    # projects
    "projects:project_create": FORM,
    "projects:partner_row": PARTIAL,
    "projects:project_edit": FORM,
    "projects:project_close": FORM,
    "projects:project_delete": FORM,
    "projects:project_publish": POST_ONLY,
    "projects:project_withdraw": POST_ONLY,
    "projects:project_restore": FORM,
    "projects:entry_create": FORM,
    "projects:entry_edit": FORM,
    "projects:entry_delete": FORM,
    "projects:measurement_create": FORM,
    "projects:step_create": FORM,
    "projects:adoption_create": FORM,
    "projects:measurement_import": FORM,
    "projects:adoption_delete": FORM,
    "projects:measurement_edit": FORM,
    "projects:measurement_delete": FORM,
    "projects:organisation_create": FORM,
    "projects:organisation_edit": FORM,
    "projects:organisation_restore": FORM,
    # dialogues
    "dialogues:dialogue_create": FORM,
    "dialogues:agenda_row": PARTIAL,
    "dialogues:dialogue_edit": FORM,
    "dialogues:dialogue_cancel": FORM,
    "dialogues:dialogue_duplicate": FORM,
    "dialogues:dialogue_delete": FORM,
    "dialogues:dialogue_restore": FORM,
    "dialogues:outcome_restore": FORM,
    "dialogues:add_insight": POST_ONLY,
    "dialogues:add_feedback": POST_ONLY,
    "dialogues:comment_outcome": POST_ONLY,
    "dialogues:attendance_remove": POST_ONLY,
    "dialogues:attendance_correct": POST_ONLY,
    "dialogues:outcome_row": PARTIAL,
    "dialogues:adopt_proposal": POST_ONLY,
    "dialogues:action_done": POST_ONLY,
    "dialogues:dialogue_ics": DOWNLOAD,
    "dialogues:reset_user_feed": POST_ONLY,
    "dialogues:reset_project_feed": POST_ONLY,
    # participants
    "participants:participant_create": FORM,
    "participants:participant_edit": FORM,
    "participants:consent_add": POST_ONLY,
    "participants:participant_invite": FORM,
    "participants:participant_export": DOWNLOAD,
    "participants:participant_merge": FORM,
    "participants:participant_anonymise": FORM,
    "participants:consent_withdraw": POST_ONLY,
    # notices
    "notices:settings": FORM,
    "notices:unsubscribe": FORM,
    "notices:mark_read": POST_ONLY,
    "participants:my_export": DOWNLOAD,
    # reports: the PDF is the page above, printed (the same queries)
    "reports:project_report_pdf": "the PDF of reports:project_report, whose queries are budgeted",
    "reports:portfolio_report_pdf": "the PDF of reports:portfolio_report, whose queries are budgeted",
    "participants:my_consent_give": POST_ONLY,
    # the exports of the lists: streamed, their queries are counted in tests/test_exports.py (EXPORT_BUDGETS),
    # equal at 1 and 30 rows
    "projects:project_export": EXPORT,
    "projects:organisation_export": EXPORT,
    "projects:municipality_export": EXPORT,
    "projects:learning_export": EXPORT,
    "projects:result_export": EXPORT,
    "projects:system_change_export": EXPORT,
    "dialogues:dialogue_export": EXPORT,
    "dialogues:attendance_export": EXPORT,
    "dialogues:action_export": EXPORT,
    "participants:participant_export_list": EXPORT,
}


def test_every_page_has_a_budget():
    names = set(url_names())
    budgeted = {name for name, _role in BUDGETS}
    assert budgeted == set(PAGES), "every page in PAGES needs a budget in BUDGETS, and every budget a page"
    assert {(name, "coordinator") for name in PAGES} <= set(BUDGETS), "every page is counted for the coordinator"
    assert budgeted & set(EXEMPT) == set(), "a page is either budgeted or exempt"
    assert names - budgeted - set(EXEMPT) == set(), "add a budget to BUDGETS in tests/test_query_budgets.py"
    assert (budgeted | set(EXEMPT)) - names == set(), "BUDGETS or EXEMPT names addresses that no longer exist"


@pytest.mark.parametrize("name, role", sorted(BUDGETS))
def test_query_budget(client, name, role):
    world = make_world()
    page = PAGES[name]
    if page.url is None:
        url = reverse(name)
    elif page.anonymous:
        url = page.url(world, role)
    else:
        url = page.url(world)
    user = None if page.anonymous else world[role]
    one, thirty = assert_budget(client, url, lambda n: page.build(world, n), BUDGETS[name, role], user=user)
    if (name, role) not in NO_ROWS:
        assert len(thirty.content) > len(one.content), "the rows added are not on the page: the role does not see them"
