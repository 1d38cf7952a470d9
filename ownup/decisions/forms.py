"""Web forms for options and decisions: they parse what the browser sends; services hold rules."""

from __future__ import annotations

from django import forms

from ownup.decisions.models import Strength
from ownup.reporting.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH


class OptionForm(forms.Form):
    title = forms.CharField(
        label="Option",
        max_length=TITLE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Price list checked by the invoice run"}),
    )
    strength = forms.ChoiceField(label="Action strength", choices=Strength.choices)
    description = forms.CharField(
        label="In more words",
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(forms.Form):
    option = forms.IntegerField(label="The option to carry out", widget=forms.Select)
    rationale = forms.CharField(
        label="Why this one",
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "Strong, cheap, and it protects every future run"}
        ),
    )

    def __init__(
        self, *args: object, options: list[tuple[int | str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["option"].widget.choices = options
