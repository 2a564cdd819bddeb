"""Who may do what with projects and organisations. Views ask for these permissions by name."""

import rules

COORDINATORS_GROUP = "coordinators"


@rules.predicate
def is_coordinator(user):
    return user.is_authenticated and (user.is_superuser or user.groups.filter(name=COORDINATORS_GROUP).exists())
