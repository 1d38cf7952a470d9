"""What every request meets first: the API's answers in JSON, and no NUL character anywhere.

No field of ownup may hold a NUL, PostgreSQL cannot store one, and a NUL in a query string,
a form field or a cookie would otherwise reach a database lookup and fail there.
"""

from collections.abc import Callable, Iterable
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
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


class ApiAnswersInJson:
    """Every answer under /api/ is JSON with a ``detail`` sentence, whichever layer gave it.

    The API's own errors already are; Django's (an unknown path, a method the path does not
    take, a body over the size limit, a server error) are pages meant for a browser, which an
    API client can neither parse nor show.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        try:
            # Read here, where it can be answered: read later, by the API's parser, the size
            # limit's error is a server's HTML page and a traceback in the log.
            request.body  # noqa: B018
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return JsonResponse(
                {"detail": f"The request body is larger than the {limit} bytes it may hold."},
                status=413,
            )
        response = self.get_response(request)
        if response.status_code < 400 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        answer = JsonResponse({"detail": _detail(request, response)}, status=response.status_code)
        for header in ("Allow", "WWW-Authenticate", "Retry-After"):
            if header in response:
                answer[header] = response[header]
        return answer


def _detail(request: HttpRequest, response: HttpResponse) -> str:
    if response.status_code == 404:
        return f"There is no {request.path} in the API: its paths are listed at /api/v1/docs."
    if response.status_code == 405:
        allowed = response.get("Allow", "")
        return f"{request.method} is not allowed on {request.path}; it takes {allowed}."
    try:
        phrase = HTTPStatus(response.status_code).phrase
    except ValueError:
        phrase = "Error"
    if response.status_code >= 500:
        return f"{phrase}: the server could not answer this request; the failure is logged."
    return f"{phrase}: the request could not be answered."
