"""Fault drill: writes stream through the real HTTP interface while a gunicorn worker is killed
and PostgreSQL is stopped and started again. Run it with `make faults` (not part of the unit suite).

Needs root (to restart the local PostgreSQL cluster) and PostgreSQL on 127.0.0.1:5432 with trust auth
for the user postgres. It creates a fresh database `krem_faults`, serves it with gunicorn (2 workers)
on a loopback port, logs in as a coordinator it creates, and adds municipalities (each with one city
district) through the Django admin's add form. Then it checks:

- every write that got a success response (302 to the changelist) is in the database;
- nothing is half-written (every municipality has its district) and nothing appears that was not sent;
- the app answers /healthz again within 5 seconds of PostgreSQL coming back, with the same gunicorn;
- every failure was a clean 5xx during the outage, or a dropped connection when the worker was killed,
  never a hang (each request has a 10-second timeout).

It prints the counts and exits 1 if any check fails.
"""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # everything here stays on loopback
DATABASE = "krem_faults"
PG_SERVER = {"host": HOST, "port": 5432, "user": "postgres"}
PG_VERSION = sorted(os.listdir("/etc/postgresql"))[-1] if os.path.isdir("/etc/postgresql") else ""
USERNAME, PASSWORD = "faults-koordinator", secrets.token_urlsafe(16)
REQUEST_TIMEOUT = 10  # seconds; a request that takes longer counts as a hang
WRITERS = 4
MAX_WRITES = 8000  # all writers together (numbers 1001-9000); also bounded by DEADLINE
DEADLINE = 120  # seconds for the whole write stream
OUTAGE = 3  # seconds PostgreSQL stays down
RECOVERY_LIMIT = 5  # seconds


def app_environment():
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "KREM_TESTING", "DJANGO_SETTINGS_MODULE"}}
    environment.update(
        DATABASE_URL=f"postgres://postgres@{HOST}:5432/{DATABASE}",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        BEHIND_PROXY="1",  # we play the TLS proxy: X-Forwarded-Proto: https
        LOG_LEVEL="WARNING",
    )
    return environment


def manage(environment, *args):
    subprocess.run([BIN / "python", "manage.py", *args], cwd=ROOT, env=environment, check=True, timeout=300)


def sql(query, params=(), dbname="postgres"):
    connection = psycopg2.connect(dbname=dbname, connect_timeout=5, **PG_SERVER)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        connection.close()


def other_clients():
    """Sessions on the PostgreSQL server that are not ours: restarting it would cut them off."""
    return sql(
        "SELECT datname, application_name FROM pg_stat_activity WHERE backend_type = 'client backend' "
        "AND pid <> pg_backend_pid() AND datname IS DISTINCT FROM %s",
        [DATABASE],
    )


def wait_until_alone(seconds):
    for _ in range(seconds):
        busy = other_clients()
        if not busy:
            return
        time.sleep(1)
    sys.exit(f"PostgreSQL has other clients {busy}; not restarting it under them. Try again when they are done.")


def pg_ctl(action):
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", action], check=True, timeout=60)


def postgres_is_up():
    try:
        return sql("SELECT 1") == [(1,)]
    except psycopg2.OperationalError:
        return False


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def worker_pids(master):
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # the parent pid
            pids.add(int(stat.parent.name))
    return pids


