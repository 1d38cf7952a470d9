"""Fixtures the whole suite shares: an organisation with people, API clients, the task queue."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import User
from django.test import Client
from huey.contrib.djhuey import HUEY

from ownup.organisation.models import Role, Team
from ownup.organisation.services import create_user, issue_token, join_team

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need_service(reason: str) -> None:
    """Skip when a service this test needs is absent here, but fail in CI, where it must be."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)


@pytest.fixture
def billing(db: Any) -> Team:
    return Team.objects.create(name="Billing", slug="billing", email="billing@example.com")


@pytest.fixture
def platform(db: Any) -> Team:
    return Team.objects.create(name="Platform", slug="platform")


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(
        username: str, *, team: Team | None = None, role: Role = Role.REPORTER, admin: bool = False
    ) -> User:
        user = create_user(
            username, email=f"{username}@example.com", password=f"pw-{username}-secret", admin=admin
        )
        if team is not None:
            join_team(user, team, role)
        return user

    return make


@pytest.fixture
def reporter(make_user: Callable[..., User], billing: Team) -> User:
    return make_user("cy", team=billing, role=Role.REPORTER)


@pytest.fixture
def responder(make_user: Callable[..., User], billing: Team) -> User:
    return make_user("bo", team=billing, role=Role.RESPONDER)


@pytest.fixture
def manager(make_user: Callable[..., User], billing: Team) -> User:
    return make_user("ada", team=billing, role=Role.MANAGER)


@pytest.fixture
def outsider(make_user: Callable[..., User], platform: Team) -> User:
    return make_user("eli", team=platform, role=Role.RESPONDER)


@pytest.fixture
def admin_user(make_user: Callable[..., User]) -> User:
    return make_user("root", admin=True)


class ApiClient:
    """A test client that speaks JSON with a real API token."""

    def __init__(self, user: User) -> None:
        _, self.token = issue_token(user, "tests")
        self.client = Client(headers={"Authorization": f"Bearer {self.token}"})

    def request(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        call = getattr(self.client, method.lower())
        if body is not None and method.upper() != "GET":
            import json

            kwargs.setdefault("content_type", "application/json")
            return call(
                path, data=body if isinstance(body, str | bytes) else json.dumps(body), **kwargs
            )
        return call(path, data=body, **kwargs)

    def get(self, path: str, params: Any = None) -> Any:
        return self.request("GET", path, params)

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, body if body is not None else {})

    def patch(self, path: str, body: Any) -> Any:
        return self.request("PATCH", path, body)

    def delete(self, path: str) -> Any:
        return self.client.delete(path)


@pytest.fixture
def api_as() -> Callable[[User], ApiClient]:
    return ApiClient


@pytest.fixture
def run_tasks(transactional_db: Any) -> Iterator[Callable[[], list[Any]]]:
    """Runs what is waiting in the task queue, as the worker would, and returns the results.

    The test's writes are committed, as they are when a worker runs: a worker sees only
    committed data, and closes its database connection after each task.
    """
    HUEY.flush()

    def run() -> list[Any]:
        results = []
        while (task := HUEY.dequeue()) is not None:
            results.append(HUEY.execute(task))
        return results

    yield run
    HUEY.flush()


@pytest.fixture
def pending_tasks() -> Callable[[], int]:
    return lambda: HUEY.pending_count()


# ---------------------------------------------------------------- real services started by tests


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: EmailMessage


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MailServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[ReceivedMail] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[MailServer]:
    """A real SMTP server; the default mailer sends to it for the length of the test."""
    server = MailServer()
    server.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
        }
    }
    yield server
    server.stop()


class RecordingHandler(BaseHTTPRequestHandler):
    """Answers with the server's current status and body, and records every request."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        server: HttpTestServer = self.server  # type: ignore[assignment]
        server.requests.append(
            RecordedRequest(self.command, self.path, dict(self.headers.items()), body)
        )
        status, payload, content_type = server.response
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_HEAD = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class HttpTestServer(ThreadingHTTPServer):
    """A real HTTP server on 127.0.0.1; ``respond`` switches it between healthy and broken."""

    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 drops connections from busy workers

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RecordingHandler)
        self.requests: list[RecordedRequest] = []
        self.response: tuple[int, bytes, str] = (200, b'{"ok": true}', "application/json")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def respond(self, status: int, body: str = "", content_type: str = "text/plain") -> None:
        self.response = (status, body.encode(), content_type)


@pytest.fixture
def http_server() -> Iterator[HttpTestServer]:
    server = HttpTestServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def redis_url() -> str:
    """The real Redis for queue tests: OWNUP_TEST_REDIS_URL, or the local one when it answers."""
    import redis

    url = os.environ.get("OWNUP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        need_service(f"Redis at {url} does not answer: {error}")
    return url


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright: never a downloaded browser."""
    if not os.path.exists(CHROMIUM):
        need_service(f"Debian's Chromium is not at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser page; ``login(page, user)`` logs it in through the login form."""
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def login(page: Any, user: Any, password: str | None = None) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(password or f"pw-{user.get_username()}-secret")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/mistakes/")
