"""The ownup command as a whole process, as a script runs it."""

import os
import subprocess
import sys


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
