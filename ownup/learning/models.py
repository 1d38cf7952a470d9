"""What the library keeps beside the mistakes: the search document of each, and what was sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ownup.reporting.models import Mistake


class SearchDocument(models.Model):
    """A mistake's searchable text, flattened from the mistake and the sources that join it.

    The full-text index is built over this table by the database itself: an FTS5 table fed by
    triggers on SQLite, a generated ``tsvector`` column with a GIN index on PostgreSQL (see the
    migration), so the index cannot drift from these rows.
    """

    mistake = models.OneToOneField(
        Mistake, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    title = models.TextField()
    tags = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # The sentence embedding (float32 bytes) when the semantic extra is installed; the worker
    # fills it after each change, and ``embedded_text`` says which text it was computed from.
    embedding = models.BinaryField(null=True, blank=True)
    embedded_text = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.title


class DigestSent(models.Model):
    """One digest to one person for one period: sending it twice is a no-op."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    period_start = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "period_start"], name="one_digest_a_period"
            )
        ]

    def __str__(self) -> str:
        return f"digest of {self.period_start:%Y-%m-%d} to {self.recipient}"


class AnniversaryReminder(models.Model):
    """The "is the fix still holding?" reminder, sent once, a year after a mistake closed."""

    mistake = models.OneToOneField(Mistake, on_delete=models.CASCADE, primary_key=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"anniversary reminder for #{self.mistake_id}"
