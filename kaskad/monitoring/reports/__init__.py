"""Results of a study test: pupils' scores, bands and strands, with class, school and study
aggregates (results.py); individual PDFs in bulk (bulk.py); workbooks (workbooks.py)."""
