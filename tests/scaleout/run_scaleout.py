"""Scale-out drill: two gunicorn app servers on two ports, one PostgreSQL and one Redis, and a client that
alternates between the servers. Run it with `make scaleout` (not part of the unit suite).

Needs PostgreSQL on 127.0.0.1:5432 with trust auth for the user postgres, and Redis on 127.0.0.1:6379 (it uses and
empties database 9 only). It creates a fresh database `krem_scaleout` and a private files folder, and shows:

- a login on one server is valid on the other (sessions in the database);
- two edits of one project opened on both servers: one save and one conflict message (versions in the database);
- five wrong passwords spread over both servers lock the account on both (django-axes in the database);
- a file uploaded through one server downloads, byte for byte, through the other, and is refused (404) for a
  user outside the project;
- a cached home page figure changes on both servers after an edit on one (the shared cache's invalidation);
- killing one server (SIGKILL, master and workers) in the middle of a stream of writes to both loses no
  acknowledged write, and the other server keeps answering.

It prints the numbers (requests, acknowledged writes, writes found, errors) and exits 1 if any check fails.

Beside the servers runs one Celery worker with beat (`celery -A krem worker --beat`, as `make worker` starts it),
on the same Redis as broker. The due jobs are queued through the broker and the worker records the reminder of a
follow-up action due in three days exactly once, however often the job is queued (the notice's unique key).
Not shown here: the request id carried into a task.
"""

import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.faults.run_faults import HOST, PG_SERVER, free_port  # noqa: E402
from tests.htmlforms import form_data  # noqa: E402

BIN = Path(sys.executable).parent
DATABASE = "krem_scaleout"
REDIS_URL = "redis://127.0.0.1:6379/9"
PASSWORD = secrets.token_urlsafe(16)
USERS = {
    "coordinator": "scale-koordinator",
    "member": "scale-medlem",
    "outsider": "scale-utenfor",
    "victim": "scale-laas",
}
SLUG = "skalering"
REQUEST_TIMEOUT = 10
WRITERS = 4
STREAM_SECONDS = 8
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def sql(query, params=(), dbname="postgres"):
    connection = psycopg2.connect(dbname=dbname, connect_timeout=5, **PG_SERVER)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        connection.close()


def app_environment(files):
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "KREM_TESTING", "DJANGO_SETTINGS_MODULE"}}
    environment.update(
        DATABASE_URL=f"postgres://postgres@{HOST}:5432/{DATABASE}",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        BEHIND_PROXY="1",
        REDIS_URL=REDIS_URL,
        PRIVATE_FILES_ROOT=str(files),
        LOG_LEVEL="WARNING",
    )
    return environment


def manage(environment, *args):
    subprocess.run([BIN / "python", "manage.py", *args], cwd=ROOT, env=environment, check=True, timeout=300)


SETUP = f"""
from django.contrib.auth.models import Group, Permission, User
from projects.models import Organisation, Partnership, Project
from participants.models import Participant
coordinators = Group.objects.get_or_create(name="coordinators")[0]
users = {{role: User.objects.create_user(name, password={PASSWORD!r}) for role, name in {USERS!r}.items()}}
users["coordinator"].groups.add(coordinators)
users["coordinator"].is_staff = True
users["coordinator"].save()
users["coordinator"].user_permissions.set(Permission.objects.filter(content_type__app_label="projects",
    codename__in=["add_municipality", "view_municipality", "add_district", "view_district"]))
partner, other = Organisation.objects.create(name="NAV Skalering"), Organisation.objects.create(name="Annen etat")
project = Project.objects.create(title="Skalering", slug={SLUG!r}, status="planned")
Partnership.objects.create(project=project, organisation=partner)
Partnership.objects.create(project=Project.objects.create(title="Annet", slug="annet"), organisation=other)
Participant.objects.create(user=users["member"], display_name="Medlem", organisation=partner)
Participant.objects.create(user=users["outsider"], display_name="Utenfor", organisation=other)
import datetime
from django.utils import timezone
from dialogues.models import Dialogue, FollowUpAction
held = timezone.now() - datetime.timedelta(days=1)
gathering = Dialogue.objects.create(project=project, title="Holdt", starts_at=held,
    ends_at=held + datetime.timedelta(hours=2), status="held")
FollowUpAction.objects.create(dialogue=gathering, what="Følge opp", responsible_organisation=partner,
    due_date=timezone.localdate() + datetime.timedelta(days=3))
"""


