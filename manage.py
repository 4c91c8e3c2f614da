#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotelbooking.settings")
    import hotelbooking

    # Lets settings tell a one-off command (migrate, makemigrations...) from a server (runserver). A module
    # attribute, not an environment variable, so no process started from here inherits it.
    hotelbooking.management_command = sys.argv[1] if len(sys.argv) > 1 else "help"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
