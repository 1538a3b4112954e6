"""Apps to the right of support add sections to the request page through core's registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from lotse.core import request_sections
from lotse.support.models import State
from tests.factories import Cast, bring_to_state

TEMPLATES = Path(__file__).parent / "templates"


def _for_school_only(request: Any, support_request: Any, person: Any) -> dict[str, Any] | None:
    """A section a later app might show: only to the school's contacts."""
    if person.roles.filter(kind="school_contact", school=support_request.school).exists():
        return {"title": "Gebuchte Fortbildungen", "text": f"Anfrage {support_request.pk}"}
    return None


@pytest.fixture
def extra_section(settings: Any) -> Iterator[None]:
    html, *others = settings.TEMPLATES
    settings.TEMPLATES = [{**html, "DIRS": [*html["DIRS"], TEMPLATES]}, *others]
    request_sections.register("test.trainings", template="tests/extra_section.html",
                              context=_for_school_only)  # fmt: skip
    yield
    request_sections.unregister("test.trainings")


@pytest.mark.usefixtures("extra_section")
def test_a_registered_section_shows_to_whom_its_app_decides(cast: Cast, client: Client) -> None:
    sr = bring_to_state(cast, State.ACKNOWLEDGED)

    client.force_login(cast.school_contact_a)
    school_page = client.get(f"/anfragen/{sr.pk}/").content.decode()
    client.force_login(cast.coordinator)
    coordination_page = client.get(f"/anfragen/{sr.pk}/").content.decode()

    assert "Gebuchte Fortbildungen" in school_page
    assert f"Anfrage {sr.pk}" in school_page
    assert "Gebuchte Fortbildungen" not in coordination_page


def test_without_registered_sections_the_page_has_none(cast: Cast, client: Client) -> None:
    sr = bring_to_state(cast, State.ACKNOWLEDGED)
    client.force_login(cast.school_contact_a)

    response = client.get(f"/anfragen/{sr.pk}/")

    assert response.status_code == 200
    assert response.context["extra_sections"] == []
