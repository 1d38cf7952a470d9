"""ownup's URLs, ``/bench/bare``: a Django view that returns JSON and does nothing else, and
``/bench/bare-write``: the same, once it has written one row through the ORM, in a transaction.

They run through the same server, processes, threads and middleware as the API, so the
requests per second the first reaches are the ceiling the API's figure is compared with, and
those of the second what any write at all takes from it.
"""

from secrets import token_hex

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path

from ownup.reporting.models import Tag
from ownup.urls import urlpatterns as ownup_urlpatterns


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


def bare_write(request: HttpRequest) -> JsonResponse:
    # A tag: the project's smallest table, with a unique name like most of its rows' keys.
    with transaction.atomic():
        Tag.objects.create(name=f"bench-{token_hex(8)}")
    return JsonResponse({"ok": True})


urlpatterns = [
    *ownup_urlpatterns,
    path("bench/bare", bare),
    path("bench/bare-write", bare_write),
]
