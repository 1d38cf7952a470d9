"""What every request meets first: the API's answers in JSON, and no control character anywhere.

No text of ownup may hold a C0 control character other than tab, newline and carriage return,
nor DEL. PostgreSQL cannot store a NUL, which would otherwise reach a database lookup and fail
there; the others are commands to a terminal (an escape retitles a window, clears a screen)
when the text is printed in someone else's. This module holds that rule; the API's parser and
the services apply it to what does not come through here.
"""

import re
from collections.abc import Callable, Iterable
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render

CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character(text: str) -> str | None:
    """The first character of ``text`` that no text may hold, if any."""
    found = CONTROL_CHARACTER.search(text)
    return found.group() if found else None


def named(character: str) -> str:
    """The character as a person can read it: "a NUL character (\\u0000)"."""
    kind = "a NUL character" if character == "\x00" else "a control character"
    return f"{kind} (\\u{ord(character):04x})"


def refusal(character: str, where: str = "") -> str:
    holder = where or "The request"
    return f"{holder} holds {named(character)}, which no text may contain."


def _first(values: Iterable[str]) -> str | None:
    for value in values:
        if found := control_character(value):
            return found
    return None


class RefuseControlCharacters:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = self._control_character(request)
        if found:
            message = refusal(*found)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _control_character(request: HttpRequest) -> tuple[str, str] | None:
        """The first forbidden character of the request, with the field that holds it."""
        if found := control_character(request.path):
            return found, "The address"
        fields: list[tuple[str, list[str]]] = [
            *request.GET.lists(),
            *((name, [value]) for name, value in request.COOKIES.items()),
        ]
        # API bodies are JSON, which its parser reads field by field; forms are read here.
        if (
            request.method == "POST"
            and not request.path.startswith("/api/")
            and request.content_type
            in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            )
        ):
            fields += request.POST.lists()
        for name, values in fields:
            if found := control_character(name):
                return found, "A field's name"
            if found := _first(values):
                return found, name
        return None


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


class FormAddressesLeadBack:
    """A page's form posts to an address of its own; visited (a reload after a refusal, a
    bookmark), that address is no page, and Django's answer is an empty one. It answers with a
    page that says so and leads back to the mistake, or to the list."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code != HTTPStatus.METHOD_NOT_ALLOWED
            or request.method != "GET"
            or request.path.startswith("/api/")
        ):
            return response
        mistake = MISTAKE_PATH.match(request.path)
        back = f"/mistakes/{mistake.group(1)}/" if mistake else "/mistakes/"
        page = render(request, "405.html", {"back": back}, status=405)
        page["Allow"] = response.get("Allow", "POST")
        return page


MISTAKE_PATH = re.compile(r"^/mistakes/(\d+)/")
