# Attendance comes over from the participants app (see participants 0005). The tables keep their names and data:
# only Django's state changes, and the content types follow, so that admin log entries and permissions that
# point to an attendance stay valid. Reversible: backwards, the content types go back to participants.

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MOVED = ("attendance", "historicalattendance")


def move_content_types(source, target):
    def move(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        for model in MOVED:
            if not content_type.objects.filter(app_label=target, model=model).exists():
                content_type.objects.filter(app_label=source, model=model).update(app_label=target)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0004_history_of_links"),
        ("participants", "0005_move_attendance_to_dialogues"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="HistoricalAttendance",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        (
                            "perspective",
                            models.CharField(
                                choices=[
                                    ("lived_experience", "Lived experience (service user)"),
                                    ("staff", "Staff"),
                                    ("researcher", "Researcher"),
                                    ("business", "Business"),
                                    ("politician", "Politician"),
                                    ("other", "Other"),
                                ],
                                max_length=20,
                                verbose_name="perspective brought",
                            ),
                        ),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "dialogue",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="dialogues.dialogue",
                                verbose_name="dialogue",
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "participant",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="participants.participant",
                                verbose_name="participant",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical attendance",
                        "verbose_name_plural": "historical attendances",
                        "db_table": "participants_historicalattendance",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Attendance",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "perspective",
                            models.CharField(
                                choices=[
                                    ("lived_experience", "Lived experience (service user)"),
                                    ("staff", "Staff"),
                                    ("researcher", "Researcher"),
                                    ("business", "Business"),
                                    ("politician", "Politician"),
                                    ("other", "Other"),
                                ],
                                max_length=20,
                                verbose_name="perspective brought",
                            ),
                        ),
                        (
                            "dialogue",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attendances",
                                to="dialogues.dialogue",
                                verbose_name="dialogue",
                            ),
                        ),
                        (
                            "participant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="attendances",
                                to="participants.participant",
                                verbose_name="participant",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "attendance",
                        "verbose_name_plural": "attendances",
                        "db_table": "participants_attendance",
                        "ordering": ["dialogue", "participant__display_name"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("dialogue", "participant"), name="attendance_once_per_dialogue"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(
            move_content_types("participants", "dialogues"), move_content_types("dialogues", "participants")
        ),
    ]