class Client:
    """Plays a browser behind the TLS proxy; the cookie jar may be shared by clients of both servers."""

    def __init__(self, port, cookies=None):
        self.port = port
        self.cookies = {} if cookies is None else cookies
        self.requests = 0

    def request(self, method, path, form=None, files=None, keep_cookies=True):
        origin = f"https://{HOST}:{self.port}"
        headers = {"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + path, "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if files:
            boundary = uuid.uuid4().hex
            parts = []
            for name, value in (form or {}).items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                )
            for name, (filename, content) in files.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    "Content-Type: application/octet-stream\r\n\r\n".encode()
                    + content
                    + b"\r\n"
                )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        self.requests += 1
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        if keep_cookies:
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
        return response.status, response.headers, content


def text(content):
    return content.decode("utf-8", "replace")


def csrf(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(html)).group(1)


def log_in(client, role, password=PASSWORD):
    _, _, html = client.request("GET", "/logg-inn/")
    form = {"username": USERS[role], "password": password, "csrfmiddlewaretoken": csrf(html)}
    status, headers, _ = client.request("POST", "/logg-inn/", form)
    return status == 302 and headers.get("Location") == "/"


def home_figure(client):
    """The home page's four figures: projects, active projects, dialogues held, municipalities."""
    _, _, html = client.request("GET", "/")
    numbers = re.findall(r'<span class="stat__number">(\d+)</span>', text(html))
    return [int(n) for n in numbers]


