"""The reminder when the Kontrakt's time span nears its end: once per version in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from lotse.core.models import OutboxMessage, Person
from lotse.support.models import Agreement, State, SupportRequest, TimelineEvent
from lotse.support.services import agreements as agreement_services
from lotse.support.services import completion as completion_services
from tests.factories import Cast, bring_to_state, draft

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]
START = dt.datetime(2031, 3, 2, 8, 0, tzinfo=dt.UTC)


def reminders(sr: SupportRequest) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(
            reference=f"support.SupportRequest:{sr.pk}", template="support/mail/agreement_end"
        )
    )


def running(cast: Cast, state: str = State.ACCOMPANYING) -> SupportRequest:
    """A request whose Kontrakt (120 days from START) is in force."""
    with time_machine.travel(START, tick=False):
        return bring_to_state(cast, state)


def test_reminded_not_before_the_reminder_days_then_exactly_once(cast: Cast) -> None:
    sr = running(cast)
    ends = Agreement.objects.get(request=sr).ends_on
    assert cast.organisation.agreement_end_reminder_days == 14
    day_before = dt.datetime.combine(ends - dt.timedelta(days=15), dt.time(9), tzinfo=dt.UTC)
    with time_machine.travel(day_before, tick=False):
        assert completion_services.agreements_remind_end() == 0
    assert reminders(sr) == []

    with time_machine.travel(day_before + dt.timedelta(days=1), tick=False):
        assert completion_services.agreements_remind_end() == 1
        assert completion_services.agreements_remind_end() == 0
    with time_machine.travel(day_before + dt.timedelta(days=10), tick=False):
        assert completion_services.agreements_remind_end() == 0
    [mail] = reminders(sr)
    assert set(mail.to) == {
        "sekretariat@schule-a.example",
        cast.school_contact_a.email,
        cast.supporter.email,
    }
    assert f"/anfragen/{sr.pk}/kontrakt/?verlaengern=1" in mail.body
    assert f"/anfragen/{sr.pk}/#abschluss" in mail.body
    assert "Feedback im Unterricht" not in mail.body
    assert Agreement.objects.get(request=sr).end_reminder_sent_at is not None
    assert TimelineEvent.objects.filter(request=sr, kind="agreement_end_reminder").count() == 1


def test_an_extension_that_binds_is_reminded_of_again(cast: Cast) -> None:
    sr = running(cast, State.AGREED)
    first = Agreement.objects.get(request=sr)
    near = dt.datetime.combine(first.ends_on - dt.timedelta(days=5), dt.time(9), tzinfo=dt.UTC)
    with time_machine.travel(near, tick=False):
        assert completion_services.agreements_remind_end() == 1
        extension = draft(
            cast, sr, by=cast.school_contact_a, ends_on=first.ends_on + dt.timedelta(days=90)
        )
        # Only proposed: the version in force was already reminded of, the proposal is none.
        assert completion_services.agreements_remind_end() == 0
        # The school proposed it, which is its acceptance; the supporter's makes it bind.
        agreement_services.agreement_accept(agreement=extension, by=cast.supporter)
        assert completion_services.agreements_remind_end() == 0, "the new end is far away"
    later = dt.datetime.combine(extension.ends_on - dt.timedelta(days=3), dt.time(9), tzinfo=dt.UTC)
    with time_machine.travel(later, tick=False):
        assert completion_services.agreements_remind_end() == 1
        assert completion_services.agreements_remind_end() == 0
    assert len(reminders(sr)) == 2


def test_closed_requests_are_not_reminded(cast: Cast) -> None:
    with time_machine.travel(START, tick=False):
        sr = bring_to_state(cast, State.COMPLETED)
    ends = Agreement.objects.get(request=sr).ends_on
    with time_machine.travel(dt.datetime.combine(ends, dt.time(9), tzinfo=dt.UTC), tick=False):
        assert completion_services.agreements_remind_end() == 0
    assert reminders(sr) == []


def test_the_request_page_offers_extend_or_complete_while_the_end_is_near(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = running(cast)
    ends = Agreement.objects.get(request=sr).ends_on
    # Logged in inside each frozen moment: a session does not last four months.
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        page = client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/").content.decode()
        assert "Der Zeitraum des Kontrakts endet am" not in page
        assert "?verlaengern=1" not in page
    with time_machine.travel(dt.datetime.combine(ends, dt.time(9), tzinfo=dt.UTC), tick=False):
        assert timezone.localdate() == ends
        page = client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/").content.decode()
        assert "?verlaengern=1" in page
        assert "Der Zeitraum des Kontrakts endet am" in page
        assert 'href="#abschluss"' in page
        # The coordination is not asked to choose.
        page = client_as(cast.coordinator).get(f"/anfragen/{sr.pk}/").content.decode()
        assert "Der Zeitraum des Kontrakts endet am" not in page


def test_the_periodic_task_is_registered(settings: object) -> None:
    from django.conf import settings as django_settings

    assert "lotse.support.tasks.remind_agreement_end" in django_settings.LOTSE_PERIODIC_TASKS
    from lotse.support import tasks

    assert tasks.remind_agreement_end.call() == 0
