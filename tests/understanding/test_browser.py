"""In Chromium: add a touch point through the mistake's page, then accept a proposed implication."""

import pytest

from ownup.understanding.models import TouchPoint
from tests.conftest import login

pytestmark = pytest.mark.browser


def test_add_a_touch_point_and_accept_an_implication(browser_page, reporter, catalogue, mistake):
    page = browser_page
    login(page, reporter)
    page.goto(mistake.get_absolute_url())
    section = page.locator("#understanding")
    assert section.get_by_text("No touch point yet").is_visible()

    # The picker suggests entities as one types; the key is what it fills in.
    entity = section.get_by_label("Entity (key or name)")
    entity.press_sequentially("price", delay=30)
    page.wait_for_function(
        "document.querySelectorAll('#touch-entities option').length > 0", timeout=5000
    )
    assert page.locator("#touch-entities option").first.get_attribute("value") == "price-list"
    entity.fill("price-list")
    section.get_by_label("Impact on it").fill("The March run used last year's list")
    section.get_by_role("button", name="Add touch point").click()
    page.wait_for_url(f"**/mistakes/{mistake.pk}/**")
    assert page.get_by_text("Price list 2026 is a touch point now.").is_visible()

    # The picture and the proposals: what follows from the price list.
    graph = page.locator("svg.implications-graph")
    assert graph.is_visible()
    assert graph.locator(".node-touch").count() == 1
    assert (
        graph.locator(".node-open .node-name").get_by_text("Invoicing system", exact=True).count()
        == 1
    )
    proposal = page.locator(".proposal", has_text="Invoicing system").first
    assert "Price list 2026 → Invoicing system (system)" in proposal.inner_text()
    proposal.get_by_role("button", name="Accept Invoicing system").click()
    page.wait_for_url(f"**/mistakes/{mistake.pk}/**")

    assert page.get_by_text("Invoicing system is a touch point now.").is_visible()
    assert page.locator("svg.implications-graph .node-touch").count() == 2
    row = (
        page.locator("#understanding table").get_by_role("row").filter(has_text="Invoicing system")
    )
    assert "Affected through Price list 2026" in row.inner_text()
    point = TouchPoint.objects.get(mistake=mistake, entity__key="invoicing")
    assert point.via == "Price list 2026 → Invoicing system (system)"
    page.screenshot(path="/tmp/understanding-browser.png", full_page=True)
