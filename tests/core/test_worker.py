"""`lotse worker` enqueues each periodic job when its interval has passed."""

from __future__ import annotations

from typing import Any

import pytest
from django.tasks import task

from lotse.core.management.commands.worker import enqueue_periodic

pytestmark = pytest.mark.django_db  # the worker closes stale connections

RUNS: list[str] = []


@task()
def often() -> None:
    RUNS.append("often")


@task()
def rarely() -> None:
    RUNS.append("rarely")


@pytest.fixture(autouse=True)
def _jobs(settings: Any) -> None:
    RUNS.clear()
    settings.LOTSE_PERIODIC_TASKS = {
        "tests.core.test_worker.often": 60,
        "tests.core.test_worker.rarely": 600,
    }


def test_each_job_runs_when_its_interval_has_passed() -> None:
    due: dict[str, float] = {}
    enqueue_periodic(due, now=1000.0)
    assert RUNS == ["often", "rarely"]

    enqueue_periodic(due, now=1030.0)
    assert RUNS == ["often", "rarely"]

    enqueue_periodic(due, now=1060.0)
    assert RUNS == ["often", "rarely", "often"]

    enqueue_periodic(due, now=1600.0)
    assert RUNS == ["often", "rarely", "often", "often", "rarely"]


def test_the_mail_jobs_are_in_the_schedule(settings: Any) -> None:
    from lotse import settings as lotse_settings

    assert lotse_settings.LOTSE_PERIODIC_TASKS["lotse.support.tasks.fetch_all_mailboxes"] == (
        lotse_settings.MAIL_FETCH_INTERVAL
    )
    assert "lotse.core.tasks.send_pending_mail" in lotse_settings.LOTSE_PERIODIC_TASKS
