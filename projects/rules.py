"""Who may do what with projects and organisations. Views ask for these permissions by name.

Rights follow membership (of the coordinators group, or of a partner organisation through one's
participant record), never the perspective a person brings.
"""

import rules

COORDINATORS_GROUP = "coordinators"


@rules.predicate
def is_coordinator(user):
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    # Cached on the user object: a page asks this many times per request. Lists of accounts (history rows)
    # prefetch their groups, so that asking for each costs no query.
    if not hasattr(user, "_krem_is_coordinator"):
        prefetched = getattr(user, "_prefetched_objects_cache", {}).get("groups")
        if prefetched is not None:
            user._krem_is_coordinator = any(group.name == COORDINATORS_GROUP for group in prefetched)
        else:
            user._krem_is_coordinator = user.groups.filter(name=COORDINATORS_GROUP).exists()
    return user._krem_is_coordinator


@rules.predicate
def is_project_member(user, project):
    """The user belongs to an organisation that is a partner in the project."""
    if project is None or not user.is_authenticated:
        return False
    # Cached on the user object, per project, like is_coordinator: a dialogue page asked it four times.
    member_of = user.__dict__.setdefault("_krem_member_of", {})
    if project.pk not in member_of:
        member_of[project.pk] = project.partnerships.filter(organisation__participants__user=user).exists()
    return member_of[project.pk]


@rules.predicate
def is_author(user, entry):
    return entry is not None and entry.author_id == user.pk


def project_of(predicate):
    """Apply a project predicate to the project an entry belongs to."""

    @rules.predicate(name=f"{predicate.name}_of_project")
    def check(user, entry):
        return entry is not None and predicate(user, entry.project)

    return check


rules.add_perm("projects.add_project", is_coordinator)
rules.add_perm("projects.view_project", is_coordinator | is_project_member)
rules.add_perm("projects.change_project", is_coordinator)
rules.add_perm("projects.add_learningentry", is_coordinator | is_project_member)
rules.add_perm("projects.change_learningentry", is_coordinator | (is_author & project_of(is_project_member)))
rules.add_perm("projects.change_result", is_coordinator)
rules.add_perm("projects.change_systemchange", is_coordinator)
rules.add_perm("projects.change_document", is_coordinator)
# Indicators and their measurements: members read them on the project page, coordinators record them.
rules.add_perm("projects.change_indicator", is_coordinator)
rules.add_perm("projects.change_measurement", is_coordinator)
# Funding: members read their own projects' grants on the project page; coordinators record them and see the totals.
rules.add_perm("projects.change_grant", is_coordinator)
rules.add_perm("projects.view_funding", is_coordinator)
rules.add_perm("projects.add_organisation", is_coordinator)
rules.add_perm("projects.change_organisation", is_coordinator)
# Deleting keeps the project for RESTORE_DAYS days (kremlib.versioning); only coordinators delete and bring back.
rules.add_perm("projects.delete_project", is_coordinator)
# The public results page (issue 11): only coordinators publish a project's results, or withdraw them.
rules.add_perm("projects.publish_project", is_coordinator)
rules.add_perm("projects.view_deleted_items", is_coordinator)
# Restore an earlier version from the change history (the history itself: whoever may see the object).
rules.add_perm("projects.restore_project", is_coordinator)
rules.add_perm("projects.restore_organisation", is_coordinator)
