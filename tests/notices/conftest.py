"""A real SMTP server in the test process (aiosmtpd on a free port on 127.0.0.1), and the moments tests run at."""

import asyncio
import datetime
import email
import email.header
import socket
import threading
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

# A Monday at 08:00 in Oslo: the weekly summary and digest are due on Mondays.
MONDAY = timezone.make_aware(datetime.datetime(2027, 1, 11, 8, 0))


def at(days, hour=8):
    """MONDAY moved by `days` days, at `hour` o'clock."""
    return MONDAY.replace(hour=hour) + datetime.timedelta(days=days)


class Mailbox:
    """What the SMTP server received. `down` refuses every message (as a server that answers 451)."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.delay = 0.0

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def clear(self):
        with self.lock:
            self.messages.clear()

    def notice_ids(self):
        with self.lock:
            return Counter(m["X-KREM-Notice"] for m in self.messages)

    def to(self, address):
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def subjects(self):
        with self.lock:
            return [str(email.header.make_header(email.header.decode_header(m["Subject"]))) for m in self.messages]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPServer:
    def __init__(self):
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = None

    def start(self):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.KREM_NOTICE_RETRY_BASE_SECONDS = 0
    yield server
    server.stop()


def body(message):
    """The text of an email, decoded (the body part of one with an attachment)."""
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


def subject(message):
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))
