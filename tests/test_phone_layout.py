"""In Chromium at a phone's width: every demo page fits the screen, none scrolls sideways."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User

from ownup.demo import DEMO_PASSWORD, load_demo
from ownup.monitoring.models import CheckKind, EffectivenessCheck
from ownup.reporting.models import Mistake
from tests.conftest import login

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390

PAGES = ["/mistakes/", "/mistakes/report/", "/library/", "/library/?q=invoices", "/dashboard/",
         "/catalog/", "/hiring/"]  # fmt: skip


def test_the_demo_pages_fit_a_phone_screen(chromium, live_server, transactional_db):
    load_demo()
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": PHONE_WIDTH, "height": 800}
    )
    page = context.new_page()
    login(page, User.objects.get(username="ada"), DEMO_PASSWORD)
    from ownup.understanding import services as understanding

    first = Mistake.objects.order_by("pk").first()
    understanding.add_factor(first, "tools", "x" * 300, actor=User.objects.get(username="ada"))
    mistakes = [m.get_absolute_url() for m in Mistake.objects.order_by("pk")]
    mistakes += [f"{url}postmortem.html" for url in mistakes]  # one long word breaks, too
    # The forms of a mistake, and a check's own page with its settings beside its history.
    check = EffectivenessCheck.objects.select_related("mistake").order_by("pk").first()
    assert check is not None
    fixed = check.mistake.get_absolute_url()
    forms = [f"{fixed}checks/add/?kind={kind}" for kind in CheckKind.values]
    forms += [f"{fixed}checks/{check.pk}/", "/account/tokens/"]
    forms += [f"{fixed}{form}/" for form in ("actions/new", "timeline", "edit")]
    # Those, and every page their links lead to: an entity, a lesson, a scorecard...
    to_visit, visited = PAGES + mistakes + forms, set()
    too_wide, not_shown = {}, {}
    while to_visit and len(visited) < MOST_PAGES:
        path = to_visit.pop(0)
        if path in visited:
            continue
        visited.add(path)
        answer = page.goto(path)
        if answer.status != 200:
            not_shown[path] = answer.status
        if "html" not in answer.headers.get("content-type", ""):
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            too_wide[path] = width
        to_visit += [link for link in _links(page, live_server.url) if link not in visited]
    assert len(visited) > 100  # the crawl went past the pages named
    # On a phone the list is one block a mistake: its title, then its stage, severity and age.
    page.goto("/mistakes/")
    first = page.locator("table.mistakes tbody tr").first
    assert first.locator("td.title").bounding_box()["width"] > PHONE_WIDTH * 0.7
    assert not page.locator("table.mistakes thead").is_visible()
    context.close()
    assert not_shown == {}
    assert too_wide == {}


MOST_PAGES = 300
# Not pages of the app: the admin's own, downloads, the API, and leaving.
NOT_CRAWLED = ("/admin/", "/api/", "/logout", "/export", ".pdf", ".md")


def _links(page, base: str) -> list[str]:
    found = []
    # An SVG link's href is not a text: each link's address is read as the page resolves it.
    script = "links => links.map(a => new URL(a.getAttribute('href'), document.baseURI).href)"
    for href in page.eval_on_selector_all("a[href]", script):
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != base or any(n in parts.path for n in NOT_CRAWLED):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found