class Client:
    """A tiny HTTP client that plays a browser behind a TLS proxy: it keeps the (Secure) cookies itself."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None, keep_cookies=True):
        origin = f"https://{HOST}:{self.port}"
        headers = {"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + path, "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        if keep_cookies:
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
        return response.status, response.headers, content


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def log_in(client):
    status, _, html = client.request("GET", "/logg-inn/")
    assert status == 200, status
    status, headers, _ = client.request(
        "POST", "/logg-inn/", {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(html)}
    )
    assert status == 302 and headers["Location"] == "/", (status, headers["Location"])
    status, _, html = client.request("GET", "/admin/projects/municipality/add/")
    assert status == 200 and 'name="districts-TOTAL_FORMS"' in html, status
    return csrf_token(html)  # Django rotates the token on login; this one is the session's


class WriteStream:
    """Writer threads adding municipalities until stopped; every attempt is recorded."""

    def __init__(self, client, token):
        self.client, self.token = client, token
        self.results = []  # (started, finished, name, outcome, detail)
        self.lock = threading.Lock()
        self.next_index = 0
        self.stop = threading.Event()
        self.deadline = time.monotonic() + DEADLINE
        self.threads = [threading.Thread(target=self.write_until_stopped) for _ in range(WRITERS)]

    def take_index(self):
        with self.lock:
            self.next_index += 1
            return self.next_index if self.next_index <= MAX_WRITES else None

    def write_until_stopped(self):
        while not self.stop.is_set() and time.monotonic() < self.deadline:
            index = self.take_index()
            if index is None:
                return
            name = f"Faults {index:04d}"
            form = {
                "csrfmiddlewaretoken": self.token,
                "name": name,
                "number": f"{1000 + index:04d}",
                "county": "Faults",
                "districts-TOTAL_FORMS": "1",
                "districts-INITIAL_FORMS": "0",
                "districts-MIN_NUM_FORMS": "0",
                "districts-MAX_NUM_FORMS": "1000",
                "districts-0-name": f"{name} sentrum",
                "_save": "Save",
            }
            started = time.monotonic()
            try:
                status, headers, html = self.client.request(
                    "POST", "/admin/projects/municipality/add/", form, keep_cookies=False
                )
                if status == 302 and headers["Location"] == "/admin/projects/municipality/":
                    outcome, detail = "acknowledged", status
                elif status >= 500:
                    outcome, detail = "5xx", (status, "KREM" in html and "Traceback" not in html)
                else:
                    outcome, detail = "unexpected", status
            except TimeoutError:
                outcome, detail = "hang", None
            except (ConnectionError, http.client.HTTPException) as error:
                outcome, detail = "dropped", type(error).__name__
            with self.lock:
                self.results.append((started, time.monotonic(), name, outcome, detail))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(REQUEST_TIMEOUT + 5)


def drill(port, log):
    environment = app_environment()
    manage(environment, "migrate", "--noinput", "-v", "0")
    manage(environment, "collectstatic", "--noinput", "-v", "0")
    manage(
        environment,
        "shell",
        "--no-imports",
        "-c",
        "from django.contrib.auth.models import Group, Permission, User\n"
        f"user = User.objects.create_user({USERNAME!r}, password={PASSWORD!r}, is_staff=True)\n"
        "user.groups.add(Group.objects.get_or_create(name='coordinators')[0])\n"
        "user.user_permissions.set(Permission.objects.filter(content_type__app_label='projects', "
        "codename__in=['add_municipality', 'view_municipality', 'add_district', 'view_district']))",
    )
    pidfile = Path(log.name).with_suffix(".pid")
    gunicorn = subprocess.Popen(
        [BIN / "gunicorn", "krem.wsgi", "--bind", f"{HOST}:{port}", "--workers", "2", "--pid", pidfile],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        return exercise(port, gunicorn)
    finally:
        gunicorn.terminate()
        gunicorn.wait(30)


def exercise(port, gunicorn):
    client = Client(port)
    probe = Client(port)  # no cookies: a load balancer's view
    for _ in range(300):
        try:
            if probe.request("GET", "/healthz", keep_cookies=False)[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.1)
    else:
        raise RuntimeError("gunicorn did not start within 30 seconds")
    token = log_in(client)
    failures = []
    timeline = {}

    with WriteStream(client, token) as stream:
        time.sleep(3)
        workers = worker_pids(gunicorn.pid)
        victim = min(workers)
        timeline["kill"] = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        for _ in range(100):
            replaced = worker_pids(gunicorn.pid)
            if len(replaced) == 2 and victim not in replaced:
                break
            time.sleep(0.1)
        else:
            failures.append(f"gunicorn did not replace the killed worker {victim} within 10 s")
        timeline["replaced"] = time.monotonic()

        time.sleep(2)
        wait_until_alone(30)
        timeline["down"] = time.monotonic()
        try:
            pg_ctl("stop")
            time.sleep(OUTAGE)
        finally:
            pg_ctl("start")
        while not postgres_is_up() and time.monotonic() - timeline["down"] < 60:
            time.sleep(0.05)
        timeline["up"] = time.monotonic()
        while time.monotonic() - timeline["up"] < 30:
            try:
                if probe.request("GET", "/healthz", keep_cookies=False)[0] == 200:
                    timeline["healthy"] = time.monotonic()
                    break
            except OSError:
                pass
            time.sleep(0.1)
        time.sleep(3)  # keep writing a little after recovery

    if gunicorn.poll() is not None:
        failures.append("gunicorn's master exited")
    return check(stream.results, timeline, failures)


def check(results, timeline, failures):
    stored = dict(
        sql(
            "SELECT m.name, array_agg(d.name) FILTER (WHERE d.id IS NOT NULL) FROM projects_municipality m "
            "LEFT JOIN projects_district d ON d.municipality_id = m.id GROUP BY m.name",
            dbname=DATABASE,
        )
    )
    sent = {name for _, _, name, _, _ in results}
    acknowledged = {name for _, _, name, outcome, _ in results if outcome == "acknowledged"}
    errors = [r for r in results if r[3] != "acknowledged"]
    recovery = timeline["healthy"] - timeline["up"] if "healthy" in timeline else None
    after_up = [
        finished for _, finished, _, outcome, _ in results if outcome == "acknowledged" and finished > timeline["up"]
    ]
    write_recovery = min(after_up) - timeline["up"] if after_up else None
    outage_end = timeline.get("healthy", timeline["up"]) + 2

    if missing := acknowledged - stored.keys():
        failures.append(f"acknowledged but not stored: {sorted(missing)}")
    if phantoms := stored.keys() - sent:
        failures.append(f"stored but never sent: {sorted(phantoms)}")
    if half := {name: districts for name, districts in stored.items() if districts != [f"{name} sentrum"]}:
        failures.append(f"half-written: {half}")
    if not any(started <= timeline["up"] and finished >= timeline["down"] for started, finished, *_ in results):
        failures.append("no write was under way during the outage: the drill proved nothing")
    if recovery is None or recovery > RECOVERY_LIMIT:
        failures.append(f"/healthz not back within {RECOVERY_LIMIT} s of PostgreSQL (took {recovery})")
    if write_recovery is None or write_recovery > RECOVERY_LIMIT:
        failures.append(f"writes not back within {RECOVERY_LIMIT} s of PostgreSQL (took {write_recovery})")
    for started, finished, name, outcome, detail in errors:
        during_outage = finished >= timeline["down"] and started <= outage_end
        during_kill = timeline["kill"] - REQUEST_TIMEOUT <= started <= timeline["replaced"]
        clean = (outcome == "5xx" and during_outage and detail[1]) or (outcome == "dropped" and during_kill)
        if not clean:
            failures.append(f"{name}: {outcome} {detail} at {started - timeline['kill']:+.1f} s from the kill")

    counts = {
        "sent": len(sent),
        "acknowledged": len(acknowledged),
        "found": len(stored),
        "found, not acknowledged": len(stored.keys() - acknowledged),
        "errors": len(errors),
        "5xx": sum(r[3] == "5xx" for r in errors),
        "dropped": sum(r[3] == "dropped" for r in errors),
        "hangs": sum(r[3] == "hang" for r in errors),
        "PostgreSQL down (s)": round(timeline["up"] - timeline["down"], 2),
        "recovery /healthz (s)": None if recovery is None else round(recovery, 2),
        "recovery writes (s)": None if write_recovery is None else round(write_recovery, 2),
    }
    for label, value in counts.items():
        print(f"{label:>26}: {value}")
    return failures


def main():
    if not PG_VERSION:
        sys.exit("No PostgreSQL cluster in /etc/postgresql.")
    wait_until_alone(120)
    sql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    sql(f'CREATE DATABASE "{DATABASE}"')
    with tempfile.NamedTemporaryFile("w", prefix="krem-faults-", suffix=".log", delete=False) as log:
        try:
            failures = drill(free_port(), log)
        finally:
            if not postgres_is_up():
                pg_ctl("start")
    if failures:
        print("FAILED:", *failures[:50], f"gunicorn log: {log.name}", sep="\n  ")
        sys.exit(1)
    os.unlink(log.name)
    sql(f'DROP DATABASE "{DATABASE}" WITH (FORCE)')
    print("All fault checks passed.")


if __name__ == "__main__":
    main()
