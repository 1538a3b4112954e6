"""The access log: every read of confidential content writes exactly one row.

Rows are append-only. The database itself refuses UPDATE and DELETE (and on PostgreSQL also
TRUNCATE) of `core_accesslog` with triggers that a migration installs. Only `lotse flush`,
which deletes all data of an installation (and is what Django's test cases use between
tests), lifts them for its run, and `lotse cut-access-log`, which removes whole months older
than LOTSE_ACCESS_LOG_MONTHS and records the cut (`cut`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.utils import timezone

from lotse.core.models import AccessLog, Organisation, Person, RetentionAction, RetentionRun
from lotse.core.retention import months_before

TABLE = AccessLog._meta.db_table


def read(
    *,
    person: Person,
    role: str,
    organisation: Organisation | int,
    subject: models.Model | tuple[str, int],
    what: str,
    object_id: int | None = None,
) -> AccessLog:
    """Record one read of `subject` (or of one of its parts, `what` with `object_id`).

    `subject` is a model instance, or ("app_label.model", pk) for one known only by reference."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    if isinstance(subject, tuple):
        subject_type, subject_id = subject[0].lower(), subject[1]
    else:
        subject_type, subject_id = subject._meta.label_lower, subject.pk
    return AccessLog.objects.create(
        person=person,
        role=role,
        organisation_id=organisation_id,
        subject_type=subject_type,
        subject_id=subject_id,
        what=what,
        object_id=object_id,
    )


def reference_of(reference: str) -> tuple[str, int] | None:
    """("app_label.model", pk) from an opaque reference such as "support.SupportRequest:42"."""
    label, _, pk = reference.partition(":")
    if not label or not pk.isdigit():
        return None
    return label.lower(), int(pk)


def reads_of(subject: models.Model) -> QuerySet[AccessLog]:
    """Who read the subject, newest first, with the reader loaded."""
    return (
        AccessLog.objects.filter(subject_type=subject._meta.label_lower, subject_id=subject.pk)
        .select_related("person")
        .order_by("-at", "-pk")
    )


# --- retention: only whole months, only by the operators' command ----------------------------

CUT_KIND = "core.access_log"


def earliest_cut(now: dt.datetime | None = None) -> dt.datetime:
    """The latest cutoff allowed now: the start (local time) of the calendar month that lies
    LOTSE_ACCESS_LOG_MONTHS months back. Everything read before it may be cut; nothing later."""
    local = timezone.localtime(months_before(now or timezone.now(), settings.ACCESS_LOG_MONTHS))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_start(year: int, month: int) -> dt.datetime:
    """The first moment of a calendar month in local time."""
    return timezone.make_aware(dt.datetime(year, month, 1), timezone.get_current_timezone())


class CutRefused(Exception):
    """The cut would remove reads younger than the retention period allows."""


def cut(*, before: dt.datetime, dry_run: bool = False) -> tuple[int, RetentionRun | None]:
    """Remove every row of the access log read before `before`, the start of a month that is at
    least LOTSE_ACCESS_LOG_MONTHS months past; never single rows. The triggers are lifted only
    inside this transaction (other connections never see them missing), and a `RetentionRun`
    (kind "core.access_log", no organisation) records the cut, its cutoff and how many rows
    went. Returns (count, run); with `dry_run` only counts."""
    local = timezone.localtime(before)
    if (local.day, local.hour, local.minute, local.second, local.microsecond) != (1, 0, 0, 0, 0):
        raise CutRefused("the cutoff must be the start of a month: the log is cut by whole months")
    if before > earliest_cut():
        raise CutRefused(
            f"reads after {timezone.localtime(earliest_cut()):%Y-%m-%d} are within the "
            f"retention period of {settings.ACCESS_LOG_MONTHS} months"
        )
    rows = AccessLog.objects.filter(at__lt=before)
    if dry_run:
        return rows.count(), None
    with transaction.atomic():
        connection = connections[AccessLog.objects.db]
        drop_triggers(connection)
        try:
            count, _per_model = rows.delete()
        finally:
            install_triggers(connection)
        run = RetentionRun.objects.create(
            organisation=None,
            kind=CUT_KIND,
            action=RetentionAction.DELETE,
            months=settings.ACCESS_LOG_MONTHS,
            cutoff=before,
            count=count,
        )
    return count, run


# --- the triggers -----------------------------------------------------------------------------

_SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
]
_SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
]
_POSTGRES_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the access log is append-only'; END $$""",
    f"""CREATE OR REPLACE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse()""",
    f"""CREATE OR REPLACE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_refuse()""",
]
_POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_change ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
]


def _statements(connection: BaseDatabaseWrapper, *, install: bool) -> list[str]:
    if connection.vendor == "sqlite":
        return _SQLITE_INSTALL if install else _SQLITE_DROP
    if connection.vendor == "postgresql":
        return _POSTGRES_INSTALL if install else _POSTGRES_DROP
    raise NotImplementedError(f"no append-only triggers for {connection.vendor}")


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=True):
            cursor.execute(sql)


def drop_triggers(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=False):
            cursor.execute(sql)
