"""Signals the assessment workflow sends to the parts built on it (the plagiarism check listens
to a submission). Sent on commit, so a receiver always finds the saved state.

    portfolio_submitted.send(sender=Portfolio, portfolio_id=...)
"""

from __future__ import annotations

from django.dispatch import Signal

# A portfolio's attempt was submitted: its files are frozen and its text is ready to check.
portfolio_submitted = Signal()
