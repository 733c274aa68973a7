"""Logging filters."""

from __future__ import annotations

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """Log a 403 as its one line ("Forbidden (Permission denied): /path"), without the
    traceback of the PermissionDenied behind it: refusals are routine, and a traceback for each
    would bury the real faults in the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
