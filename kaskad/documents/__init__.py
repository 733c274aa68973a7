"""Documents: text out of uploaded files (PDF, DOCX, ODT, TXT), judged by content.

A plain library (no Django, no other part of Kaskad), shared by the portfolio upload
(assessment), the plagiarism check and anything else that reads what a teacher uploaded.
"""
