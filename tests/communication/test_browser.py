"""In Chromium: draft a message from the mistake's page, fix a bad address, send it."""

import os
import re

import pytest

from ownup.communication.models import Recipient
from ownup.fixes import services as fixes
from tests.conftest import login

pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:
    # OWNUP_SCREENSHOTS=/some/dir keeps what the test saw, to look at the pages as a user would.
    if folder := os.environ.get("OWNUP_SCREENSHOTS"):
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_draft_and_send_a_message_from_the_mistake_page(browser_page, mistake, responder):
    fixes.add_action(
        mistake,
        {
            "title": "Load prices from the contract system",
            "owner": "bo",
            "due_date": "2099-01-31",
            "strength": "strong",
        },
        actor=responder,
    )
    page = browser_page
    login(page, responder)
    page.goto(mistake.get_absolute_url())
    section = page.locator("#communication")
    assert "Nothing sent yet" in section.inner_text()
    _shot(page, "mistake-before.png")

    section.get_by_role("link", name="Affected customers", exact=True).click()
    page.wait_for_url("**/tell/?audience=customers")
    body = page.get_by_label("Message")
    assert "we are sorry" in body.input_value()
    assert "Load prices from the contract system" in body.input_value()

    # A blaming phrase typed into the draft is flagged as you write.
    body.press("Control+End")
    body.type("\nThe clerk failed to check the list.")
    page.locator(".blame-check").filter(has_text="failed to").wait_for()

    page.get_by_label("To").fill("customer-one@")
    page.get_by_role("button", name="Send").click()
    error = page.locator("#field-recipients .error")
    assert "'customer-one@' is not a valid email address." in error.inner_text()
    assert not Recipient.objects.exists()
    _shot(page, "tell-error.png")

    # The draft's bracketed lines are to be filled in before it goes.
    assert "still in square brackets" in page.locator("#field-body .error").inner_text()
    body = page.get_by_label("Message")
    body.fill(re.sub(r"\[[^\]]*\]", "We stopped the run.", body.input_value()))
    page.get_by_label("To").fill("Customer One <one@customer.example>")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(f"**/mistakes/{mistake.pk}/#communication")
    assert "Queued for 1 recipient" in page.locator(".messages").inner_text()
    row = page.locator("#communication table.recipients tbody tr")
    assert "Customer One <one@customer.example>" in row.inner_text()
    assert "Queued" in row.inner_text()
    _shot(page, "mistake-after.png")
    assert Recipient.objects.get().address == "one@customer.example"
