"""Marking and moderation: the assessor's task, the marks, the moderator's queue, the history."""
