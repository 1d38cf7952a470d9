"""The REST API under /api/v1: one NinjaAPI, with a router from each app that has one.

Every error leaves as JSON with a ``detail`` sentence, and validation errors also as ``errors``,
a map from each field to what is wrong with it, whichever layer found the problem.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer

from ownup import __version__
from ownup.middleware import control_character, refusal
from ownup.organisation.models import ApiToken, hash_token
from ownup.reporting.services import InvalidInput, NotAllowed, NotFound
from ownup.reporting.stages import StageError
from ownup.seams import app_modules

LAST_USED_PRECISION = timedelta(minutes=1)


class JsonObjectParser(Parser):
    """Bodies are JSON objects; anything else is refused before a schema reads it."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise UnusableBody('The request body must be a JSON object, such as {"title": "..."}.')
        if found := _control_character(data, ""):
            raise UnusableBody(refusal(*found))
        return data


def _control_character(value: Any, where: str) -> tuple[str, str] | None:
    """The first character no text may hold, anywhere in a JSON value, with its field's name."""
    if isinstance(value, str):
        found = control_character(value)
        return (found, where) if found else None
    if isinstance(value, dict):
        for name, inner in value.items():
            if found := control_character(name):
                return found, "A field's name"
            if found_inside := _control_character(inner, f"{where}.{name}" if where else name):
                return found_inside
    if isinstance(value, list):
        for inner in value:
            if found_inside := _control_character(inner, where):
                return found_inside
    return None


class UnusableBody(ValueError):
    pass


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = timezone.now()
        # One raw statement, its row read from the cursor: every API call makes it, and
        # building the same lookup through the ORM cost four times as long as running it; a
        # raw queryset's reading of a row cost more than the statement.
        with connection.cursor() as cursor:
            cursor.execute(
                _TOKEN_OWNER,
                [
                    connection.ops.adapt_datetimefield_value(now - LAST_USED_PRECISION),
                    hash_token(token),
                ],
            )
            found = cursor.fetchone()
        if found is None:
            return None
        *fields, token_id, token_is_stale = found
        user = User.from_db(connection.alias, _OWNER_FIELD_NAMES, fields)
        # A write on every call would queue all API calls behind SQLite's one write lock;
        # "last used" to the minute is all anyone reads from it.
        if token_is_stale:
            ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        request.user = user
        return user


# The owner's fields an API call reads. Its password and times are left deferred, read from the
# database should anything ask for them: read here, SQLite's times would lack their zone.
_OWNER_FIELDS = [
    field
    for field in User._meta.concrete_fields
    if field.attname not in {"password", "last_login", "date_joined"}
]
_OWNER_FIELD_NAMES = [field.attname for field in _OWNER_FIELDS]
_OWNER_COLUMNS = ", ".join(
    f"u.{connection.ops.quote_name(cast(str, field.column))}" for field in _OWNER_FIELDS
)
_TOKEN_OWNER = (
    f"SELECT {_OWNER_COLUMNS},"
    " t.id, (t.last_used_at IS NULL OR t.last_used_at <= %s)"
    f" FROM {User._meta.db_table} u JOIN {ApiToken._meta.db_table} t ON t.user_id = u.id"
    " WHERE t.key_hash = %s AND u.is_active"
)


class SessionCookie(APIKeyCookie):
    """The browser's login session, so pages can call the API too (CSRF-checked)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


class LocalSwagger(Swagger):
    """Swagger UI from django-ninja's copy of its files, which the settings serve with ours.

    Ninja reads this page from a CDN unless it is an installed app, and installing it would
    load it (and pydantic) in every command, ``ownup report`` included.
    """

    template_cdn = str(Path(__file__).parent / "templates" / "api" / "swagger.html")


api = NinjaAPI(
    title="ownup API",
    version=__version__,
    description=(
        "Report, contain, understand, decide, fix, tell, monitor and learn from mistakes. "
        "Authenticate with `Authorization: Bearer <token>`; create a token with "
        "`ownup token create USERNAME`."
    ),
    auth=[BearerToken(), SessionCookie()],
    parser=JsonObjectParser(),
    urls_namespace="api",
    docs=LocalSwagger(),
)


def _error(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(
        request,
        401,
        "Missing or invalid API token: send 'Authorization: Bearer <token>' "
        "(create one with 'ownup token create USERNAME').",
    )


@api.exception_handler(ValidationError)
def _invalid_shape(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for problem in exc.errors:
        location = [str(part) for part in problem.get("loc", ()) if part not in ("body", "payload")]
        field = ".".join(location[-1:]) or "body"
        errors.setdefault(field, []).append(str(problem.get("msg", "is not valid")))
    return _error(request, 422, InvalidInput(errors).summary(), errors=errors)


@api.exception_handler(InvalidInput)
def _invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return _error(request, 422, exc.summary(), errors=exc.errors)


@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, str(exc))


@api.exception_handler(NotAllowed)
def _not_allowed(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 403, str(exc))


@api.exception_handler(StageError)
def _stage_refused(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 409, str(exc))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, json.JSONDecodeError):
        return _error(request, 400, f"The request body is not valid JSON: {cause}.")
    if isinstance(cause, UnusableBody):
        return _error(request, 400, str(cause))
    return _error(request, exc.status_code, str(exc))


for module in app_modules("api"):
    # Paths are written in full (/mistakes/{id}/...), so routers never fight over a prefix.
    api.add_router("", module.router)
