"""The domain: the plan as plain data, values as people write them, units, 和暦, the form contract.

No I/O and no workbook library: every step above works on these types."""
