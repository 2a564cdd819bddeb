"""Workflows of dialogues: planning, outcomes and the voice balance."""

from dataclasses import dataclass, field
from fractions import Fraction

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from kremlib.softdelete import set_deleted
from participants import services as consent_services
from participants.models import Participant
from participants.perspectives import Perspective
from projects.models import SystemChange

from .models import (
    ANONYMOUS_COUNT,
    INSIGHT_COUNT,
    NAMED_COUNT,
    ActionStatus,
    AgendaItem,
    Attendance,
    Dialogue,
    DialogueStatus,
    Feedback,
    FollowUpAction,
    Headcount,
    Insight,
    InsightPerspective,
    Outcome,
    OutcomeComment,
    OutcomeStatus,
    Proposal,
    TimePrecision,
)
from .voice_counts import stored_totals


@dataclass
class Share:
    perspective: str
    label: str
    count: int
    total: int

    @property
    def percent(self):
        return round(100 * self.count / self.total) if self.total else 0


@dataclass
class VoiceBalance:
    """Who was in the room and who was heard: counts by perspective, with the shares they make."""

    attendance: list[Share] = field(default_factory=list)
    insights: list[Share] = field(default_factory=list)
    named: int = 0
    anonymous: int = 0
    threshold: Fraction = Fraction(1, 3)

    @property
    def attendance_total(self):
        return self.named + self.anonymous

    @property
    def insights_total(self):
        return sum(share.count for share in self.insights)

    @property
    def lived_experience_insights(self):
        return next(s.count for s in self.insights if s.perspective == InsightPerspective.LIVED_EXPERIENCE)

    @property
    def flagged(self):
        """Lived experience raised less than the threshold share of the insights (only when there are any)."""
        total = self.insights_total
        return total > 0 and Fraction(self.lived_experience_insights, total) < self.threshold

    @property
    def threshold_percent(self):
        return round(100 * self.threshold)


def _attendance_by_perspective(totals):
    """Named attendees and anonymous headcounts per perspective value, from voice_counts.stored_totals()."""
    named = {value: totals[name] for value, name in NAMED_COUNT.items()}
    anonymous = {value: totals[name] for value, name in ANONYMOUS_COUNT.items()}
    return named, anonymous


def voice_balance(dialogues) -> VoiceBalance:
    """The voice balance summed over a queryset (or list) of dialogues, from their stored counts. One query,
    whatever the number of dialogues."""
    totals = stored_totals(dialogues)
    named, anonymous = _attendance_by_perspective(totals)
    insights = {value: totals[name] for value, name in INSIGHT_COUNT.items()}
    named_total, anonymous_total = sum(named.values()), sum(anonymous.values())
    people = named_total + anonymous_total
    insight_total = sum(insights.values())
    return VoiceBalance(
        attendance=[Share(p.value, p.label, named[p.value] + anonymous[p.value], people) for p in Perspective],
        insights=[Share(p.value, p.label, insights[p.value], insight_total) for p in InsightPerspective],
        named=named_total,
        anonymous=anonymous_total,
        threshold=Fraction(settings.KREM_VOICE_THRESHOLD).limit_denominator(1000),
    )


@dataclass
class PerspectiveCount:
    perspective: str
    label: str
    named: int = 0
    anonymous: int = 0

    @property
    def total(self):
        return self.named + self.anonymous


@dataclass
class AttendanceTotals:
    """Who was in the room: named attendees and anonymous headcounts, per perspective and in all."""

    rows: list[PerspectiveCount] = field(default_factory=list)

    @property
    def named(self):
        return sum(row.named for row in self.rows)

    @property
    def anonymous(self):
        return sum(row.anonymous for row in self.rows)

    @property
    def total(self):
        return self.named + self.anonymous


def attendance_totals(dialogue) -> AttendanceTotals:
    """Named, anonymous and total attendance of one dialogue, per perspective, from its stored counts. One query
    (the instance may have been read before the latest registration).

    Only counts: safe to show to everyone who may see the dialogue, and they survive erasing a participant."""
    named, anonymous = _attendance_by_perspective(stored_totals([dialogue]))
    return AttendanceTotals(
        rows=[PerspectiveCount(p.value, p.label, named[p.value], anonymous[p.value]) for p in Perspective]
    )


class AlreadyAttending(Exception):
    """The participant is already registered as attending the dialogue."""


