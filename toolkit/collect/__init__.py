"""collect: read returned workbooks, identify, validate and record them; status of sections;
feedback copies and the collect report. ``submissions`` is what collect hands to merge."""
