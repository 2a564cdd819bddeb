"""Workflows of participant records, one module per topic: the access log, consent, invitations, export,
merging, erasure and retention. This package re-exports their public names, so callers import from here.

Other apps ask here before they quote, photograph or contact a person:

    from participants.models import ConsentPurpose
    from participants.services import has_consent, contact_details
    if has_consent(insight.participant, ConsentPurpose.QUOTING): ...

Nothing here is cached: a withdrawn consent counts from the moment it is withdrawn.
"""

from .access_log import AccessAction, AccessReason, log_access, log_bulk_access
from .consent import (
    ConsentAlreadyActive,
    Contact,
    contact_details,
    has_consent,
    record_consent,
    withdraw_consent,
)
from .erasure import MIN_IDENTIFIER_LENGTH, NamingText, anonymise, anonymous_label, end_sessions, texts_naming
from .export import export_data
from .invitations import (
    INVITATION_VALID_FOR,
    InvitationRefused,
    accept_invitation,
    email_in_use,
    find_invitation,
    invite,
    taken_message,
    username_for,
)
from .merging import MergeRefused, merge
from .retention import apply_retention, months_before

__all__ = [
    "INVITATION_VALID_FOR",
    "MIN_IDENTIFIER_LENGTH",
    "AccessAction",
    "AccessReason",
    "ConsentAlreadyActive",
    "Contact",
    "InvitationRefused",
    "MergeRefused",
    "NamingText",
    "accept_invitation",
    "anonymise",
    "anonymous_label",
    "apply_retention",
    "contact_details",
    "email_in_use",
    "end_sessions",
    "export_data",
    "find_invitation",
    "has_consent",
    "invite",
    "log_access",
    "log_bulk_access",
    "merge",
    "months_before",
    "record_consent",
    "taken_message",
    "texts_naming",
    "username_for",
    "withdraw_consent",
]
