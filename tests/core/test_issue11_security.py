"""Issue 11, security and operations: no caching of confidential pages, login limits per address
and client, the deploy check, limits of the public form, gunicorn's control socket, small words."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage
from django.test import Client
from django.utils import timezone, translation

from lotse.core.mail_backends import HeldMailBackend
from lotse.core.models import AccessLog, Person
from lotse.support.models import State, SupportRequest
from lotse.support.services import accompaniment as accompaniment_services
from lotse.support.services import records as record_services
from tests.concepts import published
from tests.factories import PASSWORD, Cast, bring_to_state

ClientAs = Callable[[Person | None], Client]


# --- 1. confidential pages are not stored ------------------------------------------------------


def no_store(response: object) -> bool:
    directives = {d.strip() for d in response["Cache-Control"].split(",")}  # type: ignore[index]
    return "no-store" in directives


@pytest.mark.django_db
def test_every_page_and_file_with_confidential_content_says_no_store(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    document = record_services.document_upload(
        request=sr, by=cast.supporter, filename="a.pdf", content_type="", content=b"%PDF"
    )
    starts = timezone.now() + dt.timedelta(days=3)
    session = accompaniment_services.session_plan(
        request=sr,
        by=cast.supporter,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90),
        place="Schule, Raum 3",
        participants="Frau Vertraulich",
    )
    concept = published(cast)
    school = client_as(cast.school_contact_a)
    urls = [
        f"/anfragen/{sr.pk}/",
        f"/anfragen/{sr.pk}/anhaenge/{document.pk}/",
        f"/anfragen/{sr.pk}/kontrakt/1/pdf/",
        f"/anfragen/{sr.pk}/termine/{session.pk}/einladung.ics",
        f"/anfragen/{sr.pk}/zugriffe/",
        "/konzepte/",
        f"/konzepte/{concept.pk}/",
    ]
    for url in urls:
        response = school.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url
    fragment = school.get(f"/anfragen/{sr.pk}/?fragment=timeline", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert no_store(fragment)
    export = client_as(cast.admin).post(
        f"/organisation/{cast.organisation.slug}/personen/{cast.school_contact_a.pk}"
        "/datenschutz/export/"
    )
    assert export.status_code == 200
    assert no_store(export)


@pytest.mark.django_db
def test_public_pages_for_visitors_stay_cacheable(cast: Cast, client: Client) -> None:
    response = client.get(f"/katalog/{cast.organisation.slug}/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- 2. wrong passwords from elsewhere do not lock the owner out --------------------------------

LOGIN = "/konto/login/"


def german(text: str) -> str:
    with translation.override("de"):
        return translation.gettext(text)


PAUSED = german(
    "Too many failed login attempts from this device or network. Logging in from here is "
    "paused for up to five minutes; please wait and try again. Your account itself is not "
    "locked: logging in from another device or network still works."
)


def page_text(response: object) -> str:
    return re.sub(r"\s+", " ", response.content.decode())  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_wrong_password_flood_from_one_client_does_not_lock_the_owner_out(cast: Cast) -> None:
    contact = cast.school_contact_a
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(8):
        attacker.post(LOGIN, {"login": contact.email, "password": "falsch"})
    # The flooding client is paused, with the reason in German ...
    refused = attacker.post(LOGIN, {"login": contact.email, "password": PASSWORD})
    assert refused.status_code == 200
    assert PAUSED in page_text(refused)
    assert "Ihr Konto selbst ist nicht gesperrt" in page_text(refused)
    assert "_auth_user_id" not in attacker.session
    # ... while the owner logs in from their own computer.
    owner = Client(REMOTE_ADDR="198.51.100.20")
    response = owner.post(LOGIN, {"login": contact.email, "password": PASSWORD})
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(contact.pk)


@pytest.mark.django_db
def test_the_per_client_limit_across_accounts_still_holds(cast: Cast) -> None:
    guesser = Client(REMOTE_ADDR="203.0.113.67")
    for n in range(10):
        guesser.post(LOGIN, {"login": f"raten{n}@example.org", "password": "falsch"})
    refused = guesser.post(LOGIN, {"login": cast.school_contact_b.email, "password": PASSWORD})
    assert PAUSED in page_text(refused)
    assert "_auth_user_id" not in guesser.session


# --- 3. without SMTP, mail Django itself sends is held and logged -------------------------------


def test_the_held_mail_backend_sends_nothing_and_logs_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    backend = HeldMailBackend()
    message = EmailMessage(
        subject="[Lotse] Fehler", body="vertraulicher Inhalt", to=["betrieb@example.org"]
    )
    with caplog.at_level(logging.WARNING, logger="lotse.mail"):
        assert backend.send_messages([message]) == 0
    (record,) = caplog.records
    assert "no SMTP_HOST" in record.getMessage()
    assert "betrieb@example.org" in record.getMessage()
    assert "vertraulich" not in record.getMessage()


# --- 4. the public form: limits per sender and per client address -------------------------------

PUBLIC_FORM = "/katalog/lasub/anfrage/"


@pytest.fixture
def fresh_cache() -> None:
    cache.clear()


def public_form_data(cast: Cast, **overrides: str) -> dict[str, object]:
    data: dict[str, object] = {
        "school": str(cast.school_a.pk),
        "school_name": "",
        "contact_name": "Frau Beispiel",
        "contact_email": "kontakt@schule-a.example.org",
        "contact_phone": "",
        "subject": "Unterstützung gesucht",
        "text": "Wir möchten an unserer Feedbackkultur arbeiten.",
        "offer": "",
        "quality_area": "",
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_cache")
def test_one_sender_is_limited_whatever_network_it_uses(
    cast: Cast, client: Client, settings: object
) -> None:
    settings.LOTSE_PUBLIC_REQUESTS_PER_SENDER_PER_HOUR = 2  # type: ignore[attr-defined]
    for number in range(2):
        data = public_form_data(cast, subject=f"Anfrage {number}")
        response = client.post(PUBLIC_FORM, data, REMOTE_ADDR=f"203.0.113.{number + 1}")
        assert response.status_code == 302
    # The same sender from a third address, with the address written differently.
    refused = client.post(
        PUBLIC_FORM,
        public_form_data(cast, subject="Dritte", contact_email="Kontakt@Schule-A.example.org"),
        REMOTE_ADDR="203.0.113.3",
    )
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Von dieser E-Mail-Adresse wurden in der letzten Stunde zu viele Anfragen" in page
    assert "Dritte" in page  # the input stays
    assert SupportRequest.objects.filter(subject__startswith="Anfrage").count() == 2
    # Another sender on that network is not affected.
    other = client.post(
        PUBLIC_FORM,
        public_form_data(cast, contact_email="andere@schule-b.example.org"),
        REMOTE_ADDR="203.0.113.3",
    )
    assert other.status_code == 302


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_cache")
def test_a_school_network_shares_a_generous_client_limit(cast: Cast, client: Client) -> None:
    from django.conf import settings

    assert settings.LOTSE_PUBLIC_REQUESTS_PER_HOUR >= 20
    # Six teachers behind one NAT address send a request each: more than the old limit of 5.
    for number in range(6):
        data = public_form_data(cast, contact_email=f"lehrkraft{number}@schule-a.example.org")
        assert client.post(PUBLIC_FORM, data, REMOTE_ADDR="198.51.100.99").status_code == 302


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_cache")
def test_a_robot_in_the_trap_does_not_use_up_the_senders_limit(
    cast: Cast, client: Client, settings: object
) -> None:
    settings.LOTSE_PUBLIC_REQUESTS_PER_SENDER_PER_HOUR = 1  # type: ignore[attr-defined]
    robot = public_form_data(cast, website="http://spam.example")
    for number in range(3):
        client.post(PUBLIC_FORM, robot, REMOTE_ADDR=f"203.0.113.{number + 10}")
    assert not SupportRequest.objects.filter(contact_email=robot["contact_email"]).exists()
    response = client.post(PUBLIC_FORM, public_form_data(cast), REMOTE_ADDR="198.51.100.5")
    assert response.status_code == 302


# --- 5. two instances on one machine: a control socket each -------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_ping(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping/", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no answer on port {port}")


def test_two_instances_on_one_machine_each_have_their_own_control_socket(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for name in ("eins", "zwei"):
            data = tmp_path / name
            data.mkdir()
            port = free_port()
            env = {
                **{
                    k: v for k, v in os.environ.items() if not k.startswith(("LOTSE_", "DATABASE_"))
                },
                "HOME": str(home),
                "DJANGO_SETTINGS_MODULE": "lotse.settings",
                "LOTSE_DEMO": "true",
                "LOTSE_DATA_DIR": str(data),
                "DATABASE_URL": f"sqlite:///{data / 'lotse.sqlite3'}",
                "LOTSE_BIND": f"127.0.0.1:{port}",
                "LOTSE_WEB_WORKERS": "1",
            }
            log = tmp_path / f"{name}.log"
            with log.open("wb") as output:
                process = subprocess.Popen(
                    [sys.executable, "-m", "lotse", "serve"],
                    env=env,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            processes.append(process)
            wait_for_ping(port, process, log)
            assert (data / "gunicorn.ctl").is_socket()
        # Both still serve; neither wrote the shared socket in the home folder.
        assert all(process.poll() is None for process in processes)
        assert not (home / ".gunicorn").exists()
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


# --- 6. small things: the upload limit in German, a refusal in one log line ---------------------


@pytest.mark.django_db
def test_the_upload_limit_reads_in_german_numbers_and_the_unit_meant(
    cast: Cast, client_as: ClientAs, settings: object
) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    supporter = client_as(cast.supporter)
    # The default limit is 10 MiB: it reads "10 MB", not "10.5 MB".
    assert settings.DOCUMENT_MAX_SIZE == 10 * 1024 * 1024  # type: ignore[attr-defined]
    page = re.sub(r"\s+", " ", supporter.get(f"/anfragen/{sr.pk}/").content.decode())
    assert "Höchstens 10 MB; wird verschlüsselt gespeichert." in page
    settings.DOCUMENT_MAX_SIZE = 2 * 1024 * 1024 + 512 * 1024  # type: ignore[attr-defined]
    response = supporter.post(
        f"/anfragen/{sr.pk}/dokument/",
        {"document-file": SimpleUploadedFile("Gross.pdf", b"x" * (3 * 1024 * 1024))},
    )
    assert response.status_code == 400
    assert "Die Datei ist größer als 2,5 MB." in response.content.decode()


@pytest.mark.django_db
def test_a_refused_page_is_one_log_line_without_traceback(
    cast: Cast, client_as: ClientAs, caplog: pytest.LogCaptureFixture
) -> None:
    sr = bring_to_state(cast, State.IN_CONTACT)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client_as(cast.supporter).get(f"/anfragen/{sr.pk}/zugriffe/")
    assert response.status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == f"Forbidden (Permission denied): /anfragen/{sr.pk}/zugriffe/"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


@pytest.mark.django_db
def test_an_export_by_an_admin_appears_in_the_access_log_of_each_request_it_reads(
    cast: Cast, client_as: ClientAs
) -> None:
    """The admin's DSGVO export of the school contact decrypts the participants' notes of her
    request: the school sees that read on the request's own Zugriffe page."""
    sr = bring_to_state(cast, State.ACCOMPANYING)
    record_services.note_add(
        request=sr, by=cast.supporter, text="Nur für die Beteiligten.", visibility="participants"
    )
    export = client_as(cast.admin).post(
        f"/organisation/{cast.organisation.slug}/personen/{cast.school_contact_a.pk}"
        "/datenschutz/export/"
    )
    assert export.status_code == 200
    with translation.override("de"):
        page = client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/zugriffe/")
    assert page.status_code == 200
    assert "Datenexport (DSGVO) einer beteiligten Person" in page_text(page)
    # One row, the admin's, on the request (the person's own row is on the person).
    reads = AccessLog.objects.filter(subject_type="support.supportrequest", what="export")
    assert list(reads.values_list("subject_id", "person", "role")) == [
        (sr.pk, cast.admin.pk, "admin")
    ]
