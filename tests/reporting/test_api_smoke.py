import pytest


def test_report_by_api_returns_the_record(api_as, reporter):
    api = api_as(reporter)
    response = api.post(
        "/api/v1/mistakes", {"title": "Sent the March invoices with last year's prices"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Sent the March invoices with last year's prices"
    assert body["stage"] == "reported"
    assert body["reporter"] == "cy"
    assert body["severity"] == "low"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 100_000}, "title"),
        ({}, "title"),
        ({"title": "ok", "discovered_by": "robot"}, "discovered_by"),
        (
            {
                "title": "ok",
                "occurred_at": "2026-01-02T10:00:00Z",
                "noticed_at": "2026-01-01T10:00:00Z",
            },
            "noticed_at",
        ),
    ],
)
def test_bad_reports_name_the_field(api_as, reporter, payload, field):
    response = api_as(reporter).post("/api/v1/mistakes", payload)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
