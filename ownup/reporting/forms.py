"""The one validator of a mistake's fields, used by the web form, the API and the CLI alike."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.functional import lazy

from ownup.middleware import control_character, named
from ownup.organisation.models import Severity, Team
from ownup.reporting.models import (
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Confidentiality,
    DiscoveredBy,
    Harm,
    Mistake,
)

User = get_user_model()
TAG_MAX_LENGTH = 50
# A time before this is a year mistyped (0026 for 2026), not a mistake anyone is recording.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def before_earliest(when: datetime | None) -> str | None:
    """The message for a time too early to be meant, or None."""
    if when is not None and when < EARLIEST:
        return f"Check the year: {when.year} is before {EARLIEST.year}."
    return None


class TagsField(forms.Field):
    """Tags as a list, or as one comma-separated string from a text box."""

    def to_python(self, value: Any) -> list[str]:
        if value in (None, ""):
            return []
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise forms.ValidationError("Give tags as a list of words or a comma-separated text.")
        tags = sorted({i.strip().lower() for i in items if i.strip()})
        if too_long := [t for t in tags if len(t) > TAG_MAX_LENGTH]:
            raise forms.ValidationError(
                f"A tag has at most {TAG_MAX_LENGTH} characters; {too_long[0][:20]}… has more."
            )
        return tags

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value


# People in a choice, in the order of the names they are shown by.
BY_NAME = ("first_name", "last_name", "username")


def _person(user: Any) -> str:
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _person(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _person(obj)

    def clean(self, value: Any) -> Any:
        if not self.required and not value:
            return []  # nobody named: no query to make, and none to run when it is read
        return super().clean(value)


class SeverityChoiceField(forms.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except forms.ValidationError:
            # An organisation without a scale gets the default one at its first report, whose
            # steps may hold the name asked for.
            if Severity.objects.exists():
                raise
            Severity.objects.scale()
            return super().to_python(value)


def _date_time_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def default_severity() -> Severity:
    """The least severe step of the scale, for a report that does not say; the scale is made
    here if the organisation has none."""
    return Severity.objects.least_severe() or Severity.objects.scale().reverse()[0]


def _unknown_severity_message() -> str:
    names = ", ".join(Severity.objects.scale().values_list("name", flat=True))
    return f"There is no severity %(value)s: choose one of {names}."


def default_severity_name() -> str:
    return default_severity().name


class _ReadOnlyFields(dict[str, forms.Field]):
    """A form class's fields, lent as they are to a form that only validates.

    Django gives each form a deep copy of its fields, so that drawing one page cannot change
    another's widgets; validating reads them only, and copying the fields, their widgets and
    querysets was more than half of what validating a report cost."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return dict(self)


NOBODY_SEES = (
    "Name at least one person who may see it: a restricted mistake is seen only by its "
    "reporter, its owner and the people named, admins not excepted, and this one has none."
)


