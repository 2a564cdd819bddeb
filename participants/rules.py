"""Who may do what with participant records. Views ask for these permissions by name.

The registry is for coordinators only. A person always reaches their own record through "Min side",
and may export it and withdraw their consents; the perspective they bring never matters.
"""

import rules

from projects.rules import is_coordinator


@rules.predicate
def is_self(user, participant):
    """The participant record is the user's own."""
    return participant is not None and user.is_authenticated and participant.user_id == user.pk


@rules.predicate
def is_anonymised(user, participant):
    return participant is not None and participant.anonymised_at is not None


@rules.predicate
def owns_consent(user, consent):
    return consent is not None and is_self(user, consent.participant)


# Not named like a model permission (view_participant), so that only this rule decides, never the admin's grants.
rules.add_perm("participants.view_registry", is_coordinator)
rules.add_perm("participants.add_participant", is_coordinator)
# An anonymised record stays as it is: naming it again, inviting or merging it would undo the erasure.
rules.add_perm("participants.change_participant", is_coordinator & ~is_anonymised)
rules.add_perm("participants.merge_participant", is_coordinator & ~is_anonymised)
rules.add_perm("participants.anonymise_participant", is_coordinator & ~is_anonymised)
rules.add_perm("participants.invite_participant", is_coordinator & ~is_anonymised)
rules.add_perm("participants.add_consent", is_coordinator & ~is_anonymised)
rules.add_perm("participants.export_participant", is_coordinator | is_self)
rules.add_perm("participants.withdraw_consent", is_coordinator | owns_consent)
# A person gives a consent of their own on "Min side"; an anonymised record gets none.
rules.add_perm("participants.give_own_consent", is_self & ~is_anonymised)
rules.add_perm("participants.view_accesslog", is_coordinator)
