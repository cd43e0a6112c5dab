"""The workbook layer: the guarded reader (python-calamine) and the low-level write helpers.

Besides the step writers that need one, the only code that knows a workbook library's API."""
