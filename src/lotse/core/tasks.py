"""Background tasks of core: thin wrappers that take primary keys."""

from django.tasks import task

from lotse.core import outbox, retention, schoolimport


@task()
def send_outbox_message(pk: int) -> str:
    """Send one mail of the outbox."""
    return str(outbox.send(pk))


@task()
def send_pending_mail() -> int:
    """Periodic sweep: send every mail still waiting."""
    return outbox.send_pending()


@task()
def apply_retention() -> int:
    """Periodic: once per night, delete or anonymise what the retention rules say is due.

    Enqueued often (RETENTION_CHECK_INTERVAL); it acts only at the first call after
    RETENTION_HOUR local time on each day, for each rule that has not run since then."""
    return sum(outcome.count for outcome in retention.apply_nightly())


@task()
def purge_school_imports() -> int:
    """Periodic: delete uploaded school data files (and results) older than a day."""
    return schoolimport.purge()
