"""Fixtures the whole suite shares: an organisation with people, API clients, the task queue."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from huey.contrib.djhuey import HUEY

from ownup.organisation.models import Role, Team
from ownup.organisation.services import create_user, issue_token, join_team

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need_service(reason: str) -> None:
    """Skip when a service this test needs is absent here, but fail in CI, where it must be."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)


@pytest.fixture
def billing(db: Any) -> Team:
    return Team.objects.create(name="Billing", slug="billing", email="billing@example.com")


@pytest.fixture
def platform(db: Any) -> Team:
    return Team.objects.create(name="Platform", slug="platform")


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(
        username: str, *, team: Team | None = None, role: Role = Role.REPORTER, admin: bool = False
    ) -> User:
        user = create_user(
            username, email=f"{username}@example.com", password="pw-" + username, admin=admin
        )
        if team is not None:
            join_team(user, team, role)
        return user

    return make


@pytest.fixture
def reporter(make_user: Callable[..., User], billing: Team) -> User:
    return make_user("cy", team=billing, role=Role.REPORTER)


@pytest.fixture
def responder(make_user: Callable[..., User], billing: Team) -> User:
    return make_user("bo", team=billing, role=Role.RESPONDER)


@pytest.fixture
def manager(make_user: Callable[..., User], billing: Team) -> User:
    return make_user("ada", team=billing, role=Role.MANAGER)


@pytest.fixture
def outsider(make_user: Callable[..., User], platform: Team) -> User:
    return make_user("eli", team=platform, role=Role.RESPONDER)


@pytest.fixture
def admin_user(make_user: Callable[..., User]) -> User:
    return make_user("root", admin=True)


class ApiClient:
    """A test client that speaks JSON with a real API token."""

    def __init__(self, user: User) -> None:
        _, self.token = issue_token(user, "tests")
        self.client = Client(headers={"Authorization": f"Bearer {self.token}"})

    def request(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        call = getattr(self.client, method.lower())
        if body is not None and method.upper() != "GET":
            import json

            kwargs.setdefault("content_type", "application/json")
            return call(
                path, data=body if isinstance(body, str | bytes) else json.dumps(body), **kwargs
            )
        return call(path, data=body, **kwargs)

    def get(self, path: str, params: Any = None) -> Any:
        return self.request("GET", path, params)

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, body if body is not None else {})

    def patch(self, path: str, body: Any) -> Any:
        return self.request("PATCH", path, body)

    def delete(self, path: str) -> Any:
        return self.client.delete(path)


@pytest.fixture
def api_as() -> Callable[[User], ApiClient]:
    return ApiClient


@pytest.fixture
def run_tasks() -> Iterator[Callable[[], list[Any]]]:
    """Runs what is waiting in the task queue, as the worker would, and returns the results."""
    HUEY.flush()

    def run() -> list[Any]:
        results = []
        while (task := HUEY.dequeue()) is not None:
            results.append(HUEY.execute(task))
        return results

    yield run
    HUEY.flush()


@pytest.fixture
def pending_tasks() -> Callable[[], int]:
    return lambda: HUEY.pending_count()
