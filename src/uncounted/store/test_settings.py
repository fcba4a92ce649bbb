"""Settings for the test-suite (pytest-django).

``UNCOUNTED_TEST_DATABASE_URL`` (set by ``tests/conftest.py`` when it has started a
throwaway PostgreSQL server) selects PostgreSQL; otherwise SQLite in a temporary folder.
"""

import os
import tempfile
from pathlib import Path

from uncounted.store.settings import build_settings, database_from_url, sqlite_database

_url = os.environ.get("UNCOUNTED_TEST_DATABASE_URL")
_database = (
    database_from_url(_url)
    if _url
    else sqlite_database(Path(tempfile.mkdtemp(prefix="uncounted-test-")) / "test.sqlite3")
)

globals().update(build_settings(_database, secret_key="test-only-not-secret"))
