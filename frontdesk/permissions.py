"""What the "Front desk" group may do: exactly a desk clerk's work (migrations 0003, 0004 and 0005), checked through
hotelbooking.permissions like every other permission. A clerk also needs to belong to a hotel (Hotel.staff)."""

FRONT_DESK_GROUP = "Front desk"

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
]
