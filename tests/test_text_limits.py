"""Every free-text field has a maximum: the page carries it as `maxlength`, the server refuses
more with a German message and shows the form again with what was typed (issue 11)."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.utils import translation

import lotse
from lotse.catalog.matching import Need, Ranking, Weights
from lotse.core.models import School, Site
from lotse.lib import limits
from lotse.lib.forms import FreeTextField, KernForm
from lotse.support.mail import intake
from lotse.support.models import Attachment, State, SupportRequest, TimelineEvent
from tests.factories import Cast, bring_to_state

pytestmark = pytest.mark.django_db


def _import_every_module() -> None:
    for info in pkgutil.walk_packages(lotse.__path__, "lotse."):
        if ".migrations" in info.name or info.name.endswith(("settings", "wsgi", "asgi")):
            continue
        if ".management.commands" in info.name or info.name.startswith("lotse.demo"):
            continue
        importlib.import_module(info.name)


def _all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


def _form_classes() -> list[type[KernForm]]:
    _import_every_module()
    classes = {c for c in _all_subclasses(KernForm) if c.__module__.startswith("lotse.")}
    return sorted(classes, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _ranking() -> Ranking:
    return Ranking(need=Need(organisation_id=0, needed_from=dt.date.today()), weights=Weights())


# What a form needs to be built, by class name; a form that needs something not listed here
# makes the test fail, so a new form cannot slip past it.
def _arguments(cast: Cast) -> dict[str, Callable[[], dict[str, Any]]]:
    organisation = cast.organisation
    schools = School.objects.all()
    return {
        "SessionTimeForm": lambda: {"organisation": organisation},
        "SessionPlanForm": lambda: {"organisation": organisation},
        "SessionRecordForm": lambda: {"goals": ["Feedbackkultur", "Elternarbeit"]},
        "EvaluationForm": lambda: {"questions": []},
        "ConceptForm": lambda: {"areas": []},
        "LibraryFilterForm": lambda: {"organisation_ids": {organisation.pk}},
        "MailboxForm": lambda: {"has_password": False},
        "QuarantineAcceptForm": lambda: {"schools": schools},
        "DocumentForm": lambda: {"max_size": 1024},
        "RequestForm": lambda: {"schools": schools, "organisation_ids": {organisation.pk}},
        "PublicRequestForm": lambda: {"organisation": organisation},
        "ProposeForm": lambda: {"ranking": _ranking()},
        "InboxFilterForm": lambda: {"sites": Site.objects.all()},
        "AssignSchoolForm": lambda: {"schools": schools},
        "OfferForm": lambda: {"organisation": organisation},
        "SupporterProfileForm": lambda: {"organisation": organisation},
        "AgreementForm": lambda: {"organisation": organisation},
        "RetentionForm": lambda: {"rules": []},
    }


def test_every_text_field_of_every_form_has_a_maximum_in_the_page(cast: Cast) -> None:
    arguments = _arguments(cast)
    checked = 0
    missing: list[str] = []
    for cls in _form_classes():
        make = arguments.get(cls.__name__, dict)
        try:
            form = cls(**make())
        except TypeError as exc:  # pragma: no cover - tells what to add above
            pytest.fail(f"{cls.__module__}.{cls.__name__} needs arguments for this test: {exc}")
        for name, field in form.fields.items():
            if not isinstance(field, forms.CharField) or field.widget.is_hidden:
                continue
            checked += 1
            where = f"{cls.__module__}.{cls.__name__}.{name}"
            if field.max_length is None:
                missing.append(where)
                continue
            widget = str(form[name])
            if f'maxlength="{field.max_length}"' not in widget:
                missing.append(f"{where} (not in the page)")
    assert not missing, missing
    assert checked > 50


def test_a_textarea_counts_a_line_break_as_one_character_as_the_browser_does() -> None:
    class Form(KernForm):
        text = FreeTextField(label="Text", max_length=10)

    assert Form({"text": "1234\r\n6789"}).is_valid()
    form = Form({"text": "123\r\n6789\r\nx"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["text"] == "123\n6789\nx"


def test_too_long_a_text_is_refused_in_german_with_the_numbers_of_the_language() -> None:
    class Form(KernForm):
        text = FreeTextField(label="Text")

    with translation.override("de"):
        form = Form({"text": "x" * (limits.LONG_TEXT + 1)})
        assert not form.is_valid()
        assert form.errors["text"] == [
            "Dieser Text ist zu lang: Er hat 20.001 Zeichen, möglich sind höchstens 20.000. "
            "Bitte kürzen Sie ihn."
        ]


PUBLIC_URL = "/katalog/lasub/anfrage/"


def test_the_public_form_refuses_a_huge_text_and_keeps_what_was_typed(
    client: Client, cast: Cast
) -> None:
    text = ("Wir brauchen Hilfe. " * 60_000).strip()  # 1.2 MB
    data = {
        "school": str(cast.school_a.pk),
        "school_name": "",
        "contact_name": "Petra Pause",
        "contact_email": "pause@schule-a.example",
        "contact_phone": "",
        "subject": "Sehr lang",
        "text": text,
        "offer": "",
        "quality_area": "",
        "website": "",
    }
    with translation.override("de"):
        response = client.post(PUBLIC_URL, data, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 400
    assert not SupportRequest.objects.exists()
    html = response.content.decode()
    assert "Dieser Text ist zu lang: Er hat 1.199.999 Zeichen" in html
    # What was typed comes back: the text (to shorten), the name and the subject.
    form = response.context["form"]
    assert form["text"].value() == text
    assert 'value="Petra Pause"' in html
    assert f'maxlength="{limits.LONG_TEXT}"' in html


def test_the_logged_in_request_form_and_the_note_form_refuse_a_huge_text(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.school_contact_a)
    response = client.post(
        "/anfragen/neu/",
        {
            "school": str(cast.school_a.pk),
            "subject": "Lang",
            "text": "x" * (limits.LONG_TEXT + 1),
            "contact_name": "Petra Pause",
            "contact_email": "pause@schule-a.example",
        },
    )
    assert response.status_code == 400
    assert not SupportRequest.objects.exists()


def test_a_mail_with_a_huge_text_becomes_a_request_with_the_text_shortened_and_attached(
    cast: Cast, settings: Any
) -> None:
    settings.MAIL_MAX_SIZE = 5_000_000
    body = "Protokoll der Konferenz, Punkt für Punkt.\n" * 1_500  # 63,000 characters
    raw = (
        "From: Unbekannt <jemand@schule.example>\r\n"
        "To: dresden@lasub.example\r\n"
        "Subject: Alles zur Konferenz\r\n"
        "Message-ID: <riesig@schule.example>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n" + body.replace("\n", "\r\n")
    ).encode()
    with translation.override("de"):
        result = intake.mail_import(site=cast.site_a, raw=raw)
    sr = SupportRequest.objects.get(pk=result.mail.request_id)
    assert len(sr.text) < limits.LONG_TEXT + 300
    assert sr.text.startswith("Protokoll der Konferenz, Punkt für Punkt.")
    assert "Gekürzt" in sr.text
    assert intake.FULL_TEXT_NAME in sr.text
    whole = Attachment.objects.get(request=sr, filename=intake.FULL_TEXT_NAME)
    assert bytes(whole.content).decode().replace("\r\n", "\n").strip() == body.strip()
    # The raw mail is kept as it came.
    assert bytes(result.mail.raw or b"") == raw


def test_the_note_form_refuses_a_huge_note_and_shows_it_again(client: Client, cast: Cast) -> None:
    sr = bring_to_state(cast, State.ACKNOWLEDGED)
    notes = TimelineEvent.objects.filter(request=sr, kind="note").count()
    client.force_login(cast.school_contact_a)
    note = "Notiz " * 4_000  # 24,000 characters
    response = client.post(
        f"/anfragen/{sr.pk}/notiz/",
        {"note-text": note, "note-visibility": ""},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 400
    assert TimelineEvent.objects.filter(request=sr, kind="note").count() == notes
    html = response.content.decode()
    assert "Dieser Text ist zu lang: Er hat 23.999 Zeichen" in html
    assert response.context["note_form"]["text"].value() == note
