"""Loaded by pytest before pytest-django reads the settings (`-p tests.plugin` in pyproject.toml).

`make test` and plain `python -m pytest` must pass with an empty environment, as on a fresh clone: the test
process gets a throwaway SECRET_KEY here, before the settings module is imported.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
