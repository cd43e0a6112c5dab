"""The master workbook: its layout, loading it into the plan (with findings), the parsed-plan
cache, writing new masters (template, samples), and the plan summary of ``toolkit show``."""
