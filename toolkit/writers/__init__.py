"""Everything that writes new workbooks (xlsxwriter): forms, masters, reports, feedback copies."""
