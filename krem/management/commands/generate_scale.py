"""Fill the database with a national-scale data set, for benchmarks (issue 16).

At --scale 1.0: 357 municipalities, 5,000 organisations, 20,000 projects (about 56,000 partnerships and 100,000
learning entries), 200,000 dialogues with about 2 million attendances, 100,000 participants and about 500,000
insights, the sizes `../shared/PERF-FINDINGS.md` measured. The skew is realistic: most projects are small, a few
have thousands of dialogues, one organisation is a partner in 1,500 projects and one municipality holds a sixth
of all dialogues; dates run from 2005 to a year ahead.

Rows go in through the real tables: PostgreSQL's COPY, or bulk_create elsewhere. Every column the generator does
not set gets the field's default, so a new field with a default needs no change here. The dialogues' stored voice
counts are counted as their rows are made (no signal fires here), so no UPDATE doubles the dialogue table after. The data is the same for
the same --seed. Two accounts are made for the benchmark: `skala-koordinator` (a coordinator) and `skala-medlem`
(a member of the big organisation), both with the password given by --password.
"""

import datetime
import io
import random
import time
from collections import Counter

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import color
from django.core.management.base import BaseCommand
from django.db import connection, models, transaction
from django.utils import timezone

from dialogues.models import INSIGHT_COUNT, NAMED_COUNT, Attendance, Dialogue, FollowUpAction, Insight, Outcome
from participants.models import Participant
from projects.models import LearningEntry, Municipality, Organisation, Partnership, Project
from projects.rules import COORDINATORS_GROUP

SIZES = {  # rows at scale 1.0
    "municipalities": 357,
    "organisations": 5_000,
    "projects": 20_000,
    "participants": 100_000,
    "dialogues": 200_000,
    "attendances_per_dialogue": 10,
    "insights_per_dialogue": 2.5,
    "learning_per_project": 5,
    "actions_per_dialogue": 0.5,
}
BIG_PROJECT_SHARE = 0.026  # one project with 5,236 of 200,000 dialogues
BIG_MUNICIPALITY_SHARE = 0.175  # Oslo: 35,000 of 200,000 dialogues
BIG_ORGANISATION_PROJECTS = 0.075  # an organisation in 1,500 of 20,000 projects
FIRST_DAY = datetime.date(2005, 1, 1)
PERSPECTIVES = ["lived_experience"] * 4 + ["staff"] * 4 + ["researcher", "business", "politician", "other"]
KINDS = ["dialogue_seminar"] * 5 + ["learning_lab"] * 3 + ["workshop", "conference", "inspiration_day", "other"]
WORDS = (
    "arbeid utdanning bolig dialog læring samarbeid tjenester brukere veiledning tillit mestring oppfølging "
    "rammeverk retningslinjer praksis ungdom kvalifisering inkludering nettverk medvirkning likeverd"
).split()


def sentence(rng, words=8):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


class Writer:
    """Rows into one model's table in batches: COPY on PostgreSQL, bulk_create elsewhere, with explicit ids."""

    batch = 20_000

    def __init__(self, model):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
        self.rows = []
        self.count = 0
        self.next_id = (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1
        self.now = timezone.now()

    def take_id(self):
        """The id of a row to add later (add(id=...)), for rows written before it that point at it."""
        self.next_id += 1
        return self.next_id - 1

    def add(self, **values):
        if "id" not in values:
            values["id"] = self.take_id()
        self.rows.append(values)
        if len(self.rows) >= self.batch:
            self.flush()
        return values["id"]

    def value(self, field, row):
        if field.attname in row:
            return row[field.attname]
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return self.now
        if field.has_default():
            return field.get_default()
        if field.null:
            return None
        return "" if isinstance(field, (models.CharField, models.TextField)) else None

    def flush(self):
        if not self.rows:
            return
        if connection.vendor == "postgresql":
            self.copy()
        else:
            self.model.objects.bulk_create(
                [self.model(**{f.attname: self.value(f, row) for f in self.fields}) for row in self.rows],
                batch_size=500,
            )
        self.count += len(self.rows)
        self.rows = []

    def copy(self):
        buffer = io.StringIO()
        for row in self.rows:
            cells = []
            for field in self.fields:
                value = field.get_db_prep_save(self.value(field, row), connection)
                cells.append(r"\N" if value is None else escape(value))
            buffer.write("\t".join(cells) + "\n")
        buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def escape(value):
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Command(BaseCommand):
    help = "Fill the database with a national-scale data set for benchmarks (--scale 1.0: 20,000 projects)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 is national scale; 0.01 a small sample")
        parser.add_argument("--seed", type=int, default=16)
        parser.add_argument("--password", default="skala-passord-16", help="for the two benchmark accounts")

    def handle(self, *, scale, seed, password, **options):
        if scale <= 0 or scale > 5:
            self.stderr.write("--scale must be above 0 and at most 5.")
            raise SystemExit(2)
        if Project.objects.filter(slug="skala-0").exists():
            self.stderr.write("This database already holds a generated data set (project skala-0). Use an empty one.")
            raise SystemExit(2)
        rng = random.Random(seed)
        started = time.monotonic()
        with transaction.atomic():
            counts = generate(rng, scale, log=self.stdout.write)
            reset_sequences()
            make_accounts(password)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        for name, count in counts.items():
            self.stdout.write(f"{name:>18}: {count:>10,}")
        self.stdout.write(f"Generated in {time.monotonic() - started:.1f} s.")


