"""Shared fixtures: fast settings, the named cast of STYLE.md and requests in every state.

How the suite stays fast (README, "Tests"):

- The cast is built once per run (per xdist worker), right after the test database is set up,
  and committed. The `cast` fixture gives each test fresh instances of it, looked up by primary
  key; the test's transaction rolls back whatever the test changes.
- Transactional tests (browser tests, migrations, `django_db(transaction=True)`) empty the
  database after themselves (pytest-django's flush). They start without the session cast, as
  before it existed (the database is emptied before the first of them), and build their own data;
  the next test that runs in a transaction gets the cast built again.
- Tests that do not touch the database engine are marked `engine_independent` here, in one
  place; `make test-postgres` leaves them out, so they run once, on SQLite. So does the
  permission matrix (see SQLITE_ONLY).
- Hypothesis runs few examples in a developer's run (profile "dev") and the full number in CI
  (profile "ci", chosen by CI=true or HYPOTHESIS_PROFILE=ci).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from hypothesis import settings as hypothesis_settings
from pytest_django import DjangoDbBlocker

from lotse.core.models import District, Organisation, Person, School
from lotse.support.models import SupportRequest
from tests.factories import Cast, bring_to_state, build_cast, reload_cast

# --- hypothesis: few examples while developing, the full number in CI ------------------------

# "ci" is hypothesis' own default (100 examples per test); tests that ask for another number
# scale it with tests.helpers.examples().
hypothesis_settings.register_profile("ci", max_examples=100)
hypothesis_settings.register_profile("dev", max_examples=20)
_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _ci else "dev"))

# --- which tests run on which database -------------------------------------------------------

ENGINE_INDEPENDENT = "engine_independent"
DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}
TRANSACTIONAL_FIXTURES = {"transactional_db", "django_db_reset_sequences", "live_server"}
# Tests that make a database of their own from DATABASE_URL (a PostgreSQL database when the
# suite runs on PostgreSQL) and drive `lotse` against it in subprocesses: engine-dependent
# without using pytest-django's database.
OWN_DATABASE = (
    "tests/support/intake/test_fault_tolerance.py::",
    "tests/core/test_encryption.py::test_the_sentinel_is_not_in_the_stored_data",
)


def uses_database(item: pytest.Item) -> bool:
    """Whether the test uses pytest-django's test database."""
    names = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(DB_FIXTURES & names)


