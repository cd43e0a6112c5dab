"""`toolkit report`."""
