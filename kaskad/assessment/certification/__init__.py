"""Certification: the rating and the plagiarism outcome settle a portfolio."""
