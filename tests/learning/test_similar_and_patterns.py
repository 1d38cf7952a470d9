from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ownup.learning import semantic, services, signals, sources
from ownup.reporting import services as reporting
from ownup.reporting.models import Mistake


@pytest.fixture
def notes_as_a_source():
    """Timeline notes stand in for another app's records joining the library through the seam."""
    source = sources.register(sources.Source("reporting.TimelineEntry", "Contained by"))
    signals.connect_source(source)
    yield source
    sources.unregister(source.model_label)


def test_the_rows_of_an_unregistered_source_no_longer_touch_the_index(report, reporter):
    source = sources.register(sources.Source("reporting.TimelineEntry", "Contained by"))
    signals.connect_source(source)
    sources.unregister(source.model_label)
    mistake = report("Sent the March invoices with last year's prices", by=reporter)

    with CaptureQueriesContext(connection) as queries:
        reporting.add_note(mistake, "Rolled back the price list", actor=reporter)

    assert not [q for q in queries.captured_queries if "learning_searchdocument" in q["sql"]]
    assert not services.search(reporter, "rolled")


def test_similar_mistakes_of_a_mistake_leave_it_out(report, reporter):
    first = report("Sent the March invoices with last year's prices", by=reporter)
    second = report("Sent the April invoices with last year's prices", by=reporter)
    report("Checkout broke after the deploy", by=reporter)

    similar = services.similar_to_mistake(reporter, first)

    assert [hit.mistake for hit in similar] == [second]


def test_one_shared_word_does_not_make_a_mistake_similar(report, reporter):
    outage = report(
        "A deploy on Friday broke checkout for 25 minutes",
        by=reporter,
        description="A configuration change shipped without the new payment keys.",
        tags=["checkout", "deploy"],
    )
    alike = report(
        "A deploy on Monday broke checkout for an hour",
        by=reporter,
        description="The payment keys were missing from the new configuration.",
        tags=["checkout"],
    )
    invoices = report(
        "Sent the March invoices with last year's prices",
        by=reporter,
        description="Paused the automatic payment reminders until the prices were right.",
        tags=["billing"],
    )
    credit_notes = report(
        "Credit notes used a change of VAT rate too early", by=reporter, tags=["billing"]
    )

    similar = services.similar_to_mistake(reporter, outage)

    assert [hit.mistake for hit in similar] == [alike]
    # The same words typed as a new title still find every mistake that shares one of them.
    typed = services.similar_to_text(reporter, "payment change")
    assert {hit.mistake for hit in typed} == {outage, alike, invoices, credit_notes}


def test_a_title_being_typed_needs_two_words_in_common_once_it_has_three(report, reporter):
    invoices = report("Sent the March invoices with last year's prices", by=reporter)
    report("Refund sent to the wrong account", by=reporter)

    assert services.similar_to_text(reporter, "Payroll sent twice to the bank") == []
    typed = services.similar_to_text(reporter, "March invoices sent twice")
    assert [hit.mistake for hit in typed] == [invoices]
    assert len(services.similar_to_text(reporter, "sent twice")) == 2  # two words: one will do


def test_records_of_other_apps_join_the_index_and_show_what_fixed_it(
    report, reporter, notes_as_a_source
):
    past = report("Sent the March invoices with last year's prices", by=reporter)
    reporting.add_note(past, "Rolled the price list back to 2026", actor=reporter)

    assert [h.mistake for h in services.search(reporter, "rolled back")] == [past]
    [hit] = services.similar_to_text(reporter, "Invoices went out with old prices")
    assert ("Contained by", "Rolled the price list back to 2026") in hit.outcomes


def test_similar_section_on_the_mistake_page(report, reporter, client):
    first = report("Sent the March invoices with last year's prices", by=reporter)
    second = report("Sent the April invoices with last year's prices", by=reporter)
    client.force_login(reporter)

    page = client.get(first.get_absolute_url()).content.decode()

    assert 'id="similar"' in page
    assert f'href="/mistakes/{second.pk}/"' in page


def test_similar_never_lists_what_the_person_may_not_see(report, reporter, outsider, manager):
    report("Payroll sent to the wrong bank", by=reporter, confidentiality="restricted",
           restricted_to=["ada"])  # fmt: skip
    open_one = report("Payroll sent to the wrong bank account", by=reporter)

    assert services.similar_to_mistake(outsider, open_one) == []
    assert services.similar_to_text(outsider, "payroll wrong bank") == [
        hit for hit in services.similar_to_text(outsider, "payroll wrong bank")
        if hit.mistake == open_one
    ]  # fmt: skip
    assert len(services.similar_to_mistake(manager, open_one)) == 1


