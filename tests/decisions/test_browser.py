"""In Chromium: contain a mistake, weigh two options and choose one, all through its page."""

import pytest

from ownup.containment.models import ContainmentAction
from ownup.decisions.models import Decision
from tests.conftest import login

pytestmark = pytest.mark.browser


def test_contain_score_and_choose_through_the_page(browser_page, responder, mistake):
    page = browser_page
    login(page, responder)
    page.goto(mistake.get_absolute_url())

    form = page.get_by_role("form", name="Record a containment action")
    form.get_by_label("What was done").fill("Paused the April invoice run")
    form.get_by_label("What could it harm?").fill("Invoices due today go out a day late")
    form.get_by_label("How to undo it").fill("Resume the run in the billing console")
    form.get_by_label("Who agreed").fill("Ada, billing manager")
    # A removal time before now is refused at its field, and what was typed stays.
    form.get_by_label("Remove by").fill("2020-01-01T09:00")
    form.get_by_role("button", name="Record the action").click()
    page.locator("#field-remove_by").get_by_text("It should be removed after it was").wait_for()
    form = page.get_by_role("form", name="Record a containment action")
    assert form.get_by_label("What was done").input_value() == "Paused the April invoice run"
    form.get_by_label("Remove by").fill("2030-01-01T09:00")
    form.get_by_role("button", name="Record the action").click()
    # Recorded: the page reloads, so the timeline and the next step tell the new story.
    page.get_by_text("Contained: Paused the April invoice run").wait_for()
    assert page.locator("#containment-body").get_by_text("Taken", exact=True).is_visible()
    assert page.get_by_text("Before it can be contained").count() == 0

    for title, strength in [
        ("Remind the team to check the price list", "weak"),
        ("The invoice run refuses an outdated price list", "strong"),
    ]:
        add = page.get_by_role("form", name="Add an option")
        add.get_by_label("Option").fill(title)
        add.get_by_label("Action strength").select_option(strength)
        add.get_by_role("button", name="Add the option").click()
        page.get_by_role("row").filter(has_text=title).wait_for()

    scores = {
        "Remind the team to check the price list": {
            "Effort": "1",
            "Risk": "2",
            "Customer impact": "1",
        },
        "The invoice run refuses an outdated price list": {
            "Effort": "3",
            "Risk": "1",
            "Customer impact": "5",
        },
    }
    for title, given in scores.items():
        for criterion, value in given.items():
            page.get_by_label(f"{criterion} of {title}").select_option(value)
        with page.expect_response(lambda r: "/scores/" in r.url):
            page.get_by_role("button", name=f"Save the scores of {title}").click()
    page.wait_for_function(
        "document.querySelector('table.options tbody tr th').textContent.includes('refuses')"
    )
    first = page.locator("table.options tbody tr").first
    assert "The invoice run refuses an outdated price list" in first.inner_text()
    # effort 3 of 5 (weight 2, lower is better): 0.5; risk 1 (3): 1; customer impact 5 (3): 1.
    assert "88" in first.locator("td.total").inner_text()

    choose = page.get_by_role("form", name="Choose the fix")
    choose.get_by_label("The option to carry out").select_option(
        label="1. The invoice run refuses an outdated price list"
    )
    choose.get_by_label("Why this one").fill("It cannot be forgotten, and it ranks first")
    choose.get_by_role("button", name="Choose this option").click()
    page.get_by_text("Chosen: The invoice run refuses an outdated price list").wait_for()
    page.wait_for_load_state("networkidle")
    assert ContainmentAction.objects.get().taken_by == responder
    assert Decision.objects.get().rationale == "It cannot be forgotten, and it ranks first"
    page.screenshot(path="/tmp/ownup-decided.png", full_page=True)
