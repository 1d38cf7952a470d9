"""In Chromium at a phone's width: every demo page fits the screen, none scrolls sideways."""

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
    too_wide, not_shown = {}, {}
    for path in PAGES + mistakes + forms:
        if (status := page.goto(path).status) != 200:
            not_shown[path] = status
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            too_wide[path] = width
    # On a phone the list is one block a mistake: its title, then its stage, severity and age.
    page.goto("/mistakes/")
    first = page.locator("table.mistakes tbody tr").first
    assert first.locator("td.title").bounding_box()["width"] > PHONE_WIDTH * 0.7
    assert not page.locator("table.mistakes thead").is_visible()
    context.close()
    assert not_shown == {}
    assert too_wide == {}
