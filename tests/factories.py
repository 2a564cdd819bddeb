"""factory-boy factories for every model. Tests build their data here, never from fixtures."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from dialogues.models import Attendance, Dialogue, DialogueKind, DialogueStatus
from participants.models import Participant, Perspective
from projects.models import (
    CatalogueIndicator,
    Grant,
    Indicator,
    Measurement,
    Municipality,
    Organisation,
    Partnership,
    Project,
    ProjectStatus,
    Sector,
)
from projects.rules import COORDINATORS_GROUP

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class CoordinatorFactory(UserFactory):
    @factory.post_generation
    def coordinator_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["number"]

    name = factory.Sequence(lambda n: f"Kommune {n}")
    # 5000-9999, round again: a worker process makes more than 5,000 over the suite, and the column holds four digits.
    number = factory.Sequence(lambda n: f"{5000 + n % 5000:04d}")
    county = "Vestfold"


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    project = factory.SubFactory("tests.factories.ProjectFactory")
    funder = factory.SubFactory("tests.factories.OrganisationFactory")
    title = factory.Sequence(lambda n: f"Tilskudd {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisasjon {n}")
    sector = Sector.NAV
    municipality = factory.SubFactory(MunicipalityFactory)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"Prosjekt {n}")
    slug = factory.Sequence(lambda n: f"prosjekt-{n}")
    summary = "Et partnerskapsprosjekt."
    status = ProjectStatus.ACTIVE
    start_date = datetime.date(2011, 1, 1)
    start_precision = "year"


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "partner"


class DialogueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dialogue

    project = factory.SubFactory(ProjectFactory)
    kind = DialogueKind.DIALOGUE_SEMINAR
    title = factory.Sequence(lambda n: f"Dialogseminar {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at and o.starts_at + datetime.timedelta(hours=3))
    status = DialogueStatus.PLANNED


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    display_name = factory.Sequence(lambda n: f"Deltaker {n}")
    perspective = Perspective.LIVED_EXPERIENCE


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    dialogue = factory.SubFactory(DialogueFactory)
    participant = factory.SubFactory(ParticipantFactory)
    perspective = factory.LazyAttribute(lambda o: o.participant.perspective)


def member_of(organisation, **kwargs):
    """A user with a participant record in `organisation`: a member of its projects."""
    user = UserFactory(**kwargs)
    ParticipantFactory(user=user, organisation=organisation, perspective=Perspective.STAFF)
    return user


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    """A secret calendar address; pass user= or project= (exactly one)."""

    class Meta:
        model = "dialogues.CalendarFeed"


# Outcomes, attendance and follow-up (dialogues/views/outcomes.py, attendance.py, followup.py).


class HeldDialogueFactory(DialogueFactory):
    """A dialogue held two days ago, so an outcome can be registered for it."""

    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=2))
    status = DialogueStatus.HELD


class HeadcountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dialogues.Headcount"

    dialogue = factory.SubFactory(DialogueFactory)
    perspective = Perspective.LIVED_EXPERIENCE
    count = 5


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dialogues.Outcome"

    dialogue = factory.SubFactory(HeldDialogueFactory)
    actual_start = factory.LazyAttribute(lambda o: o.dialogue.starts_at)
    actual_end = factory.LazyAttribute(lambda o: o.dialogue.ends_at)
    summary = "Vi snakket sammen som likeverdige partnere."


class InsightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dialogues.Insight"

    dialogue = factory.SubFactory(HeldDialogueFactory)
    text = factory.Sequence(lambda n: f"Innsikt {n}")
    perspective = "lived_experience"


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dialogues.Proposal"

    dialogue = factory.SubFactory(HeldDialogueFactory)
    text = factory.Sequence(lambda n: f"Forslag {n}")
    level = "practice"


class FollowUpActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dialogues.FollowUpAction"

    dialogue = factory.SubFactory(HeldDialogueFactory)
    what = factory.Sequence(lambda n: f"Oppfølging {n}")
    responsible_organisation = factory.SubFactory(OrganisationFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    status = "open"


class DocumentationLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dialogues.DocumentationLink"

    dialogue = factory.SubFactory(HeldDialogueFactory)
    title = factory.Sequence(lambda n: f"Læringsnotat {n}")
    url = factory.Sequence(lambda n: f"https://example.org/notat-{n}")


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dialogues.Feedback"

    dialogue = factory.SubFactory(HeldDialogueFactory)
    perspective = Perspective.LIVED_EXPERIENCE
    note = "Jeg ble hørt."
    rating = 5


# Participants: consent, invitations, the access log (participants/services.py).

from participants.models import hash_token  # noqa: E402


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "participants.Consent"

    participant = factory.SubFactory(ParticipantFactory)
    purpose = "contact"


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation; the raw token is `token` (pass token="..." to know it), only its hash is stored."""

    class Meta:
        model = "participants.Invitation"
        exclude = ["token"]

    token = factory.Sequence(lambda n: f"test-token-{n}")
    participant = factory.SubFactory(ParticipantFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    token_hash = factory.LazyAttribute(lambda o: hash_token(o.token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class AccessLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "participants.AccessLog"

    actor = factory.SubFactory(CoordinatorFactory)
    participant = factory.SubFactory(ParticipantFactory)
    action = "view"
    reason = "registry detail"


class OutcomeCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dialogues.OutcomeComment"

    outcome = factory.SubFactory(OutcomeFactory)
    participant = factory.SubFactory(ParticipantFactory)
    text = "Oppsummeringen stemmer."


class CatalogueIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogueIndicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"indikator-{n}")
    name = factory.Sequence(lambda n: f"Katalogindikator {n}")
    unit = "personer"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Indikator {n}")
    unit = "personer"


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    value = 13
    denominator = 14
    date = datetime.date(2010, 1, 1)
    date_precision = "year"


# A minimal PDF: what filetype recognises as application/pdf from its first bytes.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ProjectFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.ProjectFile"

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Læringsrapport {n}")
    name = factory.Sequence(lambda n: f"rapport-{n}.pdf")
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    file = factory.django.FileField(data=PDF_BYTES, filename="rapport.pdf")


class DialogueFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dialogues.DialogueFile"

    name = factory.Sequence(lambda n: f"program-{n}.pdf")
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    file = factory.django.FileField(data=PDF_BYTES, filename="program.pdf")
    dialogue = factory.SubFactory(HeldDialogueFactory)
    title = factory.Sequence(lambda n: f"Program {n}")
