"""What the "Front desk" group may do: exactly a desk clerk's work (migrations 0003 to 0006, 0012; invoicing's
0003), checked through hotelbooking.permissions like every other permission. The "Front office manager" group adds
what needs a manager: price overrides, penalty waivers and credit notes. A member also needs to
belong to a hotel (Hotel.staff)."""

FRONT_DESK_GROUP = "Front desk"
FRONT_OFFICE_MANAGER_GROUP = "Front office manager"

FRONT_DESK_PERMISSIONS = [
    ("frontdesk", "view_stay"),
    ("frontdesk", "check_in_guest"),
    ("frontdesk", "check_out_guest"),
    ("frontdesk", "post_charge"),
    ("frontdesk", "send_payment_link"),
    ("frontdesk", "view_paymentlink"),
    ("frontdesk", "view_folioline"),
    ("frontdesk", "view_roomassignment"),
    ("frontdesk", "view_housekeepingtask"),
    ("frontdesk", "change_housekeepingtask"),
    ("frontdesk", "view_roomoutoforder"),
    ("frontdesk", "add_roomoutoforder"),
    ("frontdesk", "change_roomoutoforder"),
    ("frontdesk", "view_loyaltyentry"),
    ("frontdesk", "view_gueststats"),
    ("frontdesk", "view_stayrecord"),
    ("inventory", "view_room"),
    ("bookings", "view_reservation"),
    ("bookings", "add_reservation"),
    ("bookings", "modify_reservation"),
    ("bookings", "cancel_reservation"),
    ("frontdesk", "assign_room"),
    ("frontdesk", "move_room"),
    ("frontdesk", "mark_no_show"),
    ("frontdesk", "manage_folios"),
    ("frontdesk", "view_billingparty"),
    ("frontdesk", "add_billingparty"),
    ("frontdesk", "change_billingparty"),
    # Given by invoicing's migration 0003 (that app comes after this one): names only, nothing is imported.
    ("invoicing", "view_invoice"),
    ("invoicing", "issue_invoice"),
]

MANAGER_PERMISSIONS = FRONT_DESK_PERMISSIONS + [
    ("frontdesk", "override_rate"),
    ("frontdesk", "waive_penalty"),
    ("invoicing", "credit_invoice"),
]

GROUPS = {FRONT_DESK_GROUP: FRONT_DESK_PERMISSIONS, FRONT_OFFICE_MANAGER_GROUP: MANAGER_PERMISSIONS}
