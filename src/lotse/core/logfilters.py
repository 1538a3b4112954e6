"""Logging filters of Lotse, loaded by the LOGGING setting (so nothing here may import models)."""

import logging

# Refusals Django logs with the exception attached: a 403 is an answer, not a fault.
_REFUSED = {403}


class RefusalWithoutTraceback(logging.Filter):
    """A refused page (403, PermissionDenied) is logged as Django's one line ("Forbidden
    (Permission denied): /path"), without the traceback of the exception that refused it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in _REFUSED:
            record.exc_info = None
            record.exc_text = None
        return True
