"""ownup tell and ownup acks print subjects and refusals as typed, square brackets included."""

SUBJECT = "[x] [bold]sorry[/] [/]"


def test_tell_and_acks_print_square_brackets_as_typed(ownup_cli, mistake, responder, tmp_path):
    m = str(mistake.pk)
    (tmp_path / "body.txt").write_text("We sent the wrong prices [all of them].")
    draft = ownup_cli("tell", m, "--subject", SUBJECT, user=responder)
    assert draft.exit_code == 0, draft.output
    assert f"Subject: {SUBJECT}" in draft.output
    to = ("--to", "one@customer.example", "--body-file", str(tmp_path / "body.txt"))
    sent = ownup_cli("tell", m, "--subject", SUBJECT, *to, "--send", user=responder)
    assert sent.exit_code == 0, sent.output
    acks = ownup_cli("acks", m, user=responder)
    assert acks.exit_code == 0, acks.output
    assert SUBJECT in acks.output


def test_a_refused_recipient_with_square_brackets_is_one_line(
    ownup_cli, mistake, responder, tmp_path
):
    (tmp_path / "body.txt").write_text("We sent the wrong prices.")
    body = ("--body-file", str(tmp_path / "body.txt"))
    refused = ownup_cli("tell", str(mistake.pk), "--to", "[/]", *body, "--send", user=responder)
    assert refused.exit_code == 1, refused.output
    assert refused.output.startswith("error: --to: '[/]' is not a valid email address.")
    assert "Traceback" not in refused.output
