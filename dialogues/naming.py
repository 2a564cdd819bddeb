"""How the dialogue pages name people, through the one naming policy (participants.personal_data.PersonalData)."""

from participants.personal_data import with_name_consents


def with_responsible_names(people, actions):
    """The follow-up actions as a list, each with `responsible_name_shown`: may the reader see the name of the
    person who answers for it. A queryset has the consents loaded with it, so there is no query per row."""
    if hasattr(actions, "prefetch_related"):
        actions = actions.prefetch_related(with_name_consents("responsible_participant"))
    actions = list(actions)
    for action in actions:
        action.responsible_name_shown = people.shows_name(action.responsible_participant, action.dialogue.project_id)
    return actions
