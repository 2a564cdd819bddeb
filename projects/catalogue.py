"""The shared indicator catalogue as the app ships it. Migration 0007 wrote these rows (with its own frozen copy);
`ensure_catalogue()` writes them again where a database lost them (a flushed test database, a partial restore)."""

from .models import CatalogueIndicator

CATALOGUE = [
    ("i-arbeid", "I arbeid", "personer i arbeid"),
    ("i-utdanning", "I utdanning", "personer i utdanning"),
    ("i-egen-bolig", "I egen bolig", "personer i egen bolig"),
    ("fortsatt-i-arbeid-6-mnd", "Fortsatt i arbeid etter 6 måneder", "personer i arbeid etter 6 måneder"),
    ("fortsatt-i-arbeid-12-mnd", "Fortsatt i arbeid etter 12 måneder", "personer i arbeid etter 12 måneder"),
    ("deltakere-i-samlinger", "Deltakere i samlinger", "deltakere"),
]


def ensure_catalogue():
    """Create the catalogue entries that are missing; entries a coordinator has edited are left as they are.
    Returns how many were created."""
    created = 0
    for code, name, unit in CATALOGUE:
        created += CatalogueIndicator.objects.get_or_create(code=code, defaults={"name": name, "unit": unit})[1]
    return created
