"""The public catalogue API, split by use case: hotels (the list), content (a hotel's description and photos)."""