def test_recurring_mistakes_form_a_pattern_with_counts_by_month(report, reporter, outsider):
    for month in range(3):
        mistake = report(f"Invoice run {month} used the old prices", by=reporter, tags=["billing"])
        Mistake.objects.filter(pk=mistake.pk).update(
            reported_at=timezone.now() - timedelta(days=31 * month)
        )
    report("Payroll leak", by=reporter, tags=["billing"], confidentiality="restricted")

    by_tag = services.patterns(reporter)[0]
    assert by_tag.name == "tagged “billing”"
    assert by_tag.count == 4
    assert sum(n for _, n in by_tag.by_month) == 4
    assert len(by_tag.by_month) == 12

    seen_by_outsider = services.patterns(outsider)
    assert [p.count for p in seen_by_outsider if "billing" in p.name] == [3]
    assert all("Payroll leak" not in m.title for p in seen_by_outsider for m in p.mistakes)


def test_a_clear_part_of_a_larger_pattern_is_a_pattern_of_its_own(report, reporter):
    for title in ("Invoices sent with old prices", "Credit notes with old prices",
                  "Quotes made with old prices"):  # fmt: skip
        report(title, by=reporter, tags=["billing", "prices"])
    report("Refunded the wrong customer", by=reporter, tags=["billing"])
    assert [(p.name, p.count) for p in services.patterns(reporter)] == [
        ("tagged “billing”", 4),
        ("tagged “prices”", 3),  # the same three are also "about old prices": shown once
    ]

    report("Paid a supplier twice", by=reporter, tags=["billing"])
    report("Paid a refund twice", by=reporter, tags=["billing"])
    assert [p.count for p in services.patterns(reporter)][:2] == [6, 3]


def test_titles_alike_form_a_pattern_without_tags(report, reporter):
    for team in ("north", "south", "east"):
        report(f"Shipped the {team} orders to the old warehouse address", by=reporter)
    report("Something else entirely", by=reporter)

    [pattern] = services.patterns(reporter)
    assert pattern.count == 3
    assert "orders" in pattern.name or "warehouse" in pattern.name


def test_library_page_shows_what_keeps_happening(report, reporter, client):
    for n in range(3):
        report(f"Invoice {n} used old prices", by=reporter, tags=["billing"])
    client.force_login(reporter)

    page = client.get("/library/").content.decode()

    assert "This keeps happening" in page
    assert "3 mistakes" in page


def test_semantic_similarity_when_the_extra_is_installed(report, reporter, run_tasks):
    if not semantic.available():
        pytest.skip("the optional ownup[semantic] extra (sentence-transformers, torch) is absent")
    first = report("The pharmacist handed out the wrong dose of insulin", by=reporter)
    second = report("A patient was given too much medication", by=reporter)
    run_tasks()

    assert semantic.neighbours(first.pk, Mistake.objects.all(), limit=3)[0][0] == second.pk


def test_similar_mistakes_show_what_was_done_not_what_was_only_proposed(
    report, reporter, responder
):
    from ownup.containment.models import ActionStatus, ContainmentAction
    from ownup.fixes.models import Action, Status

    past = report("Sent the March invoices with last year's prices", by=reporter)
    taken = {"could_harm": "Invoices go out late", "rollback": "Resume the run", "agreed_by": "Ada"}
    ContainmentAction.objects.create(
        mistake=past, what="Paused the invoice run", status=ActionStatus.TAKEN, **taken
    )
    ContainmentAction.objects.create(
        mistake=past, what="Delete the queued runs", status=ActionStatus.PROPOSED, **taken
    )
    for title, status in (("Load prices from the contracts", Status.DONE),
                          ("Retrain the billing team", Status.CANCELLED),
                          ("Check the price list monthly", Status.OPEN)):  # fmt: skip
        Action.objects.create(
            mistake=past, title=title, owner=responder, status=status, due_date="2026-12-31"
        )

    [hit] = services.similar_to_text(reporter, "Invoices went out with old prices")

    assert hit.outcomes == [
        ("Contained by", "Paused the invoice run"),
        ("Fixed by", "Load prices from the contracts"),
    ]


def test_links_are_not_words_of_the_library(report, reporter, responder):
    from ownup.fixes.models import Action

    past = report("Sent the March invoices with last year's prices", by=reporter)
    action = Action.objects.create(
        mistake=past,
        title="Load prices from the contracts",
        owner=responder,
        due_date="2026-12-31",
        tracker_url="https://tracker.example/BILL-42",
    )

    assert sources.text_fields_of(action) == "Load prices from the contracts"
    assert services.search(reporter, "contracts")
    assert not services.search(reporter, "tracker")
