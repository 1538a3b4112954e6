"""The one refusal every app raises when it will not do what was asked.

A service refuses by raising `Refused` (or a subclass named for its domain: the workflow's
`WorkflowError`, the catalogue's `CatalogueError`, the `NotAllowed` of a rights check). The
message is translated and shown to the user as it is, so views catch `Refused` once and never
need to know which app refused.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Refused(Exception):
    """A step that is not allowed or not possible now; `message` says why, for the page."""

    default_message: str | Promise = _("You may not do this.")

    def __init__(self, message: str | Promise | None = None) -> None:
        self.message: str | Promise = self.default_message if message is None else message
        super().__init__(str(self.message))
