"""The production settings plus what only the bench needs: a bare view to measure the ceiling by.

Nothing here changes how ownup serves; the bench points ``DJANGO_SETTINGS_MODULE`` here so the
production code never carries a bench view.
"""

from ownup.settings import *  # noqa: F403
from ownup.settings import ALLOWED_HOSTS

ROOT_URLCONF = "bench.server_urls"
# The bench's in-process measurements use Django's test client, which calls itself "testserver".
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