def register_attendance(
    *, dialogue: Dialogue, participant: Participant, perspective: str = "", registered_by=None
) -> Attendance:
    """Register a named attendee, with the perspective they bring to this dialogue (default: their usual one),
    as registered by `registered_by` (who may then correct or remove the row).

    The database's unique constraint decides about duplicates, so two simultaneous posts make one row;
    raises AlreadyAttending for the second."""
    try:
        with transaction.atomic():  # a savepoint: the request's transaction stays usable after the error
            return Attendance.objects.create(
                dialogue=dialogue,
                participant=participant,
                perspective=perspective or participant.perspective,
                registered_by=_account(registered_by),
            )
    except IntegrityError:
        if Attendance.objects.filter(dialogue=dialogue, participant=participant).exists():
            raise AlreadyAttending from None
        raise


@transaction.atomic
def register_new_attendee(*, dialogue: Dialogue, display_name: str, perspective: str, registered_by=None) -> Attendance:
    """Create a participant (a pseudonym is fine; no organisation, no user account) who attended the dialogue."""
    participant = Participant.objects.create(display_name=display_name, perspective=perspective)
    return Attendance.objects.create(
        dialogue=dialogue, participant=participant, perspective=perspective, registered_by=_account(registered_by)
    )


def _account(user):
    return user if user is not None and user.is_authenticated else None


@transaction.atomic
def record_consents_given_here(*, attendance: Attendance, purposes, method: str, recorded_by) -> list:
    """Record the consents the attendee gave at the gathering (orally, on paper or digitally), recorded now by
    `recorded_by`. A purpose that already has an active consent is left as it is. Returns the new consents."""
    recorded = []
    for purpose in purposes:
        try:
            recorded.append(
                consent_services.record_consent(
                    participant=attendance.participant, purpose=purpose, method=method, recorded_by=recorded_by
                )
            )
        except consent_services.ConsentAlreadyActive:
            pass
    return recorded


@transaction.atomic
def correct_attendance(*, attendance: Attendance, perspective: str) -> Attendance:
    """Change the perspective the attendee brought (a mistake at registration)."""
    if perspective and perspective != attendance.perspective:
        attendance.perspective = perspective
        attendance.save(update_fields=["perspective"])
    return attendance


def complete_action(*, action: FollowUpAction) -> FollowUpAction:
    """Mark a follow-up action done. Done or dropped actions stay as they are."""
    if action.status == ActionStatus.OPEN:
        action.status = ActionStatus.DONE
        action.save(update_fields=["status"])
    return action


@transaction.atomic
def duplicate_dialogue(*, dialogue: Dialogue, starts_at) -> Dialogue:
    """A new planned dialogue like `dialogue`, at `starts_at`, with its agenda and facilitators.

    Attendance and outcomes are not copied: they belong to the gathering that was held."""
    copy = Dialogue.objects.get(pk=dialogue.pk)
    copy.pk = None
    copy.starts_at = starts_at
    if dialogue.time_precision == TimePrecision.EXACT and dialogue.starts_at is not None:
        copy.ends_at = starts_at + (dialogue.ends_at - dialogue.starts_at)
    else:
        # Known roughly: the copy spans the period of its new start (Dialogue.fit_to_precision). Not known at all:
        # the new start's day, until someone gives the time.
        copy.ends_at = None
        if dialogue.starts_at is None and dialogue.time_precision == TimePrecision.EXACT:
            copy.time_precision = TimePrecision.DAY
    copy.status = DialogueStatus.PLANNED
    copy.cancel_reason = ""
    copy.save()
    copy.facilitators.set(dialogue.facilitators.all())
    copy.facilitating_participants.set(dialogue.facilitating_participants.all())
    AgendaItem.objects.bulk_create(
        AgendaItem(dialogue=copy, order=item.order, title=item.title, duration_minutes=item.duration_minutes)
        for item in dialogue.agenda.all()
    )
    return copy


def cancel_dialogue(*, dialogue: Dialogue, reason: str) -> Dialogue:
    dialogue.status = DialogueStatus.CANCELLED
    dialogue.cancel_reason = reason
    dialogue.save(update_fields=["status", "cancel_reason", "updated_at"])
    return dialogue


@transaction.atomic
def save_outcome(*, outcome: Outcome, publish: bool) -> Outcome:
    """Save an outcome and mark its dialogue held. Publishing stamps the time once; a published outcome stays published."""
    if publish and outcome.status != OutcomeStatus.PUBLISHED:
        outcome.status = OutcomeStatus.PUBLISHED
        outcome.published_at = timezone.now()
    outcome.save()
    dialogue = outcome.dialogue
    if dialogue.status != DialogueStatus.HELD:
        dialogue.status = DialogueStatus.HELD
        dialogue.save(update_fields=["status", "updated_at"])
    return outcome


@transaction.atomic
def save_headcounts(*, dialogue: Dialogue, counts: dict[str, int]) -> None:
    """Set the anonymous headcount per perspective; a zero removes the row."""
    for perspective, count in counts.items():
        if count:
            Headcount.objects.update_or_create(dialogue=dialogue, perspective=perspective, defaults={"count": count})
        else:
            Headcount.objects.filter(dialogue=dialogue, perspective=perspective).delete()


