"""Core's search component with a kind of content of its own: any app registers its model, the
index follows its saves, and content without an organisation is searched in the scope None."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lotse.catalog.models import SupporterType
from lotse.core import search
from lotse.core.models import SearchTerm
from tests.factories import Cast

pytestmark = pytest.mark.django_db

KIND = "tests.supporter_type"


@pytest.fixture
def registered() -> Iterator[None]:
    search.register(
        KIND,
        model=SupporterType,
        fields=lambda item: [(item.name, search.TITLE), (item.description, search.TEXT)],
        scope=lambda item: None,
    )
    yield
    search.unregister(KIND)


@pytest.mark.usefixtures("registered")
def test_a_registered_kind_is_indexed_searched_and_rebuilt(cast: Cast) -> None:
    psychology = SupporterType.objects.create(
        organisation=cast.organisation,
        name="Schulpsychologinnen",
        description="Beratung bei Lernschwierigkeiten, Krisen und Mobbing.",
    )
    media = SupporterType.objects.create(
        organisation=cast.other_organisation,
        name="Medienberater",
        description="Digitale Medien im Unterricht.",
    )
    assert SearchTerm.objects.filter(kind=KIND, organisation__isnull=True).exists()
    # Scope None: both organisations' rows are searched together; a typo is forgiven.
    hits = search.search(KIND, "Krise Medienberatr", scope=None)
    assert {hit.object_id for hit in hits} == {psychology.pk, media.pk}
    assert all(hit.matched == 1 and hit.words == 2 for hit in hits)
    # A change is seen at once (the vocabulary is rebuilt for the new version).
    media.description = "Krisen im Netz"
    media.save()
    assert search.search(KIND, "Medienberater Krisen", scope=None)[0].object_id == media.pk
    # The rebuild writes the same rows again; a delete removes them.
    before = set(SearchTerm.objects.filter(kind=KIND).values_list("object_id", "term"))
    assert search.rebuild([KIND]) == {KIND: 2}
    assert set(SearchTerm.objects.filter(kind=KIND).values_list("object_id", "term")) == before
    psychology.delete()
    assert not search.search(KIND, "Schulpsychologin", scope=None)


def test_an_unregistered_kind_is_no_longer_followed(cast: Cast) -> None:
    SupporterType.objects.create(organisation=cast.organisation, name="Fachberater Deutsch")
    assert not SearchTerm.objects.filter(kind=KIND).exists()
    assert KIND not in {kind.key for kind in search.kinds()}


def test_the_command_refuses_an_unknown_kind(db: None) -> None:
    with pytest.raises(CommandError, match=r"Unknown kind: nothing\.here.*catalog\.offer"):
        call_command("rebuild-search-index", "nothing.here", stdout=StringIO())
