"""Generated requests against every documented API operation: bad input never makes a 500."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from ownup.organisation.services import create_user, issue_token
from ownup.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def token(db):
    # Requests go straight to the WSGI application, so keep Django from closing the test's
    # database connection at the end of each one, as its own test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    user = create_user("fuzz", admin=True)
    yield issue_token(user, "fuzz")[1]
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_operation_answers_a_server_error(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.as_curl_command(), response.text[:500])
    if response.status_code != 405:  # an undocumented method: Django's plain answer will do
        content_type = {k.lower(): v for k, v in response.headers.items()}["content-type"]
        assert "application/json" in str(content_type), (case.as_curl_command(), response.text)