def gathering_date(dialogue: Dialogue):
    """When the gathering was held, as (date, precision): its actual start to the day, else its planned start as
    well as it is known (Norwegian time), else (None, "day") when its date is not known."""
    outcome = Outcome.objects.filter(dialogue=dialogue).only("actual_start").first()
    if outcome is not None and outcome.actual_start:
        return timezone.localdate(outcome.actual_start), "day"
    if dialogue.starts_at is None:
        return None, "day"
    precision = "day" if dialogue.time_precision == TimePrecision.EXACT else dialogue.time_precision
    return timezone.localdate(dialogue.starts_at), precision


@transaction.atomic
def adopt_proposal(*, proposal: Proposal) -> SystemChange:
    """Turn a system-change proposal into a system change on the dialogue's project, once.

    Locks the proposal row so that two clicks at once make one system change."""
    proposal = Proposal.objects.select_for_update().select_related("dialogue__project").get(pk=proposal.pk)
    if proposal.system_change_id:
        return proposal.system_change
    dialogue = proposal.dialogue
    date, precision = gathering_date(dialogue)
    change = SystemChange.objects.create(
        project=dialogue.project,
        level=proposal.level,
        description=proposal.text,
        date=date,
        date_precision=precision,
        source=str(dialogue),
    )
    proposal.system_change = change
    proposal.save(update_fields=["system_change"])
    return change


def delete_dialogue(*, dialogue: Dialogue) -> Dialogue:
    """Move the dialogue to "Deleted items": it vanishes from every list, page, count and calendar feed.

    Sets deleted_at and a new version (recorded in history). A coordinator can restore it for RESTORE_DAYS days."""
    return set_deleted(instance=dialogue, deleted=True)


def restore_dialogue(*, dialogue: Dialogue) -> Dialogue:
    """Bring a deleted dialogue back. If its project is deleted too, it stays hidden until the project is back."""
    return set_deleted(instance=dialogue, deleted=False)


# The participant role: a person's own contributions to a dialogue they attended (dialogues/views/contributions.py)

INSIGHT_PERSPECTIVES = {
    Perspective.LIVED_EXPERIENCE: InsightPerspective.LIVED_EXPERIENCE,
    Perspective.STAFF: InsightPerspective.STAFF,
}


def insight_perspective_for(perspective: str) -> str:
    """The insight perspective matching the perspective a person brought: lived experience, staff, or other."""
    return INSIGHT_PERSPECTIVES.get(perspective, InsightPerspective.OTHER)


def add_own_insight(*, attendance: Attendance, text: str, perspective: str = "") -> Insight:
    """An insight the attendee raised themself: linked to them, with the perspective they brought unless they
    chose another. Writes one Insight (and its history row)."""
    return Insight.objects.create(
        dialogue=attendance.dialogue,
        participant=attendance.participant,
        text=text,
        perspective=perspective or insight_perspective_for(attendance.perspective),
    )


@transaction.atomic
def give_own_feedback(*, attendance: Attendance, note: str, rating: int | None) -> Feedback:
    """The attendee's own feedback, with the perspective they brought. One per person and dialogue: giving it
    again replaces the first (the change history keeps it). Locks the attendance, so two sends make one row."""
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    feedback = Feedback.objects.filter(
        dialogue_id=attendance.dialogue_id, participant_id=attendance.participant_id
    ).first()
    if feedback is None:
        feedback = Feedback(dialogue_id=attendance.dialogue_id, participant_id=attendance.participant_id)
    feedback.perspective = attendance.perspective
    feedback.note = note
    feedback.rating = rating
    feedback.save()
    return feedback


class AlreadyConfirmed(Exception):
    """The person has already confirmed this summary."""


class OutcomeNotDraft(Exception):
    """The outcome was published meanwhile: its summary is no longer open for comments."""


@transaction.atomic
def comment_on_outcome(*, outcome: Outcome, participant: Participant, confirmed: bool, text: str) -> OutcomeComment:
    """A participant confirms the summary of a draft outcome, comments on it, or both. Writes one OutcomeComment.

    One confirmation per person: confirming again raises AlreadyConfirmed and saves nothing. Locks the
    outcome, so that two sends at once cannot both confirm, nor comment on an outcome being published."""
    outcome = Outcome.objects.select_for_update().get(pk=outcome.pk)
    if outcome.status != OutcomeStatus.DRAFT:
        raise OutcomeNotDraft
    if confirmed and outcome.comments.filter(participant=participant, confirmed=True).exists():
        raise AlreadyConfirmed
    return OutcomeComment.objects.create(outcome=outcome, participant=participant, confirmed=confirmed, text=text)
