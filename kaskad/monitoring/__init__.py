"""Monitoring studies and surveys: tests, item analysis, pupil and school reports."""
