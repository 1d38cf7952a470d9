"""Django's JSON serialisation for backups, keeping every digit of every time.

Django's own JSON encoder cuts times to the millisecond, and its XML deserialiser strips the
white space around every text; a backup must give back exactly what it took.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.serializers.json import Deserializer, DjangoJSONEncoder
from django.core.serializers.json import Serializer as JsonSerializer

__all__ = ["Deserializer", "Serializer"]


class FullPrecisionEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(JsonSerializer):
    def _init_options(self) -> None:
        super()._init_options()  # type: ignore[misc]  # absent from the stubs
        self.json_kwargs["cls"] = FullPrecisionEncoder
