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


@pytest.fixture
def whole_story(story, responder, manager):
    """The story told through every stage, with the records a postmortem must leave out."""
    from django.utils import timezone

    from ownup.containment.models import ContainmentAction, CustomerCare, SupportStep
    from ownup.decisions import services as decisions
    from ownup.monitoring.models import CheckKind, Closure, EffectivenessCheck, Lesson
    from ownup.understanding import services as understanding
    from ownup.understanding.models import Entity, EntityKind, JustCulture

    ContainmentAction.objects.create(
        mistake=story, what="Paused the April invoice run", could_harm="Cash comes in later",
        rollback="Resume the run", agreed_by="Ada, billing manager", status="taken",
        taken_at=timezone.now(), author=responder,
    )  # fmt: skip
    CustomerCare.objects.create(mistake=story, text="Called the five largest customers")
    SupportStep.objects.create(mistake=story, offered_by=manager, note="Talked over coffee")
    understanding.save_analysis(
        story, {"what": "Invoices used old prices", "escape_point": "invoice review"},
        actor=responder,
    )  # fmt: skip
    entity = Entity.objects.create(
        key="invoicing", name="Invoicing system", kind=EntityKind.objects.get_or_create(
            name="system")[0],
    )  # fmt: skip
    understanding.add_touch_point(story, entity.key, "Ran 214 invoices", actor=responder)
    understanding.add_factor(story, "process", "The price list has no date", actor=responder)
    understanding.add_why(story, "The import kept the old list", actor=responder)
    JustCulture.objects.create(mistake=story, classification="human_error", note="A slip")
    option = decisions.add_option(
        story, actor=responder, title="Date the price list", strength="strong", scores={"risk": 1}
    )
    decisions.decide(story, actor=responder, option_id=option.pk, rationale="It stops the run")
    EffectivenessCheck.objects.create(
        mistake=story, kind=CheckKind.HTTP, name="The run refuses an old list", interval_minutes=60,
        config={"url": "https://ops.example/check?token=s3cret"}, baseline="214 wrong invoices",
    )  # fmt: skip
    Lesson.objects.create(mistake=story, learned="Lists need a date", advice="Date every list")
    Closure.objects.create(mistake=story, verified=True, thanked=["Bo Jensen", "Ada Lovelace"])
    story.closed_at = timezone.now()
    story.save(update_fields=["closed_at"])
    return story


def test_the_postmortem_tells_every_stage_and_keeps_private_records_out(whole_story, responder):
    text = postmortem.markdown(whole_story, responder)
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## What happened",
        "## Containment",
        "## Understanding: the whole picture",
        "## Decision: the options weighed",
        "## The real fix",
        "## Who was told",
        "## Monitoring: does the fix hold?",
        "## What we learned",
        "## Timeline",
    ]
    for told in [
        "**Paused the April invoice run** (taken",
        "Could harm: Cash comes in later",
        "Called the five largest customers",
        "- **What:** Invoices used old prices",
        "- **Escape point:** invoice review",
        "- **Invoicing system** (system): Ran 214 invoices",
        "- process: The price list has no date",
        "1. The import kept the old list",
        "**Chosen: Date the price list** (strong)",
        "Why: It stops the run",
        "**The run refuses an old list** (HTTP probe, every hour",
        "Baseline: 214 wrong invoices",
        "- **What we learned:** Lists need a date",
        "Thanks to Bo Jensen and Ada Lovelace",
    ]:
        assert told in text, told
    # Support for the person, the just-culture record and a check's address stay out.
    for private in ["Talked over coffee", "A slip", "human", "s3cret", "ops.example"]:
        assert private not in text, private
    html = postmortem.html(whole_story, responder)
    assert "<h2>Decision: the options weighed</h2>" in html
    for private in ["Talked over coffee", "A slip", "s3cret"]:
        assert private not in html


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
    ownup_cli, mistake, responder, smtp_server, run_tasks, tmp_path
):
    draft = ownup_cli("tell", str(mistake.pk), "--audience", "customers", user=responder)
    assert draft.exit_code == 0, draft.output
    assert "we are sorry" in draft.output
    assert "Add --send" in draft.output
    assert not Message.objects.exists()

    to = ("--audience", "customers", "--to", "one@customer.example")
    unfinished = ownup_cli("tell", str(mistake.pk), *to, "--send", user=responder)
    assert unfinished.exit_code == 1
    assert "error: --body-file: Fill in or delete what is still in square brackets" in (
        unfinished.output
    )
    assert not Message.objects.exists()
    (tmp_path / "body.txt").write_text("We sent you last year's prices. We are sorry.")
    sent = ownup_cli(
        "tell",
        str(mistake.pk),
        *to,
        "--body-file",
        str(tmp_path / "body.txt"),
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


def test_tell_refuses_bad_recipients_in_one_line(ownup_cli, mistake, responder, tmp_path):
    (tmp_path / "body.txt").write_text("We sent the wrong prices.")
    refused = ownup_cli(
        "tell",
        str(mistake.pk),
        "--body-file",
        str(tmp_path / "body.txt"),
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
