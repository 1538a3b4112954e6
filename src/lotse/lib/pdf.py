"""PDF documents from HTML templates, rendered by WeasyPrint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.template.loader import render_to_string


def render_pdf(template: str, context: Mapping[str, Any]) -> bytes:
    """Render a Django template to a PDF document."""
    from weasyprint import HTML  # imported late: it loads Pango, which costs time at start-up

    html = render_to_string(template, dict(context))
    # No base_url: a document never fetches anything from outside.
    return HTML(string=html).write_pdf()
