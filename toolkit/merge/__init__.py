"""merge: write accepted answers into the master, losing nothing (plan → read state → apply → keep safe)."""
