"""`toolkit merge`."""
