"""Running one service step from a view: its result, or its refusal shown in German.

Every app's views use it, so a refusal (`lotse.lib.errors.Refused`) looks the same everywhere:
the form again with the reason, a page that says why, or an error message on the next page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise

from lotse.lib.errors import Refused


@dataclass(frozen=True)
class Outcome[T]:
    """What became of a service step: its result, or that it was refused (and the page that
    says so, when the step had no form to show the reason in)."""

    result: T | None = None
    refused: bool = False
    refusal: HttpResponse | None = None

    @property
    def done(self) -> bool:
        return not self.refused

    @property
    def value(self) -> T:
        """The step's result; only a step that was done has one."""
        assert not self.refused, "a refused step has no result"
        return cast("T", self.result)


def run_step[T](
    step: Callable[[], T],
    *,
    form: forms.BaseForm | None = None,
    page: Callable[[str | Promise], HttpResponse] | None = None,
    flash: HttpRequest | None = None,
) -> Outcome[T]:
    """Run one service step. A refusal (`lotse.lib.errors.Refused`) comes back in German as the
    error of `form`, to show the form again; or as the page `page` makes of the reason; or,
    with `flash`, as an error message on the next page. Any other error is not a refusal and
    is raised."""
    try:
        return Outcome(result=step())
    except Refused as exc:
        if form is not None:
            form.add_error(None, str(exc.message))
            return Outcome(refused=True)
        if page is not None:
            return Outcome(refused=True, refusal=page(exc.message))
        if flash is not None:
            messages.error(flash, str(exc.message))
            return Outcome(refused=True)
        raise
