"""`toolkit generate`."""
