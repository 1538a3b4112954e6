"""Account security: staff must set up a second factor, logins are rate-limited on every path,
staff sessions end when idle or too old, and deactivation or a new password end every session."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.usersessions.models import UserSession
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from lotse.core.models import OutboxMessage, Person, Role
from lotse.lib.crypto import new_key_spec
from lotse.support.models import State
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    Cast,
    PersonFactory,
    bring_to_state,
    give_totp,
    person_with_role,
    totp_code,
)

LOGIN = "/konto/login/"
SECOND_STEP = "/konto/2fa/authenticate/"
SETUP = "/konto/2fa/totp/activate/"


def german(text: str, **values: Any) -> str:
    """A message as a German user reads it (the English msgid until it is translated)."""
    with translation.override("de"):
        return translation.gettext(text) % values if values else translation.gettext(text)


def page_text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def log_in(client: Client, person: Person, next_path: str = "") -> Any:
    """The first step of the login form, as a browser sends it."""
    url = f"{LOGIN}?next={next_path}" if next_path else LOGIN
    return client.post(url, {"login": person.email, "password": PASSWORD})


def log_in_fully(client: Client, person: Person) -> None:
    """Both steps of the login, for a person with an authenticator app."""
    response = log_in(client, person)
    assert response["Location"] == SECOND_STEP
    response = client.post(SECOND_STEP, {"code": totp_code(person)})
    assert response.status_code == 302
    assert not response["Location"].startswith("/konto/")


def is_logged_in(client: Client) -> bool:
    return client.get("/ping/").wsgi_request.user.is_authenticated


@pytest.fixture
def no_second_factor(cast: Cast) -> Cast:
    """The cast, with the coordinator, supporter and admin not yet having a second factor."""
    Authenticator.objects.filter(user__in=[cast.coordinator, cast.supporter, cast.admin]).delete()
    return cast


# --- a second factor for staff -------------------------------------------------------------


NEEDS_SECOND_FACTOR = german(
    "Your role gives you access to confidential information. Please set up two-factor login "
    "before you continue."
)


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("coordinator", "detail"),
        ("coordinator", "/koordination/"),
        ("coordinator", "/postausgang/"),
        ("supporter", "/begleitung/"),
        ("supporter", "detail"),
        ("admin", "/organisation/lasub/einstellungen/"),
        ("admin", "/"),
    ],
)
def test_staff_without_second_factor_are_sent_to_set_it_up_from_every_kind_of_page(
    no_second_factor: Cast, client: Client, who: str, page: str
) -> None:
    cast = no_second_factor
    if page == "detail":
        page = f"/anfragen/{bring_to_state(cast, State.IN_CONTACT).pk}/"
    log_in(client, getattr(cast, who))

    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"] == SETUP
    setup = client.get(SETUP)
    assert setup.status_code == 200
    assert NEEDS_SECOND_FACTOR in page_text(setup)
    assert 'id="totp-secret"' in setup.content.decode()


def test_staff_reach_the_page_they_wanted_after_setting_up_an_authenticator_app(
    cast: Cast, client: Client
) -> None:
    newcomer = person_with_role(
        Role.Kind.COORDINATOR, cast.organisation, sites=[cast.site_a], second_factor=False
    )
    detail = f"/anfragen/{bring_to_state(cast, State.RECEIVED).pk}/"

    response = log_in(client, newcomer, next_path=detail)
    assert response["Location"] == detail  # no second step yet: nothing is set up
    response = client.get(detail)
    assert response["Location"] == SETUP

    setup = client.get(SETUP)
    shown = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', setup.content.decode())
    assert shown is not None
    secret = shown.group(1).replace(" ", "")
    assert secret == setup.context["form"].secret
    code = totp_code_for(secret)
    response = client.post(SETUP, {"code": code})
    assert response["Location"] == "/konto/2fa/recovery-codes/"

    codes_page = client.get("/konto/2fa/recovery-codes/")
    codes = re.findall(r"<li><code>(\w+)</code></li>", codes_page.content.decode())
    assert len(codes) == 10
    assert f'href="{detail}"' in codes_page.content.decode()  # "Continue" goes on to the request
    assert client.get(detail).status_code == 200


def test_admin_users_need_a_second_factor_too(db: None, client: Client) -> None:
    superuser = PersonFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.get("/verwaltung/")["Location"] == SETUP
    give_totp(superuser)
    assert client.get("/verwaltung/").status_code == 200


def test_a_school_contact_without_second_factor_is_not_sent_to_set_it_up(
    cast: Cast, client: Client
) -> None:
    assert not Authenticator.objects.filter(user=cast.school_contact_a).exists()
    client.force_login(cast.school_contact_a)
    assert client.get("/anfragen/").status_code == 200
    assert client.get(f"/anfragen/{bring_to_state(cast, State.RECEIVED).pk}/").status_code == 200


def test_a_school_contact_can_opt_in_and_then_needs_the_code_at_login(
    cast: Cast, client: Client
) -> None:
    contact = cast.school_contact_a
    log_in(client, contact)
    overview = client.get("/konto/2fa/")
    assert overview.status_code == 200
    assert 'href="/konto/2fa/totp/activate/"' in overview.content.decode()
    assert NEEDS_SECOND_FACTOR not in page_text(overview)

    setup = client.get(SETUP)
    response = client.post(SETUP, {"code": totp_code_for(setup.context["form"].secret)})
    assert response.status_code == 302
    client.post("/konto/logout/")

    assert log_in(client, contact)["Location"] == SECOND_STEP
    assert not is_logged_in(client)


def totp_code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(dt.datetime.now().timestamp()) // 30))


def test_without_second_factor_staff_can_still_use_account_pages_language_and_logout(
    no_second_factor: Cast, client: Client
) -> None:
    client.force_login(no_second_factor.coordinator)
    assert client.get("/konto/2fa/").status_code == 200
    assert client.get("/konto/sessions/").status_code == 200
    assert client.get("/ping/").status_code == 200
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/konto/2fa/"})
    assert switched["Location"] == "/konto/2fa/"
    client.post("/konto/logout/")
    assert not is_logged_in(client)


def test_a_staff_htmx_request_without_second_factor_gets_a_whole_page_redirect(
    no_second_factor: Cast, client: Client
) -> None:
    log_in(client, no_second_factor.coordinator)
    response = client.get(
        "/koordination/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/koordination/"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == SETUP
    assert response.content == b""


def test_staff_cannot_remove_their_only_second_factor_but_a_school_contact_can(
    cast: Cast, client: Client
) -> None:
    log_in_fully(client, cast.coordinator)
    response = client.post("/konto/2fa/totp/deactivate/")
    assert response.status_code == 200
    assert german(
        "Your role requires two-factor login. Set up another method before you remove this one."
    ) in page_text(response)
    assert Authenticator.objects.filter(user=cast.coordinator, type="totp").exists()

    contact = cast.school_contact_a
    give_totp(contact)
    client.post("/konto/logout/")
    log_in_fully(client, contact)
    assert client.post("/konto/2fa/totp/deactivate/").status_code == 302
    assert not Authenticator.objects.filter(user=contact, type="totp").exists()


def test_second_factor_secrets_are_encrypted_at_rest(cast: Cast) -> None:
    RecoveryCodes.activate(cast.coordinator)
    stored = list(
        Authenticator.objects.filter(user=cast.coordinator).values_list("data", flat=True)
    )
    assert len(stored) == 2
    assert TOTP_SECRET not in str(stored)
    assert all(str(value).count("lotse-sealed:") == 1 for value in stored)
    assert totp_code(cast.coordinator).isdigit()  # and it still opens


# --- logging in with the second factor ------------------------------------------------------


def test_login_with_authenticator_app_refuses_a_wrong_code_and_accepts_the_right_one(
    cast: Cast, client: Client
) -> None:
    coordinator = cast.coordinator
    assert log_in(client, coordinator)["Location"] == SECOND_STEP
    assert not is_logged_in(client)

    wrong = client.post(
        SECOND_STEP, {"code": "000000" if totp_code(coordinator) != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert german("The code is not correct. Please check it and try again.") in page_text(wrong)
    assert not is_logged_in(client)

    right = client.post(SECOND_STEP, {"code": totp_code(coordinator)})
    assert right["Location"] == "/"
    assert client.get("/koordination/").status_code == 200


def test_a_code_works_only_once(cast: Cast, client: Client) -> None:
    code = totp_code(cast.coordinator)
    log_in(client, cast.coordinator)
    assert client.post(SECOND_STEP, {"code": code}).status_code == 302
    client.post("/konto/logout/")

    other = Client()
    log_in(other, cast.coordinator)
    replay = other.post(SECOND_STEP, {"code": code})
    assert replay.status_code == 200
    assert not is_logged_in(other)


def test_a_recovery_code_works_once(cast: Cast, client: Client) -> None:
    codes = RecoveryCodes.activate(cast.coordinator).generate_codes()

    log_in(client, cast.coordinator)
    assert client.post(SECOND_STEP, {"code": codes[0]})["Location"] == "/"
    assert is_logged_in(client)
    client.post("/konto/logout/")

    log_in(client, cast.coordinator)
    again = client.post(SECOND_STEP, {"code": codes[0]})
    assert again.status_code == 200
    assert not is_logged_in(client)
    assert client.post(SECOND_STEP, {"code": codes[1]})["Location"] == "/"


def test_wrong_codes_at_the_second_step_are_rate_limited(cast: Cast, client: Client) -> None:
    log_in(client, cast.coordinator)
    right = totp_code(cast.coordinator)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        assert client.post(SECOND_STEP, {"code": wrong}).status_code == 200

    refused = client.post(SECOND_STEP, {"code": right})

    assert refused.status_code == 200
    assert TOO_MANY in page_text(refused)
    assert not is_logged_in(client)


# --- rate limits on every login form --------------------------------------------------------

TOO_MANY = german("Too many failed login attempts. Please wait a few minutes before you try again.")
TOO_MANY_PASSWORDS = german(
    "Too many failed login attempts from this device or network. Logging in from here is "
    "paused for up to five minutes; please wait and try again. Your account itself is not "
    "locked: logging in from another device or network still works."
)


def test_repeated_failed_logins_are_refused_with_a_clear_message(
    cast: Cast, client: Client
) -> None:
    contact = cast.school_contact_a
    for _ in range(5):
        failed = client.post(LOGIN, {"login": contact.email, "password": "falsch"})
        assert failed.status_code == 200
        assert TOO_MANY_PASSWORDS not in page_text(failed)

    refused = log_in(client, contact)  # even the right password

    assert refused.status_code == 200
    assert TOO_MANY_PASSWORDS in page_text(refused)
    assert not is_logged_in(client)


def test_failed_logins_from_one_address_are_limited_across_accounts(
    cast: Cast, client: Client
) -> None:
    for n in range(10):
        client.post(LOGIN, {"login": f"raten{n}@example.org", "password": "falsch"})
    refused = log_in(client, cast.school_contact_b)
    assert TOO_MANY_PASSWORDS in page_text(refused)
    assert not is_logged_in(client)
    # Another address is not affected.
    assert log_in(Client(REMOTE_ADDR="198.51.100.7"), cast.school_contact_b).status_code == 302


def test_the_admin_has_no_login_form_of_its_own(cast: Cast, client: Client) -> None:
    to_admin_login = client.get("/verwaltung/")
    assert to_admin_login["Location"] == "/verwaltung/login/?next=/verwaltung/"
    to_allauth = client.get(to_admin_login["Location"])
    assert to_allauth["Location"] == "/konto/login/?next=%2Fverwaltung%2F"

    superuser = PersonFactory(is_staff=True, is_superuser=True)
    posted = client.post("/verwaltung/login/", {"username": superuser.email, "password": PASSWORD})
    assert posted.status_code == 302
    assert posted["Location"].startswith("/konto/login/")
    assert not is_logged_in(client)


def test_failed_logins_through_the_admin_path_are_rate_limited(db: None, client: Client) -> None:
    superuser = PersonFactory(is_staff=True, is_superuser=True)
    give_totp(superuser)
    login_url = client.get(client.get("/verwaltung/")["Location"])["Location"]
    for _ in range(5):
        client.post(login_url, {"login": superuser.email, "password": "falsch"})

    refused = client.post(login_url, {"login": superuser.email, "password": PASSWORD})

    assert TOO_MANY_PASSWORDS in page_text(refused)
    assert not is_logged_in(client)


def test_after_the_allauth_login_an_admin_user_passes_the_code_and_reaches_the_admin(
    db: None, client: Client
) -> None:
    superuser = PersonFactory(is_staff=True, is_superuser=True)
    give_totp(superuser)
    response = client.post(
        "/konto/login/?next=/verwaltung/", {"login": superuser.email, "password": PASSWORD}
    )
    assert response["Location"] == SECOND_STEP
    assert client.post(SECOND_STEP, {"code": totp_code(superuser)})["Location"] == "/verwaltung/"
    assert client.get("/verwaltung/").status_code == 200


def test_the_admin_login_refuses_a_logged_in_person_without_admin_rights(
    cast: Cast, client: Client
) -> None:
    client.force_login(cast.school_contact_a)
    assert client.get("/verwaltung/login/?next=/verwaltung/").status_code == 403


SHARED_CACHE_SCRIPT = """
from django.test import RequestFactory
from allauth.core import ratelimit
request = RequestFactory().post("/konto/login/", REMOTE_ADDR="203.0.113.9")
print([bool(ratelimit.consume(request, action="login_failed", key="someone")) for _ in range(3)])
"""


def test_the_login_limits_are_shared_by_all_server_processes(tmp_path: Path) -> None:
    """`lotse serve` runs several processes: each must see the failures the others counted."""
    env = {
        **os.environ,
        "LOTSE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "lotse.settings",
        "LOTSE_DEMO": "true",  # no secret key of its own: `lotse migrate` would refuse otherwise
    }

    def lotse(*args: str) -> str:
        result = subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "-m", "lotse", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""

    lotse("migrate", "-v0")  # creates the cache table too
    assert lotse("shell", "-c", SHARED_CACHE_SCRIPT) == "[True, True, True]"
    # A second process: 5 failures in 5 minutes per account, so only two more are allowed.
    assert lotse("shell", "-c", SHARED_CACHE_SCRIPT) == "[True, True, False]"


# --- session limits -------------------------------------------------------------------------

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def _logged_out_to_login(response: Any, page: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == f"/konto/login/?next={page.replace('/', '%2F')}"


def test_a_staff_session_ends_after_30_minutes_without_a_request(
    cast: Cast, client: Client
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.coordinator)
        assert client.get("/koordination/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/koordination/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/koordination/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))

        response = client.get("/koordination/")

        _logged_out_to_login(response, "/koordination/")
        login_page = client.get(response["Location"])
        assert login_page.status_code == 200
        assert german(
            "You have been logged out because you were inactive for more than %(minutes)d "
            "minutes. Please log in again.",
            minutes=30,
        ) in page_text(login_page)
        assert not is_logged_in(client)


def test_a_staff_session_ends_after_8_hours_even_when_in_use(cast: Cast, client: Client) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.supporter)
        for _ in range(8 * 3):
            assert client.get("/begleitung/").status_code == 200
            clock.shift(dt.timedelta(minutes=20))
        clock.shift(dt.timedelta(minutes=1))

        response = client.get("/begleitung/")

        _logged_out_to_login(response, "/begleitung/")
        messages = [str(m) for m in get_messages(response.wsgi_request)]
        assert messages == [
            german(
                "You have been logged out because your session lasted longer than %(hours)d "
                "hours. Please log in again.",
                hours=8,
            )
        ]


def test_a_school_contact_is_not_logged_out_after_30_minutes(cast: Cast, client: Client) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.school_contact_a)
        assert client.get("/anfragen/").status_code == 200
        clock.shift(dt.timedelta(hours=9))
        assert client.get("/anfragen/").status_code == 200


def test_the_limits_follow_the_settings(cast: Cast, client: Client, settings: Any) -> None:
    settings.LOTSE_STAFF_SESSION_IDLE_MINUTES = 5
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.admin)
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=6))
        _logged_out_to_login(client.get("/"), "/")


def test_an_htmx_request_after_the_idle_limit_reloads_the_whole_page_to_the_login(
    cast: Cast, client: Client
) -> None:
    sr = bring_to_state(cast, State.RECEIVED)
    page = f"/anfragen/{sr.pk}/"
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.coordinator)
        clock.shift(dt.timedelta(minutes=45))

        response = client.get(
            f"{page}?fragment=timeline",
            headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
        )

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/konto/login/?next={page.replace('/', '%2F')}"
    assert b"<form" not in response.content


def test_an_anonymous_htmx_request_gets_a_whole_page_redirect_to_the_login(
    cast: Cast, client: Client
) -> None:
    response = client.get(
        "/koordination/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/koordination/"},
    )
    assert response["HX-Redirect"] == "/konto/login/?next=%2Fkoordination%2F"


# --- ending every session of a person -------------------------------------------------------


def _two_sessions(person: Person) -> tuple[Client, Client]:
    first, second = Client(), Client()
    first.force_login(person)
    second.force_login(person)
    assert is_logged_in(first)
    assert is_logged_in(second)
    assert UserSession.objects.filter(user=person).count() == 2
    return first, second


def _no_session_left(person: Person, *clients: Client) -> None:
    for client in clients:
        key = client.cookies["sessionid"].value
        assert not Session.objects.filter(session_key=key).exists()
        assert not is_logged_in(client)
    assert not UserSession.objects.filter(user=person).exists()


def test_deactivating_a_person_in_code_ends_all_their_sessions_at_once(cast: Cast) -> None:
    first, second = _two_sessions(cast.supporter)
    supporter = Person.objects.get(pk=cast.supporter.pk)

    supporter.is_active = False
    supporter.save()

    _no_session_left(supporter, first, second)


def test_deactivating_a_person_in_the_admin_ends_all_their_sessions(
    cast: Cast, client: Client
) -> None:
    person = cast.school_contact_a
    first, second = _two_sessions(person)
    superuser = PersonFactory(is_staff=True, is_superuser=True)
    give_totp(superuser)
    client.force_login(superuser)
    role = Role.objects.get(person=person)

    response = client.post(
        f"/verwaltung/core/person/{person.pk}/change/",
        {
            "email": person.email,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "phone": "",
            # is_active left out: the checkbox is cleared
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "1",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
            "roles-0-id": str(role.pk),
            "roles-0-person": str(person.pk),
            "roles-0-organisation": str(role.organisation_id),
            "roles-0-kind": role.kind,
            "roles-0-school": str(role.school_id),
            "roles-0-title": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Person.objects.get(pk=person.pk).is_active
    _no_session_left(person, first, second)
    assert is_logged_in(client)  # the admin's own session goes on


def test_a_new_password_ends_every_session_the_current_one_too(cast: Cast) -> None:
    contact = cast.school_contact_b
    other = Client()
    other.force_login(contact)
    current = Client()
    log_in(current, contact)
    assert is_logged_in(current)

    response = current.post(
        "/konto/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "Ein-neues-Passwort-2026",
            "password2": "Ein-neues-Passwort-2026",
        },
    )

    assert response.status_code == 302
    _no_session_left(contact, other, current)
    assert log_in(Client(), contact).status_code == 200  # the old password no longer works
    fresh = Client()
    assert (
        fresh.post(
            LOGIN, {"login": contact.email, "password": "Ein-neues-Passwort-2026"}
        ).status_code
        == 302
    )


def test_resetting_the_password_ends_every_session(cast: Cast, client: Client) -> None:
    contact = cast.school_contact_a
    first, second = _two_sessions(contact)

    client.post("/konto/password/reset/", {"email": contact.email})
    body = next(m.body for m in OutboxMessage.objects.all() if contact.email in m.to)
    link = re.search(r"http://[^/\s]+(/konto/password/reset/key/\S+)", body)
    assert link is not None
    form_url = client.get(link.group(1))["Location"]
    response = client.post(
        form_url, {"password1": "Noch-ein-Passwort-2026", "password2": "Noch-ein-Passwort-2026"}
    )

    assert response.status_code == 302
    _no_session_left(contact, first, second)


def test_deleting_a_person_ends_all_their_sessions(cast: Cast) -> None:
    outsider = PersonFactory()
    first, second = _two_sessions(outsider)
    outsider.delete()
    for client in (first, second):
        assert not Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()


def test_saving_a_person_for_other_reasons_keeps_their_sessions(cast: Cast) -> None:
    first, second = _two_sessions(cast.school_contact_a)
    contact = Person.objects.get(pk=cast.school_contact_a.pk)
    contact.phone = "0351 1234"
    contact.save()
    assert is_logged_in(first)
    assert is_logged_in(second)
    log_in(Client(), contact)  # a login (it saves last_login) keeps the other sessions too
    assert is_logged_in(first)


def test_people_see_their_sessions_and_can_end_the_others(cast: Cast) -> None:
    contact = cast.school_contact_a
    first, second = _two_sessions(contact)

    listing = first.get("/konto/sessions/")
    assert listing.status_code == 200
    assert len(listing.context["sessions"]) == 2

    assert first.post("/konto/sessions/").status_code == 302
    assert is_logged_in(first)
    assert not is_logged_in(second)
    assert UserSession.objects.filter(user=contact).count() == 1


def test_logging_out_drops_the_session_from_the_index(cast: Cast, client: Client) -> None:
    log_in(client, cast.school_contact_a)
    assert UserSession.objects.filter(user=cast.school_contact_a).count() == 1
    client.post("/konto/logout/")
    assert not UserSession.objects.filter(user=cast.school_contact_a).exists()


def test_key_rotation_reseals_second_factor_secrets(cast: Cast, settings: Any) -> None:
    old, new = new_key_spec("alt"), new_key_spec("neu")
    settings.LOTSE_ENCRYPTION_KEYS = old
    contact = cast.school_contact_a
    give_totp(contact)
    codes = RecoveryCodes.activate(contact).generate_codes()

    settings.LOTSE_ENCRYPTION_KEYS = f"{new},{old}"
    out = io.StringIO()
    call_command("rotate-keys", stdout=out, stderr=io.StringIO())
    settings.LOTSE_ENCRYPTION_KEYS = new  # the old key is gone

    assert "mfa.Authenticator: 2 of" in out.getvalue()
    assert totp_code(contact).isdigit()
    assert (
        RecoveryCodes(
            Authenticator.objects.get(user=contact, type="recovery_codes")
        ).generate_codes()
        == codes
    )
