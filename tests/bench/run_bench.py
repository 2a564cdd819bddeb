"""`make bench`: how fast the busiest pages answer with a realistic amount of data.

Builds a throwaway SQLite database (or uses $BENCH_DATABASE_URL), loads the report's demo data plus
N generated projects with partners, dialogues, insights and actions, then times each page through
Django's test client. Prints the median and the 95th percentile per page and exits non-zero when a
median misses its goal. Not part of `make test`: timings depend on the machine.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
tmp = tempfile.TemporaryDirectory()
os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "krem.settings")
os.environ["KREM_TESTING"] = "1"
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

PROJECTS = int(os.environ.get("BENCH_PROJECTS", 300))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 15))
GOAL_MS = {  # median response time goals on the 2-core reference machine
    "home": 150,
    "project list": 300,
    "project list, search": 300,
    "project page": 300,
    "partner list": 300,
    "municipality page": 400,
    "dialogue list": 300,
    "dialogue page": 300,
    "follow-up overview": 300,
}


def build():
    from dialogues.models import Dialogue, FollowUpAction, Insight
    from projects.models import Municipality, Organisation, Partnership, Project

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))
    municipalities = list(Municipality.objects.all())
    organisations = list(Organisation.objects.all())
    now = timezone.now()
    for i in range(PROJECTS):
        project = Project.objects.create(
            title=f"Benk-prosjekt {i}", slug=f"benk-{i}", status="active", summary="Et prosjekt for å måle tid. " * 5
        )
        project.municipalities.add(municipalities[i % len(municipalities)])
        for j in range(3):
            Partnership.objects.get_or_create(project=project, organisation=organisations[(i + j) % len(organisations)])
        for k in range(2):
            start = now + datetime.timedelta(days=(i % 60) - 30 + k)
            dialogue = Dialogue.objects.create(
                project=project,
                title=f"Dialog {i}-{k}",
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=3),
                municipality=municipalities[i % len(municipalities)],
            )
            Insight.objects.bulk_create(
                Insight(dialogue=dialogue, text=f"Innsikt {n}", perspective="staff") for n in range(5)
            )
            FollowUpAction.objects.create(
                dialogue=dialogue, what="Følge opp", responsible_organisation=organisations[i % len(organisations)]
            )


def main():
    from django.contrib.auth import get_user_model

    from dialogues.models import Dialogue
    from projects.models import Municipality, Project

    started = time.perf_counter()
    build()
    print(
        f"Built {Project.objects.count()} projects, {Dialogue.objects.count()} dialogues in {time.perf_counter() - started:.1f} s"
    )
    client = Client()
    client.force_login(get_user_model().objects.get(username="koordinator"))
    project = Project.objects.get(slug="benk-1")
    pages = {
        "home": "/",
        "project list": "/prosjekter/",
        "project list, search": "/prosjekter/?q=benk&status=active",
        "project page": project.get_absolute_url(),
        "partner list": "/partnere/",
        "municipality page": Municipality.objects.get(name="Larvik").get_absolute_url(),
        "dialogue list": "/dialoger/",
        "dialogue page": project.dialogues.first().get_absolute_url(),
        "follow-up overview": "/oppfolging/",
    }
    missed = []
    print(f"{'page':<24}{'median ms':>10}{'p95 ms':>8}{'goal':>6}")
    for name, url in pages.items():
        timings = []
        for _ in range(ROUNDS):
            t = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        median, p95 = statistics.median(timings), sorted(timings)[int(0.95 * (len(timings) - 1))]
        print(f"{name:<24}{median:>10.1f}{p95:>8.1f}{GOAL_MS[name]:>6}")
        if median > GOAL_MS[name]:
            missed.append(name)
    if missed:
        print("Missed the goal:", ", ".join(missed))
        sys.exit(1)
    print("All pages within their goals.")


if __name__ == "__main__":
    main()
