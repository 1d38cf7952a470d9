"""Web forms for containment: they parse what the browser sends; the services hold the rules."""

from __future__ import annotations

from django import forms

from ownup.containment.models import AGREED_BY_MAX_LENGTH, TEXT_MAX_LENGTH
from ownup.reporting.models import DESCRIPTION_MAX_LENGTH

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ActionForm(forms.Form):
    what = forms.CharField(
        label="What was done",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Paused the invoice run"}),
    )
    could_harm = forms.CharField(
        label="What could it harm?",
        max_length=TEXT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Invoices due today go out a day late"}),
    )
    reversible = forms.TypedChoiceField(
        label="Can it be undone?",
        choices=[
            ("yes", "Yes, it can be undone"),
            ("no", "No: someone other than me must approve it first"),
        ],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )
    rollback = forms.CharField(
        label="How to undo it",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Resume the run in the billing console"}),
    )
    agreed_by = forms.CharField(
        label="Who agreed",
        max_length=AGREED_BY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Ada (billing manager)"}),
    )
    remove_by = forms.DateTimeField(
        label="Remove by",
        widget=WHEN,
        help_text="Containment is temporary: when should it come off again?",
    )
    taken_at = forms.DateTimeField(
        label="Done at",
        required=False,
        widget=WHEN,
        help_text="Leave it empty if it was done just now.",
    )


class CareForm(forms.Form):
    text = forms.CharField(
        label="What was done for the affected customers",
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"placeholder": "Called the five largest customers and apologised"}
        ),
    )


class SupportForm(forms.Form):
    note = forms.CharField(
        label="Note (private)",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Talked it through over coffee"}),
    )
