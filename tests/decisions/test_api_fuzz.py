"""Whatever a client sends to the containment and decision routes, the answer is never a 500."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from ownup.organisation.services import issue_token
from ownup.reporting import services

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
OURS = "containment|customer-care|support|options|decision|criteria"


@pytest.fixture
def target(admin_user, billing):
    """An API token and the one mistake the generated requests are about."""
    mistake = services.report(
        {"title": "Sent the invoices", "team": "billing"}, reporter=admin_user
    )
    return issue_token(admin_user, "fuzz")[1], mistake.pk


@pytest.mark.django_db
@schema.include(path_regex=OURS).parametrize()
@settings(max_examples=6, suppress_health_check=list(HealthCheck), deadline=None)
def test_no_server_errors(case, target):
    token, mistake_id = target
    if "mistake_id" in (case.path_parameters or {}):
        case.path_parameters["mistake_id"] = mistake_id  # so the bodies are what is tested
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.method, case.path, case.body, response.text[:300])
