"""Static files with hashed names, and a clear word when they were not collected.

`make setup` runs `lotse collectstatic`, which copies every static file (Lotse's own, KERN UX and
htmx from node_modules, the admin's and allauth's) into STATIC_ROOT under a name with its
content's hash and writes the manifest `staticfiles.json`. `{% static %}` links the hashed
names; WhiteNoise serves them with a cache time of ten years, since a changed file gets a new
name.

Tests run after `make setup` as well. A file edited since then is still found (the finder
below serves its current content under the hashed name); a new file is not in the manifest,
and `{% static %}` says to run `make setup` again.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from whitenoise.storage import CompressedManifestStaticFilesStorage

COLLECT_HINT = (
    "Static files changed since they were last collected: run `make setup` "
    "(or `lotse collectstatic --no-input`)."
)


class ManifestStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage, with the way out in its error."""

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError as exc:
            raise ValueError(f"{exc}. {COLLECT_HINT}") from exc


def _sources() -> dict[str, str]:
    """Hashed name → name, from the manifest this process loaded (a few hundred entries, and
    only servers that serve from the finders ask)."""
    hashed_files: dict[str, str] = getattr(staticfiles_storage, "hashed_files", {})
    return {hashed: name for name, hashed in hashed_files.items()}


class HashedNameFinder(finders.BaseFinder):
    """Finds "lotse/lotse.3f2a9c1b7d4e.css" as the source of "lotse/lotse.css".

    Servers that serve static files from the finders rather than from STATIC_ROOT (pytest-django's
    live server for the browser tests, `runserver`) know only the source names, but the pages
    link the hashed ones. Serving the current source, not the collected copy, keeps an edited
    file's new content visible there. It lists nothing, so collectstatic copies nothing twice.
    """

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        source = _sources().get(path)
        found: list[str] = []
        if source is not None:
            for finder in finders.get_finders():
                if not isinstance(finder, HashedNameFinder):
                    found.extend(finder.find(source, find_all=True))
        # Like Django's finders: the first match, or every match, and [] for none.
        return found if find_all or not found else found[0]

    def list(self, ignore_patterns: Any) -> Any:
        return iter(())


def source_path(name: str) -> str:
    """The file of a static name in the sources (the checkout), e.g. a PDF's stylesheet."""
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(f"static file {name!r} not found in {settings.STATICFILES_DIRS}")
    return str(found)
