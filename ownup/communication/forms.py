"""The message form of the draft page; the rules themselves are in ``services.send``."""

from __future__ import annotations

from typing import Any

from django import forms

from ownup.communication.models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, Audience


class TellForm(forms.Form):
    audience = forms.ModelChoiceField(
        queryset=Audience.objects.none(), to_field_name="key", empty_label=None
    )
    recipients = forms.CharField(
        label="To",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line: an email address (Name <name@example.com>) or an Apprise URL "
        "such as slack://…, msteams://…, mmost://…, discord://… or json://host/path.",
    )
    subject = forms.CharField(max_length=SUBJECT_MAX_LENGTH)
    body = forms.CharField(
        label="Message", max_length=BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 18})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience"].queryset = Audience.objects.listed()  # type: ignore[attr-defined]
        self.fields["audience"].widget.attrs["onchange"] = (
            "location.search = '?audience=' + encodeURIComponent(this.value)"
        )
