"""Rules about the test suite itself."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_events_are_delivered_in_process_by_one_fixture_for_the_whole_suite():
    apps = ["conftest.py", "inventory", "pricing", "bookings", "frontdesk", "channelmanager", "ratecalendar", "reports",
            "tests", "hotelbooking"]
    files = [p for name in apps for p in ([ROOT / name] if name.endswith(".py") else (ROOT / name).rglob("*.py"))]
    needle = "def " + "_celery_in_process("  # spelled in two parts so that this file does not match
    defining = sorted(str(p.relative_to(ROOT)) for p in files if needle in p.read_text())
    assert defining == ["conftest.py"]
