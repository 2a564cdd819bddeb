"""The naming policy: what a user may see of other people. Every place that renders a person asks here.

Pages, change history, form options, messages, exports and feeds go through one `PersonalData(user)` per request:

- **Names** (and with them contact details and consents) of other participants: coordinators always; members of
  a partner organisation of the project only while the person has an active consent to registration of
  attendance by name (ConsentPurpose.ATTENDANCE); everyone else sees counts, or a neutral label where a row
  must still stand (a form option, a responsible person). A person always sees their own name.
- **Accounts** (who changed a row, who wrote a learning entry): their names are shown to coordinators; others
  see "you" for their own changes, the role "a coordinator" where that is the role, and otherwise nothing. An
  author of a learning entry is shown as their participant name where that name may be shown, never as a login.
- **Quotes**: insights are shown with the perspective only, never the author. An insight whose author withdrew
  their consent to quoting (and has no active one) is not shown verbatim, except to coordinators and the author,
  in pages, editors and history alike. An insight with no author, or whose author never gave or withdrew a
  quoting consent, is shown: quoting consent is asked when the insight is written down together, and only its
  withdrawal takes it back.

Nothing here is cached beyond one request: a withdrawn consent counts from the moment it is withdrawn.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from projects.models import Partnership
from projects.rules import is_coordinator

from .models import Consent, ConsentPurpose, Participant

NAME_CONSENTS = "krem_name_consents"
QUOTING_CONSENTS = "krem_quoting_consents"
WITHDRAWN_QUOTE = _("(withdrawn consent to quoting)")
HIDDEN_PERSON = _("A person not named here")
NUMBERED_PERSON = _("Participant %(number)s")


def with_name_consents(lookup: str) -> Prefetch:
    """Prefetch the active consents to registration by name of the participants at `lookup` (e.g.
    "participant"; "" for a queryset of participants), so that PersonalData.shows_name() asks no query per row."""
    return Prefetch(
        f"{lookup}__consents" if lookup else "consents",
        queryset=Consent.objects.active().filter(purpose=ConsentPurpose.ATTENDANCE),
        to_attr=NAME_CONSENTS,
    )


def with_quoting_consents(lookup: str) -> Prefetch:
    """Prefetch every consent to quoting (withdrawn ones too) of the participants at `lookup`, for
    PersonalData.shows_quote()."""
    return Prefetch(
        f"{lookup}__consents" if lookup else "consents",
        queryset=Consent.objects.filter(purpose=ConsentPurpose.QUOTING),
        to_attr=QUOTING_CONSENTS,
    )


def _quote_withdrawn(consents) -> bool:
    return bool(consents) and all(consent.withdrawn_at is not None for consent in consents)


class PersonalData:
    """What `user` may see of other people. Ask one per request; it reads the user's memberships once."""

    def __init__(self, user):
        self.user = user
        self.coordinator = is_coordinator(user)

    @cached_property
    def member_projects(self) -> frozenset:
        """The projects whose partner organisations the user belongs to (as is_project_member). One query."""
        if self.coordinator or not self.user.is_authenticated:
            return frozenset()
        return frozenset(
            Partnership.objects.filter(organisation__participants__user=self.user).values_list("project_id", flat=True)
        )

    def is_self(self, participant) -> bool:
        return self.user.is_authenticated and participant.user_id == self.user.pk

    # Participants

    def shows_name(self, participant, project_id) -> bool:
        """May the user see the name of `participant`, met in the project `project_id`?"""
        if participant is None:
            return False
        if self.coordinator or self.is_self(participant):
            return True
        if project_id not in self.member_projects or participant.anonymised_at is not None:
            return False
        consents = getattr(participant, NAME_CONSENTS, None)
        if consents is None:
            return Consent.objects.active().filter(participant=participant, purpose=ConsentPurpose.ATTENDANCE).exists()
        return bool(consents)

    def name(self, participant, project_id) -> str:
        """The person's name where the user may see it, else a neutral label that says only the perspective."""
        if self.shows_name(participant, project_id):
            return participant.display_name
        return self.neutral_label(participant)

    @staticmethod
    def neutral_label(participant) -> str:
        return _("%(label)s (%(perspective)s)") % {
            "label": HIDDEN_PERSON,
            "perspective": str(participant.get_perspective_display()).lower(),
        }

    @staticmethod
    def numbered_label(participant, number) -> str:
        """A neutral label that tells rows apart where the user must act on one they may not name (an attendance
        they registered themselves): "Participant 3 (staff)", the number being the row's place in its list."""
        return _("%(label)s (%(perspective)s)") % {
            "label": NUMBERED_PERSON % {"number": number},
            "perspective": str(participant.get_perspective_display()).lower(),
        }

    def attendee_label(self, participant, project_id, number) -> str:
        """An attendee the user acts on: the name where it may be shown, else the numbered neutral label."""
        if self.shows_name(participant, project_id):
            return participant.display_name
        return self.numbered_label(participant, number)

    def option_label(self, participant, project_id) -> str:
        """A form option: the name and organisation where the name may be shown, else the neutral label.
        The option's value stays the record's id, so a form that already names a hidden person still works."""
        if not self.shows_name(participant, project_id):
            return self.neutral_label(participant)
        if participant.organisation_id:
            return f"{participant.display_name} ({participant.organisation.name})"
        return participant.display_name

    # Quotes

    def shows_quote(self, participant) -> bool:
        """May the user read verbatim an insight written by `participant` (None: no one named)?"""
        if participant is None or self.coordinator or self.is_self(participant):
            return True
        consents = getattr(participant, QUOTING_CONSENTS, None)
        if consents is None:
            consents = list(participant.consents.filter(purpose=ConsentPurpose.QUOTING))
        return not _quote_withdrawn(consents)

    def quotable(self, lookup: str) -> Q:
        """shows_quote() as a filter on rows whose author is at `lookup` (e.g. "participant" for insights): a search
        must neither show nor match the wording of a quote the user may not read."""
        if self.coordinator:
            return Q()
        quoting = Consent.objects.filter(participant=OuterRef(lookup), purpose=ConsentPurpose.QUOTING)
        shown = Q(**{f"{lookup}__isnull": True}) | ~Exists(quoting) | Exists(quoting.filter(withdrawn_at__isnull=True))
        if self.user.is_authenticated:
            shown |= Q(**{f"{lookup}__user": self.user})
        return shown

    def hidden_quote_authors(self, participant_ids) -> frozenset:
        """Of these participant ids, those whose quotes the user may not read verbatim. One query (none for
        coordinators)."""
        ids = {pk for pk in participant_ids if pk is not None}
        if self.coordinator or not ids:
            return frozenset()
        authors = Participant.objects.filter(pk__in=ids).prefetch_related(with_quoting_consents(""))
        return frozenset(author.pk for author in authors if not self.shows_quote(author))

    # Accounts

    def user_label(self, account) -> str:
        """Who changed a row (history) or did something: a name for coordinators, else "you" or the role."""
        if account is None:
            return ""
        if self.coordinator:
            return account.get_full_name() or account.get_username()
        if self.user.is_authenticated and account.pk == self.user.pk:
            return str(_("you"))
        if is_coordinator(account):
            return str(_("a coordinator"))
        return ""

    def author_label(self, account, project_id) -> str:
        """The author of a learning entry: their participant name where the user may see it (never a login)."""
        if account is None:
            return ""
        if self.coordinator or (self.user.is_authenticated and account.pk == self.user.pk):
            return account.get_full_name() or account.get_username()
        participant = getattr(account, "participant", None)  # no record: RelatedObjectDoesNotExist is an AttributeError
        if participant is not None and self.shows_name(participant, project_id):
            return participant.display_name
        return ""

    # Change history and conflict messages (krem/history.py asks these; registered in participants/apps.py)

    withdrawn_quote = WITHDRAWN_QUOTE

    def object_label(self, obj, project_id=None) -> str:
        """A related object named in a history diff or a conflict message."""
        if isinstance(obj, Participant):
            return self.name(obj, project_id)
        if isinstance(obj, get_user_model()):
            return self.user_label(obj) or str(_("another user"))
        return str(obj)

    def prefetch_labels(self, queryset):
        """What object_label() reads of these rows, loaded with them."""
        if queryset.model is Participant:
            return queryset.prefetch_related(with_name_consents(""))
        if queryset.model is get_user_model():
            return queryset.prefetch_related("groups")
        return queryset

    def prefetch_accounts(self, queryset, lookup):
        """What user_label() reads of the accounts at `lookup` (e.g. "history_user"), loaded with the rows."""
        return queryset.prefetch_related(f"{lookup}__groups")

    def prefetch_authors(self, queryset, lookup):
        """What author_label() reads of the accounts at `lookup` (e.g. "author"), loaded with the rows."""
        return queryset.select_related(f"{lookup}__participant").prefetch_related(
            with_name_consents(f"{lookup}__participant")
        )


# Form fields that offer people: each option is labelled as the naming policy lets the user see the person.


class PersonChoiceField(forms.ModelChoiceField):
    """Offers people. Set `people` (a PersonalData) and `project_id` before rendering; the value is the id."""

    people = None
    project_id = None

    def label_from_instance(self, obj):
        if self.people is None:  # no policy given: name no one
            return PersonalData.neutral_label(obj)
        return self.people.option_label(obj, self.project_id)


class PersonMultipleChoiceField(PersonChoiceField, forms.ModelMultipleChoiceField):
    pass


def offer_people(field, queryset, *, people, project_id):
    """Point a PersonChoiceField at `queryset` (loaded with what the labels need) for this reader and project."""
    field.queryset = queryset.select_related("organisation").prefetch_related(with_name_consents(""))
    field.people, field.project_id = people, project_id