def weighted_counts(rng, total, n, big_share):
    """`total` split over `n` buckets: one bucket gets `big_share`, the rest a long-tailed share each."""
    big = int(total * big_share)
    weights = [rng.paretovariate(1.3) for _ in range(n - 1)]
    scale = (total - big) / sum(weights)
    counts = [big] + [int(w * scale) for w in weights]
    counts[1] += total - sum(counts)  # rounding
    return counts


def generate(rng, scale, log):
    size = {name: value * scale for name, value in SIZES.items()}
    today = timezone.localdate()
    span = (today + datetime.timedelta(days=365) - FIRST_DAY).days
    counts = {}

    log("Municipalities and organisations …")
    municipalities = Writer(Municipality)
    taken = set(Municipality.objects.values_list("number", flat=True))
    numbers = (f"{n:04d}" for n in range(9999, 0, -1) if f"{n:04d}" not in taken)
    municipality_ids = [
        municipalities.add(name=f"Skalakommune {i}", number=next(numbers), county="Skalafylke")
        for i in range(max(2, int(size["municipalities"])))
    ]
    municipalities.flush()
    organisations = Writer(Organisation)
    sectors = ["nav", "municipal", "state", "private", "voluntary", "research", "user_org"]
    organisation_ids = [
        organisations.add(
            name=f"Skalaorganisasjon {i}", sector=rng.choice(sectors), municipality_id=rng.choice(municipality_ids)
        )
        for i in range(max(3, int(size["organisations"])))
    ]
    organisations.flush()
    counts["municipalities"], counts["organisations"] = municipalities.count, organisations.count

    log("Projects, partners and learning …")
    projects, partnerships = Writer(Project), Writer(Partnership)
    places, learning = Writer(Project.municipalities.through), Writer(LearningEntry)
    project_ids, project_municipality = [], {}
    n_projects = max(2, int(size["projects"]))
    for i in range(n_projects):
        start = FIRST_DAY + datetime.timedelta(days=rng.randrange(span - 365))
        ended = start + datetime.timedelta(days=rng.randrange(200, 2000))
        project_id = projects.add(
            title=f"Skalaprosjekt {i}: {sentence(rng, 3)[:-1]}",
            slug=f"skala-{i}",
            status="completed" if ended < today else rng.choice(["active", "active", "planned"]),
            summary=sentence(rng, 20),
            start_date=start,
            start_precision="month",
            end_date=ended if ended < today else None,
            end_precision="month",
        )
        project_ids.append(project_id)
        place = municipality_ids[0] if rng.random() < BIG_MUNICIPALITY_SHARE else rng.choice(municipality_ids)
        project_municipality[project_id] = place
        places.add(project_id=project_id, municipality_id=place)
        partners = set(rng.sample(organisation_ids, k=min(len(organisation_ids), rng.choice([1, 2, 2, 3, 3, 4, 5]))))
        if rng.random() < BIG_ORGANISATION_PROJECTS:
            partners.add(organisation_ids[0])
        for k, organisation_id in enumerate(sorted(partners)):
            partnerships.add(
                project_id=project_id, organisation_id=organisation_id, role="lead" if k == 0 else "partner"
            )
        for _ in range(rng.randrange(2 * SIZES["learning_per_project"] + 1)):
            learning.add(
                project_id=project_id,
                kind=rng.choice(["done", "learned", "wise"]),
                text=sentence(rng, 15),
                date=start,
                date_precision="year",
            )
    for writer in (projects, places, partnerships, learning):
        writer.flush()
    counts.update(projects=projects.count, partnerships=partnerships.count, learning_entries=learning.count)

    log("Participants …")
    participants = Writer(Participant)
    participant_rows = []
    for i in range(max(20, int(size["participants"]))):
        perspective = rng.choice(PERSPECTIVES)
        organisation_id = rng.choice(organisation_ids) if perspective == "staff" else None
        participant_rows.append(
            (
                participants.add(
                    display_name=f"Skaladeltaker {i}", perspective=perspective, organisation_id=organisation_id
                ),
                perspective,
            )
        )
    participants.flush()
    counts["participants"] = participants.count

    log("Dialogues, outcomes, attendance, insights and actions …")
    dialogues, outcomes = Writer(Dialogue), Writer(Outcome)
    attendances, insights, actions = Writer(Attendance), Writer(Insight), Writer(FollowUpAction)
    per_project = weighted_counts(rng, max(2, int(size["dialogues"])), len(project_ids), BIG_PROJECT_SHARE)
    now = timezone.now()
    for project_id, n_dialogues in zip(project_ids, per_project, strict=True):
        for _ in range(n_dialogues):
            starts = timezone.make_aware(
                datetime.datetime.combine(FIRST_DAY + datetime.timedelta(days=rng.randrange(span)), datetime.time(10))
            )
            held = starts < now
            dialogue_id = dialogues.take_id()
            dialogue = dict(
                id=dialogue_id,
                project_id=project_id,
                kind=rng.choice(KINDS),
                title=sentence(rng, 4)[:-1],
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=3),
                municipality_id=project_municipality[project_id],
                status="held" if held else "planned",
                purpose=sentence(rng, 10),
            )
            counts = Counter()  # the voice balance's stored counts (dialogues/voice_counts.py), as the rows go in
            if held:
                outcomes.add(
                    dialogue_id=dialogue_id,
                    status="published" if rng.random() < 0.8 else "draft",
                    actual_start=starts,
                    actual_end=starts + datetime.timedelta(hours=3),
                    summary=sentence(rng, 25),
                )
            n_attendees = min(len(participant_rows), max(0, int(rng.gauss(SIZES["attendances_per_dialogue"], 4))))
            for participant_id, perspective in rng.sample(participant_rows, n_attendees) if held else ():
                attendances.add(dialogue_id=dialogue_id, participant_id=participant_id, perspective=perspective)
                counts[NAMED_COUNT[perspective]] += 1
            for _ in range(rng.randrange(int(2 * SIZES["insights_per_dialogue"]) + 1) if held else 0):
                text = sentence(rng, 12)
                perspective = rng.choice(["lived_experience", "staff", "joint", "other"])
                insights.add(dialogue_id=dialogue_id, text=text, perspective=perspective)
                counts[INSIGHT_COUNT[perspective]] += 1
            dialogues.add(**dialogue, **counts)
            if rng.random() < SIZES["actions_per_dialogue"]:
                actions.add(
                    dialogue_id=dialogue_id,
                    what=sentence(rng, 6),
                    responsible_organisation_id=rng.choice(organisation_ids),
                    due_date=(starts + datetime.timedelta(days=30)).date(),
                    status="done" if rng.random() < 0.7 else "open",
                )
    for writer in (dialogues, outcomes, attendances, insights, actions):
        writer.flush()
    counts.update(
        dialogues=dialogues.count,
        outcomes=outcomes.count,
        attendances=attendances.count,
        insights=insights.count,
        follow_up_actions=actions.count,
    )

    return counts


def reset_sequences():
    """COPY wrote explicit ids: move each table's id sequence past them."""
    tables = [Municipality, Organisation, Project, Partnership, Project.municipalities.through, LearningEntry]
    tables += [Participant, Dialogue, Outcome, Attendance, Insight, FollowUpAction]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(color.no_style(), tables):
            cursor.execute(statement)


def make_accounts(password):
    """The benchmark's coordinator, and a member of the organisation that is a partner in the most projects."""
    User = get_user_model()
    coordinator, _ = User.objects.get_or_create(username="skala-koordinator")
    coordinator.set_password(password)
    coordinator.save()
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    member, _ = User.objects.get_or_create(username="skala-medlem")
    member.set_password(password)
    member.save()
    Participant.objects.update_or_create(
        user=member,
        defaults={
            "display_name": "Skala medlem",
            "perspective": "staff",
            "organisation_id": Organisation.objects.filter(name="Skalaorganisasjon 0")
            .values_list("pk", flat=True)
            .first(),
        },
    )
