"""generate: one fill-in workbook (様式) per 担当課, holding only that section's lines."""
