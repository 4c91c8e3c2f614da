"""Front-desk use cases: check-in, charges, check-out, housekeeping, out-of-order rooms, loyalty, night audit.

Each use case runs in one transaction; those that move money (check-out, no-shows) in short ones, with the
gateway called between them and never with a row locked (bookings/payments/attempts.py). Locks are always taken
in the same order as the booking services: the reservation row, then room rows (by id), then inventory nights
(by date), so two desks never deadlock.
The API, the admin console and the Celery tasks all call these functions, so the rules cannot differ. One module
a use case; this package exports them all.
"""

from .charges import (  # noqa: F401
    charge_post,
    charge_reverse,
)
from .check_in import (  # noqa: F401
    CheckInResult,
    stay_check_in,
)
from .check_out import (  # noqa: F401
    CHECK_OUT_ROUNDS,
    CHECK_OUT_STEP,
    DESK_GATEWAY,
    DESK_PURPOSE,
    CheckOutResult,
    check_out_finish,
    loyalty_rule,
    stay_check_out,
)
from .common import (  # noqa: F401
    MAX_KEY_CARDS_PER_ROOM,
    _actor_user,
    _post_line,
    _reservation_locked,
    clean_code,
    guest_folio,
)
from .folios import (  # noqa: F401
    PartyDetails,
    billing_party_create,
    folio_lines_move,
    folio_open,
    folio_routes_set,
    route_kinds,
)
from .housekeeping import (  # noqa: F401
    housekeeping_task_move,
    housekeeping_tasks_for_departure,
)
from .loyalty import (  # noqa: F401
    cancellation_penalty_post,
    loyalty_award_booking,
    loyalty_balance,
    loyalty_withdraw_booking,
)
from .night_audit import (  # noqa: F401
    AUDIT_LEASE,
    NO_SHOW_STEP,
    audit_business_date_due,
    audit_time_for,
    night_audit_run,
    night_audits_run_due,
    no_show_event_record,
    no_show_finish,
    no_show_terms,
    reservation_no_show,
    stay_nights_post,
)
from .out_of_order import (  # noqa: F401
    out_of_order_sync,
    room_out_of_order_lift,
    room_out_of_order_set,
)
from .routing import (  # noqa: F401
    channel_folio,
)
