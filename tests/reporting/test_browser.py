"""In Chromium: log in, report a mistake through the form, see it in the list."""

import pytest

from ownup.reporting.models import Mistake
from tests.conftest import login

pytestmark = pytest.mark.browser

INVOICES = "Sent the March invoices with last year's prices"


def test_report_through_the_form_and_find_it_in_the_list(browser_page, reporter):
    page = browser_page
    login(page, reporter)
    page.get_by_role("banner").get_by_role("link", name="Report a mistake").click()
    assert "Our reporting policy" in page.content()

    # One sentence and the Enter key: the whole report.
    page.get_by_label("What went wrong, in one sentence").fill(INVOICES)
    page.keyboard.press("Enter")
    page.wait_for_url("**/receipt/")
    assert page.get_by_role("heading", name="Thank you for reporting it.").is_visible()
    assert page.get_by_text("reported before anyone else found it").is_visible()

    page.get_by_role("link", name="Mistakes", exact=True).click()
    row = page.get_by_role("row").filter(has_text=INVOICES)
    assert row.count() == 1
    assert "Reported" in row.inner_text()
    row.get_by_role("link", name=INVOICES).click()
    assert page.get_by_role("heading", name=INVOICES).is_visible()
    assert Mistake.objects.get().reporter == reporter


def test_the_form_shows_a_problem_at_its_field(browser_page, reporter):
    page = browser_page
    login(page, reporter)
    page.goto("/mistakes/report/")
    page.get_by_role("button", name="Report it").click()
    error = page.locator("#field-title .error")
    assert error.inner_text() == "Say in one sentence what went wrong."
    assert not Mistake.objects.exists()


def test_a_form_on_its_way_is_not_sent_again(browser_page, reporter):
    page = browser_page
    login(page, reporter)
    page.goto("/mistakes/report/")
    page.get_by_label("What went wrong, in one sentence").fill(INVOICES)
    # Counts the submits that would leave the page, and keeps the page where it is, as a slow
    # network would: the first report is still on its way when the button is pressed again.
    sent = page.evaluate("""() => {
        window.sent = 0;
        window.addEventListener("submit", (event) => {
            if (!event.defaultPrevented) { window.sent += 1; }
            event.preventDefault();
        });
        const form = document.querySelector("#id_title").form;
        form.requestSubmit();
        form.requestSubmit();
        return window.sent;
    }""")
    assert sent == 1
    button = page.get_by_role("button", name="Report it")
    page.wait_for_function("document.querySelector('#id_title').form.hasAttribute('aria-busy')")
    assert button.is_disabled()
    assert Mistake.objects.count() == 0


def test_words_typed_and_not_sent_are_not_left_behind_without_a_question(browser_page, reporter):
    page = browser_page
    login(page, reporter)
    page.goto("/mistakes/report/")
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.get_by_role("banner").get_by_role("link", name="Mistakes", exact=True).click()
    page.wait_for_url("**/mistakes/")  # nothing typed: nothing to ask
    assert asked == []

    page.goto("/mistakes/report/")
    title = page.get_by_label("What went wrong, in one sentence")
    title.fill(INVOICES)
    with page.expect_event("dialog"):
        page.get_by_role("banner").get_by_role("link", name="Mistakes", exact=True).click()
    assert asked == ["beforeunload"]
    assert page.url.endswith("/mistakes/report/")
    assert title.input_value() == INVOICES

    title.press("Enter")  # sending it is not leaving it behind
    page.wait_for_url("**/receipt/")
    assert asked == ["beforeunload"]
