from .celery import app as celery_app

# Set by manage.py to the command it runs, in this process only: a server started later inherits nothing,
# so it cannot pass for a one-off command and run with a throwaway SECRET_KEY.
management_command: str | None = None

__all__ = ["celery_app", "management_command"]
