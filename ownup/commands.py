"""Commands that run the instance itself: migrate, demo, serve, worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import typer
from django.conf import settings
from django.core.management import call_command

from ownup.cli import app, console, fail, markup

RUNNING = "Running ownup"


@app.command(rich_help_panel=RUNNING)
def migrate() -> None:
    """Create or update the database tables."""
    call_command("migrate", interactive=False, verbosity=0)
    console.print(f"Database ready: {settings.DATABASES['default']['NAME']}")


def _ensure_migrated() -> None:
    """Refuse to run on a database older than the code: every page would fail instead."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    waiting = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if waiting:
        fail(
            f"the database is older than this ownup ({len(waiting)} change"
            f"{'s' if len(waiting) > 1 else ''} to make): run 'ownup migrate' first"
        )


@app.command(rich_help_panel=RUNNING)
def demo() -> None:
    """Load a demo organisation with people, teams and mistakes (once; later runs keep it)."""
    from ownup.demo import load_demo

    created = load_demo()
    if created:
        console.print("Demo organisation loaded.")
    console.print(
        markup(
            "Log in at {} as [bold]ada[/] with password [bold]ownup-demo[/] "
            "(an admin; bo, cy, dee and eli have the same password).",
            settings.BASE_URL,
        )
    )


@app.command(rich_help_panel=RUNNING)
def worker(
    workers: int = typer.Option(2, min=1, max=64, help="Threads running tasks."),
) -> None:
    """Run the task worker: notifications, reminders, scheduled checks."""
    _ensure_migrated()
    call_command("run_huey", workers=workers, worker_type="thread", verbose=False)


@app.command(rich_help_panel=RUNNING)
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    processes: int = typer.Option(2, min=1, max=64, help="Web server processes."),
    threads: int = typer.Option(8, min=1, max=256, help="Threads per web process."),
    with_worker: bool = typer.Option(True, "--with-worker/--no-worker", help="Also run a worker."),
) -> None:
    """Serve the web app and API (and, by default, a task worker beside it)."""
    _ensure_migrated()
    _ensure_free(host, port)
    call_command("collectstatic", interactive=False, verbosity=0)
    children: list[subprocess.Popen[bytes]] = []
    env = _with_base_url(host, port)
    if with_worker:
        children.append(subprocess.Popen([sys.executable, "-m", "ownup", "worker"], env=env))
    console.print(markup("ownup is serving at [bold]http://{}:{}[/] (Ctrl-C stops it)", host, port))
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ownup.wsgi",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(processes),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--access-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    children.append(web)

    def stop(*_: object) -> None:
        for child in children:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    stopped_by_hand = False
    try:
        web.wait()
    except KeyboardInterrupt:
        stopped_by_hand = True
    finally:
        stop()
        for child in children:
            child.wait(timeout=15)
    if web.returncode and not stopped_by_hand and web.returncode != -signal.SIGTERM:
        fail(f"the web server stopped (exit code {web.returncode}); its log above says why")


def _with_base_url(host: str, port: int) -> dict[str, str]:
    """The environment of the web server and the worker: unless ``OWNUP_BASE_URL`` says where
    ownup is reached, the links it writes (in the API, emails and Slack) name the address it
    serves at, not the default port."""
    env = dict(os.environ)
    if "OWNUP_BASE_URL" not in env and host not in ("0.0.0.0", "::", ""):
        env["OWNUP_BASE_URL"] = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    return env


def _ensure_free(host: str, port: int) -> None:
    """Refuse before saying it serves: gunicorn would only log that it cannot, for seconds."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        fail(f"--host: cannot listen on {host!r}: {error.strerror or error}")
    family, kind, proto, _, address = found[0]
    with socket.socket(family, kind, proto) as probe:
        # As gunicorn binds: a port a closed connection still holds is free to it.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            fail(f"cannot serve at {host}:{port}: {error.strerror or error}")
