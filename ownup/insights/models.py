"""What the insights app keeps: which imported record became which mistake."""

from __future__ import annotations

from django.db import models

from ownup.reporting.models import Mistake


class ImportedRecord(models.Model):
    """The stable key of an imported record, so importing the same file twice adds nothing."""

    key = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the record's identity."
    )
    source = models.CharField(max_length=300, help_text="The file or folder it came from.")
    mistake = models.OneToOneField(Mistake, on_delete=models.CASCADE, related_name="import_record")
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.source} → #{self.mistake_id}"
