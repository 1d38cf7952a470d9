"""The ownup command as a whole process, as a script runs it."""

import json
import os
import socket
import subprocess
import sys

from ownup.taskqueue import SqliteQueue


def run_ownup(data_dir, *args):
    env = {**os.environ, "OWNUP_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "ownup", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_database_not_yet_migrated_gets_one_line_that_says_what_to_do(tmp_path):
    result = run_ownup(tmp_path, "list")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "run 'ownup migrate'" in lines[0]


def test_migrate_then_report_and_read_it_back(tmp_path):
    assert run_ownup(tmp_path, "migrate").returncode == 0
    assert run_ownup(tmp_path, "user", "create", "ada", "--admin").returncode == 0
    reported = run_ownup(tmp_path, "report", "Sent the invoices twice")
    assert reported.returncode == 0, reported.stderr
    assert "Reported #1" in reported.stdout
    listed = run_ownup(tmp_path, "list", "--json")
    assert '"title": "Sent the invoices twice"' in listed.stdout


def test_serving_on_a_port_in_use_is_refused_in_one_line_before_it_says_it_serves(tmp_path):
    assert run_ownup(tmp_path, "migrate").returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_ownup(tmp_path, "serve", "--port", str(port), "--no-worker")
    assert result.returncode == 1
    assert "serving" not in result.stdout
    assert (
        result.stderr.strip() == f"error: cannot serve at 127.0.0.1:{port}: Address already in use"
    )


def test_an_incomplete_chat_address_is_refused_in_one_line_without_apprises_log(tmp_path):
    assert run_ownup(tmp_path, "migrate").returncode == 0
    assert run_ownup(tmp_path, "team", "create", "Ops").returncode == 0
    result = run_ownup(tmp_path, "team", "chat", "ops", "slack://x")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: --chat: slack://… is not a complete slack address for Apprise."
    )


# What reporting a mistake never uses, and what loading it cost every start of the command:
# the clients of Huey's queues on Redis and PostgreSQL, pydantic (the API's; Typer 0.29 checked
# options with it), the API, the pages, the other apps' commands and services, and the libraries
# only an import, an export or a check needs.
NOT_NEEDED_TO_REPORT = [
    "redis",
    "psycopg",
    "pydantic",
    "ninja",
    "ownup.api",
    "ownup.pages_urls",
    "ownup.containment.views",
    "ownup.understanding.views",
    "ownup.communication.sections",
    "ownup.insights.cli",
    "ownup.communication.cli",
    "ownup.postmortem",
    "ownup.monitoring.services",
    "ownup.understanding.services",
    "ownup.containment.services",
    "yaml",
    "croniter",
    "jsonpath_ng",
    "weasyprint",
    "apprise",
    "markdown",
    "rich.progress",
]

# The command as its entry point runs it, then the names of the modules it loaded, on stderr.
RUN_AND_LIST_MODULES = """
import json, sys
from ownup.cli import main
try:
    main()
finally:
    print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_a_report_is_written_and_queued_without_loading_what_it_does_not_use(tmp_path):
    assert run_ownup(tmp_path, "migrate").returncode == 0
    assert run_ownup(tmp_path, "user", "create", "ada", "--admin").returncode == 0
    env = {**os.environ, "OWNUP_DATA_DIR": str(tmp_path)}
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL"):
        env.pop(name, None)
    reported = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_MODULES, "report", "Sent the invoices twice"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert reported.returncode == 0, reported.stderr
    assert reported.stdout.startswith("Reported #1: Sent the invoices twice\n")
    loaded = set(json.loads(reported.stderr.strip().splitlines()[-1]))
    assert "ownup.reporting.tasks" in loaded  # the notification was queued through Huey
    assert not [
        name
        for name in NOT_NEEDED_TO_REPORT
        if name in loaded or any(module.startswith(name + ".") for module in loaded)
    ]
    queue = SqliteQueue("ownup", filename=str(tmp_path / "queue.sqlite3"))
    queued = [queue.serializer.deserialize(item) for item in queue.storage.enqueued_items()]
    assert [(task.name, task.args) for task in queued] == [
        ("ownup.reporting.tasks.notify_reported", (1,))
    ]


def test_the_links_ownup_writes_name_the_port_it_serves_at(tmp_path):
    import time
    import urllib.error
    import urllib.request

    assert run_ownup(tmp_path, "migrate").returncode == 0
    assert run_ownup(tmp_path, "user", "create", "ada", "--admin").returncode == 0
    token = run_ownup(tmp_path, "token", "create", "ada").stdout.split()[0]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "OWNUP_DATA_DIR": str(tmp_path)}
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "OWNUP_BASE_URL"):
        env.pop(name, None)
    server = subprocess.Popen(
        [sys.executable, "-m", "ownup", "serve", "--port", str(port), "--no-worker"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/mistakes",
            data=json.dumps({"title": "Sent the invoices twice"}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    record = json.load(answer)
                break
            except urllib.error.HTTPError:
                raise
            except OSError:  # not listening yet
                assert server.poll() is None
                assert time.monotonic() < deadline
                time.sleep(0.2)  # waiting for a process to start, not for a time rule
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)
    assert record["url"] == f"http://127.0.0.1:{port}/mistakes/{record['id']}/"
