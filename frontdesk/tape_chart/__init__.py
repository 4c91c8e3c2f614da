"""The tape chart: rooms down the side, days across, each stay a bar; bookings still without a room."""
