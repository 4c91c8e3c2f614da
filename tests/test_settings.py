"""Outside debug a server needs SECRET_KEY; one-off management commands run without one."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "HOTELBOOKING_MANAGE_COMMAND")}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_a_management_command_runs_without_a_secret_key():
    result = _run("manage.py", "check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_server_refuses_to_start_without_a_secret_key():
    result = _run("-c", "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'hotelbooking.settings'; "
                        "django.setup()")
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr
    result = _run("manage.py", "runserver", "--noreload", "127.0.0.1:0")
    assert result.returncode != 0 and "Set the SECRET_KEY environment variable" in result.stderr


def test_a_server_cannot_pass_for_a_one_off_command_through_its_environment():
    # The old marker was an environment variable that any process started from a shell could inherit.
    result = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'hotelbooking.settings'; "
                               "django.setup()"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": os.environ["PATH"], "HOTELBOOKING_MANAGE_COMMAND": "migrate"},
    )
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_the_suite_collects_with_an_empty_environment():
    """A fresh clone has no SECRET_KEY and no DATABASE_URL: `make test` must still run."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "tests/test_settings.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={"PATH": os.environ["PATH"]},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test_the_suite_collects_with_an_empty_environment" in result.stdout
