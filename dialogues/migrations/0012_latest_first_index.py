"""latest_first() (starts_at DESC NULLS LAST, id DESC): the dialogue list's past gatherings, and the partner and
municipality pages' blocks. The ascending dialogue_starts_at_idx read backwards gives NULLS FIRST, not the order
asked for, so PostgreSQL sorted every dialogue for a page of 25 (351 ms at national scale; 35 ms with this index).

On PostgreSQL only: SQLite (make run) has no NULLS LAST in an index, and does not need it at its size."""

from django.db import migrations

INDEX = "dialogue_latest_first_idx"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX {INDEX} ON dialogues_dialogue (starts_at DESC NULLS LAST, id DESC)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("dialogues", "0011_voice_counts_on_dialogue")]

    operations = [migrations.RunPython(forwards, backwards)]
