"""The postmortem export and the telling commands."""

import json

import pytest
from django.test import Client

from ownup import postmortem
from ownup.communication.models import Message, Recipient
from ownup.fixes import services as fixes
from ownup.reporting import services as reporting


@pytest.fixture
def story(mistake, responder, manager):
    action = fixes.add_action(
        mistake,
        {
            "title": "Load prices from the contract system",
            "owner": "bo",
            "due_date": "2099-01-31",
            "strength": "strong",
            "tracker_url": "https://tracker.example/BILL-7",
        },
        actor=responder,
    )
    fixes.complete_action(action, "PR 481 merged", actor=responder)
    message = Message.objects.create(
        mistake=mistake,
        audience_name="Affected customers",
        subject="We are sorry",
        body="Body",
        sent_by=responder,
    )
    Recipient.objects.create(
        message=message,
        channel="email",
        address="secret-customer@customer.example",
        state="sent",
    )
    reporting.add_note(mistake, "Finance confirmed 214 invoices were affected", actor=responder)
    return mistake


def test_the_markdown_tells_the_whole_story_in_stage_order(story, responder):
    text = postmortem.markdown(story, responder)
    assert text.startswith("# Postmortem: Sent the March invoices with last year's prices")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## What happened", "## The real fix", "## Who was told", "## Timeline"]
    assert "The invoice run used the 2025 price list." in text
    assert (
        "| Load prices from the contract system ([tracker](https://tracker.example/BILL-7))" in text
    )
    assert "PR 481 merged" in text
    assert "Finance confirmed 214 invoices were affected" in text
    assert "| Affected customers | We are sorry | 1 of 1 | 0 |" in text
    assert "secret-customer" not in text  # a postmortem names no recipient


def test_html_and_pdf_downloads_from_the_page(story, responder, outsider, reporter):
    client = Client()
    client.force_login(responder)
    html = client.get(f"/mistakes/{story.pk}/postmortem.html")
    assert html.status_code == 200
    assert html["Content-Type"].startswith("text/html")
    assert "<h2>The real fix</h2>" in html.content.decode()
    pdf = client.get(f"/mistakes/{story.pk}/postmortem.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert 'filename="postmortem-' in pdf["Content-Disposition"]
    assert client.get(f"/mistakes/{story.pk}/postmortem.docx").status_code == 404


def test_a_restricted_mistake_is_exported_to_nobody_outside_it(
    secret, api_as, reporter, responder, outsider
):
    page = Client()
    page.force_login(outsider)
    assert page.get(f"/mistakes/{secret.pk}/postmortem.md").status_code == 404
    inside = Client()
    inside.force_login(reporter)
    assert b"Salary spreadsheet" in inside.get(f"/mistakes/{secret.pk}/postmortem.md").content


def test_export_from_the_command_line(ownup_cli, story, responder, tmp_path):
    markdown = ownup_cli("export", str(story.pk), "--format", "md", user=responder)
    assert markdown.exit_code == 0, markdown.output
    assert "## The real fix" in markdown.output
    target = tmp_path / "story.pdf"
    written = ownup_cli("export", str(story.pk), "-f", "pdf", "-o", str(target), user=responder)
    assert written.exit_code == 0, written.output
    assert target.read_bytes().startswith(b"%PDF")
    wrong = ownup_cli("export", str(story.pk), "--format", "docx", user=responder)
    assert wrong.exit_code == 1
    assert "no format 'docx'; choose one of md, html, pdf" in wrong.output


def test_tell_drafts_then_sends_and_acks_lists_who_read_it(
    ownup_cli, mistake, responder, smtp_server, run_tasks
):
    draft = ownup_cli("tell", str(mistake.pk), "--audience", "customers", user=responder)
    assert draft.exit_code == 0, draft.output
    assert "we are sorry" in draft.output
    assert "Add --send" in draft.output
    assert not Message.objects.exists()

    sent = ownup_cli(
        "tell",
        str(mistake.pk),
        "--audience",
        "customers",
        "--to",
        "one@customer.example",
        "--send",
        user=responder,
    )
    assert sent.exit_code == 0, sent.output
    assert "Queued message" in sent.output
    run_tasks()
    assert [m.recipients for m in smtp_server.received] == [["one@customer.example"]]

    acks = ownup_cli("acks", str(mistake.pk), "--json", user=responder)
    [message] = json.loads(acks.output)
    assert message["recipients"][0]["state"] == "sent"
    assert message["recipients"][0]["acknowledged_at"] is None
    table = ownup_cli("acks", str(mistake.pk), user=responder)
    assert "not yet" in table.output


def test_tell_refuses_bad_recipients_in_one_line(ownup_cli, mistake, responder):
    refused = ownup_cli(
        "tell",
        str(mistake.pk),
        "--to",
        "not-an-address",
        "--to",
        "foo://x",
        "--send",
        user=responder,
    )
    assert refused.exit_code == 1
    lines = [line for line in refused.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error: --to: 'not-an-address' is not a valid email address.")
    assert "foo:// is not a kind of address Apprise knows" in lines[0]
    assert not Message.objects.exists()
