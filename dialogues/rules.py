"""Who may do what with dialogues.

Rights follow membership, never the perspective a person brings:
- coordinators and members of the project's partner organisations plan and record the dialogue;
- a participant who attended the dialogue (an Attendance row for their participant record, whatever
  perspective they brought) sees it, adds their own insights and feedback, and confirms or comments on the
  summary of its draft outcome;
- a participant who attended any dialogue of a project also sees the project's other dialogues once their
  outcome is published (counts, never names: see participants.services.PersonalData);
- whoever answers for a follow-up action, by name or through their organisation, marks it done.

Dialogue.objects.visible_to() selects exactly the dialogues view_dialogue allows; the tests check they agree.
"""

import rules

from projects.rules import is_coordinator, is_project_member


def participant_of(user):
    """The user's participant record, or None (anonymous, or a user without one)."""
    return getattr(user, "participant", None) if user.is_authenticated else None


@rules.predicate
def is_dialogue_member(user, dialogue):
    """The user belongs to a partner organisation of the dialogue's project."""
    return dialogue is not None and is_project_member(user, dialogue.project)


@rules.predicate
def attended_dialogue(user, dialogue):
    """The user's participant record is registered as attending the dialogue, whatever perspective they brought."""
    from .models import Attendance

    participant = participant_of(user)
    if dialogue is None or participant is None:
        return False
    # Cached on the user object: the dialogue page asks this for each of its forms.
    cache = user.__dict__.setdefault("_krem_attended", {})
    if dialogue.pk not in cache:
        cache[dialogue.pk] = Attendance.objects.filter(dialogue=dialogue, participant=participant).exists()
    return cache[dialogue.pk]


@rules.predicate
def attended_project(user, project):
    """The user attended a dialogue (not deleted) of the project."""
    from .models import Attendance

    participant = participant_of(user)
    if project is None or participant is None:
        return False
    return Attendance.objects.filter(
        participant=participant, dialogue__project=project, dialogue__deleted_at__isnull=True
    ).exists()


@rules.predicate
def attended_project_of_dialogue(user, dialogue):
    return dialogue is not None and attended_project(user, dialogue.project)


@rules.predicate
def is_cancelled(user, dialogue):
    from .models import DialogueStatus

    return dialogue is not None and dialogue.status == DialogueStatus.CANCELLED


@rules.predicate
def has_published_outcome(user, dialogue):
    from .models import Outcome, OutcomeStatus

    return dialogue is not None and Outcome.objects.filter(dialogue=dialogue, status=OutcomeStatus.PUBLISHED).exists()


@rules.predicate
def has_draft_outcome(user, dialogue):
    from .models import Outcome, OutcomeStatus

    return dialogue is not None and Outcome.objects.filter(dialogue=dialogue, status=OutcomeStatus.DRAFT).exists()


@rules.predicate
def registered_attendance(user, attendance):
    """The user registered this attendance row themself: they may correct or remove it, named or not."""
    return user.is_authenticated and attendance.registered_by_id == user.pk


@rules.predicate
def is_responsible(user, action):
    """The user answers for the follow-up action, by name or through their organisation."""
    participant = participant_of(user)
    if action is None or participant is None:
        return False
    return action.responsible_participant_id == participant.pk or (
        participant.organisation_id is not None and action.responsible_organisation_id == participant.organisation_id
    )


@rules.predicate
def is_action_project_member(user, action):
    return action is not None and is_project_member(user, action.dialogue.project)


# The object of add_dialogue is the project the dialogue is planned under.
rules.add_perm("dialogues.add_dialogue", is_coordinator | is_project_member)
rules.add_perm(
    "dialogues.view_dialogue",
    is_coordinator | is_dialogue_member | attended_dialogue | (attended_project_of_dialogue & has_published_outcome),
)
# Plan, edit, cancel and duplicate; register attendance and outcome; read the comments on a draft outcome.
rules.add_perm("dialogues.change_dialogue", is_coordinator | is_dialogue_member)
rules.add_perm("dialogues.view_outcome_comments", is_coordinator | is_dialogue_member)
rules.add_perm("dialogues.change_followupaction", is_coordinator | is_action_project_member | is_responsible)
# The participant role: one's own contributions to a dialogue one attended. The object is the dialogue.
rules.add_perm("dialogues.add_own_insight", attended_dialogue & ~is_cancelled)
rules.add_perm("dialogues.add_own_feedback", attended_dialogue & ~is_cancelled)
rules.add_perm("dialogues.comment_outcome", attended_dialogue & has_draft_outcome)
# Deleting keeps the dialogue for RESTORE_DAYS days; a coordinator can bring it back from "Deleted items".
rules.add_perm("dialogues.delete_dialogue", is_coordinator | is_dialogue_member)
rules.add_perm("dialogues.restore_dialogue", is_coordinator)
rules.add_perm("dialogues.restore_outcome", is_coordinator)
