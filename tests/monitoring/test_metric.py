"""The metric threshold: one number read from a /metrics page, a JSON answer or a Prometheus
query, served by a real HTTP server, and compared with a threshold."""

from __future__ import annotations

import json

import pytest

from ownup.monitoring import services
from ownup.monitoring.models import Outcome
from ownup.reporting.services import InvalidInput

METRICS_PAGE = """\
# HELP invoice_errors_total Invoices refused by the ledger.
# TYPE invoice_errors_total counter
invoice_errors_total{job="billing",region="eu"} 3
invoice_errors_total{job="billing",region="us"} 0
invoice_errors_total{job="shipping",region="eu"} 7
# TYPE price_list_age_seconds gauge
price_list_age_seconds 42.5
# TYPE odd gauge
odd{path="a \\"quoted\\" one"} 1
"""


def _metric(add_check, mistake, server, **settings):
    return add_check(mistake, kind="metric", name="Few invoice errors", url=server.url, **settings)


def test_a_series_of_a_metrics_page_is_compared_with_its_threshold(
    fixed_mistake, add_check, http_server
):
    http_server.respond(200, METRICS_PAGE, "text/plain; version=0.0.4")
    eu = _metric(
        add_check,
        fixed_mistake,
        http_server,
        metric='invoice_errors_total{job="billing", region="eu"}',
        operator="<",
        value="1",
    )
    us = _metric(
        add_check,
        fixed_mistake,
        http_server,
        metric='invoice_errors_total{region="us",job="billing"}',
        operator="<",
        value=1,
    )
    age = _metric(
        add_check,
        fixed_mistake,
        http_server,
        metric="price_list_age_seconds",
        operator="<=",
        value="60",
    )
    quoted = _metric(
        add_check, fixed_mistake, http_server, metric='odd{path="a \\"quoted\\" one"}', value="1"
    )

    failed = services.run_now(eu)
    assert failed.outcome == Outcome.FAILED
    assert failed.detail == ('invoice_errors_total{job="billing", region="eu"} = 3, not < 1')
    assert services.run_now(us).outcome == Outcome.PASSED
    assert services.run_now(age).outcome == Outcome.PASSED
    assert services.run_now(quoted).outcome == Outcome.PASSED
    assert http_server.requests[-1].method == "GET"


def test_a_metric_that_is_missing_or_ambiguous_fails_saying_so(
    fixed_mistake, add_check, http_server
):
    http_server.respond(200, METRICS_PAGE)
    several = _metric(
        add_check,
        fixed_mistake,
        http_server,
        metric='invoice_errors_total{job="billing"}',
        operator="<",
        value="1",
    )
    missing = _metric(add_check, fixed_mistake, http_server, metric="refunds_total", value="0")
    assert services.run_now(several).detail == (
        '2 series match invoice_errors_total{job="billing"}; name more of its labels'
    )
    assert services.run_now(missing).detail == "refunds_total is not on the page"
    http_server.respond(503, "down for maintenance")
    assert services.run_now(missing).detail == f"HTTP 503 from {http_server.url}"
    gone = add_check(
        fixed_mistake,
        kind="metric",
        name="x",
        url="http://127.0.0.1:9/metrics",
        metric="up",
        value="1",
        timeout=1,
    )
    assert "did not answer" in services.run_now(gone).detail


def test_a_prometheus_query_and_a_json_answer_give_their_number(
    fixed_mistake, add_check, http_server
):
    answer = {
        "status": "success",
        "data": {"resultType": "vector", "result": [{"metric": {}, "value": [1767, "0.004"]}]},
    }
    http_server.respond(200, json.dumps(answer), "application/json")
    query = _metric(add_check, fixed_mistake, http_server, operator="<", value="0.01")
    run = services.run_now(query)
    assert (run.outcome, run.detail) == (Outcome.PASSED, "the query's value = 0.004 (< 0.01)")

    answer["data"]["result"] = []
    http_server.respond(200, json.dumps(answer), "application/json")
    assert services.run_now(query).detail == "the query gave 0 series; it must give one"

    http_server.respond(200, '{"errors": {"rate": 0.2}}', "application/json")
    rate = _metric(
        add_check, fixed_mistake, http_server, json_path="$.errors.rate", operator="<", value="0.01"
    )
    assert services.run_now(rate).detail == "$.errors.rate = 0.2, not < 0.01"
    assert services.run_now(query).detail == (
        "the value {'errors': {'rate': 0.2}} is not a number; give a JSONPath to one"
    )
    http_server.respond(200, "NaN")
    assert services.run_now(query).detail == "the value is not a number (NaN)"


@pytest.mark.parametrize(
    ("settings", "field", "words"),
    [
        ({"url": "ftp://x", "value": "1"}, "url", "http://"),
        ({"value": "1", "metric": "9lives"}, "metric", "Not a metric"),
        ({"value": "1", "metric": "up{job=billing}"}, "metric", 'job="billing"'),
        ({"value": "1", "metric": "up", "json_path": "$.up"}, "metric", "not both"),
        ({"value": "1", "operator": "~"}, "operator", "Compare with one of"),
        ({}, "value", "Give the value"),
        ({"value": "few"}, "value", "not a number"),
        ({"value": "nan"}, "value", "finite"),
    ],
)
def test_bad_metric_settings_are_refused_naming_the_field(
    fixed_mistake, add_check, settings, field, words
):
    settings.setdefault("url", "http://127.0.0.1:9/metrics")
    with pytest.raises(InvalidInput) as refused:
        add_check(fixed_mistake, kind="metric", name="x", **settings)
    assert words in " ".join(refused.value.errors[field])


def test_a_metric_from_the_api_the_command_line_and_the_page(
    api_as, cli, client, reporter, admin_user, fixed_mistake, http_server
):
    http_server.respond(200, METRICS_PAGE)
    made = api_as(reporter).post(
        f"/api/v1/mistakes/{fixed_mistake.pk}/checks",
        {
            "kind": "metric",
            "name": "Prices fresh",
            "url": http_server.url,
            "metric": "price_list_age_seconds",
            "operator": "<",
            "value": 60,
        },
    )
    assert made.status_code == 201, made.content
    assert made.json()["config"]["metric"] == "price_list_age_seconds"
    added = cli(
        "check",
        "add",
        str(fixed_mistake.pk),
        "Few EU errors",
        "--kind",
        "metric",
        "--url",
        http_server.url,
        "--metric",
        'invoice_errors_total{region="eu",job="billing"}',
        "--operator",
        "<=",
        "--value",
        "3",
    )
    assert added.exit_code == 0, added.output
    assert "Metric threshold" in added.output

    client.force_login(reporter)
    page = client.get(f"/mistakes/{fixed_mistake.pk}/checks/add/?kind=metric").content.decode()
    assert "Threshold" in page
    assert 'name="metric"' in page
    check_id = made.json()["id"]
    detail = client.get(f"/mistakes/{fixed_mistake.pk}/checks/{check_id}/").content.decode()
    assert "Threshold" in detail
    assert "price_list_age_seconds" in detail
