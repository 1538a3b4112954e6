"""The access log is append-only: the database itself refuses to change or delete its rows."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from lotse.core import audit
from lotse.core.models import AccessLog, Role
from tests.factories import Cast


@pytest.fixture
def entry(cast: Cast) -> AccessLog:
    return audit.read(
        person=cast.coordinator,
        role=Role.Kind.COORDINATOR,
        organisation=cast.organisation,
        subject=cast.school_a,
        what="detail",
    )


def test_a_read_is_one_row_with_who_role_what_and_when(cast: Cast, entry: AccessLog) -> None:
    rows = list(audit.reads_of(cast.school_a))
    assert rows == [entry]
    assert rows[0].person == cast.coordinator
    assert rows[0].role == "coordinator"
    assert rows[0].subject_type == "core.school"
    assert rows[0].at is not None


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda: AccessLog.objects.update(what="nothing"), id="queryset-update"),
        pytest.param(lambda: AccessLog.objects.all().delete(), id="queryset-delete"),
    ],
)
def test_the_database_refuses_updates_and_deletes(entry: AccessLog, change: object) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        change()  # type: ignore[operator]
    entry.refresh_from_db()
    assert entry.what == "detail"


def test_raw_sql_is_refused_too(entry: AccessLog) -> None:
    for sql in (
        f"UPDATE {audit.TABLE} SET what = 'x'",  # noqa: S608 - fixed names
        f"DELETE FROM {audit.TABLE}",  # noqa: S608
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AccessLog.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_is_refused_on_postgresql(entry: AccessLog) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"TRUNCATE {audit.TABLE}")
    assert AccessLog.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_puts_the_guard_back(cast: Cast) -> None:
    audit.read(
        person=cast.admin,
        role=Role.Kind.ADMIN,
        organisation=cast.organisation,
        subject=cast.school_b,
        what="detail",
    )
    call_command("flush", interactive=False, verbosity=0)
    assert AccessLog.objects.count() == 0
    AccessLog.objects.create(
        role="admin", organisation_id=1, subject_type="x", subject_id=1, what="y"
    )
    with pytest.raises(DatabaseError, match="append-only"):
        AccessLog.objects.all().delete()
