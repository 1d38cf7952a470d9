import pytest

from tests.conftest import login

pytestmark = pytest.mark.browser


def test_login_page_shows_the_mistakes(browser_page, reporter):
    login(browser_page, reporter)
    assert browser_page.get_by_role("heading", name="Mistakes").is_visible()
