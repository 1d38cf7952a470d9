"""The reporting form: one validator for the page, the API and the CLI."""

import pytest

from ownup.reporting.forms import MistakeForm


@pytest.mark.parametrize(
    "data",
    [
        {"title": "Sent the invoices twice", "severity": "high", "tags": "billing, Invoices"},
        {"title": "  ", "severity": "huge", "confidentiality": "team"},
        {"title": "Wrong dose", "occurred_at": "0026-03-01T10:00", "owner": "nobody"},
    ],
)
def test_a_form_that_only_validates_judges_as_a_drawn_one(db, data):
    drawn = MistakeForm(data=data)
    validating = MistakeForm(data=data, validating_only=True)
    assert validating.is_valid() == drawn.is_valid()
    assert validating.errors == drawn.errors
    assert validating.cleaned_data == drawn.cleaned_data


def test_a_form_that_only_validates_changes_nothing_of_the_fields_it_is_lent(db):
    severity = MistakeForm.base_fields["severity"]
    form = MistakeForm(
        data={"title": "Sent the invoices twice", "severity": "high"}, validating_only=True
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["severity"].name == "high"
    assert form.fields["severity"] is severity  # lent, not copied
    assert severity.queryset._result_cache is None  # a later page still reads the scale anew


def test_a_drawn_form_has_fields_of_its_own(db):
    drawn = MistakeForm()
    drawn.fields["title"].widget.attrs["class"] = "wide"
    drawn.fields["severity"].queryset = drawn.fields["severity"].queryset.none()
    assert "class" not in MistakeForm.base_fields["title"].widget.attrs
    assert "class" not in MistakeForm(validating_only=True).fields["title"].widget.attrs
    assert MistakeForm.base_fields["severity"].queryset.exists()
