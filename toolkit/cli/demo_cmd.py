"""`toolkit demo`."""
