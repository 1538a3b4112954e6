"""Background tasks of the support process: thin wrappers that take primary keys."""

from django.tasks import task

from lotse.support import services


@task()
def remind_overdue_requests() -> int:
    """Periodic: remind coordinators before the acknowledgement deadline passes."""
    return services.requests_remind_overdue()
