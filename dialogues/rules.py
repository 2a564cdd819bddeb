"""Who may do what with dialogues. Rights follow membership of the project's partner organisations."""

import rules

from projects.rules import is_coordinator, is_project_member


@rules.predicate
def is_dialogue_member(user, dialogue):
    """The user belongs to a partner organisation of the dialogue's project."""
    return dialogue is not None and is_project_member(user, dialogue.project)


@rules.predicate
def is_responsible(user, action):
    """The user answers for the follow-up action, by name or through their organisation."""
    participant = getattr(user, "participant", None) if user.is_authenticated else None
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
rules.add_perm("dialogues.view_dialogue", is_coordinator | is_dialogue_member)
# Plan, edit, cancel and duplicate; register attendance and outcome.
rules.add_perm("dialogues.change_dialogue", is_coordinator | is_dialogue_member)
rules.add_perm("dialogues.change_followupaction", is_coordinator | is_action_project_member | is_responsible)
# Deleting keeps the dialogue for RESTORE_DAYS days; a coordinator can bring it back from "Deleted items".
rules.add_perm("dialogues.delete_dialogue", is_coordinator | is_dialogue_member)
rules.add_perm("dialogues.restore_dialogue", is_coordinator)
rules.add_perm("dialogues.restore_outcome", is_coordinator)
