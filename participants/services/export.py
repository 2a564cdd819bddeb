"""Access (GDPR Art. 15): everything the app holds about a person, as a JSON-serialisable dict.

`export_data()` reads the record, its account, consents, invitations and access log, what the apps registered
(participants/registry.py: attendances, insights, feedback, comments, actions, facilitation) and the change
history of all of it, naming other people's accounts as the naming policy lets the reader see them. It changes
nothing; the view that calls it writes the access-log row.
"""

from django.utils import timezone
from django.utils.translation import gettext

from .. import registry
from ..models import Participant
from ..personal_data import PersonalData


def _history_rows(queryset, fields, who):
    return [
        {
            "history_id": row.history_id,
            "date": row.history_date,
            "change": row.get_history_type_display(),
            "changed_by": who(row.history_user),
            **{name: getattr(row, name) for name in fields},
        }
        for row in queryset.select_related("history_user")
        .prefetch_related("history_user__groups")
        .order_by("history_date", "history_id")
    ]


def export_data(participant: Participant, *, reader) -> dict:
    """Everything the app holds about a person, for GDPR Art. 15, as a JSON-serialisable dict.

    Includes their change history: the historical rows of their record and of their insights, feedback
    and comments. Other people's accounts (who recorded a consent, who changed a row, who looked) are named as
    the naming policy lets `reader` see them: names for coordinators, "you" and roles for the person."""
    names = PersonalData(reader)
    # Each list prefetches its accounts' groups: naming an account asks whether it is a coordinator's.

    def _who(account):
        return names.user_label(account) or (None if account is None else gettext("another user"))

    user = participant.user
    own_ids = {
        rows.section: list(rows.model._default_manager.filter(**{rows.field: participant}).values_list("pk", flat=True))
        for rows in registry.ROWS
        if rows.history
    }
    return {
        "exported_at": timezone.now(),
        "participant": {
            "id": participant.pk,
            "display_name": participant.display_name,
            "usual_perspective": participant.perspective,
            "organisation": participant.organisation.name if participant.organisation else None,
            "email": participant.email,
            "phone": participant.phone,
            "created_at": participant.created_at,
            "updated_at": participant.updated_at,
            "anonymised_at": participant.anonymised_at,
            "account": None
            if user is None
            else {
                "username": user.username,
                "email": user.email,
                "date_joined": user.date_joined,
                "last_login": user.last_login,
                "is_active": user.is_active,
            },
        },
        # What the apps hold (registry.ROWS): attendances, insights, feedback, comments, actions, facilitation.
        **{rows.section: rows.export(participant) for rows in registry.ROWS if rows.export is not None},
        "consents": [
            {
                "purpose": c.purpose,
                "purpose_label": str(c.get_purpose_display()),
                "given_at": c.given_at,
                "method": c.method,
                "recorded_at": c.recorded_at,
                "recorded_by": _who(c.recorded_by),
                "withdrawn_at": c.withdrawn_at,
                "withdrawn_by": _who(c.withdrawn_by),
            }
            for c in participant.consents.select_related("recorded_by", "withdrawn_by")
            .prefetch_related("recorded_by__groups", "withdrawn_by__groups")
            .order_by("given_at", "pk")
        ],
        "invitations": [
            {
                "email": i.email,
                "sent_at": i.created_at,
                "expires_at": i.expires_at,
                "accepted_at": i.accepted_at,
                "invited_by": _who(i.created_by),
            }
            for i in participant.invitations.select_related("created_by")
            .prefetch_related("created_by__groups")
            .order_by("created_at", "pk")
        ],
        "access_log": [
            {"at": entry.at, "who": _who(entry.actor), "action": entry.action, "reason": entry.reason}
            for entry in participant.access_log.select_related("actor")
            .prefetch_related("actor__groups")
            .order_by("at", "pk")
        ],
        "history": {
            "participant": _history_rows(
                Participant.history.filter(id=participant.pk),
                ["display_name", "perspective", "organisation_id", "email", "phone", "user_id", "anonymised_at"],
                _who,
            ),
            **{
                rows.section: _history_rows(rows.model.history.filter(id__in=own_ids[rows.section]), rows.history, _who)
                for rows in registry.ROWS
                if rows.history
            },
        },
    }
