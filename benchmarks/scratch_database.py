"""The database a benchmark builds its data in: DATABASE_URL's server (a test database beside it), or a scratch
SQLite file when none is set. Django is set up here, so call this before importing models."""

import os
import tempfile


def setup_database(prefix: str):
    """Returns the connection and the name to give back to `destroy_test_db` when the benchmark ends."""
    import django

    scratch = None
    if not os.environ.get("DATABASE_URL"):
        scratch = tempfile.mkdtemp(prefix=f"{prefix}-")
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    django.setup()
    from django.db import connection

    if scratch:
        connection.settings_dict["TEST"]["NAME"] = f"{scratch}/bench.sqlite3"
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return connection, old_name
