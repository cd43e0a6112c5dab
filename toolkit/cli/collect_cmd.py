"""`toolkit collect`."""
