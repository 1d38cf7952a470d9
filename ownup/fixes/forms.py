"""The one validator of an action's fields, for the web form, the API and the CLI alike."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from ownup.fixes.models import TITLE_MAX_LENGTH, Action, Kind, Status, Strength
from ownup.reporting.forms import BY_NAME, PersonChoiceField

User = get_user_model()


class ActionForm(forms.Form):
    title = forms.CharField(
        label="What will be done",
        max_length=TITLE_MAX_LENGTH,
        error_messages={"required": "Say what will be done."},
    )
    kind = forms.ChoiceField(choices=Kind.choices, initial=Kind.CORRECTIVE, required=False)
    strength = forms.ChoiceField(
        label="Action strength",
        choices=Strength.choices,
        initial=Strength.MEDIUM,
        required=False,
        help_text="Strong actions change the system; weak ones ask people to try harder.",
    )
    owner = PersonChoiceField(
        queryset=User.objects.filter(is_active=True).order_by(*BY_NAME),
        to_field_name="username",
        error_messages={
            "required": "Name the person who owns this action.",
            "invalid_choice": "There is no active user with that name.",
        },
    )
    due_date = forms.DateField(
        label="Due",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give a due date.", "invalid": "Give a date like 2026-03-31."},
    )
    tracker_url = forms.URLField(
        label="Tracker link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Optional: the ticket in Jira, GitHub, Linear or any other tracker.",
    )

    def __init__(self, *args: Any, existing: Action | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.existing = existing

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError("Say what will be done.")
        return title

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or Kind.CORRECTIVE

    def clean_strength(self) -> str:
        return self.cleaned_data["strength"] or Strength.MEDIUM

    def clean_due_date(self) -> Any:
        due = self.cleaned_data["due_date"]
        unchanged = self.existing is not None and self.existing.due_date == due
        if due < timezone.localdate() and not unchanged:
            raise forms.ValidationError(
                f"The due date {due:%Y-%m-%d} is in the past; choose today or a later day."
            )
        return due


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(Status.OPEN, "Open"), (Status.IN_PROGRESS, "In progress")])


class DoneForm(forms.Form):
    evidence = forms.CharField(
        label="Evidence",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what shows it was done: a link, a commit, a document."},
        help_text="What shows it was done: a link, a commit, a document, a photo.",
    )


class VerifyForm(forms.Form):
    note = forms.CharField(label="What you checked", required=False, max_length=2000)


def initial_data(action: Action) -> dict[str, Any]:
    return {
        "title": action.title,
        "kind": action.kind,
        "strength": action.strength,
        "owner": action.owner.get_username(),
        "due_date": action.due_date,
        "tracker_url": action.tracker_url,
    }
