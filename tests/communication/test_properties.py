"""Whatever people type, the blame check and the recipient list answer plainly, never crash."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ownup.communication.language import check_text
from ownup.communication.services import parse_recipients, split_entries
from ownup.reporting.services import InvalidInput

SOME_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SOME_SETTINGS
@given(st.text(max_size=400))
def test_the_blame_check_reads_any_text(blame_terms, text):
    for finding in check_text(text):
        assert finding.found.lower().split()[0] in text.lower()
        assert finding.suggestion


@SOME_SETTINGS
@given(st.text(max_size=200))
def test_any_recipient_list_is_accepted_or_refused_with_reasons(mistake, text):
    problems: list[str] = []
    try:
        addresses = parse_recipients(split_entries(text), mistake)
    except InvalidInput as refused:
        problems, addresses = refused.errors["recipients"], []
    assert bool(problems) != bool(addresses)
    assert all(a.channel in {"email", "apprise"} for a in addresses)
