"""Prepares a bench server's database: ``python -m bench.serverdata`` prints an API token.

Run with the server's environment (``OWNUP_DATA_DIR``, ``DATABASE_URL``): it migrates, creates
the user the load acts as, and issues the token the load generator sends.
"""

from __future__ import annotations

import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.server_settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from ownup.organisation.services import create_user, issue_token

    call_command("migrate", interactive=False, verbosity=0)
    user = User.objects.filter(username="bench").first() or create_user(
        "bench", email="bench@example.com", admin=True
    )
    _, token = issue_token(user, "bench load")
    print(token)


if __name__ == "__main__":
    main()
