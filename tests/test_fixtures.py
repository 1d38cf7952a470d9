"""The real services the suite starts answer as the tests expect."""

import urllib.error
import urllib.request

import pytest
from django.core.mail import send_mail


def test_mail_reaches_the_real_smtp_server(smtp_server):
    send_mail("Hello", "Body text", "from@example.com", ["to@example.com"])
    assert len(smtp_server.received) == 1
    mail = smtp_server.received[0]
    assert mail.recipients == ["to@example.com"]
    assert mail.message["Subject"] == "Hello"
    assert "Body text" in mail.message.get_content()


def test_http_server_switches_from_healthy_to_broken(http_server):
    with urllib.request.urlopen(http_server.url + "/health") as response:
        assert response.status == 200
    http_server.respond(503, "down")
    with pytest.raises(urllib.error.HTTPError) as broken:
        urllib.request.urlopen(http_server.url + "/health")
    assert broken.value.code == 503
    assert [r.path for r in http_server.requests] == ["/health", "/health"]
