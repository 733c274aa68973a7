"""Test settings with a file-based SQLite test database, so that threads get real, separate
connections and the concurrency tests race on SQLite too:

    .venv/bin/pytest --ds=kaskad.delivery.tests.settings_sqlite_file \
        kaskad/delivery/tests/test_concurrency.py
"""

from config.settings_test import *  # noqa: F403
from config.settings_test import DATA_DIR, DATABASES

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-delivery-race.sqlite3")}
