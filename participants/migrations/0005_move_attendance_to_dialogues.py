# Attendance joins a dialogue and a participant, so it moves to the dialogues app, which sits above both.
# Only Django's picture of the models changes here: the tables participants_attendance and
# participants_historicalattendance stay as they are, with their data (dialogues 0005 takes them over).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0004_merged_record"),
        # The dialogues app's state must still see Attendance until its own 0004 has run.
        ("dialogues", "0004_history_of_links"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name="historicalattendance",
                    name="dialogue",
                ),
                migrations.RemoveField(
                    model_name="historicalattendance",
                    name="history_user",
                ),
                migrations.RemoveField(
                    model_name="historicalattendance",
                    name="participant",
                ),
                migrations.DeleteModel(
                    name="Attendance",
                ),
                migrations.DeleteModel(
                    name="HistoricalAttendance",
                ),
            ],
        ),
    ]
