"""What the notices app holds about a person, registered for participants' merge, export and erasure."""

from django.utils.translation import gettext_lazy

from participants.registry import AccountRows, Rows, register

from .models import Notice


def _move(keep, duplicate):
    Notice.objects.filter(participant=duplicate).update(participant=keep)


def _export(participant):
    return [
        {"kind": n.kind, "subject": n.subject, "due_on": n.due_on, "state": n.state, "sent_at": n.sent_at}
        for n in Notice.objects.filter(participant=participant).order_by("pk")
    ]


def register_personal_data():
    """Merge moves a person's notices, export lists them, erasure deletes them with the account. A sent notice
    keeps neither text nor address (notices/delivery.py): what is left is its kind, what it was about, its subject."""
    register(
        Rows(Notice, "participant", move=_move, section="notices", export=_export, heading=gettext_lazy("Notices")),
        AccountRows(Notice, "user"),
    )
