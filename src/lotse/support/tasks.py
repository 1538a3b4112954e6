"""Background tasks of the support process: thin wrappers that take primary keys."""

from django.tasks import task

from lotse.support.services import requests as request_services


@task()
def remind_overdue_requests() -> int:
    """Periodic: remind coordinators before the acknowledgement deadline passes."""
    return request_services.requests_remind_overdue()


@task()
def remind_sessions() -> int:
    """Periodic: remind school and supporters of a session, once, the set hours before."""
    from lotse.support.services import accompaniment as accompaniment_services

    return accompaniment_services.sessions_remind()


@task()
def remind_overdue_next_steps() -> int:
    """Periodic: remind the owning side of a next step, once, when it is overdue."""
    from lotse.support.services import accompaniment as accompaniment_services

    return accompaniment_services.next_steps_remind_overdue()


@task()
def fetch_all_mailboxes() -> int:
    """Periodic: import new mail from every site's mailbox."""
    from lotse.support.mail import imap

    return sum(result.imported for result in imap.fetch_all().values())


@task()
def remind_agreement_end() -> int:
    """Periodic: remind school and supporters once when the Kontrakt in force nears its end."""
    from lotse.support.services import completion as completion_services

    return completion_services.agreements_remind_end()
