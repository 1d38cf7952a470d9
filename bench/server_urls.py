"""ownup's URLs and ``/bench/bare``: a Django view that returns JSON and does nothing else.

It runs through the same server, processes, threads and middleware as the API, so the requests
per second it reaches are the ceiling the API's figure is compared with.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from ownup.urls import urlpatterns as ownup_urlpatterns


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [*ownup_urlpatterns, path("bench/bare", bare)]
