"""One naming policy for every place that renders a person, without this library or the apps below participants
knowing of participants.

The participants app owns the policy (participants.personal_data.PersonalData) and registers it here once, from
its AppConfig.ready(). Code that must name people but sits below participants (this library's history pages and
conflict messages, the projects app's learning log) asks `names_for(user)` for the policy of one reader. Without a
registered policy, everything is shown as stored.
"""


class PlainNames:
    """The naming policy when no app registered one: every name as stored."""

    withdrawn_quote = ""

    def __init__(self, user=None):
        pass

    def object_label(self, obj, project_id=None):
        return str(obj)

    def numbered_label(self, obj, number):
        return str(obj)

    def attendee_label(self, obj, project_id, number):
        return str(obj)

    def user_label(self, account):
        return account.get_username() if account is not None else ""

    def hidden_quote_authors(self, participant_ids):
        return frozenset()

    def prefetch_labels(self, queryset):
        return queryset

    def prefetch_accounts(self, queryset, lookup):
        return queryset

    def prefetch_authors(self, queryset, lookup):
        return queryset

    def author_label(self, account, project_id=None):
        return account.get_username() if account is not None else ""


_names_factory = PlainNames


def register_names(factory):
    """Called once by the app that owns the naming policy: `factory(user)` gives the policy for one reader."""
    global _names_factory
    _names_factory = factory


def names_for(user):
    return _names_factory(user)
