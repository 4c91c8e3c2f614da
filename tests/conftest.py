"""Fixtures the cross-app tests share."""

import os
from pathlib import Path

import pytest


@pytest.fixture
def shots(tmp_path):
    """Where a browser test's screenshots go: $SCREENSHOT_DIR, or the test's tmp dir."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
