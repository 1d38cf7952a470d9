"""The validators of the catalogue and of a mistake's analysis, shared by web, API and CLI."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from ownup.understanding.models import (
    KEY_MAX_LENGTH,
    NAME_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Analysis,
    Culpability,
    EntityKind,
    FactorCategory,
    Flow,
    RelationType,
)

User = get_user_model()


class UsernamesField(forms.ModelMultipleChoiceField):
    """Owners as a list of usernames, or one text of usernames separated by commas or spaces."""

    def clean(self, value: Any) -> Any:
        if isinstance(value, str):
            value = [name for name in value.replace(",", " ").split() if name]
        return super().clean(value)


class EntityForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX_LENGTH)
    kind = forms.ModelChoiceField(
        queryset=EntityKind.objects.all(),
        to_field_name="name",
        empty_label="Choose a kind",
        error_messages={"invalid_choice": "Choose a known kind (see the catalogue's kinds)."},
    )
    key = forms.SlugField(
        max_length=KEY_MAX_LENGTH,
        required=False,
        help_text="Short and unique, like 'invoicing'. Made from the name when left empty.",
    )
    description = forms.CharField(
        max_length=TEXT_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owners = UsernamesField(
        queryset=User.objects.filter(is_active=True),
        to_field_name="username",
        required=False,
        help_text="Usernames of the people who answer for it, separated by spaces.",
        widget=forms.TextInput(),
        error_messages={"invalid_choice": "No active user named %(value)s."},
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the entity a name.")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("key") and data.get("name"):
            key = slugify(data["name"])[:KEY_MAX_LENGTH]
            if not key:
                self.add_error("key", "Give a key: the name has no letters or digits to make one.")
            data["key"] = key
        return data


class KindForm(forms.Form):
    name = forms.CharField(max_length=50)
    description = forms.CharField(max_length=200, required=False)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].lower().split())
        if not name:
            raise forms.ValidationError("Give the kind a name.")
        return name


class RelationTypeForm(KindForm):
    flows = forms.ChoiceField(
        label="Impact flows", choices=Flow.choices, initial=Flow.FORWARD, required=False
    )

    def clean_flows(self) -> str:
        return self.cleaned_data["flows"] or Flow.FORWARD


class RelationForm(forms.Form):
    type = forms.ModelChoiceField(
        label="Relation",
        queryset=RelationType.objects.all(),
        to_field_name="name",
        empty_label=None,
        error_messages={"invalid_choice": "Choose a known relation type."},
    )
    target = forms.CharField(label="To entity (key or name)", max_length=NAME_MAX_LENGTH)


class AnalysisForm(forms.ModelForm):
    class Meta:
        model = Analysis
        fields = [
            "what",
            "where",
            "when",
            "how_much",
            "is_not",
            "why_it_happened",
            "why_not_caught",
            "escape_point",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in [
                "what",
                "where",
                "when",
                "how_much",
                "is_not",
                "why_it_happened",
                "why_not_caught",
            ]
        }


class TouchPointForm(forms.Form):
    entity = forms.CharField(label="Entity (key or name)", max_length=NAME_MAX_LENGTH)
    impact = forms.CharField(
        label="Impact on it",
        max_length=TEXT_MAX_LENGTH,
        error_messages={"required": "Say how the mistake affects it."},
    )


class FactorForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=FactorCategory.objects.all(),
        to_field_name="name",
        empty_label=None,
        error_messages={"invalid_choice": "Choose a known category."},
    )
    text = forms.CharField(
        label="What contributed",
        max_length=TEXT_MAX_LENGTH,
        error_messages={"required": "Say what contributed."},
    )


class WhyForm(forms.Form):
    answer = forms.CharField(
        label="Because…",
        max_length=TEXT_MAX_LENGTH,
        error_messages={"required": "Write the answer to this why."},
    )


class OtherPlaceForm(forms.Form):
    place = forms.CharField(
        label="Where else", max_length=NAME_MAX_LENGTH, error_messages={"required": "Say where."}
    )
    entity = forms.CharField(label="Catalogue entity (optional)", required=False, max_length=200)
    note = forms.CharField(max_length=TEXT_MAX_LENGTH, required=False)


class JustCultureForm(forms.Form):
    classification = forms.ChoiceField(choices=Culpability.choices)
    note = forms.CharField(
        max_length=TEXT_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def errors_of(form: forms.BaseForm) -> dict[str, list[str]]:
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


def stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value
