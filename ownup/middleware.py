"""Requests carrying the NUL character are refused before anything reads them.

No field of ownup may hold a NUL, PostgreSQL cannot store one, and a NUL in a query string,
a form field or a cookie would otherwise reach a database lookup and fail there.
"""

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

NUL = "\x00"
MESSAGE = "The request holds a NUL character (\\u0000), which no field may contain."


def _has_nul(values: Iterable[str]) -> bool:
    return any(NUL in value for value in values)


class RefuseNulCharacters:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._carries_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": MESSAGE}, status=400)
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request: HttpRequest) -> bool:
        if NUL in request.path:
            return True
        for mapping in (request.GET, request.COOKIES):
            if _has_nul(mapping.keys()) or _has_nul(str(v) for v in mapping.values()):
                return True
        # API bodies are JSON, and its parser refuses a NUL; forms are read here.
        if (
            request.method == "POST"
            and not request.path.startswith("/api/")
            and request.content_type
            in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            )
        ):
            return any(NUL in key or _has_nul(values) for key, values in request.POST.lists())
        return False