def start_server(port, environment, log):
    return subprocess.Popen(
        [BIN / "gunicorn", "krem.wsgi", "--bind", f"{HOST}:{port}", "--workers", "2"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killing it kills its workers, nothing else
    )


def wait_healthy(port):
    for _ in range(300):
        try:
            if Client(port).request("GET", "/readyz", keep_cookies=False)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server on {port} was not ready within 30 seconds")


def exercise(ports, servers):
    a_port, b_port = ports
    numbers = {"requests": 0, "acknowledged": 0, "found": 0, "errors": 0, "dropped": 0}
    failures = []
    cookies = {}
    a, b = Client(a_port, cookies), Client(b_port, cookies)

    # 1. A login on A is valid on B.
    if not log_in(a, "coordinator"):
        failures.append("the coordinator could not log in on A")
    status, headers, _ = b.request("GET", "/prosjekter/")
    if status != 200:
        failures.append(f"the session from A was not valid on B ({status} {headers.get('Location')})")

    # 2. The home page figures (cached) on both, before the edit.
    before_a, before_b = home_figure(a), home_figure(b)

    # 3. Two edits of one project, opened on A and on B: one save, one conflict.
    edit = f"/prosjekter/{SLUG}/endre/"
    status_a, _, page_a = a.request("GET", edit)
    status_b, _, page_b = b.request("GET", edit)
    if (status_a, status_b) != (200, 200):
        failures.append(f"the edit form answered {status_a} on A and {status_b} on B")
        return numbers, failures
    form_a, form_b = form_data(text(page_a), "title"), form_data(text(page_b), "title")
    form_a.update(status="active", csrfmiddlewaretoken=csrf(page_a))
    form_b.update(summary="Endret på B", csrfmiddlewaretoken=csrf(page_b))
    saved_a = a.request("POST", edit, form_a)
    saved_b = b.request("POST", edit, form_b)
    conflict = saved_b[0] == 200 and 'id="conflict"' in text(saved_b[2])  # templates/versioning/conflict.html
    if saved_a[0] != 302 or not conflict:
        failures.append(f"edits on A and B: expected one save and one conflict, got {saved_a[0]} and {saved_b[0]}")
    numbers["edit_saves"], numbers["edit_conflicts"] = int(saved_a[0] == 302), int(conflict)

    # 4. The cached figure changed on both servers.
    after_a, after_b = home_figure(a), home_figure(b)
    if not (after_a == after_b and after_a != before_a and before_a == before_b):
        failures.append(f"home figures: before {before_a}/{before_b}, after {after_a}/{after_b}")
    numbers["active_projects_before"], numbers["active_projects_after"] = before_a[1], after_b[1]

    # 5. Five wrong passwords over both servers lock the account on both.
    for i in range(5):
        log_in((Client(a_port), Client(b_port))[i % 2], "victim", password="feil-passord")
    locked = [not log_in(Client(port), "victim") for port in ports]
    if not all(locked):
        failures.append(f"after five wrong passwords over both servers the right one still worked: {locked}")
    numbers["locked_on_both"] = int(all(locked))

    # 6. A file uploaded through A downloads through B; an outsider gets 404.
    upload = f"/prosjekter/{SLUG}/filer/ny/"
    _, _, page = a.request("GET", upload)
    status, _, _ = a.request(
        "POST", upload, {"csrfmiddlewaretoken": csrf(page), "title": "Rapport"}, files={"file": ("rapport.pdf", PDF)}
    )
    _, _, project_page = b.request("GET", f"/prosjekter/{SLUG}/")
    links = re.findall(rf"/prosjekter/{SLUG}/filer/(\d+)/", text(project_page))
    downloaded = b.request("GET", f"/prosjekter/{SLUG}/filer/{links[0]}/")[2] if links else b""
    if status != 302 or downloaded != PDF:
        failures.append(f"upload on A ({status}) then download on B: {len(downloaded)} of {len(PDF)} bytes")
    outsider = Client(b_port)
    log_in(outsider, "outsider")
    refused = outsider.request("GET", f"/prosjekter/{SLUG}/filer/{links[0] if links else 0}/")[0]
    if refused != 404:
        failures.append(f"the outsider's download answered {refused}, not 404")
    numbers["file_bytes_matched"] = int(downloaded == PDF)

    # 7. A stream of writes to both servers; A is killed in the middle.
    _, _, add_page = a.request("GET", "/admin/projects/municipality/add/")
    token = csrf(add_page)
    results, lock, stop = [], threading.Lock(), threading.Event()
    counter = iter(range(1, 100_000))

    def write():
        while not stop.is_set():
            with lock:
                index = next(counter)
            client = Client(ports[index % 2], dict(cookies))
            name = f"Skalering {index:05d}"
            form = {
                "csrfmiddlewaretoken": token,
                "name": name,
                "number": f"{index:04d}",
                "county": "Skalering",
                "districts-TOTAL_FORMS": "0",
                "districts-INITIAL_FORMS": "0",
                "districts-MIN_NUM_FORMS": "0",
                "districts-MAX_NUM_FORMS": "1000",
                "_save": "Save",
            }
            try:
                status, headers, _ = client.request(
                    "POST", "/admin/projects/municipality/add/", form, keep_cookies=False
                )
                outcome = "acknowledged" if status == 302 and headers["Location"].endswith("/municipality/") else status
            except (OSError, http.client.HTTPException):
                outcome = "dropped"
            with lock:
                results.append((name, outcome, index % 2))

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    time.sleep(STREAM_SECONDS / 2)
    os.killpg(servers[0].pid, signal.SIGKILL)
    killed_at = len(results)
    time.sleep(STREAM_SECONDS / 2)
    stop.set()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT + 5)

    stored = {
        name for (name,) in sql("SELECT name FROM projects_municipality WHERE county = 'Skalering'", dbname=DATABASE)
    }
    acknowledged = {name for name, outcome, _ in results if outcome == "acknowledged"}
    lost = acknowledged - stored
    after_kill_on_b = [o for n, o, server in results[killed_at:] if server == 1]
    # "found" may exceed "acknowledged" by the writes in flight when A died: committed, but never answered.
    numbers.update(
        requests=a.requests + b.requests + len(results) + 12,
        writes_sent=len(results),
        acknowledged=len(acknowledged),
        found=len(stored & {name for name, _, _ in results}),
        dropped=sum(outcome == "dropped" for _, outcome, _ in results),
        errors=sum(outcome not in ("acknowledged", "dropped") for _, outcome, _ in results),
        acknowledged_by_b_after_kill=sum(o == "acknowledged" for o in after_kill_on_b),
    )
    if lost:
        failures.append(f"{len(lost)} acknowledged writes are not in the database: {sorted(lost)[:5]}")
    if stored - {name for name, _, _ in results}:
        failures.append("rows appeared that were never sent")
    if numbers["errors"]:
        failures.append(f"{numbers['errors']} writes answered neither success nor a dropped connection")
    if not numbers["acknowledged_by_b_after_kill"]:
        failures.append("B acknowledged no write after A was killed")
    return numbers, failures


