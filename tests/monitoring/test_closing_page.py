"""Closing from the page: a refusal keeps the lesson as typed."""

from ownup.reporting.models import Stage


def test_a_refused_close_keeps_the_lesson_and_names_what_is_missing(
    client, reporter, fixed_mistake
):
    client.force_login(reporter)
    refused = client.post(
        f"/mistakes/{fixed_mistake.pk}/close/",
        {"learned": "Price lists need a date", "advice": "Date every list", "reason": ""},
    )
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Price lists need a date</textarea>" in page
    assert "Date every list</textarea>" in page
    assert "Closing without verification needs a reason" in page
    fixed_mistake.refresh_from_db()
    assert fixed_mistake.stage != Stage.CLOSED

    closed = client.post(
        f"/mistakes/{fixed_mistake.pk}/close/",
        {"learned": "Price lists need a date", "advice": "Date every list", "reason": "no calls"},
    )
    assert closed.status_code == 302
    fixed_mistake.refresh_from_db()
    assert fixed_mistake.stage == Stage.CLOSED


def test_a_closed_mistake_s_checks_read_as_stopped(client, reporter, fixed_mistake, monitor):
    from ownup.monitoring import services

    services.add_check(
        fixed_mistake,
        {"name": "Prices match", "kind": "http", "url": "http://127.0.0.1:9/", "window_days": 30},
        actor=reporter,
    )
    monitor(fixed_mistake)
    client.force_login(reporter)
    assert "running over" in client.get(fixed_mistake.get_absolute_url()).content.decode()
    client.post(
        f"/mistakes/{fixed_mistake.pk}/close/",
        {"learned": "Lists need a date", "advice": "Date them", "reason": "handled by hand"},
    )
    page = client.get(fixed_mistake.get_absolute_url()).content.decode()
    assert "Closed before every check held" in page
    assert "running over" not in page
