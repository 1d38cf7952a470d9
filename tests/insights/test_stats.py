from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from ownup.insights import stats, totals
from ownup.reporting import services, stages
from ownup.reporting.changes import mistakes_changed
from tests.conftest import login

NOW = timezone.datetime(2026, 6, 15, 12, tzinfo=timezone.UTC)


def _report(user, title, **fields):
    return services.report({"title": title, **fields}, reporter=user)


@pytest.fixture
def history(reporter, responder, billing):
    """Three open mistakes in May, one of them recurring, and one restricted to the responder."""
    with time_machine.travel(NOW - timedelta(days=40), tick=False):
        first = _report(
            reporter,
            "Invoices sent with old prices",
            team="billing",
            tags=["invoices", "prices"],
            noticed_at=(NOW - timedelta(days=40, hours=2)).isoformat(),
        )
        stages.move(first, "contained", actor=reporter, reason="stopped the run")
    with time_machine.travel(NOW - timedelta(days=39), tick=False):
        stages.move(first, "fixed", actor=reporter, reason="done quickly")
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        _report(
            reporter,
            "Invoices sent with old prices again",
            team="billing",
            tags=["prices", "invoices"],
            discovered_by="customer",
        )
        _report(reporter, "Refund to the wrong account", team="billing", tags=["refunds"])
        _report(
            responder,
            "Salary sheet shared with everyone",
            confidentiality="restricted",
            restricted_to=["bo"],
            tags=["privacy"],
        )
    return first


@time_machine.travel(NOW, tick=False)
def test_figures_count_only_what_the_viewer_may_see(history, reporter, responder):
    filters = stats.filters_from(months=3)
    seen_by_reporter = stats.compute(reporter, filters)
    assert seen_by_reporter.reported == 3
    assert seen_by_reporter.figure("self_disclosed").value == pytest.approx(66.7)
    assert seen_by_reporter.figure("time_to_report").value == pytest.approx(2.0)
    assert seen_by_reporter.figure("time_to_fix").value == pytest.approx(1.0)
    tags = next(b for b in seen_by_reporter.breakdowns if b.key == "tag")
    assert "privacy" not in tags.totals
    assert stats.compute(responder, filters).reported == 4


@time_machine.travel(NOW, tick=False)
def test_recurrence_needs_the_same_tags_within_the_window(history, reporter):
    figures = stats.compute(reporter, stats.filters_from(months=3))
    # One of the three repeats the first one's tags ten days later.
    assert figures.figure("recurrence").value == pytest.approx(33.3)


@time_machine.travel(NOW, tick=False)
def test_series_follow_the_buckets_and_the_team_filter(history, reporter, platform):
    figures = stats.compute(reporter, stats.filters_from(months=3, bucket="month"))
    assert figures.buckets == ["2026-04-01", "2026-05-01", "2026-06-01"]
    by_stage = next(b for b in figures.breakdowns if b.key == "stage")
    assert by_stage.series["Reported"] == [0, 2, 0]
    assert by_stage.series["Fixed"] == [0, 1, 0]
    assert stats.compute(reporter, stats.filters_from(team="platform")).reported == 0


def test_bad_filters_name_the_field(db):
    with pytest.raises(services.InvalidInput) as refused:
        stats.filters_from(start="yesterday", bucket="year", team="nobody")
    assert set(refused.value.errors) == {"start", "bucket", "team"}


@time_machine.travel(NOW, tick=False)
def test_api_returns_the_same_figures(history, api_as, reporter, outsider):
    answer = api_as(reporter).get("/api/v1/stats", {"months": 3})
    assert answer.status_code == 200
    body = answer.json()
    assert body["reported"] == 3
    assert body["figures"]["recurrence"]["value"] == pytest.approx(33.3)
    assert api_as(outsider).get("/api/v1/stats").json()["reported"] == 3
    refused = api_as(reporter).get("/api/v1/stats", {"bucket": "year"})
    assert refused.status_code == 422


@time_machine.travel(NOW, tick=False)
def test_dashboard_page_for_an_outsider_leaves_out_the_restricted_one(history, client, outsider):
    client.force_login(outsider)
    page = client.get("/dashboard/?months=3&team=&bucket=week")
    assert page.status_code == 200
    text = page.content.decode()
    assert "3 mistakes you can see" in text
    assert "privacy" not in text
    assert client.get("/dashboard/?start=nonsense").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_hours_of_two_days_or_more_are_also_said_in_days(reporter, client):
    with time_machine.travel(NOW - timedelta(days=10), tick=False):
        slow = _report(reporter, "Invoices sent with old prices", team="billing")
    with time_machine.travel(NOW - timedelta(days=7), tick=False):
        stages.move(slow, "contained", actor=reporter, reason="stopped the run")
    client.force_login(reporter)
    text = client.get("/dashboard/?months=3").content.decode()
    assert '72 <small>hours</small> <small class="muted">(about 3 days)</small>' in text
    # Under two days, hours alone: the noticing-to-reporting figure has none to give.
    assert "(about 0 days)" not in text