def start_worker(environment, log):
    return subprocess.Popen(
        [
            BIN / "celery",
            "-A",
            "krem",
            "worker",
            "--beat",
            "--concurrency",
            "2",
            "--loglevel",
            "WARNING",
            "--schedule",
            str(Path(tempfile.mkdtemp(prefix="krem-beat-")) / "schedule"),
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def worker_runs_the_due_jobs(environment, numbers, failures):
    """Queue the due jobs three times through the broker; the worker records the action's reminder once."""
    for _ in range(3):
        subprocess.run(
            [BIN / "celery", "-A", "krem", "call", "notices.tasks.run_due_jobs"],
            cwd=ROOT,
            env=environment,
            check=True,
            capture_output=True,
            timeout=60,
        )
    count = 0
    for _ in range(120):
        count = sql("SELECT count(*) FROM notices_notice WHERE kind = 'action_due'", dbname=DATABASE)[0][0]
        if count:
            break
        time.sleep(0.5)
    time.sleep(3)  # the other two runs land too
    count = sql("SELECT count(*) FROM notices_notice WHERE kind = 'action_due'", dbname=DATABASE)[0][0]
    numbers["worker_action_due_notices"] = count
    if count != 1:
        failures.append(f"the worker recorded {count} reminders of the action due in three days (expected 1)")


def main():
    import redis

    sql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    sql(f'CREATE DATABASE "{DATABASE}"')
    redis.Redis.from_url(REDIS_URL).flushdb()
    files = Path(tempfile.mkdtemp(prefix="krem-scaleout-files-"))
    environment = app_environment(files)
    manage(environment, "migrate", "--noinput", "-v", "0")
    manage(environment, "collectstatic", "--noinput", "-v", "0")
    manage(environment, "shell", "--no-imports", "-c", SETUP)
    ports = (free_port(), free_port())
    with tempfile.NamedTemporaryFile("w", prefix="krem-scaleout-", suffix=".log", delete=False) as log:
        servers = [start_server(port, environment, log) for port in ports]
        worker = start_worker(environment, log)
        try:
            for port in ports:
                wait_healthy(port)
            numbers, failures = exercise(ports, servers)
            worker_runs_the_due_jobs(environment, numbers, failures)
        finally:
            for server in [*servers, worker]:
                if server.poll() is None:
                    os.killpg(server.pid, signal.SIGTERM)
                    server.wait(30)
    for key, value in numbers.items():
        print(f"{key:>30}: {value}")
    if failures:
        print("FAILED:", *failures, f"gunicorn log: {log.name}", sep="\n  ")
        sys.exit(1)
    os.unlink(log.name)
    shutil.rmtree(files)
    sql(f'DROP DATABASE "{DATABASE}" WITH (FORCE)')
    print("All scale-out checks passed.")


if __name__ == "__main__":
    main()
