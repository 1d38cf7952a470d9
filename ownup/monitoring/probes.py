"""What each automated kind of check does when it runs, and how its settings are validated.

A probe never raises: whatever goes wrong (an unreachable URL, a command that hangs, a database
that refuses) becomes a failed result with a detail that says what happened, so a worker keeps
running.
"""

from __future__ import annotations

import json
import math
import operator
import os
import re
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import sqlparse
from sqlparse import tokens as sql_tokens

HTTP_TIMEOUT_DEFAULT = 5.0
HTTP_TIMEOUT_MAX = 30.0
HTTP_BODY_CAP = 1_000_000
COMMAND_TIMEOUT_DEFAULT = 30.0
COMMAND_TIMEOUT_MAX = 300.0
COMMAND_OUTPUT_CAP = 64_000
SQL_TIMEOUT_SECONDS = 10
DETAIL_CAP = 2_000

Errors = dict[str, list[str]]


@dataclass(frozen=True)
class Result:
    passed: bool
    detail: str


def _cap(text: str, limit: int = DETAIL_CAP) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------- HTTP probe


def _clean_address(config: Mapping[str, Any], errors: Errors) -> tuple[str, float | None]:
    """The URL a check asks and its timeout, each refused in ``errors`` when wrong."""
    url = str(config.get("url") or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        errors.setdefault("url", []).append("Give a full http:// or https:// address.")
    timeout = _number(config.get("timeout", HTTP_TIMEOUT_DEFAULT), "timeout", errors)
    if timeout is not None and not 0 < timeout <= HTTP_TIMEOUT_MAX:
        errors.setdefault("timeout", []).append(
            f"A timeout is more than 0 and at most {HTTP_TIMEOUT_MAX:g} seconds."
        )
    return url, timeout


def _clean_json_path(config: Mapping[str, Any], errors: Errors) -> str:
    json_path = str(config.get("json_path") or "").strip()
    if json_path:
        try:
            parse_json_path(json_path)
        except Exception as problem:  # the parser's own errors, and any other it lets through
            errors.setdefault("json_path", []).append(f"Not a JSONPath expression: {problem}")
    return json_path


def clean_http(config: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    url, timeout = _clean_address(config, errors)
    status = _int(config.get("expected_status", 200), "expected_status", errors)
    if status is not None and not 100 <= status <= 599:
        errors.setdefault("expected_status", []).append("An HTTP status is between 100 and 599.")
    json_path = _clean_json_path(config, errors)
    cleaned: dict[str, Any] = {
        "url": url,
        "expected_status": status,
        "timeout": timeout,
        "expect_text": str(config.get("expect_text") or ""),
        "json_path": json_path,
    }
    if json_path:
        cleaned["json_value"] = config.get("json_value")
    return cleaned


_opener: urllib.request.OpenerDirector | None = None
_opener_made = threading.Lock()


def _http_opener() -> urllib.request.OpenerDirector:
    """urlopen's opener, made once: urlopen makes it on first use without a lock, so a worker's
    first batch made one per probe thread, each loading the system's CA certificates (seconds of
    CPU for 64 threads)."""
    global _opener
    with _opener_made:
        if _opener is None:
            _opener = urllib.request.build_opener()
        return _opener


def _fetch(config: Mapping[str, Any]) -> tuple[int, bytes] | Result:
    """The status and body of a GET of the check's URL, or the failed result saying why not."""
    request = urllib.request.Request(config["url"], headers={"User-Agent": "ownup-check/1"})
    try:
        with _http_opener().open(request, timeout=config["timeout"]) as response:
            return response.status, response.read(HTTP_BODY_CAP)
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read(HTTP_BODY_CAP) if answer.fp else b""
    except (urllib.error.URLError, OSError, ValueError) as problem:
        reason = getattr(problem, "reason", problem)
        return Result(False, f"{config['url']} did not answer: {reason}")


def run_http(config: Mapping[str, Any]) -> Result:
    fetched = _fetch(config)
    if isinstance(fetched, Result):
        return fetched
    status, body = fetched
    if status != config["expected_status"]:
        snippet = body[:200].decode(errors="replace").strip()
        return Result(
            False,
            f"HTTP {status}, expected {config['expected_status']}"
            + (f": {snippet}" if snippet else ""),
        )
    text = body.decode(errors="replace")
    if config.get("expect_text") and config["expect_text"] not in text:
        return Result(
            False, f"HTTP {status}, but the page does not contain {config['expect_text']!r}"
        )
    if config.get("json_path"):
        return _json_expectation(config, text, status)
    return Result(True, f"HTTP {status}")


def parse_json_path(expression: str) -> Any:
    # Imported here: only HTTP checks that read JSON need it, and every start of ownup loads this.
    from jsonpath_ng.ext import parse

    return parse(expression)


def _json_expectation(config: Mapping[str, Any], text: str, status: int) -> Result:
    try:
        document = json.loads(text)
    except ValueError:
        return Result(False, f"HTTP {status}, but the answer is not JSON")
    found = [match.value for match in parse_json_path(config["json_path"]).find(document)]
    if not found:
        return Result(False, f"HTTP {status}, but {config['json_path']} is not in the answer")
    expected = config.get("json_value")
    if expected is None:
        return Result(True, f"HTTP {status}, {config['json_path']} = {found[0]!r}")
    if found[0] == expected or str(found[0]) == str(expected):
        return Result(True, f"HTTP {status}, {config['json_path']} = {found[0]!r}")
    return Result(
        False, f"HTTP {status}, {config['json_path']} = {found[0]!r}, expected {expected!r}"
    )


# ------------------------------------------------------------------------------------- command


def clean_command(config: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    command = str(config.get("command") or "").strip()
    if not command:
        errors.setdefault("command", []).append("Give the shell command to run.")
    exit_code = _int(config.get("exit_code", 0), "exit_code", errors)
    timeout = _number(config.get("timeout", COMMAND_TIMEOUT_DEFAULT), "timeout", errors)
    if timeout is not None and not 0 < timeout <= COMMAND_TIMEOUT_MAX:
        errors.setdefault("timeout", []).append(
            f"A timeout is more than 0 and at most {COMMAND_TIMEOUT_MAX:g} seconds."
        )
    return {"command": command, "exit_code": exit_code, "timeout": timeout}


def run_command(config: Mapping[str, Any]) -> Result:
    # The output goes to a file, not a pipe, so a chatty command cannot fill memory or block.
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            ["/bin/sh", "-c", config["command"]],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = process.wait(timeout=config["timeout"])
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return Result(False, f"timed out after {config['timeout']:g} s and was stopped")
        output.seek(0)
        text = output.read(COMMAND_OUTPUT_CAP).decode(errors="replace").strip()
    shown = f": {_cap(text, 500)}" if text else ""
    if code != config["exit_code"]:
        return Result(False, f"exit code {code}, expected {config['exit_code']}{shown}")
    return Result(True, f"exit code {code}{shown}")


# ------------------------------------------------------------------------------------ SQL query

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

# Words that change data or the session; a read-only query has none of them anywhere.
WRITING_WORDS = {
    "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE", "DROP", "CREATE", "ALTER",
    "TRUNCATE", "GRANT", "REVOKE", "ATTACH", "DETACH", "PRAGMA", "VACUUM", "REINDEX", "COPY",
    "CALL", "DO", "EXECUTE", "LOCK", "SET", "RESET", "COMMENT", "LISTEN", "NOTIFY", "INTO",
    "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "ANALYZE", "REFRESH", "CLUSTER",
}  # fmt: skip


def check_databases() -> dict[str, str]:
    """The databases SQL checks may read, from OWNUP_CHECK_DATABASES (name=url, comma-separated)."""
    raw = os.environ.get("OWNUP_CHECK_DATABASES", "")
    named = {}
    for pair in raw.split(","):
        name, _, url = pair.strip().partition("=")
        if name and url:
            named[name.strip()] = url.strip()
    return named


def read_only_problem(query: str) -> str | None:
    """Why a query is not a single read-only SELECT, or None when it is one."""
    statements = [s for s in sqlparse.parse(query) if str(s).strip().strip(";").strip()]
    if len(statements) != 1:
        return "Give exactly one statement."
    statement = statements[0]
    if statement.get_type() != "SELECT":
        return "Only a SELECT query may run: a check never changes data."
    for token in statement.flatten():
        if token.ttype in sql_tokens.Keyword or token.ttype in sql_tokens.Name.Builtin:
            word = token.normalized.upper()
            if word in WRITING_WORDS:
                return f"A check's query only reads; {word} is not allowed."
    return None


def clean_sql(config: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    database = str(config.get("database") or "").strip()
    known = check_databases()
    if database not in known:
        names = ", ".join(sorted(known)) or "none: set OWNUP_CHECK_DATABASES"
        errors.setdefault("database", []).append(
            f"Unknown database {database!r}; the named ones are: {names}."
        )
    query = str(config.get("query") or "").strip()
    if not query:
        errors.setdefault("query", []).append("Give the query whose single value is checked.")
    elif problem := read_only_problem(query):
        errors.setdefault("query", []).append(problem)
    return {
        "database": database,
        "query": query.rstrip().rstrip(";"),
        **_clean_comparison(config, errors),
    }


def _clean_comparison(config: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    comparison = str(config.get("operator") or "=").strip()
    if comparison not in COMPARISONS:
        errors.setdefault("operator", []).append(
            f"Compare with one of {' '.join(COMPARISONS)}, not {comparison!r}."
        )
    if config.get("value") in (None, ""):
        errors.setdefault("value", []).append("Give the value to compare the result with.")
    return {"operator": comparison, "value": config.get("value")}


def _compared(value: Any, config: Mapping[str, Any], what: str) -> Result:
    expected = config["value"]
    left, right = _comparable(value), _comparable(expected)
    try:
        holds = COMPARISONS[config["operator"]](left, right)
    except TypeError:
        holds = False
    verdict = f"{what} {value!r} {config['operator']} {expected!r}"
    return Result(holds, verdict if holds else f"{verdict} does not hold")


def run_sql(config: Mapping[str, Any]) -> Result:
    url = check_databases().get(config["database"])
    if url is None:
        return Result(False, f"the database {config['database']!r} is no longer configured")
    if problem := read_only_problem(config["query"]):
        return Result(False, f"refused: {problem}")
    # Imported here: only SQL checks need it, and every start of ownup loads this module.
    import psycopg

    try:
        rows = _read_only_rows(url, config["query"])
    except (sqlite3.Error, psycopg.Error, ValueError) as error:
        return Result(False, f"the query failed: {_cap(str(error).strip(), 500)}")
    if len(rows) != 1 or len(rows[0]) != 1:
        return Result(False, f"the query must give one value; it gave {len(rows)} row(s)")
    return _compared(rows[0][0], config, "value")


def _read_only_rows(url: str, query: str) -> list[tuple[Any, ...]]:
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = dj_database_url.parse(url)["NAME"]
        # mode=ro opens the file read-only: even a query that slipped past the parser cannot write.
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=SQL_TIMEOUT_SECONDS)
        try:
            connection.execute("PRAGMA query_only = ON")
            return connection.execute(query).fetchmany(2)
        finally:
            connection.close()
    if scheme in {"postgres", "postgresql"}:
        import psycopg  # as in run_sql

        with psycopg.connect(url, connect_timeout=SQL_TIMEOUT_SECONDS) as server:
            # A read-only transaction: the server itself refuses any write the parser missed.
            server.read_only = True
            with server.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {SQL_TIMEOUT_SECONDS * 1000}")
                cursor.execute(query.encode())
                rows = cursor.fetchmany(2)
            server.rollback()
            return rows
    raise ValueError(f"cannot read a {scheme or 'schemeless'} database; use sqlite or postgres")


def _comparable(value: Any) -> Any:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)


# ------------------------------------------------------------------------------ metric threshold

# A series as Prometheus names it: the metric, then label matchers, e.g. errors{job="billing"}.
METRIC_SELECTOR = re.compile(r"^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*$", re.DOTALL)
LABEL_MATCHER = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)')


ESCAPED = re.compile(r"\\(.)")


def _unescaped(escape: re.Match[str]) -> str:
    # A label's value escapes a quote, a backslash and a new line, as the text format does.
    return "\n" if escape.group(1) == "n" else escape.group(1)


def parse_metric(selector: str) -> tuple[str, dict[str, str]]:
    """The metric's name and the labels its series must have; ValueError when it is not one."""
    found = METRIC_SELECTOR.match(selector)
    if not found:
        raise ValueError('name a metric, with its labels if need be: errors_total{job="billing"}')
    name, matchers = found.group(1), (found.group(2) or "").strip()
    labels: dict[str, str] = {}
    place = 0
    while place < len(matchers):
        label = LABEL_MATCHER.match(matchers, place)
        if not label or label.end() == place:
            raise ValueError(f'cannot read the labels {matchers!r}; write them as job="billing"')
        labels[label.group(1)] = ESCAPED.sub(_unescaped, label.group(2))
        place = label.end()
    return name, labels


def clean_metric(config: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    url, timeout = _clean_address(config, errors)
    metric = str(config.get("metric") or "").strip()
    json_path = _clean_json_path(config, errors)
    if metric and json_path:
        errors.setdefault("metric", []).append(
            "Name a metric of a /metrics page or give a JSONPath into a JSON answer, not both."
        )
    elif metric:
        try:
            parse_metric(metric)
        except ValueError as problem:
            errors.setdefault("metric", []).append(f"Not a metric: {problem}.")
    compared = _clean_comparison(config, errors)
    threshold = None
    if compared["value"] not in (None, ""):
        threshold = _number(compared["value"], "value", errors)
    if threshold is not None and not math.isfinite(threshold):
        errors.setdefault("value", []).append("Give a finite number as the threshold.")
    return {"url": url, "timeout": timeout, "metric": metric, "json_path": json_path, **compared}


def run_metric(config: Mapping[str, Any]) -> Result:
    """Read one number from the URL and compare it with the threshold: a series of a page in
    Prometheus's text format (``metric``), a JSONPath into JSON, or a Prometheus query's one
    result."""
    fetched = _fetch(config)
    if isinstance(fetched, Result):
        return fetched
    status, body = fetched
    if status != 200:
        return Result(False, f"HTTP {status} from {config['url']}")
    text = body.decode(errors="replace")
    read = _series_value(config["metric"], text) if config["metric"] else _json_number(config, text)
    if isinstance(read, Result):
        return read
    what, number = read
    if math.isnan(number):
        return Result(False, f"{what} is not a number (NaN)")
    comparison, threshold = config["operator"], float(config["value"])
    if COMPARISONS[comparison](number, threshold):
        return Result(True, f"{what} = {number:g} ({comparison} {threshold:g})")
    return Result(False, f"{what} = {number:g}, not {comparison} {threshold:g}")


def _series_value(selector: str, text: str) -> tuple[str, float] | Result:
    # Imported here: only metric checks read Prometheus's format.
    from prometheus_client.parser import text_string_to_metric_families

    name, labels = parse_metric(selector)
    try:
        samples = [
            sample
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == name and labels.items() <= sample.labels.items()
        ]
    except (ValueError, TypeError, IndexError) as problem:
        return Result(False, f"the page is not in Prometheus's text format: {problem}")
    if not samples:
        return Result(False, f"{selector} is not on the page")
    if len(samples) > 1:
        return Result(False, f"{len(samples)} series match {selector}; name more of its labels")
    return selector, float(samples[0].value)


def _json_number(config: Mapping[str, Any], text: str) -> tuple[str, float] | Result:
    try:
        document = json.loads(text)
    except ValueError:
        return Result(False, "the answer is not JSON; name a metric to read a /metrics page")
    json_path = config["json_path"]
    if json_path:
        found = [match.value for match in parse_json_path(json_path).find(document)]
        if not found:
            return Result(False, f"{json_path} is not in the answer")
        what, value = json_path, found[0]
    else:
        what, value = "the value", document
        data = document.get("data") if isinstance(document, dict) else None
        if isinstance(data, dict) and data.get("resultType") in ("vector", "scalar"):
            # A Prometheus query's answer: the value of its one series, or its scalar.
            result = data.get("result")
            if data["resultType"] == "vector":
                if not isinstance(result, list) or len(result) != 1:
                    count = len(result) if isinstance(result, list) else 0
                    return Result(False, f"the query gave {count} series; it must give one")
                result = result[0].get("value") if isinstance(result[0], dict) else None
            what, value = "the query's value", result[1] if isinstance(result, list) else None
    try:
        return what, float(value)
    except (TypeError, ValueError):
        return Result(False, f"{what} {value!r} is not a number; give a JSONPath to one")


# -------------------------------------------------------------------------------------- helpers


def _int(value: Any, field: str, errors: Errors) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        errors.setdefault(field, []).append(f"{value!r} is not a whole number.")
        return None


def _number(value: Any, field: str, errors: Errors) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        errors.setdefault(field, []).append(f"{value!r} is not a number.")
        return None


def timed(
    probe: Callable[[Mapping[str, Any]], Result], config: Mapping[str, Any]
) -> tuple[Result, int]:
    """Run a probe; its result and how long it took in milliseconds. Never raises."""
    start = time.perf_counter()
    try:
        result = probe(config)
    except Exception as error:  # a probe's bug must not stop the worker; it is a failed run
        result = Result(False, f"the check could not run: {type(error).__name__}: {error}")
    return result, int((time.perf_counter() - start) * 1000)
