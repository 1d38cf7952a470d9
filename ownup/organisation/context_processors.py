from typing import Any

from django.http import HttpRequest

from ownup.organisation.models import Organisation


def organisation(request: HttpRequest) -> dict[str, Any]:
    return {"organisation": Organisation.current}
