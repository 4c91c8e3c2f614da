"""The front-desk API, split by use case: stay (check-in, check-out), rack (room rack, desk day, out of order),
folio (charges), folios (split folios, billing parties), housekeeping; common holds what they share."""
