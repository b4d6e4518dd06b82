"""Settings for the test suite: the production settings, served over plain HTTP."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The test client and live server speak HTTP, and nothing runs collectstatic first.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Data version numbers repeat between tests: the tests of the kept files
# (tests/test_export_file.py) give each its own directory.
EXPORT_CACHE_DIR = ""
