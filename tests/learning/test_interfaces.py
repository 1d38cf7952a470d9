import json

import pytest
from typer.testing import CliRunner

from ownup.cli import get_app
from tests.learning.test_search import MALFORMED as ALL_MALFORMED

# A NUL character is refused with 400 for every request before any view sees it (middleware).
MALFORMED = [text for text in ALL_MALFORMED if "\x00" not in text]


@pytest.fixture
def ownup_cli():
    runner = CliRunner()

    def run(*args):
        return runner.invoke(get_app(), list(args))

    return run


def test_api_search_answers_ranked_highlighted_hits(report, reporter, api_as):
    report("Sent the March invoices with last year's prices", by=reporter)

    answer = api_as(reporter).get("/api/v1/search", {"q": "invoices"})

    assert answer.status_code == 200
    [hit] = answer.json()
    assert hit["title"] == "Sent the March invoices with last year's prices"
    assert "<mark>invoices</mark>" in hit["title_highlighted"]
    assert hit["url"] == f"/mistakes/{hit['id']}/"


@pytest.mark.parametrize("text", [*MALFORMED, "", "   "])
def test_api_search_never_fails_on_what_people_type(report, reporter, api_as, text):
    report("Sent the March invoices", by=reporter)

    answer = api_as(reporter).get("/api/v1/search", {"q": text})

    assert answer.status_code in (200, 422)
    if answer.status_code == 422:
        assert answer.json()["errors"] == {"q": ["Type a word or two to search for."]}


def test_api_similar_hides_what_the_caller_may_not_see(report, reporter, outsider, api_as):
    hidden = report("Payroll sent to the wrong bank", by=reporter, confidentiality="restricted")
    seen = report("Payroll sent to the wrong bank again", by=reporter)

    assert api_as(outsider).get(f"/api/v1/mistakes/{hidden.pk}/similar").status_code == 404
    answer = api_as(outsider).get(f"/api/v1/mistakes/{seen.pk}/similar")
    assert answer.json() == []
    mine = api_as(reporter).get(f"/api/v1/mistakes/{seen.pk}/similar").json()
    assert [hit["id"] for hit in mine] == [hidden.pk]


def test_cli_search_prints_a_table_and_json(report, reporter, admin_user, ownup_cli):
    report("Sent the March invoices with last year's prices", by=reporter)

    shown = ownup_cli("search", "invoices")
    assert shown.exit_code == 0, shown.output
    assert "March" in shown.output

    as_json = ownup_cli("search", '"invoices', "--json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.output)[0]["title"].startswith("Sent the March")

    nothing = ownup_cli("search", "payroll")
    assert "Nothing found for 'payroll'" in nothing.output


def test_cli_reindex_rebuilds_the_index(report, reporter, admin_user, ownup_cli):
    from ownup.learning.models import SearchDocument

    report("Sent the invoices late", by=reporter)
    SearchDocument.objects.all().delete()

    done = ownup_cli("search", "--reindex", "--json")

    assert done.exit_code == 0, done.output
    assert json.loads(done.output) == {"indexed": 1}
    assert json.loads(ownup_cli("search", "invoices", "--json").output)[0]["title"]


def test_library_page_searches_and_never_fails(report, reporter, client):
    report("Sent the March invoices", by=reporter)
    client.force_login(reporter)

    page = client.get("/library/", {"q": "invoices"})
    assert page.status_code == 200
    assert "<mark>invoices</mark>" in page.content.decode()

    for text in [*MALFORMED, '"']:
        assert client.get("/library/", {"q": text}).status_code == 200
    assert "Type a word or two" in client.get("/library/", {"q": "((("}).content.decode()


def test_the_library_shows_the_latest_lessons_of_what_each_person_may_see(
    report, reporter, outsider, client
):
    from django.utils import timezone

    from ownup.monitoring.models import Lesson
    from ownup.reporting.models import Mistake, Stage

    seen = report("Sent the March invoices with old prices", by=reporter)
    hidden = report("Payroll sent to the wrong bank", by=reporter, confidentiality="restricted")
    for mistake, learned in ((seen, "Prices need a date"), (hidden, "Payroll needs two eyes")):
        Mistake.objects.filter(pk=mistake.pk).update(stage=Stage.CLOSED, closed_at=timezone.now())
        Lesson.objects.create(mistake=mistake, learned=learned, advice="Check it!")

    client.force_login(outsider)
    page = client.get("/library/").content.decode()
    assert "What we learned" in page
    assert "Prices need a date. Check it!" in page  # one paragraph, read as sentences
    assert "Payroll" not in page
    client.force_login(reporter)
    assert "Payroll needs two eyes" in client.get("/library/").content.decode()


def test_library_is_in_the_main_menu(reporter, client):
    client.force_login(reporter)
    page = client.get("/mistakes/").content.decode()
    assert 'href="/library/"' in page


def test_live_similar_partial_lists_past_mistakes_while_typing(report, reporter, outsider, client):
    report("Sent the March invoices with last year's prices", by=reporter)
    report("Invoices sent twice to the same customer", by=reporter, confidentiality="restricted")
    client.force_login(outsider)

    partial = client.get("/library/similar/", {"title": "Sent invoices with the old prices"})

    body = partial.content.decode()
    assert "This has happened before" in body
    assert "last year" in body
    assert "twice" not in body  # restricted to its people
    assert client.get("/library/similar/", {"title": "in"}).content.decode().strip() == ""


def test_report_form_asks_for_similar_mistakes_as_the_title_is_typed(reporter, client):
    client.force_login(reporter)
    form = client.get("/mistakes/report/").content.decode()
    assert 'hx-get="/library/similar/"' in form
    assert "delay:400ms from:#id_title" in form
