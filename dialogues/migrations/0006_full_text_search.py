"""Full-text search (kremlib/search.py): a generated, GIN-indexed search vector on PostgreSQL; nothing on SQLite."""

from django.db import migrations

from kremlib.search import add_search_vector


class Migration(migrations.Migration):
    dependencies = [("dialogues", "0005_attendance_from_participants")]

    operations = [
        # The search page's dialogues and the dialogue list's search box (dialogues.search).
        add_search_vector(
            "dialogues_dialogue", [("title", "A"), ("purpose", "B"), ("venue", "C")], "dialogue_search_vector_idx"
        ),
        # The search page's insights, proposals and agenda items, and the dialogue list's search box (a dialogue
        # whose insights, proposals or agenda match).
        add_search_vector("dialogues_insight", [("text", "B")], "insight_search_vector_idx"),
        add_search_vector("dialogues_proposal", [("text", "B")], "proposal_search_vector_idx"),
        add_search_vector("dialogues_agendaitem", [("title", "B")], "agendaitem_search_vector_idx"),
    ]
