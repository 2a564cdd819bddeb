"""Load what the 2012 report states as demo data, plus one demo account per role.

Loading twice changes nothing: every row is matched on a natural key and only saved when it differs.
"""

import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from dialogues.models import (
    Attendance,
    Dialogue,
    DialogueKind,
    DialogueStatus,
    FollowUpAction,
    Headcount,
    Insight,
    Outcome,
    OutcomeStatus,
    Proposal,
    Series,
    TimePrecision,
    span,
)
from kremlib.dates import normalise, period_end
from participants.models import Participant, Perspective
from projects.catalogue import ensure_catalogue
from projects.models import (
    CatalogueIndicator,
    District,
    Document,
    Grant,
    Indicator,
    LearningEntry,
    Measurement,
    Municipality,
    Organisation,
    Partnership,
    Project,
    Result,
    SystemChange,
    SystemChangeAdoption,
)
from projects.rules import COORDINATORS_GROUP

DATA_FILE = Path(__file__).resolve().parents[2] / "demo" / "report.yaml"
OSLO = ZoneInfo("Europe/Oslo")

# username, role description, perspective, organisation name (None: no organisation)
DEMO_ACCOUNTS = [
    ("admin", "admin", None, None),
    ("koordinator", "coordinator", Perspective.OTHER, "KREM"),
    ("nav-ansatt", "NAV staff member", Perspective.STAFF, "NAV Drammen"),
    ("deltaker", "service-user participant", Perspective.LIVED_EXPERIENCE, None),
]


