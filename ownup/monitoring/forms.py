"""The one validator of an effectiveness check, used by the web form, the API and the CLI."""

from __future__ import annotations

from typing import Any

from django import forms

from ownup.durations import DurationError, parse_duration
from ownup.monitoring.models import CheckKind
from ownup.monitoring.probes import COMPARISONS

MAX_WINDOW_DAYS = 366

# The settings each kind reads from the form; the rest are left out of its config.
KIND_FIELDS: dict[str, list[str]] = {
    CheckKind.HTTP: ["url", "expected_status", "expect_text", "json_path", "json_value", "timeout"],
    CheckKind.METRIC: ["url", "metric", "json_path", "operator", "value", "timeout"],
    CheckKind.COMMAND: ["command", "exit_code", "timeout"],
    CheckKind.SQL: ["database", "query", "operator", "value"],
    CheckKind.CHECKIN: ["question", "grace_hours"],
    CheckKind.RECURRENCE: ["threshold"],
}


def parse_every(text: str) -> int:
    """Minutes from '15m', '2h', '1d', '2w' or a plain number of minutes."""
    try:
        every = parse_duration(text, what="interval", bare="m")
    except DurationError as error:
        raise forms.ValidationError(str(error)) from None
    return int(every.total_seconds()) // 60


# What a check-in asks when the form gives no question of its own.
DEFAULT_QUESTION = "Is the fix still holding?"


class CheckForm(forms.Form):
    kind = forms.ChoiceField(choices=CheckKind.choices)
    name = forms.CharField(
        label="What must hold",
        max_length=200,
        help_text="The criterion in words, e.g. 'No invoice is sent with an old price'.",
    )
    baseline = forms.CharField(
        required=False, max_length=500, help_text="Optional: what it was before the fix."
    )
    every = forms.CharField(
        label="Every",
        required=False,
        help_text="How often: 15m, 2h, 1d, 2w. Or give a cron schedule instead.",
    )
    cron = forms.CharField(label="Cron schedule", required=False, max_length=100)
    window_days = forms.IntegerField(
        label="Window (days)", required=False, min_value=1, max_value=MAX_WINDOW_DAYS
    )
    failures_to_reopen = forms.IntegerField(
        label="Failures in a row that reopen it", required=False, min_value=1, max_value=100
    )
    # HTTP probe
    url = forms.CharField(label="URL", required=False, max_length=2000)
    expected_status = forms.IntegerField(required=False, initial=200)
    expect_text = forms.CharField(label="Page contains", required=False, max_length=500)
    json_path = forms.CharField(label="JSONPath", required=False, max_length=500)
    json_value = forms.CharField(label="JSONPath value", required=False, max_length=500)
    timeout = forms.FloatField(label="Timeout (s)", required=False)
    # metric threshold (with url, json_path, operator, value and timeout)
    metric = forms.CharField(
        required=False,
        max_length=500,
        help_text="On a /metrics page in Prometheus's format; or leave it empty and give a "
        "JSONPath into a JSON answer (a Prometheus query's one result needs neither).",
    )
    # command
    command = forms.CharField(required=False, max_length=2000)
    exit_code = forms.IntegerField(required=False, initial=0)
    # SQL query
    database = forms.CharField(required=False, max_length=100)
    query = forms.CharField(required=False, max_length=5000, widget=forms.Textarea({"rows": 3}))
    operator = forms.ChoiceField(
        required=False,
        choices=[(o, o) for o in COMPARISONS],
        initial="=",
        error_messages={
            "invalid_choice": f"Compare with one of {' '.join(COMPARISONS)}, not %(value)s."
        },
    )
    value = forms.CharField(label="Expected value", required=False, max_length=200)
    # check-in
    person = forms.CharField(
        label="Person to ask",
        required=False,
        max_length=150,
        help_text="Their username; the mistake's people are suggested as you type.",
    )
    question = forms.CharField(required=False, max_length=300)
    grace_hours = forms.FloatField(label="Answer within (hours)", required=False)
    # recurrence watch
    threshold = forms.FloatField(label="Text similarity threshold", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The defaults a blank field takes, shown where the person would type.
        for name, hint in {
            "every": "default: 5m for HTTP and metrics, 1h for SQL, 7d for a check-in",
            "cron": "*/15 * * * *",
            "window_days": "30",
            "failures_to_reopen": "2 (1 for a recurrence watch)",
            "timeout": "5 for HTTP, 30 for a command",
            "url": "https://billing.example.com/health",
            "json_path": "$.prices.year",
            "query": "select count(*) from invoices where price_year < 2026",
            "grace_hours": "48",
            "question": DEFAULT_QUESTION,
            "threshold": "0.3",
            "metric": 'invoice_errors_total{job="billing"}',
        }.items():
            self.fields[name].widget.attrs.setdefault("placeholder", hint)
        if self["kind"].value() == CheckKind.METRIC:  # the same fields, read as a metric's
            self.fields["url"].widget.attrs["placeholder"] = "https://billing.example.com/metrics"
            self.fields["json_path"].widget.attrs["placeholder"] = "$.errors.rate"
            self.fields["value"].label = "Threshold"
            self.fields["value"].widget.attrs["placeholder"] = "0.01"
            self.fields["timeout"].widget.attrs["placeholder"] = "5"
            self.fields["operator"].initial = "<"

    def clean_every(self) -> int | None:
        text = self.cleaned_data.get("every") or ""
        return parse_every(text) if text.strip() else None

    def clean_cron(self) -> str:
        text = " ".join((self.cleaned_data.get("cron") or "").split())
        # Imported here: only a cron schedule needs it, and every start of ownup loads this form.
        from croniter import croniter

        if text and not croniter.is_valid(text):
            raise forms.ValidationError(
                f"{text!r} is not a cron schedule; five fields like '*/15 * * * *'."
            )
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("every") and data.get("cron"):
            self.add_error("cron", "Give an interval or a cron schedule, not both.")
        grace = data.get("grace_hours")
        if grace is not None and not 0 < grace <= 24 * 14:
            self.add_error("grace_hours", "Give between a few minutes and 14 days, in hours.")
        threshold = data.get("threshold")
        if threshold is not None and not 0 < threshold <= 1:
            self.add_error("threshold", "A similarity threshold is above 0 and at most 1.")
        return data


class LessonForm(forms.Form):
    learned = forms.CharField(
        label="What we learned",
        max_length=10_000,
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": "Write what the organisation learned from it."},
    )
    advice = forms.CharField(
        label="What others should do",
        max_length=10_000,
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": "Write what others should do so it does not happen to them."},
    )
    reason = forms.CharField(
        label="Reason to close without verification",
        required=False,
        max_length=1000,
        help_text="Needed only when not every check has held for its window.",
    )


def labelled_config(config: dict[str, Any], kind: str = "") -> list[tuple[str, Any]]:
    """A check's settings by the labels the form gives them, the empty ones left out."""
    fields = CheckForm(initial={"kind": kind}).fields
    labelled = []
    for key, value in config.items():
        if value in ("", None):
            continue
        label = fields[key].label if key in fields else None
        labelled.append((str(label or key.replace("_", " ").capitalize()), value))
    return labelled
