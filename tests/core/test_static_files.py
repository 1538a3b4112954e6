"""Static files under hashed names from the collected folder: browsers may cache them for good,
production needs no node_modules, and a file not yet collected says how to fix it."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags.static import static
from django.test import Client
from pypdf import PdfReader

from lotse.lib.pdf import render_pdf


def test_pages_link_hashed_names_that_are_cached_for_good(
    client: Client, db: None, settings: Any
) -> None:
    settings.WHITENOISE_AUTOREFRESH = False  # as in production (the tests' default is True)
    page = client.get("/konto/login/").content.decode()
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert "/static/lotse/lotse.css" not in links
    css = next(link for link in links if link.startswith("/static/lotse/lotse."))
    assert re.fullmatch(r"/static/lotse/lotse\.[0-9a-f]{12}\.css", css)
    assert any(re.fullmatch(r"/static/htmx/htmx\.min\.[0-9a-f]{12}\.js", link) for link in links)
    response = client.get(css)
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert b".lotse-header" in b"".join(response.streaming_content)  # type: ignore[arg-type]
    response.close()


def test_the_collected_files_are_served_without_node_modules(client: Client, db: None) -> None:
    """WhiteNoise serves from STATIC_ROOT only, which holds KERN UX and htmx themselves."""
    assert not getattr(settings, "WHITENOISE_USE_FINDERS", False)
    kern = static("kern/kern.min.css")
    assert Path(settings.STATIC_ROOT, kern.removeprefix("/static/")).is_file()
    assert not str(settings.STATIC_ROOT).startswith(str(settings.DATA_DIR))


def test_a_file_not_yet_collected_says_to_run_make_setup() -> None:
    with pytest.raises(ValueError, match=r"Missing staticfiles manifest entry.*make setup"):
        static("lotse/noch-nicht-gesammelt.js")


def test_servers_that_serve_from_the_finders_find_hashed_names_as_their_source() -> None:
    """pytest-django's live server finds the hashed names the pages link, with the source's
    current content (a file edited after the last collectstatic shows its change)."""
    hashed = staticfiles_storage.stored_name("lotse/lotse.css")
    assert hashed != "lotse/lotse.css"
    source = Path(settings.BASE_DIR, "static", "lotse", "lotse.css")
    assert finders.find(hashed) == str(source)
    assert finders.find("lotse/lotse.0123456789ab.css") is None


def test_a_pdf_gets_the_print_stylesheet() -> None:
    """The print style lives in static/lotse/pdf.css, not in the template: it numbers pages."""
    pdf = render_pdf("support/agreement_pdf.html", {"acceptances": [], "agreement": None})
    assert "1 / 1" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
