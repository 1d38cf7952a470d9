"""The mistakes API: report, read, change, move, with clear answers to bad input."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ownup.reporting.models import Mistake, TimelineEntry

INVOICES = "Sent the March invoices with last year's prices"


def test_one_sentence_is_enough_to_report(api_as, reporter):
    response = api_as(reporter).post("/api/v1/mistakes", {"title": INVOICES})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == INVOICES
    assert body["stage"] == "reported"
    assert body["reporter"] == "cy"
    assert body["severity"] == "low"
    assert body["discovered_by"] == "self"
    assert body["disclosure"] == {"minutes_to_report": None, "self_disclosed": True}
    assert body["next_step"].startswith("Contain it")
    assert body["url"].endswith(f"/mistakes/{body['id']}/")
    assert Mistake.objects.get(pk=body["id"]).timeline.get().kind == TimelineEntry.Kind.REPORTED


def test_the_whole_record_is_kept(api_as, reporter, responder, billing):
    now = timezone.now()
    payload = {
        "title": INVOICES,
        "description": "214 customers were billed 3-8% too little.",
        "occurred_at": (now - timedelta(hours=5)).isoformat(),
        "noticed_at": (now - timedelta(minutes=42)).isoformat(),
        "discovered_by": "customer",
        "harm": "reached_no_harm",
        "severity": "high",
        "team": "billing",
        "owner": "bo",
        "tags": ["Invoices", "billing", "invoices"],
    }
    body = api_as(reporter).post("/api/v1/mistakes", payload).json()
    assert body["severity"] == "high"
    assert body["team"] == "billing"
    assert body["owner"] == "bo"
    assert body["tags"] == ["billing", "invoices"]
    assert body["disclosure"] == {"minutes_to_report": 42, "self_disclosed": False}
    kinds = list(Mistake.objects.get(pk=body["id"]).timeline.values_list("text", flat=True))
    assert kinds == ["It happened", "It was noticed", "Reported"]


def test_the_answer_to_a_report_is_the_record_as_read_back(api_as, reporter, responder, billing):
    api = api_as(reporter)
    payload = {
        "title": INVOICES,
        "team": "billing",
        "confidentiality": "restricted",
        "restricted_to": ["bo", "cy"],
        "tags": ["Invoices", "billing"],
    }
    answer = api.post("/api/v1/mistakes", payload).json()

    assert answer["restricted_to"] == ["bo", "cy"]
    assert answer["tags"] == ["billing", "invoices"]
    assert answer == api.get(f"/api/v1/mistakes/{answer['id']}").json()
    reported = Mistake.objects.get(pk=answer["id"]).timeline.get()
    assert reported.changes["restricted_to"] == [None, ["bo", "cy"]]
    assert reported.changes["tags"] == [None, ["billing", "invoices"]]


def test_a_report_is_written_in_a_few_statements(api_as, reporter, django_assert_max_num_queries):
    # Under load, SQLite's one writer at a time makes the statements of a report what bounds
    # how many reports a second an instance takes: the token, the severity, BEGIN, the mistake,
    # its search document, its first timeline entry, the dashboard's totals (read what the
    # mistake counted before, record what it counts now, add it to its day), COMMIT; on
    # PostgreSQL also the lock that lets two writes of the same day's totals see each other.
    api = api_as(reporter)
    api.post("/api/v1/mistakes", {"title": "The first report makes the severity scale"})
    with django_assert_max_num_queries(11 if connection.vendor == "postgresql" else 10):
        response = api.post("/api/v1/mistakes", {"title": INVOICES})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"title": ""}, "title", "one sentence"),
        ({"title": "   "}, "title", "one sentence"),
        ({"title": "x" * 100_000}, "title", "at most 200 characters"),
        ({}, "title", "required"),
        ({"title": "ok", "discovered_by": "robot"}, "discovered_by", "self"),
        (
            {
                "title": "ok",
                "occurred_at": "2026-01-02T10:00:00Z",
                "noticed_at": "2026-01-01T10:00:00Z",
            },
            "noticed_at",
            "before it happened",
        ),
        ({"title": "ok", "noticed_at": "2999-01-01T10:00:00Z"}, "noticed_at", "future"),
        ({"title": "ok", "occurred_at": "yesterday"}, "occurred_at", "datetime"),
        ({"title": "ok", "severity": "huge"}, "severity", "critical, high, medium, low"),
        ({"title": "ok", "team": "nope"}, "team", "no team nope"),
        ({"title": "ok", "confidentiality": "team"}, "team", "Choose the team"),
        ({"title": "ok", "confidentiality": "secret"}, "confidentiality", "open"),
        ({"title": "ok", "restricted_to": ["nobody"]}, "restricted_to", "no user nobody"),
        ({"title": "ok", "tags": ["x" * 51]}, "tags", "at most 50"),
        ({"title": 5}, "title", "string"),
    ],
)
def test_bad_reports_are_refused_naming_the_field(api_as, reporter, payload, field, words):
    response = api_as(reporter).post("/api/v1/mistakes", payload)
    assert response.status_code == 422, response.content
    body = response.json()
    assert field in body["errors"]
    assert words.lower() in " ".join(body["errors"][field]).lower()
    assert field in body["detail"]
    assert not Mistake.objects.exists()


def test_a_report_with_several_problems_names_them_in_one_sentence(api_as, reporter):
    response = api_as(reporter).post("/api/v1/mistakes", {"title": " ", "severity": "huge"})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "title: Say in one sentence what went wrong; "
        "severity: There is no severity huge: choose one of critical, high, medium, low."
    )


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ('{"title": ', "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('"Sent the invoices"', "must be a JSON object"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(api_as, reporter, raw, words):
    response = api_as(reporter).request("POST", "/api/v1/mistakes", raw)
    assert response.status_code == 400
    assert words in response.json()["detail"]
    assert not Mistake.objects.exists()


@pytest.mark.parametrize("header", [None, "Bearer nope", "Bearer ", "Basic YWRhOnB3", "ownup_x"])
def test_a_missing_or_wrong_token_is_refused(client, reporter, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.post(
        "/api/v1/mistakes", data={"title": "x"}, content_type="application/json", headers=headers
    )
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]
    assert not Mistake.objects.exists()


def test_a_token_of_an_inactive_user_is_refused(api_as, reporter):
    api = api_as(reporter)
    reporter.is_active = False
    reporter.save()
    assert api.get("/api/v1/mistakes").status_code == 401


def test_list_and_show(api_as, reporter):
    api = api_as(reporter)
    first = api.post("/api/v1/mistakes", {"title": "First"}).json()
    api.post("/api/v1/mistakes", {"title": "Second", "severity": "high"})
    listing = api.get("/api/v1/mistakes").json()
    assert listing["count"] == 2
    assert [m["title"] for m in listing["items"]] == ["Second", "First"]
    assert api.get("/api/v1/mistakes", {"severity": "high"}).json()["count"] == 1
    assert (
        api.get("/api/v1/mistakes", {"limit": 1, "offset": 1}).json()["items"][0]["title"]
        == "First"
    )
    assert api.get(f"/api/v1/mistakes/{first['id']}").json()["title"] == "First"
    assert api.get("/api/v1/mistakes/999").status_code == 404
    assert api.get("/api/v1/mistakes", {"limit": 0}).status_code == 422
    assert api.get("/api/v1/mistakes", {"stage": "done"}).status_code == 422
    assert api.get("/api/v1/mistakes", {"offset": 2**63}).status_code == 422
    assert api.get(f"/api/v1/mistakes/{2**63}").status_code == 404


def test_a_page_of_mistakes_is_read_in_as_many_statements_however_long(api_as, reporter, responder):
    api = api_as(reporter)

    def report(n: int) -> None:
        api.post(
            "/api/v1/mistakes",
            {
                "title": f"Mistake {n}",
                "tags": ["billing", f"run-{n}"],
                "confidentiality": "restricted",
                "restricted_to": ["bo"],
            },
        )

    def page() -> tuple[list[dict], int]:
        with CaptureQueriesContext(connection) as statements:
            items = api.get("/api/v1/mistakes").json()["items"]
        return items, len(statements)

    report(1)
    [one], statements_for_one = page()
    report(2)
    report(3)
    three, statements_for_three = page()
    assert statements_for_three == statements_for_one
    assert [(m["tags"], m["restricted_to"]) for m in three] == [
        (["billing", f"run-{n}"], ["bo"]) for n in (3, 2, 1)
    ]
    assert one["tags"] == ["billing", "run-1"]


def test_change_is_validated_whole_and_audited(api_as, reporter):
    api = api_as(reporter)
    created = api.post(
        "/api/v1/mistakes", {"title": INVOICES, "occurred_at": "2026-01-02T10:00:00Z"}
    ).json()
    url = f"/api/v1/mistakes/{created['id']}"
    refused = api.patch(url, {"noticed_at": "2026-01-01T10:00:00Z"})
    assert refused.status_code == 422
    assert "noticed_at" in refused.json()["errors"]

    changed = api.patch(url, {"severity": "high", "tags": ["billing"]})
    assert changed.status_code == 200
    assert changed.json()["severity"] == "high"
    entry = Mistake.objects.get(pk=created["id"]).timeline.get(kind=TimelineEntry.Kind.CHANGED)
    assert entry.actor == reporter
    assert entry.changes == {"severity": ["low", "high"], "tags": [[], ["billing"]]}
    assert entry.text == "Changed severity, tags"


def test_only_the_mistakes_people_may_change_it(api_as, reporter, make_user, billing):
    colleague = make_user("di", team=billing)  # a reporter of the team, not its responder
    created = (
        api_as(reporter).post("/api/v1/mistakes", {"title": INVOICES, "team": "billing"}).json()
    )
    response = api_as(colleague).patch(f"/api/v1/mistakes/{created['id']}", {"severity": "high"})
    assert response.status_code == 403
    assert Mistake.objects.get(pk=created["id"]).severity.name == "low"


def test_move_through_the_api(api_as, reporter):
    api = api_as(reporter)
    created = api.post("/api/v1/mistakes", {"title": INVOICES}).json()
    url = f"/api/v1/mistakes/{created['id']}/stage"
    assert api.post(url, {"stage": "contained"}).json()["stage"] == "contained"
    refused = api.post(url, {"stage": "fixed"})
    assert refused.status_code == 409
    assert "needs a reason" in refused.json()["detail"]
    skipped = api.post(url, {"stage": "fixed", "reason": "nothing to decide: one way to fix it"})
    assert skipped.json()["stage"] == "fixed"
    assert api.post(url, {"stage": "fixing"}).status_code == 422


def test_timeline_notes_through_the_api(api_as, reporter):
    api = api_as(reporter)
    created = api.post("/api/v1/mistakes", {"title": INVOICES}).json()
    url = f"/api/v1/mistakes/{created['id']}/timeline"
    when = (timezone.now() - timedelta(days=1)).isoformat()
    added = api.post(url, {"text": "Finance called the first customer", "at": when})
    assert added.status_code == 201
    assert api.post(url, {"text": "  "}).status_code == 422
    assert api.post(url, {"text": "later", "at": "2999-01-01T00:00:00Z"}).status_code == 422
    texts = [e["text"] for e in api.get(url).json()]
    assert texts == ["Finance called the first customer", "Reported"]


def test_anonymous_reports_store_no_identity(api_as, reporter):
    body = (
        api_as(reporter)
        .post(
            "/api/v1/mistakes",
            {"title": "Skipped the second check on a dose", "confidentiality": "anonymous"},
        )
        .json()
    )
    mistake = Mistake.objects.get(pk=body["id"])
    assert body["reporter"] is None
    assert mistake.reporter is None
    assert list(mistake.timeline.values_list("actor", flat=True)) == [None]
    assert "cy" not in str(list(mistake.timeline.values_list("changes", flat=True)))


def test_an_anonymous_report_cannot_be_made_attributable(api_as, reporter, admin_user):
    body = (
        api_as(reporter)
        .post("/api/v1/mistakes", {"title": "Skipped a check", "confidentiality": "anonymous"})
        .json()
    )
    response = api_as(admin_user).patch(
        f"/api/v1/mistakes/{body['id']}", {"confidentiality": "open"}
    )
    assert response.status_code == 422
    assert "anonymous" in response.json()["errors"]["confidentiality"][0]


def test_a_report_cannot_be_made_anonymous_after_it_was_made(api_as, reporter):
    body = api_as(reporter).post("/api/v1/mistakes", {"title": INVOICES}).json()

    response = api_as(reporter).patch(
        f"/api/v1/mistakes/{body['id']}", {"confidentiality": "anonymous"}
    )

    assert response.status_code == 422
    assert "already recorded" in response.json()["errors"]["confidentiality"][0]
    mistake = Mistake.objects.get(pk=body["id"])
    assert (mistake.confidentiality, mistake.reporter) == ("open", reporter)


def test_a_change_keeps_the_times_in_order_and_blames_the_field_changed(api_as, reporter):
    api = api_as(reporter)
    created = api.post(
        "/api/v1/mistakes", {"title": INVOICES, "noticed_at": "2026-01-02T10:00:00Z"}
    ).json()
    url = f"/api/v1/mistakes/{created['id']}"
    reported = timezone.now() - timedelta(days=2)
    Mistake.objects.filter(pk=created["id"]).update(reported_at=reported)
    later = (reported + timedelta(hours=1)).isoformat()

    noticed_later = api.patch(url, {"noticed_at": later})
    happened_later = api.patch(url, {"occurred_at": later})
    after_noticing = api.patch(url, {"occurred_at": "2026-01-03T10:00:00Z"})

    assert noticed_later.json()["errors"] == {
        "noticed_at": ["It cannot have been noticed after it was reported."]
    }
    assert happened_later.json()["errors"]["occurred_at"][0] == (
        "It cannot have happened after it was reported."
    )
    assert after_noticing.json()["errors"] == {
        "occurred_at": ["It cannot have happened after it was noticed."]
    }
    assert {noticed_later.status_code, happened_later.status_code} == {422}
    mistake = Mistake.objects.get(pk=created["id"])
    assert mistake.occurred_at is None
    assert mistake.noticed_at == datetime(2026, 1, 2, 10, tzinfo=UTC)


def test_openapi_documents_the_mistakes(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/mistakes" in schema["paths"]
    assert "post" in schema["paths"]["/api/v1/mistakes"]
    assert "/api/v1/mistakes/{mistake_id}/stage" in schema["paths"]


def test_the_api_docs_page_loads_nothing_from_elsewhere(client):
    import re

    page = client.get("/api/v1/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert [a for a in assets if not a.startswith("/")] == []
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_the_icon_is_found_where_browsers_look_for_it(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301
    assert client.get(answer["Location"]).status_code == 200


def test_a_time_without_a_zone_means_the_same_in_a_report_and_a_note(api_as, reporter, settings):
    settings.TIME_ZONE = "Europe/Amsterdam"
    api = api_as(reporter)
    body = api.post(
        "/api/v1/mistakes", {"title": INVOICES, "occurred_at": "2026-01-05T09:00:00"}
    ).json()

    note = api.post(
        f"/api/v1/mistakes/{body['id']}/timeline", {"text": "Told", "at": "2026-01-05T09:00:00"}
    )

    assert note.status_code == 201, note.content
    at = datetime.fromisoformat(note.json()["at"])
    assert at == datetime.fromisoformat(body["occurred_at"]) == datetime(2026, 1, 5, 8, tzinfo=UTC)
    future = api.post(
        f"/api/v1/mistakes/{body['id']}/timeline", {"text": "t", "at": "2999-12-01T00:00:00"}
    )
    assert future.status_code == 422
    assert "future" in future.json()["errors"]["at"][0]


def test_every_answer_under_the_api_is_json(api_as, reporter, settings, caplog):
    api = api_as(reporter)

    unknown = api.get("/api/v1/nope")
    wrong_method = api.request("PUT", "/api/v1/mistakes", {"title": INVOICES})
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    too_big = api.post("/api/v1/mistakes", {"title": INVOICES, "description": "x" * 2000})

    assert unknown.status_code == 404
    assert "There is no /api/v1/nope in the API" in unknown.json()["detail"]
    assert wrong_method.status_code == 405
    assert wrong_method.json()["detail"] == (
        f"PUT is not allowed on /api/v1/mistakes; it takes {wrong_method['Allow']}."
    )
    assert set(wrong_method["Allow"].split(", ")) == {"GET", "POST"}
    assert too_big.status_code == 413
    assert too_big.json()["detail"] == "The request body is larger than the 1000 bytes it may hold."
    assert "RequestDataTooBig" not in caplog.text
    assert not Mistake.objects.exists()
    # The pages keep their own answers, for a browser.
    assert "application/json" not in api.client.get("/nope/")["Content-Type"]


def test_a_year_mistyped_far_into_the_past_is_refused_naming_it(api_as, reporter):
    api = api_as(reporter)
    refused = api.post(
        "/api/v1/mistakes",
        {
            "title": INVOICES,
            "occurred_at": "0026-03-01T10:00:00Z",
            "noticed_at": "1969-12-31T23:00Z",
        },
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "occurred_at": ["Check the year: 26 is before 1970."],
        "noticed_at": ["Check the year: 1969 is before 1970."],
    }
    assert not Mistake.objects.exists()
    kept = api.post("/api/v1/mistakes", {"title": INVOICES, "occurred_at": "1970-01-01T00:00Z"})
    assert kept.status_code == 201
