"""The benchmark's plan check (issue 16, part 5): no page reads a big table from end to end.

Run by tests/bench/national.py in its own process, with the benchmark's DATABASE_URL. Requests every page of the
benchmark in-process (Django's test client, logged in as the coordinator and as the member), captures each
page's SQL, and asks PostgreSQL for the plan of each SELECT (`EXPLAIN (FORMAT JSON)`, not run). A sequential
scan of a table PostgreSQL estimates at more than BIG_TABLE rows is a finding. Then it runs the page's slowest
queries once more with `EXPLAIN (ANALYZE, BUFFERS)` and prints the three slowest of the whole run with their
plans, for the closing note.

Usage: DATABASE_URL=… python tests/bench/explain.py '<json: {"username": {"page name": "/path/"}}>'
Exits 1 when a page scans a big table.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "krem.settings")

BIG_TABLE = 100_000
SLOWEST = 3


def scans(plan):
    """The (table, estimated rows) of every sequential scan in a JSON plan node and its children."""
    if plan.get("Node Type") == "Seq Scan":
        yield plan["Relation Name"]
    for child in plan.get("Plans", []):
        yield from scans(child)


def main(pages_by_user):
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND reltuples > %s", [BIG_TABLE])
        big = dict(cursor.fetchall())
    findings, timed = [], []
    for username, pages in pages_by_user.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(get_user_model().objects.get(username=username))
        for name, path in pages.items():
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, secure=True)  # production settings redirect http to https
            if response.status_code >= 400:
                findings.append(f"{username}: {name}: status {response.status_code}")
            for query in captured.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
                    plan = cursor.fetchone()[0][0]["Plan"]
                for table in scans(plan):
                    if table in big:
                        findings.append(
                            f"{username}: {name}: Seq Scan on {table} (~{big[table]:,.0f} rows): {sql[:300]}"
                        )
                timed.append((float(query["time"]), username, name, sql))
    print(
        f"plan check: {len(timed)} queries explained, {len(findings)} sequential scans of tables over {BIG_TABLE:,} rows"
    )
    for finding in findings:
        print("  " + finding)
    print(f"\nthe {SLOWEST} slowest queries, EXPLAIN (ANALYZE, BUFFERS):")
    slowest = []
    for _, username, name, sql in sorted(timed, reverse=True)[: SLOWEST * 4]:
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
            slowest.append(((time.perf_counter() - started) * 1000, username, name, sql, lines))
    seen = set()
    for ms, username, name, sql, lines in sorted(slowest, reverse=True):
        if sql in seen or len(seen) == SLOWEST:
            continue
        seen.add(sql)
        print(f"\n{ms:.1f} ms, {username}: {name}\n  {sql[:600]}")
        for line in lines:
            print("    " + line)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(json.loads(sys.argv[1])))