def upsert(model, lookup, values):
    """Get or create a row by `lookup`; save only fields that differ. Returns (obj, changed)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save()
    return obj, bool(changed)


def approx(value, *, end=False):
    """({date, precision} mapping) -> (date, precision), both None when absent.

    A start is stored as the first day of its period, an end as the last (see Project.clean)."""
    if not value:
        return None, None
    date = value["date"] if isinstance(value["date"], datetime.date) else datetime.date.fromisoformat(value["date"])
    return (period_end if end else normalise)(date, value["precision"]), value["precision"]


class Command(BaseCommand):
    help = "Load the report's municipalities, partners, projects and gatherings, and the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DATA_FILE), help="YAML data file (default: the report's data).")

    @transaction.atomic
    def handle(self, *args, file, **options):
        data = yaml.safe_load(Path(file).read_text(encoding="utf-8"))
        self.changes = 0
        municipalities = self.load_municipalities(data.get("municipalities", []))
        organisations = self.load_organisations(data.get("organisations", []), municipalities)
        self.changes += ensure_catalogue()
        self.series = self.load_series(data.get("series", []))
        for item in data.get("projects", []):
            self.load_project(item, municipalities, organisations)
        self.load_accounts()
        self.load_examples()
        self.stdout.write(
            f"Demo data: {Municipality.objects.count()} municipalities, {Organisation.objects.count()} organisations, "
            f"{Project.objects.count()} projects, {Dialogue.objects.count()} dialogues; {self.changes} rows changed."
        )

    def track(self, result):
        obj, changed = result
        self.changes += changed
        return obj

    def load_municipalities(self, items):
        by_number = {}
        for item in items:
            number = str(item["number"]).zfill(4)
            municipality = self.track(
                upsert(Municipality, {"number": number}, {"name": item["name"], "county": item.get("county") or ""})
            )
            by_number[number] = municipality
            for name in item.get("districts") or []:
                self.track(upsert(District, {"municipality": municipality, "name": name}, {}))
        return by_number

    def load_series(self, items):
        values = ("name", "description", "source")
        return {
            item["key"]: self.track(
                upsert(Series, {"slug": item["slug"]}, {name: str(item.get(name) or "").strip() for name in values})
            )
            for item in items
        }

    def load_organisations(self, items, municipalities):
        by_key = {}
        for item in items:
            municipality = (
                municipalities.get(str(item.get("municipality") or "").zfill(4)) if item.get("municipality") else None
            )
            district = None
            if item.get("district") and municipality:
                district = District.objects.get(municipality=municipality, name=item["district"])
            values = {
                "sector": item.get("sector") or "other",
                "municipality": municipality,
                "district": district,
                "website": item.get("website") or "",
                "notes": item.get("notes") or "",
            }
            by_key[item["key"]] = self.track(upsert(Organisation, {"name": item["name"]}, values))
        return by_key

    def load_project(self, item, municipalities, organisations):
        start_date, start_precision = approx(item.get("start"))
        end_date, end_precision = approx(item.get("end"), end=True)
        values = {
            "title": item["title"],
            "report_section": str(item.get("section") or ""),
            "summary": (item.get("summary") or "").strip(),
            "goals": (item.get("goals") or "").strip(),
            "target_groups": (item.get("target_groups") or "").strip(),
            "status": item.get("status") or "completed",
            "continued_by": organisations.get(item.get("continued_by")),
            "start_date": start_date,
            "start_precision": start_precision or "day",
            "end_date": end_date,
            "end_precision": end_precision or "day",
        }
        project = self.track(upsert(Project, {"slug": item["slug"]}, values))
        wanted = [municipalities[str(n).zfill(4)] for n in item.get("municipalities") or []]
        if set(project.municipalities.all()) != set(wanted):
            project.municipalities.set(wanted)
            self.changes += 1
        districts = [
            District.objects.get(municipality=municipalities[str(d["municipality"]).zfill(4)], name=d["name"])
            for d in item.get("districts") or []
        ]
        if set(project.districts.all()) != set(districts):
            project.districts.set(districts)
            self.changes += 1
        for partner in item.get("partners") or []:
            self.track(
                upsert(
                    Partnership,
                    {"project": project, "organisation": organisations[partner["org"]], "role": partner["role"]},
                    {},
                )
            )
        for gathering in item.get("dialogues") or []:
            self.load_dialogue(project, gathering, municipalities, organisations)
        self.load_project_sections(project, item, organisations)
        return project

    def load_project_sections(self, project, item, organisations):
        """The learning log, results, system changes and documents the report states for a project."""
        for entry in item.get("learning") or []:
            date, precision = approx(entry.get("date"))
            self.track(
                upsert(
                    LearningEntry,
                    {"project": project, "kind": entry["kind"], "text": entry["text"].strip()},
                    {"date": date, "date_precision": precision or "day", "source": str(entry.get("source") or "")},
                )
            )
        for result in item.get("results") or []:
            date, precision = approx(result.get("date"))
            value = result.get("value")
            self.track(
                upsert(
                    Result,
                    {"project": project, "description": result["description"].strip()},
                    {
                        "value": None if value is None else Decimal(str(value)),
                        "unit": result.get("unit") or "",
                        "date": date,
                        "date_precision": precision or "day",
                        "source": str(result.get("source") or ""),
                    },
                )
            )
        for change in item.get("system_changes") or []:
            date, precision = approx(change.get("date"))
            system_change = self.track(
                upsert(
                    SystemChange,
                    {"project": project, "level": change["level"], "description": change["description"].strip()},
                    {
                        "krem_contribution": change.get("krem_contribution") or "",
                        "date": date,
                        "date_precision": precision or "day",
                        "evidence_url": change.get("evidence_url") or "",
                        "source": str(change.get("source") or ""),
                    },
                )
            )
            # adopted_by: one organisation, or a list of them; each in the role given (adopted unless said).
            adopters = change.get("adopted_by") or []
            for slug in [adopters] if isinstance(adopters, str) else adopters:
                self.track(
                    upsert(
                        SystemChangeAdoption,
                        {
                            "change": system_change,
                            "organisation": organisations[slug],
                            "role": change.get("adoption_role") or "adopted",
                        },
                        {"date": date, "date_precision": precision or "day"},
                    )
                )
        for grant in item.get("grants") or []:
            self.track(
                upsert(
                    Grant,
                    {"project": project, "funder": organisations[grant["funder"]], "title": grant.get("title") or ""},
                    {"status": grant["status"], "amount": grant.get("amount"), "note": grant.get("note") or ""},
                )
            )
        for item_indicator in item.get("indicators") or []:
            self.load_indicator(project, item_indicator)
        for document in item.get("documents") or []:
            self.track(
                upsert(
                    Document,
                    {"project": project, "title": document["title"].strip()},
                    {"kind": document.get("kind") or "other", "url": document.get("url") or ""},
                )
            )

    def load_indicator(self, project, item):
        """An indicator (from the catalogue, or the project's own) and the measurements the report states."""
        catalogue = CatalogueIndicator.objects.get(code=item["catalogue"]) if item.get("catalogue") else None
        name = item.get("name") or catalogue.name
        baseline_date, baseline_precision = approx(item.get("baseline_date"))
        target_date, target_precision = approx(item.get("target_date"))
        indicator = self.track(
            upsert(
                Indicator,
                {"project": project, "catalogue": catalogue, "name": name, "group": item.get("group") or ""},
                {
                    "unit": item.get("unit") or (catalogue.unit if catalogue else ""),
                    "baseline_value": item.get("baseline"),
                    "baseline_date": baseline_date,
                    "baseline_precision": baseline_precision or "day",
                    "target_value": item.get("target"),
                    "target_date": target_date,
                    "target_precision": target_precision or "day",
                },
            )
        )
        for measurement in item.get("measurements") or []:
            date, precision = approx(measurement["date"])
            denominator = measurement.get("denominator")
            self.track(
                upsert(
                    Measurement,
                    {"indicator": indicator, "date": date, "date_precision": precision},
                    {
                        "value": Decimal(str(measurement["value"])),
                        "denominator": None if denominator is None else Decimal(str(denominator)),
                        "source": str(measurement.get("source") or ""),
                    },
                )
            )

    def load_dialogue(self, project, item, municipalities, organisations):
        """A gathering at the rough date the report gives, spanning its whole period; without `start` the date is
        not known (the report does not give it), and the gathering has no start and no end."""
        start, precision = approx(item.get("start"))
        if start is None:
            starts_at = ends_at = None
            precision = item.get("precision") or TimePrecision.DAY
        else:
            end = approx(item["end"], end=True)[0] if item.get("end") else start
            starts_at, ends_at = span(start, end, precision)
        values = {
            "kind": item.get("kind") or "other",
            "ends_at": ends_at,
            "time_precision": TimePrecision(precision),
            "venue": item.get("venue") or "",
            "municipality": municipalities.get(str(item.get("municipality") or "").zfill(4))
            if item.get("municipality")
            else None,
            "status": item.get("status") or "held",
            "purpose": (item.get("purpose") or "").strip(),
            "source": str(item.get("source") or ""),
            "series": self.series[item["series"]] if item.get("series") else None,
        }
        dialogue = self.track(
            upsert(Dialogue, {"project": project, "title": item["title"], "starts_at": starts_at}, values)
        )
        facilitators = {organisations[key] for key in item.get("facilitators") or []}
        if set(dialogue.facilitators.all()) != facilitators:
            dialogue.facilitators.set(facilitators)
            self.changes += 1
        return dialogue

    def load_examples(self):
        load_examples_into(self)

    def load_accounts(self):
        User = get_user_model()
        coordinators, _ = Group.objects.get_or_create(name=COORDINATORS_GROUP)
        rows = []
        for username, role, perspective, org_name in DEMO_ACCOUNTS:
            user = User.objects.filter(username=username).first()
            password = f"demo-{username}-2012"
            if user is None:
                user = User(username=username, is_staff=role == "admin", is_superuser=role == "admin")
                if settings.DEBUG:
                    user.set_password(password)
                else:
                    user.set_unusable_password()
                user.save()
                self.changes += 1
            if role == "coordinator" and not user.groups.filter(pk=coordinators.pk).exists():
                user.groups.add(coordinators)
                self.changes += 1
            if perspective:
                organisation = Organisation.objects.filter(name=org_name).first() if org_name else None
                self.track(
                    upsert(
                        Participant,
                        {"user": user},
                        {"display_name": username, "perspective": perspective, "organisation": organisation},
                    )
                )
            rows.append((username, role, password))
        if settings.DEBUG:
            self.stdout.write("Demo accounts (DEBUG is on; never use these in production):")
            for username, role, password in rows:
                self.stdout.write(f"  {role:<26} {username:<12} {password}")
        else:
            self.stdout.write(
                "Demo accounts exist without passwords; set one with `manage.py changepassword USERNAME`."
            )


# Clearly labelled example gatherings, so that the voice balance and follow-up pages have something to
# show. They are NOT from the report. Times are relative to the day they are first loaded.
EXAMPLE_PROJECT = "nav-drammen-kvp"
EXAMPLE_NOTE = "Eksempeldata for demonstrasjon – ikke fra rapporten."
EXAMPLES = [
    {
        "title": "Eksempel: Dialogseminar om oppfølging i Kvalifiseringsprogrammet",
        "kind": DialogueKind.DIALOGUE_SEMINAR,
        "days": -60,
        "venue": "NAV Drammen, møterom 1",
        "purpose": "Hva er godt tiltaksarbeid, sett fra begge sider av bordet?",
        "headcounts": {"lived_experience": 5, "staff": 4},
        "attendees": [("deltaker", "lived_experience"), ("nav-ansatt", "staff")],
        "insights": [
            ("lived_experience", "Det hjelper å få snakke med samme veileder hver gang."),
            ("lived_experience", "Skam gjør at mange ikke sier hva de egentlig trenger."),
            ("staff", "Vi bruker mye tid på skjema og for lite på samtalen."),
            ("joint", "Felles mål må skrives ned sammen, ikke bare av veilederen."),
        ],
        "proposals": [("Prøve ut faste dialogmøter mellom deltakere og veiledere hver måned.", "practice")],
        "framework_answer": "For praksisen: samtalen før skjemaet. For retningslinjene: deltakeren er med på å skrive målene.",
        "actions": [("Sette opp en plan for faste dialogmøter", 30), ("Prøve ut felles målskjema", -10)],
    },
    {
        "title": "Eksempel: Læringslab om samarbeid mellom etatene",
        "kind": DialogueKind.LEARNING_LAB,
        "days": -20,
        "venue": "Drammen bibliotek",
        "purpose": "Hvordan kan etatene samhandle bedre rundt unge utenfor skole og arbeid?",
        "headcounts": {"lived_experience": 2, "staff": 9, "researcher": 1},
        "attendees": [],
        "insights": [
            ("staff", "Etatene vet for lite om hverandres tilbud."),
            ("staff", "En felles kontaktperson ville spart mye tid."),
            ("lived_experience", "Jeg måtte fortelle historien min på nytt til hver etat."),
            ("other", "Forskningen viser at tidlig kontakt gir bedre resultater."),
        ],
        "proposals": [("En felles kontaktperson på tvers av etatene.", "guideline")],
        "framework_answer": "",
        "actions": [("Kartlegge etatenes tilbud til unge", 45)],
    },
    {
        "title": "Eksempel: Dialogseminar – neste samling",
        "kind": DialogueKind.DIALOGUE_SEMINAR,
        "days": 14,
        "venue": "NAV Drammen, møterom 1",
        "purpose": "Følge opp forslagene fra forrige dialogseminar.",
    },
]


def example_times(days):
    day = timezone.localdate() + datetime.timedelta(days=days)
    start = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=OSLO)
    return start, start + datetime.timedelta(hours=3)


