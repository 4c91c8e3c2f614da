"""The partner booking API, split by use case: booking (create, read), manage (change, cancel), pending (a
payment still in progress), output (the answers' shapes)."""
