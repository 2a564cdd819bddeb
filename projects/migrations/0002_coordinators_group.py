from django.db import migrations

COORDINATORS = "coordinators"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=COORDINATORS)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=COORDINATORS).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_group, delete_group)]