def load_examples_into(command):
    project = Project.objects.filter(slug=EXAMPLE_PROJECT).first()
    if project is None:
        return
    drammen = Organisation.objects.filter(name="NAV Drammen").first()
    for example in EXAMPLES:
        dialogue = Dialogue.objects.filter(project=project, title=example["title"]).first()
        if dialogue is None:  # times are set once, so that loading again changes nothing
            starts_at, ends_at = example_times(example["days"])
            held = example["days"] < 0
            dialogue = Dialogue.objects.create(
                project=project,
                title=example["title"],
                kind=example["kind"],
                starts_at=starts_at,
                ends_at=ends_at,
                venue=example["venue"],
                municipality=project.municipalities.first(),
                purpose=example["purpose"],
                status=DialogueStatus.HELD if held else DialogueStatus.PLANNED,
                source=EXAMPLE_NOTE,
            )
            command.changes += 1
            if drammen:
                dialogue.facilitators.add(drammen)
            if held:
                Outcome.objects.create(
                    dialogue=dialogue,
                    status=OutcomeStatus.PUBLISHED,
                    actual_start=starts_at,
                    actual_end=ends_at,
                    framework_answer=example["framework_answer"],
                    published_at=ends_at,
                )
        for perspective, count in example.get("headcounts", {}).items():
            command.track(upsert(Headcount, {"dialogue": dialogue, "perspective": perspective}, {"count": count}))
        for username, perspective in example.get("attendees", []):
            participant = Participant.objects.filter(user__username=username).first()
            if participant:
                command.track(
                    upsert(Attendance, {"dialogue": dialogue, "participant": participant}, {"perspective": perspective})
                )
        for perspective, text in example.get("insights", []):
            command.track(upsert(Insight, {"dialogue": dialogue, "text": text}, {"perspective": perspective}))
        for text, level in example.get("proposals", []):
            command.track(upsert(Proposal, {"dialogue": dialogue, "text": text}, {"level": level}))
        for what, due_in_days in example.get("actions", []):
            if not FollowUpAction.objects.filter(dialogue=dialogue, what=what).exists():
                FollowUpAction.objects.create(
                    dialogue=dialogue,
                    what=what,
                    responsible_organisation=drammen,
                    due_date=timezone.localdate() + datetime.timedelta(days=due_in_days),
                )
                command.changes += 1
