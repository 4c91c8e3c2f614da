"""The partner webhook API: views (endpoints, deliveries, replays) and io (their input and output shapes)."""
