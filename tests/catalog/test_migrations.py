"""The catalogue migrations: an area's old free-text characteristics become Merkmal rows
(0003); every existing offer goes into core's search index (0005)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lotse.catalog import search
from lotse.catalog.models import Characteristic, Offer, QualityArea
from lotse.core.models import SearchTerm

BEFORE = [("catalog", "0002_initial")]
AFTER = [("catalog", "0003_catalogue_characteristics_search_supporter_types")]


@pytest.fixture
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()  # every app: a later app may depend on this one
    executor.migrate(BEFORE)
    yield MigrationExecutor(connection)
    MigrationExecutor(connection).migrate(latest)


def test_characteristics_become_rows_and_offers_are_indexed(executor: MigrationExecutor) -> None:
    apps: Any = executor.loader.project_state(BEFORE).apps
    organisation = apps.get_model("core", "Organisation").objects.create(
        slug="o", name="O", kind="support_system", state="SN"
    )
    old_area = apps.get_model("catalog", "QualityArea").objects.create(
        organisation=organisation,
        number=2,
        title="Lehren und Lernen",
        description="Lehr- und Lernorganisation\n\n  Lehr- und Lernprozesse \n",
    )
    old_offer = apps.get_model("catalog", "Offer").objects.create(
        organisation=organisation,
        title="Regionalbegleiter Schulmediation",
        services="Ausbildung von Schülern zu Streitschlichtern",
    )

    executor.migrate(AFTER)

    area = QualityArea.objects.get(pk=old_area.pk)
    assert area.description == ""
    assert list(
        Characteristic.objects.filter(area=area)
        .order_by("position")
        .values_list("title", "position")
    ) == [("Lehr- und Lernorganisation", 1), ("Lehr- und Lernprozesse", 2)]

    # Up to today: the offer is in the index and found.
    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    offer = Offer.objects.get(pk=old_offer.pk)
    assert SearchTerm.objects.filter(
        kind=search.KIND, object_id=offer.pk, term="streitschlicht"
    ).exists()
    found = search.search_offers(
        Offer.objects.all(), "Streitschlichter", organisation_id=organisation.pk
    )
    assert [item.offer for item in found.found] == [offer]

    # And back: the Merkmale return to the text field.
    MigrationExecutor(connection).migrate(BEFORE)
    apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    restored = apps.get_model("catalog", "QualityArea").objects.get(pk=old_area.pk)
    assert restored.description == "Lehr- und Lernorganisation\nLehr- und Lernprozesse"
