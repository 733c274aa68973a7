"""Rubrics: criteria, the rule that turns levels into a rating, the seed rubrics."""