class MistakeForm(forms.Form):
    """The fields of a mistake and the rules between them.

    A mistake's own facts that are not fields come from whoever knows them: ``reported_at``
    (set for a change of one already reported) and ``has_reporter`` (a report from the page is
    its logged-in reporter's). ``given`` names the fields a change holds, so a rule between two
    fields blames the one that was changed. ``validating_only`` is for a form that is never
    drawn (the API's and the CLI's): it shares the class's fields rather than copying them.
    """

    when_reported: datetime | None = None
    given: frozenset[str] | None = None
    _has_reporter = True

    # Everything that does not depend on the database is declared here once, not made again
    # for every form: the API builds one form per report.
    title = forms.CharField(
        label="What went wrong, in one sentence",
        max_length=TITLE_MAX_LENGTH,
        error_messages={"required": "Say in one sentence what went wrong."},
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "placeholder": "For example: sent the March invoices with last year's prices",
            }
        ),
    )
    description = forms.CharField(
        label="What happened",
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional: more detail, in your own words.",
    )
    occurred_at = forms.DateTimeField(
        label="When it happened", required=False, widget=_date_time_input()
    )
    noticed_at = forms.DateTimeField(
        label="When it was noticed", required=False, widget=_date_time_input()
    )
    discovered_by = forms.ChoiceField(
        label="Who found it",
        choices=DiscoveredBy.choices,
        initial=DiscoveredBy.SELF,
        required=False,
    )
    harm = forms.ChoiceField(
        label="Did it reach anyone?", choices=[("", "Not sure yet"), *Harm.choices], required=False
    )
    severity = SeverityChoiceField(
        queryset=Severity.objects.order_by("rank"),
        to_field_name="name",
        required=False,
        empty_label=None,
        initial=default_severity_name,
        # Read from the scale only when the message is shown.
        error_messages={"invalid_choice": lazy(_unknown_severity_message, str)()},
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="No team",
        error_messages={"invalid_choice": "There is no team %(value)s."},
    )
    owner = PersonChoiceField(
        queryset=User.objects.filter(is_active=True).order_by(*BY_NAME),
        to_field_name="username",
        required=False,
        empty_label="Nobody yet",
        error_messages={"invalid_choice": "There is no user %(value)s."},
    )
    confidentiality = forms.ChoiceField(
        choices=Confidentiality.choices, initial=Confidentiality.OPEN, required=False
    )
    restricted_to = PeopleChoiceField(
        label="Named people who may see it",
        queryset=User.objects.filter(is_active=True).order_by(*BY_NAME),
        to_field_name="username",
        required=False,
        help_text="Only for a restricted mistake: they, its reporter and its owner see it.",
        error_messages={"invalid_choice": "There is no user %(value)s."},
    )
    tags = TagsField(required=False, help_text="Comma-separated, for example: billing, invoices")

    def __init__(
        self,
        *args: Any,
        reported_at: datetime | None = None,
        has_reporter: bool = True,
        given: Iterable[str] | None = None,
        validating_only: bool = False,
        **kwargs: Any,
    ) -> None:
        if validating_only:
            # Read in place of the class's own by Django's form, which deep-copies them.
            vars(self)["base_fields"] = _ReadOnlyFields(self.base_fields)
        super().__init__(*args, **kwargs)
        self.when_reported = reported_at
        self._has_reporter = has_reporter
        self.given = None if given is None else frozenset(given)

    def has_reporter(self) -> bool:
        return self._has_reporter

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError("Say in one sentence what went wrong.")
        return title

    def clean_discovered_by(self) -> str:
        return self.cleaned_data["discovered_by"] or DiscoveredBy.SELF

    def clean_confidentiality(self) -> str:
        return self.cleaned_data["confidentiality"] or Confidentiality.OPEN

    def clean_severity(self) -> Severity:
        return self.cleaned_data["severity"] or default_severity()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The page's and the API's requests are refused before they come here; the CLI's
        # words are not requests.
        for name in ("title", "description", "tags"):
            value = data.get(name)  # a text, or the tags' list of texts
            if value and (found := control_character("".join(value))):
                self.add_error(name, f"Remove {named(found)} from it.")
        now = timezone.now()
        occurred, noticed = data.get("occurred_at"), data.get("noticed_at")
        reported = self.when_reported
        if too_early := before_earliest(occurred):
            self.add_error("occurred_at", too_early)
        elif occurred and occurred > now:
            self.add_error("occurred_at", "It cannot have happened in the future.")
        elif occurred and reported and occurred > reported:
            self.add_error("occurred_at", "It cannot have happened after it was reported.")
        if too_early := before_earliest(noticed):
            self.add_error("noticed_at", too_early)
        elif noticed and noticed > now:
            self.add_error("noticed_at", "It cannot have been noticed in the future.")
        elif noticed and reported and noticed > reported:
            self.add_error("noticed_at", "It cannot have been noticed after it was reported.")
        if occurred and noticed and noticed < occurred:
            given = self.given or frozenset({"noticed_at"})
            if "occurred_at" in given and "noticed_at" not in given:
                self.add_error("occurred_at", "It cannot have happened after it was noticed.")
            else:
                self.add_error("noticed_at", "It cannot have been noticed before it happened.")
        confidentiality = data.get("confidentiality")
        if confidentiality == Confidentiality.TEAM and not data.get("team"):
            self.add_error("team", "Choose the team that may see it.")
        if data.get("restricted_to") and confidentiality != Confidentiality.RESTRICTED:
            self.add_error("restricted_to", "Named people apply only to a restricted mistake.")
        if (
            confidentiality == Confidentiality.RESTRICTED
            and not data.get("restricted_to")
            and data.get("owner") is None
            and not {"restricted_to", "owner"} & set(self.errors)
            and not self.has_reporter()
        ):
            self.add_error("restricted_to", NOBODY_SEES)
        return data


def initial_data(mistake: Mistake) -> dict[str, Any]:
    """The current values in the form's terms, so a partial change is validated whole."""
    return {
        "title": mistake.title,
        "description": mistake.description,
        "occurred_at": mistake.occurred_at,
        "noticed_at": mistake.noticed_at,
        "discovered_by": mistake.discovered_by,
        "harm": mistake.harm,
        "severity": mistake.severity.name,
        "team": mistake.team.slug if mistake.team else None,
        "owner": mistake.owner.get_username() if mistake.owner else None,
        "confidentiality": mistake.confidentiality,
        "restricted_to": [u.get_username() for u in mistake.restricted_to.all()],
        "tags": [t.name for t in mistake.tags.all()],
    }


class NoteForm(forms.Form):
    text = forms.CharField(
        label="What happened",
        max_length=DESCRIPTION_MAX_LENGTH,
        error_messages={"required": "Write what happened."},
    )
    at = forms.DateTimeField(
        label="When",
        required=False,
        help_text="Leave it empty for now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
