"""Settings for the suite: a throw-away data directory, a queue the tests drain themselves.

``OWNUP_TEST_DB=postgres`` runs the suite on the PostgreSQL at ``OWNUP_TEST_DATABASE_URL``.
"""

import os
import tempfile

os.environ["OWNUP_DATA_DIR"] = tempfile.mkdtemp(prefix="ownup-test-")
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop shares the thread

if os.environ.get("OWNUP_TEST_DB") == "postgres":
    url = os.environ.get("OWNUP_TEST_DATABASE_URL")
    if not url:
        raise SystemExit("OWNUP_TEST_DB=postgres needs OWNUP_TEST_DATABASE_URL")
    os.environ["DATABASE_URL"] = url
else:
    os.environ.pop("DATABASE_URL", None)

from ownup.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A queue in memory that the tests run by hand, so they can see that work waits for the worker.
HUEY = {"huey_class": "huey.MemoryHuey", "name": "ownup-test", "immediate": False}
WHITENOISE_AUTOREFRESH = True