def is_transactional(item: pytest.Item) -> bool:
    """Whether the test commits (and pytest-django empties the database after it)."""
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        transaction = marker.kwargs.get("transaction", marker.args[0] if marker.args else False)
        if transaction or marker.kwargs.get("reset_sequences"):
            return True
    return bool(TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


# Tests that use the database but whose subject does not depend on its engine, run on SQLite
# only to keep `make test` within its time: the permission matrix asks which role gets which
# answer, decided in Python (lotse.*.permissions and the views); on PostgreSQL it took 40 % of
# the suite's time. The queries behind those pages run on both databases in the view tests.
SQLITE_ONLY = ("tests/test_permission_matrix.py::",)
# Long tests without pytest-django's database (each a minute or more of subprocesses) go first,
# so that with two workers they run next to the others instead of alone at the end of the run.
LONG_FIRST = (
    "tests/support/intake/test_fault_tolerance.py::",
    "tests/core/test_encryption.py::test_the_sentinel_is_not_in_the_stored_data",
    "tests/core/test_account_security.py::test_the_login_limits_are_shared_by_all_server",
    "tests/test_deploy_check.py::",
)


def _nodeid(item: pytest.Item) -> str:
    return item.nodeid.replace(os.sep, "/")


def engine_independent(item: pytest.Item) -> bool:
    """Browser tests and tests without a database run once (on SQLite): neither depends on
    what differs between SQLite and PostgreSQL. The browser tests' pages are rendered by the
    same views the view tests cover on both databases."""
    if item.get_closest_marker("e2e") is not None or _nodeid(item).startswith(SQLITE_ONLY):
        return True
    if _nodeid(item).startswith(OWN_DATABASE):
        return False
    return not uses_database(item)


def _long_first(item: pytest.Item) -> int:
    """The place of a long test in LONG_FIRST (longest first), len(LONG_FIRST) for the rest."""
    if not uses_database(item):
        for place, prefix in enumerate(LONG_FIRST):
            if _nodeid(item).startswith(prefix):
                return place
    return len(LONG_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the engine-independent tests; the long ones without the test database first (after
    pytest-django's ordering, which this keeps for every test that uses the database)."""
    for item in items:
        if engine_independent(item):
            item.add_marker(ENGINE_INDEPENDENT)
    items.sort(key=_long_first)


# --- the session cast --------------------------------------------------------------------------

# Settings every test runs with (see _fast_and_isolated); the session cast is built with them.
FAST_SETTINGS: dict[str, Any] = {
    # MD5 hashing for speed (the cast's passwords are hashed with it, so logins work in tests).
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    # Tasks run at once, so no worker is needed.
    "TASKS": {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
    # No SMTP server.
    "SMTP_HOST": "",
    # WhiteNoise looks a static file up when it is asked for instead of listing every collected
    # file when its middleware starts: each test client starts the middleware chain anew, and the
    # listing cost 0.3-0.7 s per client. tests/core/test_static_files.py serves as production does.
    "WHITENOISE_AUTOREFRESH": True,
}


@dataclass
class SessionCast:
    """The cast committed to this process's test database, if it is there now."""

    blocker: DjangoDbBlocker | None = None  # set once the test database exists
    cast: Cast | None = None
    item: pytest.Item | None = None  # the test being set up

    def build(self) -> None:
        assert self.blocker is not None
        with self.blocker.unblock(), override_settings(**FAST_SETTINGS):
            self.cast = build_cast()

    def clear(self) -> None:
        """Empty the database, as pytest-django does after a transactional test."""
        assert self.blocker is not None
        with self.blocker.unblock():
            call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
        self.cast = None


_session = SessionCast()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> None:
    """pytest-django's test database, with the cast committed to it (unless the test that set
    the database up is a transactional one: those start from an empty database)."""
    _session.blocker = django_db_blocker
    with django_db_blocker.unblock():
        left_over = Organisation.objects.exists()
    if left_over:  # a database kept from an earlier run (--reuse-db) still holds its cast
        _session.clear()
    if _session.item is None or not is_transactional(_session.item):
        _session.build()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before the test's fixtures: the cast in place for tests in a rolled-back transaction,
    an empty database for transactional ones."""
    _session.item = item
    if _session.blocker is None or not uses_database(item):
        return
    if is_transactional(item):
        if _session.cast is not None:
            _session.clear()
        # pytest-django empties the database after the test.
        _session.cast = None
    elif _session.cast is None:
        _session.build()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings: Any) -> None:
    """MD5 hashing for speed; tasks run at once, so no worker is needed; no SMTP server."""
    for name, value in FAST_SETTINGS.items():
        setattr(settings, name, value)


@pytest.fixture
def cast(request: pytest.FixtureRequest, db: None) -> Cast:
    """One organisation with two sites; school A and B are both served by site A. A second
    organisation has its own site, school and admin (tests.factories.build_cast).

    Fresh instances of the session's cast; a transactional test gets a cast of its own."""
    if is_transactional(request.node):
        return build_cast()
    assert _session.cast is not None, "the session cast is missing"
    return reload_cast(_session.cast)


@pytest.fixture
def empty_database(request: pytest.FixtureRequest, db: None) -> None:
    """For tests of an empty installation (the demo data, a command that takes the only
    organisation): the session cast is deleted inside the test's transaction, so it is back
    for the next test."""
    if not is_transactional(request.node) and _session.cast is not None:
        c = _session.cast
        members = [getattr(c, f.name) for f in fields(c)]
        people = [member.pk for member in members if isinstance(member, Person)]
        organisations = Organisation.objects.filter(
            pk__in=[c.organisation.pk, c.other_organisation.pk]
        )
        Person.objects.filter(pk__in=people).delete()
        School.objects.filter(district__organisation__in=organisations).delete()
        District.objects.filter(organisation__in=organisations).delete()
        organisations.delete()
    assert not Organisation.objects.exists()
    assert not Person.objects.exists()


@pytest.fixture
def organisation(cast: Cast) -> Organisation:
    return cast.organisation


@pytest.fixture
def school_contact_a(cast: Cast) -> Person:
    return cast.school_contact_a


@pytest.fixture
def school_contact_b(cast: Cast) -> Person:
    return cast.school_contact_b


@pytest.fixture
def coordinator(cast: Cast) -> Person:
    return cast.coordinator


@pytest.fixture
def other_coordinator(cast: Cast) -> Person:
    return cast.other_coordinator


@pytest.fixture
def supporter(cast: Cast) -> Person:
    return cast.supporter


@pytest.fixture
def other_supporter(cast: Cast) -> Person:
    return cast.other_supporter


@pytest.fixture
def admin(cast: Cast) -> Person:
    return cast.admin


@pytest.fixture
def outsider(cast: Cast) -> Person:
    return cast.outsider


@pytest.fixture
def request_in_state(cast: Cast) -> Callable[..., SupportRequest]:
    """`request_in_state(state, proposal_accepted=True, drafted=False, **submit)`."""

    def make(state: str, **kwargs: Any) -> SupportRequest:
        return bring_to_state(cast, state, **kwargs)

    return make


@pytest.fixture
def client_as(client: Client) -> Callable[[Person | None], Client]:
    """The test client, logged in as the given person (or anonymous for None)."""

    def login(person: Person | None) -> Client:
        client.logout()
        if person is not None:
            client.force_login(person)
        return client

    return login
