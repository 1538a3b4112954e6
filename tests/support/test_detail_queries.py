"""The request page needs the same number of queries however long its history is, and its read
is one INSERT into the access log."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lotse.core.audit import TABLE
from lotse.core.models import Person
from lotse.support.models import State, SupportRequest
from lotse.support.services import records as record_services
from tests.factories import Cast, bring_to_state

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]


def grow(cast: Cast, sr: SupportRequest, rounds: int) -> None:
    """Notes of every level, documents and releases: everything the page shows per entry."""
    for number in range(rounds):
        record_services.note_add(request=sr, by=cast.supporter, text=f"Notiz {number}")
        coordination = record_services.note_add(
            request=sr, by=cast.coordinator, text=f"Koordination {number}"
        )
        document = record_services.document_upload(
            request=sr,
            by=cast.school_contact_a,
            filename=f"{number}.pdf",
            content_type="",
            content=b"%PDF",
        )
        record_services.entry_release(
            entry=coordination, by=cast.school_contact_a, purpose="Bericht"
        )
        record_services.entry_release(entry=document, by=cast.school_contact_a, purpose="Bericht")


def queries(client: Client, sr: SupportRequest) -> list[str]:
    client.get(f"/anfragen/{sr.pk}/")  # warm-up, as bench/queries.py does
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/anfragen/{sr.pk}/")
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("name", ["school_contact_a", "coordinator", "supporter"])
def test_the_request_page_needs_a_fixed_number_of_queries(
    cast: Cast, client_as: ClientAs, name: str
) -> None:
    small = bring_to_state(cast, State.AGREED, subject="Klein")
    large = bring_to_state(cast, State.AGREED, subject="Groß")
    grow(cast, small, 1)
    grow(cast, large, 12)
    client = client_as(getattr(cast, name))
    few, many = queries(client, small), queries(client, large)
    assert len(few) == len(many), "a query per entry crept in"
    inserts = [sql for sql in many if sql.startswith("INSERT") and TABLE in sql]
    assert len(inserts) == 1
    # Reading a page writes nothing but its access-log row.
    assert [sql for sql in many if sql.startswith(("INSERT", "UPDATE", "DELETE"))] == inserts
