"""The list page of mistakes, 50 to a page, over a large seeded data set."""

from __future__ import annotations

from bench.dataset import ensure_mistakes
from bench.rows import Row, median, row, timed

TARGET_MS = 100.0


def run(quick: bool) -> list[Row]:
    from django.contrib.auth.models import User
    from django.test import Client

    count, repeat = (10_000, 10) if quick else (100_000, 31)
    ensure_mistakes(count)
    # Someone in a team, not an admin: the visibility rule does its whole work for them.
    client = Client()
    client.force_login(User.objects.get(username="person1"))

    def page() -> None:
        response = client.get("/mistakes/")
        assert response.status_code == 200, response.status_code

    page()
    figure = median(timed(page, repeat)) * 1000
    return [
        row(
            f"list page of 50 with {count:,} mistakes".replace(",", " "),
            figure,
            "ms",
            target=f"≤ {TARGET_MS:.0f} ms",
            ok=figure <= TARGET_MS,
            note=f"{repeat} loads, in-process",
        )
    ]
