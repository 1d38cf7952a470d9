import pytest
from django.contrib.auth.models import User

from ownup.learning import index, services
from ownup.learning.models import SearchDocument
from ownup.learning.query import parse
from ownup.reporting import services as reporting
from ownup.reporting.models import Mistake

MALFORMED = [
    '"unbalanced quote',
    'invoice" prices"',
    "NEAR(invoice prices, 3)",
    "invoice AND OR NOT",
    "title:invoice",
    "invoice*",
    "^invoice",
    "(((",
    "-",
    "' OR 1=1 --",
    "inv\x00oice",
    "{title body}: invoice",
    "💥 invoice",
    "a" * 5000,
]


def titles(hits):
    return [hit.mistake.title for hit in hits]


def test_search_finds_words_of_the_title_the_story_and_the_tags(report, reporter):
    report("Sent the March invoices with last year's prices", by=reporter, tags=["billing"])
    report(
        "Deploy broke checkout",
        by=reporter,
        description="The invoices page timed out as well.",
    )
    report("Deleted the contracts folder", by=reporter, tags=["documents"])

    assert titles(services.search(reporter, "invoices")) == [
        "Sent the March invoices with last year's prices",  # the title outweighs the story
        "Deploy broke checkout",
    ]
    assert titles(services.search(reporter, "documents")) == ["Deleted the contracts folder"]
    # Stemming: "invoice" finds "invoices".
    assert len(services.search(reporter, "invoice")) == 2


def test_search_marks_the_matched_words_and_escapes_the_rest(report, reporter):
    report("Pasted <script>alert(1)</script> into the invoice template", by=reporter)

    [hit] = services.search(reporter, "invoice")

    assert "<mark>invoice</mark>" in hit.title
    assert "<script>" not in hit.title
    assert "&lt;script&gt;" in hit.title


def test_phrases_alternatives_and_left_out_words(report, reporter):
    report("Wrong price list on the March invoices", by=reporter)
    report("Price of the list was wrong", by=reporter)
    report("Checkout broke after the deploy", by=reporter)

    assert titles(services.search(reporter, '"price list"')) == [
        "Wrong price list on the March invoices"
    ]
    assert len(services.search(reporter, "invoices or checkout")) == 2
    assert titles(services.search(reporter, "price -march")) == ["Price of the list was wrong"]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_queries_are_answered_never_refused_by_the_engine(report, reporter, text):
    report("Sent the March invoices with last year's prices", by=reporter)

    if parse(text):
        hits = services.search(reporter, text)
        assert all(isinstance(hit.mistake, Mistake) for hit in hits)
    else:  # nothing to search for is said plainly
        with pytest.raises(reporting.InvalidInput, match="Type a word or two"):
            services.search(reporter, text)


def test_a_query_that_only_leaves_words_out_asks_for_a_word(reporter):
    with pytest.raises(reporting.InvalidInput) as refused:
        services.search(reporter, "-draft")
    assert "Add a word to look for: -draft only leaves words out." in refused.value.summary()


def test_an_empty_query_is_a_clear_refusal(reporter):
    with pytest.raises(reporting.InvalidInput) as refused:
        services.search(reporter, '  " -- ()  ')
    assert "Type a word" in refused.value.summary()


def test_the_index_follows_changes_and_deletions(report, reporter):
    mistake = report("Sent the invoices late", by=reporter)
    reporting.update(
        mistake, {"title": "Sent the payslips late", "tags": ["payroll"]}, actor=reporter
    )

    assert services.search(reporter, "invoices") == []
    assert titles(services.search(reporter, "payslips payroll")) == ["Sent the payslips late"]

    mistake.delete()
    assert services.search(reporter, "payslips") == []
    assert not SearchDocument.objects.exists()


def test_a_mistake_deleted_with_its_records_leaves_no_document_behind(report, reporter):
    from ownup.understanding import services as understanding

    mistake = report("Sent the invoices late", by=reporter)
    understanding.add_factor(mistake, "process", "Nobody checks the run", actor=reporter)
    understanding.add_why(mistake, "The run has no owner", actor=reporter)
    # As the admin deletes it: its factors and whys go first, each a change to the mistake.
    Mistake.objects.get(pk=mistake.pk).delete()
    assert not SearchDocument.objects.exists()
    Mistake.objects.filter(pk__in=[report("Another", by=reporter).pk]).delete()
    assert not SearchDocument.objects.exists()


def test_reindex_rebuilds_documents_that_went_missing(report, reporter):
    report("Sent the invoices late", by=reporter)
    SearchDocument.objects.all().delete()
    assert services.search(reporter, "invoices") == []

    assert index.reindex_all() == 1
    assert len(services.search(reporter, "invoices")) == 1


def test_search_never_shows_what_the_person_may_not_see(
    report, reporter, responder, outsider, manager, billing
):
    report("Payroll sent to the wrong bank", by=reporter, confidentiality="team", team="billing")
    report(
        "Salary sheet emailed to everyone",
        by=reporter,
        confidentiality="restricted",
        restricted_to=["ada"],
    )
    report("Payroll run started twice", by=reporter)

    assert titles(services.search(outsider, "payroll or salary")) == ["Payroll run started twice"]
    assert len(services.search(responder, "payroll or salary")) == 2  # team, not restricted
    assert len(services.search(manager, "payroll or salary")) == 3  # named on the restricted one


def test_search_keeps_looking_past_hidden_matches(report, reporter, outsider, settings):
    for n in range(40):
        report(f"Payroll leak {n}", by=reporter, confidentiality="restricted")
    report("Payroll rounding", by=reporter)

    assert titles(services.search(outsider, "payroll", limit=1)) == ["Payroll rounding"]


def test_query_rebuilding_quotes_every_term():
    assert parse('NEAR(a b) "x y').fts5() == '("NEAR") AND ("a") AND ("b") AND ("x") AND ("y")'
    assert parse("e-mail -draft").websearch() == '"e" "mail" -"draft"'
    assert not parse("()\"'")


@pytest.mark.django_db
def test_lookups_by_people_who_are_not_logged_in_find_nothing(report, reporter):
    from django.contrib.auth.models import AnonymousUser

    report("Sent the invoices late", by=reporter)
    assert services.search(AnonymousUser(), "invoices") == []
    assert isinstance(reporter, User)


def test_imported_and_generated_mistakes_are_found_once_the_worker_indexed_them(
    tmp_path, admin_user, reporter, run_tasks
):
    from ownup.insights import history, importing

    path = tmp_path / "postmortems.json"
    path.write_text(
        '[{"title": "Zebra crossing repainted in the wrong colour", "tags": ["roads"],'
        ' "description": "The council used blue paint."}]'
    )
    importing.import_records(importing.read(path), source=str(path), actor=admin_user)
    history.insert(history.plan(3, now=Mistake.objects.get().reported_at, seed=3))
    assert services.search(admin_user, "zebra") == []  # not in the index until the worker ran

    assert run_tasks() == [1, 3]
    [hit] = services.search(admin_user, "zebra blue roads")
    assert hit.mistake.title == "Zebra crossing repainted in the wrong colour"
    generated = Mistake.objects.exclude(title__startswith="Zebra")
    assert SearchDocument.objects.filter(mistake__in=generated).count() == 3
    assert run_tasks() == []
    # Indexed again, nothing is written twice.
    assert index.index_inserted(Mistake.objects.values_list("pk", flat=True)) == 0
