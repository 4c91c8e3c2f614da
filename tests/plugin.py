"""Loaded by pytest before pytest-django reads the settings (`-p tests.plugin` in pyproject.toml).

`make test` and plain `python -m pytest` must pass with an empty environment, as on a fresh clone: the test
process gets a throwaway SECRET_KEY here, before the settings module is imported. The suite runs with DEBUG
off, so with the production settings, except that it speaks plain http (test client, live_server): no
redirect to https.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
