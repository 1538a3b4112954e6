"""Logging: one JSON object a line for log collectors, and error reports without content.

Lotse logs what happened (which job failed, which path answered 500), never what people wrote:
request texts, notes and mails are confidential. Django's error mails to ADMINS would show the
form data and the local variables of every frame, so `ConfidentialReporterFilter` leaves both
out.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message"}`, plus `status`, `method` and `path` of a failed
    request and `exception` with the traceback (its text, no variables)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            entry["status"] = status
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            # The path without its query: a search may carry a name.
            entry["method"] = request.method
            entry["path"] = request.path
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


class ConfidentialReporterFilter(SafeExceptionReporterFilter):
    """Error reports (the mails to ADMINS) without form data and without local variables: both
    may hold confidential content. Settings and headers are cleansed as Django does."""

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        if request is None or not self.is_active(request):
            return super().get_post_parameters(request)
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
