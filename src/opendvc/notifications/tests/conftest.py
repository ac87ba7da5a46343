"""A local SMS gateway (http.server) and a local SMTP server, each in a thread on a free loopback port,
and a stand-in for a Celery worker.

Both servers answer from a script of responses (then success), and record what they received.
"""

import json
import socketserver
import threading
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from celery.exceptions import Retry

from opendvc.notifications.tasks import deliver_message

HANG = "hang"  # the gateway reads the request and answers nothing until the test ends
POLL_INTERVAL = 0.02  # how soon a server thread notices shutdown()


class FakeSmsGateway:
    def __init__(self):
        self.requests: list[dict] = []
        self.responses: deque = deque()
        self.released = threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.requests.append({"path": self.path, "headers": dict(self.headers), "json": body})
                action = gateway.responses.popleft() if gateway.responses else (200, {"id": "default-id"})
                if action == HANG:
                    gateway.released.wait(timeout=30)
                    return
                status, payload = action
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(POLL_INTERVAL,), daemon=True)

    def respond(self, *responses):
        """Queue responses: (status, json body) pairs or HANG, used in order before the default 200."""
        self.responses.extend(responses)


@pytest.fixture
def sms_gateway(settings):
    gateway = FakeSmsGateway()
    gateway.thread.start()
    settings.SMS_BACKEND = "opendvc.notifications.backends.HttpSmsGatewayBackend"
    settings.SMS_GATEWAY_URL = gateway.url
    settings.SMS_GATEWAY_API_KEY = "test-gateway-key"
    settings.SMS_GATEWAY_TIMEOUT = 0.3
    settings.SMS_SENDER_NAME = "DVCQG"
    yield gateway
    gateway.released.set()
    gateway.server.shutdown()
    gateway.server.server_close()


class FakeSmtpServer:
    """Enough of RFC 5321 for smtplib: EHLO, MAIL, RCPT (scripted replies), DATA, RSET, NOOP, QUIT."""

    def __init__(self):
        self.received: list[dict] = []
        self.rcpt_replies: deque = deque()
        smtp = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str):
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                self.reply("220 fake.smtp ESMTP")
                envelope = {"to": []}
                while line := self.rfile.readline():
                    verb = line[:4].decode().upper()
                    if verb in {"EHLO", "HELO"}:
                        self.reply("250 fake.smtp")
                    elif verb == "MAIL":
                        envelope = {"from": line.decode().strip(), "to": []}
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        answer = smtp.rcpt_replies.popleft() if smtp.rcpt_replies else "250 OK"
                        if answer.startswith("2"):
                            envelope["to"].append(line.decode().strip())
                        self.reply(answer)
                    elif verb == "DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        data = []
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data.append(chunk)
                        smtp.received.append({**envelope, "data": b"".join(data).decode()})
                        self.reply("250 OK queued")
                    elif verb in {"RSET", "NOOP"}:
                        self.reply("250 OK")
                    elif verb == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("502 Command not implemented")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(POLL_INTERVAL,), daemon=True)


@pytest.fixture
def smtp_server(settings):
    smtp = FakeSmtpServer()
    smtp.thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield smtp
    smtp.server.shutdown()
    smtp.server.server_close()


@pytest.fixture
def outbox_email(settings):
    """The embedded default e-mail backend (the test runner otherwise puts Django's locmem backend in)."""
    settings.EMAIL_BACKEND = "opendvc.notifications.backends.OutboxEmailBackend"


class CeleryWorker:
    """Runs `deliver_message` as a Celery worker does: not eagerly (`request.is_eager` false), with the
    request's retry count. The retry a run asks for goes through Celery's own `Task.retry`; only the broker
    is left out: the retry's message is kept in `scheduled`, and `deliver` runs it as the worker that
    receives it would (without waiting for its countdown)."""

    def __init__(self):
        self.task = deliver_message._get_current_object()
        self.scheduled: list[dict] = []
        self.countdowns: list[float] = []

    def apply_async(self, args=None, kwargs=None, **options):  # what the broker would be handed
        self.scheduled.append({"args": tuple(args or ()), "kwargs": dict(kwargs or {}), **options})

    def run(self, message_id: int, *, retries: int = 0) -> bool:
        """One run of the task; True when it asked for a retry."""
        self.task.push_request(
            id=uuid.uuid4().hex,
            args=[message_id],
            kwargs={},
            retries=retries,
            is_eager=False,
            called_directly=False,
            delivery_info={"is_eager": False},
        )
        try:
            self.task.run(message_id)
        except Retry:
            return True
        finally:
            self.task.pop_request()
        return False

    def deliver(self, message_id: int) -> None:
        """The first run, then every retry it schedules, until one does not ask for another."""
        retries = 0
        while self.run(message_id, retries=retries):
            retry = self.scheduled.pop()
            assert retry["args"] == (message_id,) and not self.scheduled
            self.countdowns.append(retry["countdown"])
            retries = retry["retries"]


@pytest.fixture
def worker(monkeypatch):
    worker = CeleryWorker()
    monkeypatch.setattr(
        type(worker.task), "apply_async", lambda task, *args, **kwargs: worker.apply_async(*args, **kwargs)
    )
    return worker
