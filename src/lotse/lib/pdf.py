"""PDF documents from HTML templates, rendered by WeasyPrint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.template.loader import render_to_string

from lotse.lib.staticfiles import source_path

# Every PDF's print style (page size, margins, page numbers), kept out of the templates like
# every other style (no inline style anywhere, see SECURE_CSP).
STYLESHEET = "lotse/pdf.css"


def render_pdf(template: str, context: Mapping[str, Any]) -> bytes:
    """Render a Django template to a PDF document."""
    from weasyprint import CSS, HTML  # imported late: it loads Pango, which costs time at start

    html = render_to_string(template, dict(context))
    # No base_url: a document never fetches anything from outside.
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=source_path(STYLESHEET))])
