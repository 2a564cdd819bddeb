"""The shared indicator catalogue: the outcomes the report speaks of, so that projects measuring them can be totalled."""

from django.db import migrations

CATALOGUE = [
    ("i-arbeid", "I arbeid", "personer i arbeid"),
    ("i-utdanning", "I utdanning", "personer i utdanning"),
    ("i-egen-bolig", "I egen bolig", "personer i egen bolig"),
    ("fortsatt-i-arbeid-6-mnd", "Fortsatt i arbeid etter 6 måneder", "personer i arbeid etter 6 måneder"),
    ("fortsatt-i-arbeid-12-mnd", "Fortsatt i arbeid etter 12 måneder", "personer i arbeid etter 12 måneder"),
    ("deltakere-i-samlinger", "Deltakere i samlinger", "deltakere"),
]


def add_catalogue(apps, schema_editor):
    CatalogueIndicator = apps.get_model("projects", "CatalogueIndicator")
    for code, name, unit in CATALOGUE:
        CatalogueIndicator.objects.get_or_create(code=code, defaults={"name": name, "unit": unit})


def remove_catalogue(apps, schema_editor):
    CatalogueIndicator = apps.get_model("projects", "CatalogueIndicator")
    CatalogueIndicator.objects.filter(code__in=[code for code, _name, _unit in CATALOGUE], indicators=None).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0006_indicators")]

    operations = [migrations.RunPython(add_catalogue, remove_catalogue)]
