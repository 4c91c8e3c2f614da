"""The front-desk admin, split by use case: stays (the console's stays, rooms, housekeeping, audits and their
pages), desk (the desk's own pages and actions), folios (billing parties, folios and moves)."""

from . import folios, stays  # noqa: F401  (register the admins)
