"""Measure (issue 14): the demo data, time moved a month forward day by day with `run_due_jobs --now`, twice a day at
the same moment, against a real SMTP server. Prints the notices per kind and state, and duplicates.

    .venv/bin/python tests/notices/measure_month.py [days] [--contactable]

--contactable first gives the demo's accounts an address and its people with an account a consent to contact.

Uses its own SQLite file in /tmp; not part of the test suite.
"""

import datetime
import email
import os
import socket
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]


class Box:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def main(days=31, contactable=False):
    box = Box()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    db = Path(tempfile.gettempdir()) / "krem-notices-month.sqlite3"
    db.unlink(missing_ok=True)
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{db}", "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    env.pop("CELERY_BROKER_URL", None)
    env.pop("REDIS_URL", None)

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        ).stdout

    manage("migrate", "--noinput", "-v0")
    manage("load_demo")
    if contactable:
        # The demo's accounts get an address, and its people with an account a consent to contact.
        manage(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model\n"
            "from participants.models import Consent, Participant\n"
            "for u in get_user_model().objects.filter(email=''): u.email = u.username.split('@')[0] + '@example.org'; u.save()\n"
            "for p in Participant.objects.filter(user__isnull=False): Consent.objects.get_or_create(participant=p, purpose='contact', withdrawn_at=None)\n",
        )
    loop = (
        "import datetime, io\n"
        "from django.core.management import call_command\n"
        f"start = datetime.date.fromisoformat('{datetime.date.today()}')\n"
        "again_sent = 0\n"
        f"for day in range({days + 1}):\n"
        "    moment = f'{start + datetime.timedelta(days=day)}T08:00'\n"
        "    first, again = io.StringIO(), io.StringIO()\n"
        "    call_command('run_due_jobs', '--now', moment, stdout=first)\n"
        "    call_command('run_due_jobs', '--now', moment, stdout=again)\n"
        "    again_sent += int(again.getvalue().split('sent ')[-1].split(',')[0])\n"
        "    if 'recorded' in first.getvalue(): print(first.getvalue().strip())\n"
        "print('sent by the second run at the same moment:', again_sent)\n"
    )
    print(manage("shell", "-c", loop).strip())
    controller.stop()
    kinds = Counter(m["X-KREM-Kind"] for m in box.messages)
    per_notice = Counter(m["X-KREM-Notice"] for m in box.messages)
    print(f"emails per kind: {dict(kinds)}")
    print(
        f"emails {len(box.messages)}, notices emailed {len(per_notice)}, duplicates {sum(n - 1 for n in per_notice.values())}"
    )
    rows = manage(
        "shell",
        "-c",
        "from collections import Counter; from notices.models import Notice; "
        "print(sorted(Counter(Notice.objects.values_list('kind', 'state')).items()))",
    )
    print(f"notices recorded (kind, state): {rows.strip()}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(*(int(a) for a in args), contactable="--contactable" in sys.argv)
