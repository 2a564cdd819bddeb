"""The readable export page: the same data as the JSON download (services.export_data), with Norwegian labels.

Every key of the export gets a label here (or from the registry, for what other apps hold), and every code a
perspective, purpose, access or status label, so that the page shows no English keys or codes.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from kremlib.dates import Precision

from . import registry
from .models import ConsentMethod, ConsentPurpose
from .perspectives import Perspective
from .services import AccessAction, AccessReason

KEYS = {
    "id": _("Number"),
    "history_id": _("Version number"),
    "display_name": _("Name"),
    "usual_perspective": _("Usual perspective"),
    "perspective": _("Perspective"),
    "organisation": _("Organisation"),
    "organisation_id": _("Organisation (number)"),
    "email": _("Email"),
    "phone": _("Phone"),
    "created_at": _("Created"),
    "updated_at": _("Last changed"),
    "anonymised_at": _("Anonymised"),
    "account": _("Account"),
    "username": _("Username"),
    "date_joined": _("Account created"),
    "last_login": _("Last login"),
    "is_active": _("Account active"),
    "user_id": _("Account (number)"),
    "dialogue": _("Gathering"),
    "dialogue_id": _("Gathering (number)"),
    "outcome_id": _("Outcome (number)"),
    "project": _("Project"),
    "starts_at": _("Time"),
    "time_precision": _("Time known to the"),
    "text": _("Text"),
    "note": _("Feedback"),
    "rating": _("Rating (1–5)"),
    "confirmed": _("Confirmed the summary"),
    "what": _("What"),
    "due_date": _("Due"),
    "status": _("Status"),
    "purpose": _("Purpose"),
    "purpose_label": _("Purpose (in words)"),
    "given_at": _("Given"),
    "recorded_by": _("Recorded by"),
    "method": _("How it was given"),
    "recorded_at": _("Recorded"),
    "registered_by": _("Registered by"),
    "withdrawn_at": _("Withdrawn"),
    "withdrawn_by": _("Withdrawn by"),
    "sent_at": _("Sent"),
    "expires_at": _("Expires"),
    "accepted_at": _("Accepted"),
    "invited_by": _("Invited by"),
    "at": _("When"),
    "who": _("Who"),
    "action": _("What was done"),
    "reason": _("Reason"),
    "date": _("Date"),
    "change": _("Change"),
    "changed_by": _("Changed by"),
}

SECTIONS = {
    "participant": _("My record"),
    "consents": _("Consents"),
    "invitations": _("Invitations"),
    "access_log": _("Who has looked at my data"),
}

CODES = {
    "perspective": dict(Perspective.choices),
    "usual_perspective": dict(Perspective.choices),
    "purpose": dict(ConsentPurpose.choices),
    "method": dict(ConsentMethod.choices),
    "action": dict(AccessAction.choices),
    "reason": dict(AccessReason.choices),
    # A gathering's time, as well as it is known (dialogues.TimePrecision: kremlib's precisions and the exact time).
    "time_precision": {"exact": _("Exact time"), **dict(Precision.choices)},
}


@dataclass
class Section:
    heading: str
    facts: list = field(default_factory=list)  # (label, value) pairs
    columns: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # lists of values, in the order of `columns`


def shown(key, value, codes):
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return codes.get(key, {}).get(value, value)


def label(key):
    return KEYS.get(key, key)


def table(heading, rows, codes):
    columns = list(rows[0]) if rows else []
    return Section(
        heading=heading,
        columns=[label(key) for key in columns],
        rows=[[shown(key, row.get(key), codes) for key in columns] for row in rows],
    )


def facts(record, codes):
    pairs = []
    for key, value in record.items():
        if isinstance(value, dict):
            pairs += [(f"{label(key)}: {label(k)}", shown(k, v, codes)) for k, v in value.items()]
        else:
            pairs.append((label(key), shown(key, value, codes)))
    return pairs


def readable(data: dict) -> list[Section]:
    """The sections of the export, in its order, each with labels instead of keys and codes."""
    headings = dict(SECTIONS)
    codes = dict(CODES)
    for rows in registry.ROWS:
        if rows.section:
            headings[rows.section] = rows.heading or rows.section
            codes.update({key: {**codes.get(key, {}), **dict(choices)} for key, choices in rows.labels})
    sections = []
    for key, value in data.items():
        if key == "exported_at":
            continue
        if key == "history":
            for part, rows in value.items():
                heading = _("Change history: %(section)s") % {"section": headings.get(part, part)}
                sections.append(table(heading, rows, codes))
        elif isinstance(value, dict):
            sections.append(Section(heading=headings.get(key, key), facts=facts(value, codes)))
        else:
            sections.append(table(headings.get(key, key), value, codes))
    return sections
