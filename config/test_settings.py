"""Settings for the test suite: the real settings, with test-only defaults and faster password hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ["SESSION_COOKIE_SECURE"] = "0"
os.environ["CSRF_COOKIE_SECURE"] = "0"
os.environ["SECURE_HSTS_SECONDS"] = "0"
os.environ.setdefault("MEDIA_ROOT", "/tmp/cvc-test-media")
os.environ.setdefault("PRIVATE_MEDIA_ROOT", "/tmp/cvc-test-private-media")

from .settings import *  # noqa: F403
from .settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests render templates without a collectstatic run.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Close connections after each request or task, so a Celery worker thread in a test leaves none open.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
