import pytest

from tests.conftest import login

pytestmark = pytest.mark.browser


def test_similar_mistakes_appear_while_the_title_is_typed(browser_page, report, reporter):
    report("Sent the March invoices with last year's prices", by=reporter)
    page = browser_page
    login(page, reporter)
    page.goto("/mistakes/report/")

    page.get_by_label("What went wrong, in one sentence").press_sequentially(
        "Invoices went out with the old prices", delay=10
    )

    similar = page.locator("#similar-live")
    similar.get_by_role("heading", name="This has happened before").wait_for()
    assert "last year" in similar.inner_text()


def test_search_from_the_library_page(browser_page, report, reporter):
    report("Deleted the shared contracts folder while tidying up", by=reporter)
    page = browser_page
    login(page, reporter)

    page.get_by_role("link", name="Library").click()
    page.get_by_label("Search the library").fill('contracts "tidying')
    page.get_by_role("button", name="Search").click()

    page.get_by_role("heading", name="1 mistake found").wait_for()
    assert page.locator(".hit mark").first.inner_text().lower() == "contracts"