@pytest.mark.browser
def test_dashboard_draws_its_charts(browser_page, reporter, history):
    login(browser_page, reporter)
    browser_page.get_by_role("link", name="Dashboard").click()
    browser_page.wait_for_url("**/dashboard/")
    assert browser_page.get_by_role("heading", name="Dashboard").is_visible()
    browser_page.wait_for_function("document.querySelectorAll('canvas[data-figure]').length == 6")
    drawn = browser_page.evaluate(
        "Array.from(document.querySelectorAll('canvas')).every(c => window.Chart.getChart(c))"
    )
    assert drawn
    # The numbers behind a chart open from the keyboard.
    browser_page.locator("summary").first.focus()
    browser_page.keyboard.press("Enter")
    assert browser_page.locator("details[open] table").count() == 1


@pytest.fixture
def later_apps():
    """What the monitoring and fixes apps will provide, put back as it was afterwards."""
    from ownup.insights.seams import seams

    kept = (seams.verified_effective, seams.linked_recurrence, seams.overdue_actions)
    yield seams
    seams.verified_effective, seams.linked_recurrence, seams.overdue_actions = kept


@time_machine.travel(NOW, tick=False)
def test_later_apps_feed_the_figures_through_the_seams(history, reporter, later_apps):
    from django.db.models import Q

    from ownup.insights import seams

    refund = services.visible_mistakes(reporter).get(title="Refund to the wrong account")
    seams.provide_linked_recurrence(lambda: Q(pk=refund.pk))
    seams.provide_verified_effective(lambda: Q(pk=history.pk))
    seams.provide_overdue_actions(lambda mistakes: mistakes.count() * 2)
    # The conditions are read when a mistake is counted: these changed for every mistake at once.
    totals.rebuild()
    figures = stats.compute(reporter, stats.filters_from(months=3))
    assert figures.figure("recurrence").value == pytest.approx(66.7)
    # Fixed, not closed: verified only because monitoring says so.
    assert figures.figure("verified_effective").value == 100
    assert figures.overdue_actions == 6


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"start": "0001-01-01"}, "start"),
        ({"end": "0001-01-01"}, "end"),
        ({"start": "2000-01-01", "end": "9999-12-31"}, "end"),
        ({"start": "1950-01-01", "end": "2026-01-01"}, "start"),
        ({"start": "2026-02-01", "end": "2026-01-01"}, "start"),
    ],
)
def test_periods_beyond_reason_are_refused(db, given, field):
    with pytest.raises(services.InvalidInput) as refused:
        stats.filters_from(**given)
    assert field in refused.value.errors


@time_machine.travel(NOW, tick=False)
def test_fixes_and_monitoring_feed_the_dashboard(history, reporter):
    from ownup.fixes.models import Action
    from ownup.monitoring.models import Closure

    Action.objects.create(
        mistake=history,
        title="Load prices from contracts",
        owner=reporter,
        due_date=(NOW - timedelta(days=3)).date(),
    )
    Action.objects.create(
        mistake=history,
        title="Not due yet",
        owner=reporter,
        due_date=(NOW + timedelta(days=3)).date(),
    )
    figures = stats.compute(reporter, stats.filters_from(months=3))
    assert figures.overdue_actions == 1
    assert figures.figure("verified_effective").value == 0  # fixed, not yet closed as verified

    stages.move(history, "closed", actor=reporter, reason="checks held")
    # As if its checks had held: monitoring records the closure, then the mistake is recounted.
    Closure.objects.create(mistake=history, verified=True)
    mistakes_changed([history.pk])
    figures = stats.compute(reporter, stats.filters_from(months=3))
    assert figures.figure("verified_effective").value == 100


@time_machine.travel(NOW, tick=False)
def test_counts_by_contributing_factor_category_count_each_mistake_once_and_only_if_seen(
    history, reporter, responder, outsider
):
    from ownup.reporting.models import Mistake
    from ownup.understanding import services as understanding

    first = history
    again = Mistake.objects.get(title="Invoices sent with old prices again")
    secret = Mistake.objects.get(title="Salary sheet shared with everyone")
    understanding.add_factor(first, "process", "No check of the price list's date", actor=reporter)
    understanding.add_factor(first, "process", "The run has no owner", actor=reporter)
    understanding.add_factor(first, "tools", "The import fails silently", actor=reporter)
    understanding.add_factor(again, "process", "Same run, same check missing", actor=reporter)
    understanding.add_factor(secret, "people", "New to the sharing settings", actor=responder)
    filters = stats.filters_from(months=3)

    def factors(user):
        return next(b for b in stats.compute(user, filters).breakdowns if b.key == "factor")

    seen = factors(reporter)
    assert seen.totals == {"process": 2, "tools": 1}  # two factors of one mistake count once
    may = stats.bucket_starts(filters).index("2026-05-01")
    assert seen.series["process"][may] == 2
    assert factors(responder).totals == {"process": 2, "people": 1, "tools": 1}
    api = stats.compute(outsider, filters).as_dict()["counts"]["factor"]
    assert api["totals"] == {"process": 2, "tools": 1}
    assert api["shape"] == "totals"
