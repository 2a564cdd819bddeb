"""Exports stream: memory stays flat however many rows (issue 11). Not part of `make test`.

    .venv/bin/python tests/bench/export_memory.py                      # a throwaway SQLite database
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/krem_bench .venv/bin/python tests/bench/export_memory.py

Builds EXPORT_PROJECTS (20,000) projects with bulk_create, each with a municipality and two partners, and a
coordinator; then, for CSV and XLSX, a fresh process downloads the whole project list (through Django's test
client, consuming the streamed response as a browser would) and reports:
- the peak resident memory above the idle process (VmHWM reset after a warm-up download of an empty list, on
  Linux), which must stay under LIMIT_MB;
- the peak of Python allocations while exporting (tracemalloc, a second download in the same process);
- the file's size, the time it took and the number of database queries.
Exits non-zero when the limit is passed. On PostgreSQL the database is created if missing, and the bench rows of an
earlier run are reused when there are as many.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PROJECTS = int(os.environ.get("EXPORT_PROJECTS", 20_000))
LIMIT_MB = 100
MB = 1024 * 1024


def setup_django(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "krem.settings")
    os.environ["KREM_TESTING"] = "1"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()


def create_postgres_database(database_url):
    from urllib.parse import urlparse

    import psycopg2

    url = urlparse(database_url)
    name = url.path.lstrip("/")
    connection = psycopg2.connect(url._replace(path="/postgres").geturl())
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def build():
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from projects.models import Municipality, Organisation, Partnership, Project
    from projects.rules import COORDINATORS_GROUP

    call_command("migrate", verbosity=0)
    if Project.objects.filter(slug__startswith="eksport-benk-").count() == PROJECTS:
        print(f"reusing the {PROJECTS} bench projects of an earlier run", flush=True)
        return
    Project.objects.filter(slug__startswith="eksport-benk-").delete()
    municipalities = [
        Municipality.objects.get_or_create(number=f"{4000 + i}", defaults={"name": f"Benkeby {i}"})[0]
        for i in range(10)
    ]
    organisations = [Organisation.objects.get_or_create(name=f"Benkepartner {i}")[0] for i in range(50)]
    started = time.perf_counter()
    Project.objects.bulk_create(
        [
            Project(
                title=f"Eksportbenk {i}: partnerskap for sosial innovasjon",
                slug=f"eksport-benk-{i}",
                status="active",
                summary="Tjenestebrukere og ansatte møtes som likeverdige partnere i dialogseminarer. " * 3,
                goals="Flere i arbeid, aktivitet eller utdanning.",
                target_groups="Unge utenfor skole og arbeid",
            )
            for i in range(PROJECTS)
        ],
        batch_size=2000,
    )
    projects = list(Project.objects.filter(slug__startswith="eksport-benk-").values_list("pk", flat=True))
    through = Project.municipalities.through
    through.objects.bulk_create(
        [through(project_id=pk, municipality_id=municipalities[i % 10].pk) for i, pk in enumerate(projects)],
        batch_size=5000,
    )
    Partnership.objects.bulk_create(
        [
            Partnership(project_id=pk, organisation=organisations[(i + k) % 50], role=role)
            for i, pk in enumerate(projects)
            for k, role in ((0, "lead"), (7, "partner"))
        ],
        batch_size=5000,
    )
    user, _ = User.objects.get_or_create(username="eksport-benk-koordinator")
    user.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    print(f"built {len(projects)} projects in {time.perf_counter() - started:.1f} s", flush=True)


def rss(field):
    """VmRSS (now) or VmHWM (peak since the last reset) of this process, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def download(client, fmt, **params):
    from django.urls import reverse

    response = client.get(reverse("projects:project_export", args=[fmt]), params)
    assert response.status_code == 200, response.status_code
    size = 0
    for block in response.streaming_content:
        size += len(block)
    return size


def measure(fmt):
    """In a fresh process: the memory, time, size and queries of one download of every bench project."""
    import tracemalloc

    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username="eksport-benk-koordinator"))
    download(client, fmt, q="ingenting-finnes-zqx")  # warm up: every module loaded, one connection open
    idle = rss("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    queries = []
    started = time.perf_counter()
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        size = download(client, fmt)
    seconds = time.perf_counter() - started
    peak = rss("VmHWM")
    tracemalloc.start()
    download(client, fmt)
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "format": fmt,
        "rows": PROJECTS,
        "bytes": size,
        "seconds": round(seconds, 2),
        "queries": len(queries),
        "idle_rss_mb": round(idle / MB, 1),
        "peak_rss_above_idle_mb": round((peak - idle) / MB, 1),
        "tracemalloc_peak_mb": round(traced_peak / MB, 1),
    }


def main():
    tmp = tempfile.TemporaryDirectory()
    database_url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp.name}/export-bench.sqlite3")
    if len(sys.argv) == 3 and sys.argv[1] == "measure":
        setup_django(database_url)
        print(json.dumps(measure(sys.argv[2])))
        return 0
    if database_url.startswith("postgres"):
        create_postgres_database(database_url)
    setup_django(database_url)
    build()
    env = {**os.environ, "BENCH_DATABASE_URL": database_url}
    failed = False
    for fmt in ("csv", "xlsx"):
        done = subprocess.run([sys.executable, __file__, "measure", fmt], env=env, capture_output=True, text=True)
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(json.dumps(result), flush=True)
        failed |= result["peak_rss_above_idle_mb"] >= LIMIT_MB
    print(f"peak above idle {'EXCEEDS' if failed else 'stays under'} {LIMIT_MB} MB for every format")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
