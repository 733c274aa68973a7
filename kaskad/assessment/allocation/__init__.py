"""Portfolio allocation: assigning assessors (rules, manual and automatic allocation, reminders)."""
