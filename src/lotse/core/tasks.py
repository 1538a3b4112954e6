"""Background tasks of core: thin wrappers that take primary keys."""

from django.tasks import task

from lotse.core import outbox


@task()
def send_outbox_message(pk: int) -> str:
    """Send one mail of the outbox."""
    return str(outbox.send(pk))


@task()
def send_pending_mail() -> int:
    """Periodic sweep: send every mail still waiting."""
    return outbox.send_pending()
