"""Every URL pattern of Lotse × every person of the cast, against an explicit table of answers.

Outsiders, the other school, the other site's coordinator, unproposed supporters and the admins (of
this and of the other organisation) get 404: they must not learn that a request exists. Insiders
without the right to a step or an entry get 403, or 400 with the refusal on the page when the step
is theirs but not possible now. Adding a URL pattern without adding it here fails
`test_the_table_lists_every_url_pattern`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from lotse.catalog.models import Absence, Offer, QualityArea, SupporterProfile, SupporterType
from lotse.core.models import OutboxMessage, Role, SchoolImport
from lotse.support.models import (
    Agreement,
    Attachment,
    EvaluationQuestion,
    InboundMail,
    Method,
    Proposal,
    Session,
    State,
    SupportRequest,
    TimelineEvent,
    Visibility,
)
from lotse.support.services import accompaniment as accompaniment_services
from lotse.support.services import agreements as agreement_services
from lotse.support.services import base as services_base
from lotse.support.services import completion as completion_services
from lotse.support.services import concepts as concept_services
from lotse.support.services import records as record_services
from tests.concepts import release
from tests.factories import Cast, bring_to_state, meeting_time, person_with_role, reload_cast

ROLES = [
    "anonymous",
    "outsider",
    "school_contact_a",
    "school_contact_b",
    "coordinator",
    "other_coordinator",
    "supporter",
    "other_supporter",
    "admin",
    "other_admin",
]
# Included URL configurations that are not Lotse's own: Django's admin, allauth, set_language.
FOREIGN_PREFIXES = ("verwaltung/", "konto/", "i18n/", "static/")
LOGIN = "L"  # a redirect to the login page


@dataclass(frozen=True)
class Case:
    """One request to one URL pattern, and the answer each role gets."""

    id: str
    pattern: str
    method: str
    path: Callable[[Cast, SupportRequest | None], str]
    row: str  # one answer per role, in the order of ROLES
    state: str | None = None
    setup: dict[str, Any] = field(default_factory=dict)
    data: Callable[[Cast], dict[str, Any]] = lambda c: {}

    def expected(self) -> dict[str, str]:
        answers = self.row.split()
        assert len(answers) == len(ROLES), self.id
        return dict(zip(ROLES, answers, strict=True))


def _req(suffix: str = "") -> Callable[[Cast, SupportRequest | None], str]:
    def path(c: Cast, sr: SupportRequest | None) -> str:
        assert sr is not None
        return f"/anfragen/{sr.pk}/{suffix}"

    return path


def _fixed(url: str) -> Callable[[Cast, SupportRequest | None], str]:
    return lambda c, sr: url


def _outbox_detail(c: Cast, sr: SupportRequest | None) -> str:
    message = OutboxMessage.objects.filter(reference=f"support.SupportRequest:{sr.pk}").first()
    assert message is not None
    return f"/postausgang/{message.pk}/"


def _kontrakt(suffix: str) -> Callable[[Cast, SupportRequest | None], str]:
    def path(c: Cast, sr: SupportRequest | None) -> str:
        version = Agreement.objects.filter(request=sr).order_by("-version").first().version
        return f"/anfragen/{sr.pk}/kontrakt/{version}/{suffix}"

    return path


def _step(name: str) -> Callable[[Cast, SupportRequest | None], str]:
    return _req(f"schritt/{name}/")


def _settings(c: Cast, sr: SupportRequest | None) -> str:
    return f"/organisation/{c.organisation.slug}/einstellungen/"


def _synonyms(c: Cast, sr: SupportRequest | None) -> str:
    return f"/organisation/{c.organisation.slug}/suche/synonyme/"


def _retention(c: Cast, sr: SupportRequest | None) -> str:
    return f"/organisation/{c.organisation.slug}/aufbewahrung/"


def _people(c: Cast, sr: SupportRequest | None) -> str:
    return f"/organisation/{c.organisation.slug}/personen/"


def _person(suffix: str = "") -> Callable[[Cast, SupportRequest | None], str]:
    """The data protection pages of a member of the organisation, made for the case."""

    def path(c: Cast, sr: SupportRequest | None) -> str:
        member = person_with_role(Role.Kind.MEMBER, c.organisation, email="mitglied@verein.example")
        return f"/organisation/{c.organisation.slug}/personen/{member.pk}/datenschutz/{suffix}"

    return path


def _own_erase(c: Cast, sr: SupportRequest | None) -> str:
    return f"/organisation/{c.organisation.slug}/personen/{c.admin.pk}/datenschutz/loeschen/"


def _schools(c: Cast, sr: SupportRequest | None) -> str:
    return f"/organisation/{c.organisation.slug}/schulen/"


def _school_import(c: Cast, sr: SupportRequest | None) -> str:
    return f"/organisation/{c.organisation.slug}/schulen/import/"


SCHOOL_FILE = b"number;name;district\n41612999;Grundschule am Elbbogen;Dresden\n"


def _school_file(c: Cast) -> dict[str, Any]:
    return {
        "file": SimpleUploadedFile("schulen.csv", SCHOOL_FILE, "text/csv"),
        "file_format": "auto",
        "encoding": "utf-8",
    }


def _school_upload(
    suffix: str, *, imported: bool = False
) -> Callable[[Cast, SupportRequest | None], str]:
    """A school data file the organisation's admin uploaded (and, if so, imported)."""

    def path(c: Cast, sr: SupportRequest | None) -> str:
        upload = SchoolImport.objects.create(
            organisation=c.organisation,
            uploaded_by=c.admin,
            filename="schulen.csv",
            file_format="auto",
            encoding="utf-8",
            content=SCHOOL_FILE,
            result=(
                {
                    "file_format": "generic-csv",
                    "dry_run": False,
                    "rows": 0,
                    "created": 0,
                    "updated": 0,
                    "unchanged": 0,
                    "changes": [],
                    "rejected": [],
                    "notes": [],
                }
                if imported
                else None
            ),
        )
        return f"/organisation/{c.organisation.slug}/schulen/import/{upload.pk}/{suffix}"

    return path


def _attachment(c: Cast, sr: SupportRequest | None) -> str:
    assert sr is not None
    # As the mail import stores it: sent to the site, so for the coordination too.
    attachment = Attachment.objects.create(
        request=sr,
        filename="Plan.pdf",
        content_type="application/pdf",
        size=3,
        content=b"%PD",
        visibility=Visibility.COORDINATION,
    )
    return f"/anfragen/{sr.pk}/anhaenge/{attachment.pk}/"


def _quarantined(c: Cast, sr: SupportRequest | None) -> str:
    mail = InboundMail.objects.create(
        site=c.site_a,
        sha256="0" * 64,
        raw=b"kaputt",
        outcome=InboundMail.Outcome.QUARANTINE,
        quarantine_reason="Defekte MIME-Struktur",
    )
    return f"/koordination/quarantaene/{mail.pk}/"


def _mailboxes(suffix: str = "") -> Callable[[Cast, SupportRequest | None], str]:
    def path(c: Cast, sr: SupportRequest | None) -> str:
        site = f"{c.site_a.pk}/" if suffix == "site" else ""
        return f"/organisation/{c.organisation.slug}/postfaecher/{site}"

    return path


def _other_settings(c: Cast, sr: SupportRequest | None) -> str:
    return f"/organisation/{c.other_organisation.slug}/einstellungen/"


def _document(c: Cast, sr: SupportRequest | None) -> str:
    assert sr is not None
    document = record_services.document_upload(
        request=sr,
        by=c.supporter,
        filename="Protokoll.pdf",
        content_type="application/pdf",
        content=b"%PDF-1.4",
    )
    assert document.visibility == Visibility.PARTICIPANTS
    return f"/anfragen/{sr.pk}/anhaenge/{document.pk}/"


def _upload(c: Cast) -> dict[str, Any]:
    return {
        "document-file": SimpleUploadedFile("Plan.pdf", b"%PDF-1.4", "application/pdf"),
        "document-visibility": "participants",
    }


def _supporters_note(c: Cast, sr: SupportRequest) -> TimelineEvent:
    return record_services.note_add(request=sr, by=c.supporter, text="Notiz der Begleitung")


def _entry(action: str) -> Callable[[Cast, SupportRequest | None], str]:
    def path(c: Cast, sr: SupportRequest | None) -> str:
        assert sr is not None
        return f"/anfragen/{sr.pk}/{action}/eintrag/{_supporters_note(c, sr).pk}/"

    return path


def _revoke(c: Cast, sr: SupportRequest | None) -> str:
    assert sr is not None
    release = record_services.entry_release(
        entry=_supporters_note(c, sr), by=c.school_contact_a, purpose="Jahresbericht"
    )
    return f"/anfragen/{sr.pk}/freigaben/{release.pk}/widerrufen/"


def _remove(c: Cast, sr: SupportRequest | None) -> str:
    proposal = Proposal.objects.get(request=sr, supporter=c.supporter)
    return f"/anfragen/{proposal.request_id}/begleitung/{proposal.pk}/beenden/"


def _releases(what: str) -> Callable[[Cast, SupportRequest | None], str]:
    def path(c: Cast, sr: SupportRequest | None) -> str:
        base = f"/organisation/{c.organisation.slug}/freigaben/"
        if not what:
            return base
        assert sr is not None
        entry: services_base.Entry = _supporters_note(c, sr)
        if what == "file":
            entry = record_services.document_upload(
                request=sr,
                by=c.supporter,
                filename="Bericht.pdf",
                content_type="application/pdf",
                content=b"%PDF-1.4",
            )
        release = record_services.entry_release(
            entry=entry, by=c.school_contact_a, purpose="Bericht"
        )
        return f"{base}{release.pk}/" + ("datei/" if what == "file" else "")

    return path


def _other_releases(c: Cast, sr: SupportRequest | None) -> str:
    return f"/organisation/{c.other_organisation.slug}/freigaben/"


def _concept(what: str) -> Callable[[Cast, SupportRequest | None], str]:
    """A concept of school A's completed request: submitted (for review) or published."""

    def path(c: Cast, sr: SupportRequest | None) -> str:
        assert sr is not None
        concept = release(c, sr)
        if what == "review":
            return f"/organisation/{c.organisation.slug}/konzepte/pruefen/{concept.pk}/"
        concept = concept_services.concept_publish(concept=concept, by=c.admin)
        if what == "withdraw":
            return f"/konzepte/{concept.pk}/zurueckziehen/"
        return f"/konzepte/{concept.pk}/"

    return path


def _concept_texts() -> dict[str, str]:
    return {"topic": "Feedback", "what_was_done": "Hospitation.", "what_helped": "Zeit."}


def _meeting(c: Cast) -> dict[str, str]:
    return {
        "schedule-starts_at": meeting_time().strftime("%Y-%m-%dT%H:%M"),
        "schedule-place": "Aula",
        "schedule-participants": "Kollegium",
    }


# --- the accompaniment ------------------------------------------------------------------------


def _session(suffix: str, *, begun: bool = False) -> Callable[[Cast, SupportRequest | None], str]:
    """A session the supporter planned (and whose start has passed, if `begun`)."""

    def path(c: Cast, sr: SupportRequest | None) -> str:
        assert sr is not None
        starts = meeting_time()
        session = accompaniment_services.session_plan(
            request=sr,
            by=c.supporter,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            place="Schule",
            participants="Steuergruppe",
        )
        if begun:
            past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
            Session.objects.filter(pk=session.pk).update(
                starts_at=past, ends_at=past + dt.timedelta(hours=1)
            )
        return f"/anfragen/{sr.pk}/termine/{session.pk}/{suffix}"

    return path


def _session_data(c: Cast) -> dict[str, str]:
    starts = meeting_time()
    return {
        "day": starts.strftime("%Y-%m-%d"),
        "begins": "14:00",
        "ends": "15:30",
        "place": "Aula",
        "participants": "Steuergruppe",
    }


def _next_step(change: str) -> Callable[[Cast, SupportRequest | None], str]:
    def path(c: Cast, sr: SupportRequest | None) -> str:
        assert sr is not None
        step = accompaniment_services.next_step_add(
            request=sr,
            by=c.supporter,
            text="Elternbrief",
            owner="school",
            due_on=meeting_time().date(),
        )
        return f"/anfragen/{sr.pk}/naechste-schritte/{step.pk}/{change}/"

    return path


def _step_data(c: Cast) -> dict[str, str]:
    return {
        "step-text": "Fragebogen entwerfen",
        "step-owner": "school",
        "step-due_on": meeting_time().strftime("%Y-%m-%d"),
    }


def _methods(suffix: str = "") -> Callable[[Cast, SupportRequest | None], str]:
    def path(c: Cast, sr: SupportRequest | None) -> str:
        if suffix == "method":
            method = Method.objects.create(
                organisation=c.organisation, name="Fishbowl", description="Eine Runde spricht."
            )
            return f"/organisation/{c.organisation.slug}/methoden/{method.pk}/"
        return f"/organisation/{c.organisation.slug}/methoden/{suffix}"

    return path


def _other_methods(c: Cast, sr: SupportRequest | None) -> str:
    return f"/organisation/{c.other_organisation.slug}/methoden/"


def _catalogue_offer(c: Cast, *, active: bool = True) -> Offer:
    area = QualityArea.objects.create(organisation=c.organisation, number=3, title="Schulkultur")
    offer = Offer.objects.create(
        organisation=c.organisation,
        site=c.site_a,
        title="Regionalbegleiter Schulmediation",
        services="Beratung bei Konflikten",
        active=active,
    )
    offer.quality_areas.add(area)
    return offer


def _public(suffix: str) -> Callable[[Cast, SupportRequest | None], str]:
    """A page of the public catalogue of the organisation, with an offer and an area in it."""

    def path(c: Cast, sr: SupportRequest | None) -> str:
        offer = _catalogue_offer(c, active=suffix != "inactive")
        base = f"/katalog/{c.organisation.slug}/"
        return {
            "": base,
            "offer": f"{base}angebote/{offer.pk}/",
            "inactive": f"{base}angebote/{offer.pk}/",
            "area": f"{base}bereiche/3/",
            "search": f"{base}suche/?q=Konflikte",
            "others": f"{base}weitere/",
            "request": f"{base}anfrage/?angebot={offer.pk}",
            "sent": f"{base}anfrage/gesendet/",
            "schools": f"{base}schulen/?q=Elbufer",
        }[suffix]

    return path


def _public_request(c: Cast) -> dict[str, Any]:
    return {
        "school": str(c.school_a.pk),
        "contact_name": "Sabine Schulz",
        "contact_email": "sekretariat@schule-a.example",
        "subject": "Streitschlichtung aufbauen",
        "text": "Wir möchten Schüler zu Streitschlichtern ausbilden.",
    }


def _catalogue_admin(
    suffix: str, *, other: bool = False
) -> Callable[[Cast, SupportRequest | None], str]:
    """A page where the organisation's admins edit its catalogue."""

    def path(c: Cast, sr: SupportRequest | None) -> str:
        organisation = c.other_organisation if other else c.organisation
        base = f"/organisation/{organisation.slug}/katalog/"
        if suffix == "offer":
            return f"{base}angebote/{_catalogue_offer(c).pk}/"
        if suffix == "area":
            area = QualityArea.objects.create(
                organisation=c.organisation, number=1, title="Ergebnisse"
            )
            return f"{base}bereiche/{area.pk}/"
        if suffix == "supporter-type":
            item = SupporterType.objects.create(
                organisation=c.organisation, name="Schulpsychologen"
            )
            return f"{base}weitere/{item.pk}/"
        return base + suffix

    return path


def _absence(c: Cast, sr: SupportRequest | None) -> str:
    """An absence of the supporter (the other supporter has no profile)."""
    profile = SupporterProfile.objects.create(organisation=c.organisation, person=c.supporter)
    absence = Absence.objects.create(
        profile=profile, starts_on=dt.date(2031, 7, 1), ends_on=dt.date(2031, 7, 14)
    )
    return f"/begleitung/profil/abwesenheiten/{absence.pk}/loeschen/"


def _absence_add(c: Cast, sr: SupportRequest | None) -> str:
    SupporterProfile.objects.create(organisation=c.organisation, person=c.supporter)
    return "/begleitung/profil/abwesenheiten/"


def _profile_data(c: Cast) -> dict[str, Any]:
    return {
        "organisation": c.organisation.slug,
        "home_postcode": "01067",
        "home_place": "Dresden",
        "max_processes": "3",
        "active": "on",
    }


def _weights(c: Cast, sr: SupportRequest | None) -> str:
    return f"/organisation/{c.organisation.slug}/abgleich/"


def _amended(c: Cast, sr: SupportRequest | None) -> str:
    """A proposed change (version 2) to the binding Kontrakt, by the school."""
    assert sr is not None
    agreement_services.agreement_draft(
        request=sr,
        by=c.school_contact_a,
        participants="Schulleitung",
        goals="Ein neues Ziel",
        starts_on=dt.date(2031, 1, 1),
        ends_on=dt.date(2031, 12, 31),
        place="Schule",
        frequency="monatlich",
        confidentiality="Vertraulich.",
    )
    return f"/anfragen/{sr.pk}/kontrakt/2/aenderungen/"


def _amendment_accept(c: Cast, sr: SupportRequest | None) -> str:
    _amended(c, sr)
    assert sr is not None
    return f"/anfragen/{sr.pk}/kontrakt/2/annehmen/"


def _reflected(c: Cast, sr: SupportRequest | None) -> str:
    """The final reflection, written (and so confirmed) by the supporter."""
    assert sr is not None
    completion_services.final_reflection_write(request=sr, by=c.supporter, text="Viel erreicht.")
    return f"/anfragen/{sr.pk}/abschluss/bestaetigen/"


def _evaluation_admin(
    suffix: str = "", *, other: bool = False
) -> Callable[[Cast, SupportRequest | None], str]:
    """The evaluation pages of the organisation, with a question (of the other organisation's
    when `other`)."""

    def path(c: Cast, sr: SupportRequest | None) -> str:
        base = f"/organisation/{c.organisation.slug}/auswertung/"
        if suffix in ("", "fragen/"):
            return base + suffix
        question = EvaluationQuestion.objects.create(
            organisation=c.other_organisation if other else c.organisation,
            text="Hat die Begleitung geholfen?",
        )
        return f"{base}fragen/{question.pk}/" + ("loeschen/" if suffix == "delete" else "")

    return path


def _other_evaluation_report(c: Cast, sr: SupportRequest | None) -> str:
    return f"/organisation/{c.other_organisation.slug}/auswertung/"


def _question_data(c: Cast) -> dict[str, str]:
    return {
        "new-text": "War die Begleitung hilfreich?",
        "new-audience": "both",
        "new-kind": "scale",
        "new-position": "1",
        "new-active": "on",
        "text": "War die Begleitung hilfreich?",
        "audience": "both",
        "kind": "scale",
        "position": "1",
        "active": "on",
    }


# fmt: off
CASES = [
    # One answer per role: anonymous, outsider, school contact A and B, coordinator of site A and
    # of site B, supporter proposed for the request and another supporter, organisation admin,
    # admin of the other organisation.
    #     ano out scA scB coA coB suA suB adm oad
    Case("home", "home", "GET", _fixed("/"),
         "L   200 302 302 302 302 302 302 200 200"),
    Case("ping", "core:ping", "GET", _fixed("/ping/"),
         "200 200 200 200 200 200 200 200 200 200"),
    # Each admin sees the outbox of their own organisation (here: empty for the other one).
    Case("outbox", "core:outbox", "GET", _fixed("/postausgang/"),
         "L   404 404 404 200 200 404 404 200 200"),
    # A mail about a request of site A is for site A's coordinators only; the other site's
    # coordinator and the organisation admins do not learn that it exists.
    Case("outbox-mail", "core:outbox_detail", "GET", _outbox_detail,
         "L   404 404 404 200 404 404 404 404 404",
         state=State.RECEIVED),
    Case("organisation-settings", "core:organisation_settings", "GET", _settings,
         "L   404 404 404 404 404 404 404 200 404"),
    Case("organisation-settings-other", "core:organisation_settings", "GET", _other_settings,
         "L   404 404 404 404 404 404 404 404 200"),
    # The synonyms of the search: the organisation's admins only.
    Case("search-synonyms", "core:search_synonyms", "GET", _synonyms,
         "L   404 404 404 404 404 404 404 200 404"),
    Case("search-synonyms-save", "core:search_synonyms", "POST", _synonyms,
         "L   404 404 404 404 404 404 404 302 404",
         data=lambda c: {"synonyms": "Mobbing: Konflikte"}),
    # Retention rules and a person's data are for the organisation's admins; everyone else
    # gets 404, as for the settings.
    Case("retention", "core:retention", "GET", _retention,
         "L   404 404 404 404 404 404 404 200 404"),
    Case("retention-save", "core:retention", "POST", _retention,
         "L   404 404 404 404 404 404 404 400 404",
         data=lambda c: {"support.completed-months": "0"}),
    Case("people", "core:person_list", "GET", _people,
         "L   404 404 404 404 404 404 404 200 404"),
    Case("person-privacy", "core:person_privacy", "GET", _person(),
         "L   404 404 404 404 404 404 404 200 404"),
    Case("person-export", "core:person_export", "POST", _person("export/"),
         "L   404 404 404 404 404 404 404 200 404"),
    Case("person-erase", "core:person_erase", "POST", _person("loeschen/"),
         "L   404 404 404 404 404 404 404 302 404",
         data=lambda c: {"confirmation": "mitglied@verein.example"}),
    Case("person-erase-unconfirmed", "core:person_erase", "POST", _person("loeschen/"),
         "L   404 404 404 404 404 404 404 400 404",
         data=lambda c: {"confirmation": "jemand@anders.example"}),
    # An admin cannot erase themselves: the page refuses with 403.
    Case("person-erase-self", "core:person_erase", "POST", _own_erase,
         "L   404 404 404 404 404 404 404 403 404",
         data=lambda c: {"confirmation": "admin@lasub.example"}),
    # The schools of the organisation and their import are for its admins; an uploaded file
    # is for the admin who uploaded it.
    Case("schools", "core:school_list", "GET", _schools,
         "L   404 404 404 404 404 404 404 200 404"),
    Case("school-import", "core:school_import", "GET", _school_import,
         "L   404 404 404 404 404 404 404 200 404"),
    Case("school-import-upload", "core:school_import", "POST", _school_import,
         "L   404 404 404 404 404 404 404 302 404",
         data=_school_file),
    Case("school-import-preview", "core:school_import_preview", "GET", _school_upload(""),
         "L   404 404 404 404 404 404 404 200 404"),
    Case("school-import-confirm", "core:school_import_confirm", "POST",
         _school_upload("bestaetigen/"),
         "L   404 404 404 404 404 404 404 302 404"),
    Case("school-import-result", "core:school_import_result", "GET",
         _school_upload("ergebnis/", imported=True),
         "L   404 404 404 404 404 404 404 200 404"),
    Case("school-list", "support:school_list", "GET", _fixed("/anfragen/"),
         "L   404 200 200 404 404 404 404 404 404"),
    Case("create", "support:create", "GET", _fixed("/anfragen/neu/"),
         "L   404 200 200 404 404 404 404 404 404"),
    Case("inbox", "support:inbox", "GET", _fixed("/koordination/"),
         "L   404 404 404 200 200 404 404 404 404"),
    Case("supporter-list", "support:supporter_list", "GET", _fixed("/begleitung/"),
         "L   404 404 404 404 404 200 200 404 404"),
    Case("detail-received", "support:detail", "GET", _req(),
         "L   404 200 404 200 404 404 404 404 404",
         state=State.RECEIVED),
    Case("detail-proposed", "support:detail", "GET", _req(),
         "L   404 200 404 200 404 200 404 404 404",
         state=State.SUPPORTERS_PROPOSED, setup={"proposal_accepted": False}),
    Case("detail-in-contact", "support:detail", "GET", _req(),
         "L   404 200 404 200 404 200 404 404 404",
         state=State.IN_CONTACT),
    Case("detail-withdrawn", "support:detail", "GET", _req(),
         "L   404 200 404 200 404 404 404 404 404",
         state=State.WITHDRAWN),
    Case("acknowledge", "support:action", "POST", _step("acknowledge"),
         "L   404 403 404 302 404 404 404 404 404",
         state=State.RECEIVED),
    Case("acknowledge-again", "support:action", "POST", _step("acknowledge"),
         "L   404 403 404 400 404 404 404 404 404",
         state=State.ACKNOWLEDGED),
    Case("clarify", "support:action", "POST", _step("clarify"),
         "L   404 403 404 302 404 404 404 404 404",
         state=State.ACKNOWLEDGED, data=lambda c: {"clarify-note": "Geklärt."}),
    Case("propose", "support:action", "POST", _step("propose"),
         "L   404 403 404 302 404 404 404 404 404",
         state=State.CLARIFIED, data=lambda c: {"propose-supporters": [c.supporter.pk]}),
    Case("first-contact", "support:action", "POST", _step("first_contact"),
         "L   404 403 404 403 404 302 404 404 404",
         state=State.SUPPORTERS_PROPOSED, data=lambda c: {"first_contact-note": "Hallo."}),
    Case("no-collaboration", "support:action", "POST", _step("no_collaboration"),
         "L   404 403 404 302 404 302 404 404 404",
         state=State.IN_CONTACT, data=lambda c: {"no_collaboration-note": "Nein."}),
    Case("schedule", "support:action", "POST", _step("schedule"),
         "L   404 403 404 403 404 302 404 404 404",
         state=State.IN_CONTACT, data=_meeting),
    Case("schedule-too-early", "support:action", "POST", _step("schedule"),
         "L   404 403 404 403 404 400 404 404 404",
         state=State.SUPPORTERS_PROPOSED, data=_meeting),
    Case("start", "support:action", "POST", _step("start"),
         "L   404 403 404 403 404 302 404 404 404",
         state=State.AGREED),
    Case("complete", "support:action", "POST", _step("complete"),
         "L   404 403 404 302 404 302 404 404 404",
         state=State.ACCOMPANYING, setup={"reflected": True}),
    Case("withdraw", "support:action", "POST", _step("withdraw"),
         "L   404 302 404 403 404 403 404 404 404",
         state=State.IN_CONTACT),
    Case("withdraw-closed", "support:action", "POST", _step("withdraw"),
         "L   404 400 404 403 404 404 404 404 404",
         state=State.WITHDRAWN),
    Case("forward", "support:action", "POST", _step("forward"),
         "L   404 403 404 302 404 404 404 404 404",
         state=State.ACKNOWLEDGED, data=lambda c: {"forward-recipient": "Jugendamt"}),
    Case("unknown-step", "support:action", "POST", _step("draft"),
         "L   404 404 404 404 404 404 404 404 404",
         state=State.MEETING_SCHEDULED),
    Case("proposal-accept", "support:proposal", "POST", _req("vorschlag/accept/"),
         "L   404 403 404 403 404 302 404 404 404",
         state=State.SUPPORTERS_PROPOSED, setup={"proposal_accepted": False}),
    Case("proposal-decline", "support:proposal", "POST", _req("vorschlag/decline/"),
         "L   404 403 404 403 404 302 404 404 404",
         state=State.SUPPORTERS_PROPOSED, setup={"proposal_accepted": False},
         data=lambda c: {"decline-reason": "Keine Zeit."}),
    Case("kontrakt-edit", "support:agreement_edit", "GET", _req("kontrakt/"),
         "L   404 200 404 403 404 200 404 404 404",
         state=State.MEETING_SCHEDULED),
    Case("kontrakt-edit-too-early", "support:agreement_edit", "GET", _req("kontrakt/"),
         "L   404 302 404 403 404 302 404 404 404",
         state=State.IN_CONTACT),
    Case("kontrakt-accept", "support:agreement_accept", "POST", _kontrakt("annehmen/"),
         "L   404 302 404 403 404 302 404 404 404",
         state=State.MEETING_SCHEDULED, setup={"drafted": True}),
    Case("kontrakt-accept-binding", "support:agreement_accept", "POST", _kontrakt("annehmen/"),
         "L   404 400 404 403 404 400 404 404 404",
         state=State.AGREED),
    Case("kontrakt-pdf", "support:agreement_pdf", "GET", _kontrakt("pdf/"),
         "L   404 200 404 200 404 200 404 404 404",
         state=State.AGREED),
    # A mail's attachment was sent to the site: the school and the coordination read it.
    Case("attachment", "support:attachment", "GET", _attachment,
         "L   404 200 404 200 404 404 404 404 404",
         state=State.RECEIVED),
    # A supporter's document for the participants: the coordination sees that it exists (403).
    Case("document-participants", "support:attachment", "GET", _document,
         "L   404 200 404 403 404 200 404 404 404",
         state=State.IN_CONTACT),
    Case("access-log", "support:access_log", "GET", _req("zugriffe/"),
         "L   404 200 404 200 404 403 404 404 404",
         state=State.IN_CONTACT),
    Case("note-add", "support:note_add", "POST", _req("notiz/"),
         "L   404 302 404 302 404 302 404 404 404",
         state=State.IN_CONTACT, data=lambda c: {"note-text": "Eine Notiz."}),
    # A supporter still deciding reads the request but writes nothing into it.
    Case("note-add-proposed", "support:note_add", "POST", _req("notiz/"),
         "L   404 302 404 302 404 403 404 404 404",
         state=State.SUPPORTERS_PROPOSED, setup={"proposal_accepted": False},
         data=lambda c: {"note-text": "Eine Notiz."}),
    Case("document-upload", "support:document_upload", "POST", _req("dokument/"),
         "L   404 302 404 302 404 302 404 404 404",
         state=State.IN_CONTACT, data=_upload),
    # Only the school widens, releases and revokes.
    Case("entry-visibility", "support:entry_visibility", "POST", _entry("sichtbarkeit"),
         "L   404 302 404 403 404 403 404 404 404",
         state=State.IN_CONTACT, data=lambda c: {"visibility": "coordination"}),
    Case("entry-release", "support:entry_release", "POST", _entry("freigabe"),
         "L   404 302 404 403 404 403 404 404 404",
         state=State.IN_CONTACT, data=lambda c: {"purpose": "Jahresbericht"}),
    Case("release-revoke", "support:release_revoke", "POST", _revoke,
         "L   404 302 404 403 404 403 404 404 404",
         state=State.IN_CONTACT),
    # The coordination and the school end a supporter's part; the supporter cannot.
    Case("proposal-remove", "support:proposal_remove", "POST", _remove,
         "L   404 302 404 302 404 403 404 404 404",
         state=State.IN_CONTACT, data=lambda c: {"remove-reason": "Passt nicht."}),
    # Sessions and next steps are the school's and the accepted supporter's; the coordination
    # sees them on the request page (403 here), everyone else does not learn the request exists.
    Case("session-plan", "support:session_plan", "GET", _req("termine/neu/"),
         "L   404 200 404 403 404 200 404 404 404",
         state=State.ACCOMPANYING),
    Case("session-plan-save", "support:session_plan", "POST", _req("termine/neu/"),
         "L   404 302 404 403 404 302 404 404 404",
         state=State.AGREED, data=_session_data),
    Case("session-plan-too-early", "support:session_plan", "GET", _req("termine/neu/"),
         "L   404 302 404 403 404 302 404 404 404",
         state=State.MEETING_SCHEDULED),
    Case("session-reschedule", "support:session_reschedule", "GET", _session("verschieben/"),
         "L   404 200 404 403 404 200 404 404 404",
         state=State.ACCOMPANYING),
    Case("session-cancel", "support:session_cancel", "POST", _session("absagen/"),
         "L   404 302 404 403 404 302 404 404 404",
         state=State.ACCOMPANYING),
    Case("session-record", "support:session_record", "GET", _session("protokoll/", begun=True),
         "L   404 200 404 403 404 200 404 404 404",
         state=State.ACCOMPANYING),
    # The calendar file names date, place and methods: for everyone who sees the request.
    Case("session-ics", "support:session_ics", "GET", _session("einladung.ics"),
         "L   404 200 404 200 404 200 404 404 404",
         state=State.ACCOMPANYING),
    Case("next-step-add", "support:next_step_add", "POST", _req("naechste-schritte/"),
         "L   404 302 404 403 404 302 404 404 404",
         state=State.ACCOMPANYING, data=_step_data),
    Case("next-step-done", "support:next_step_change", "POST", _next_step("erledigt"),
         "L   404 302 404 403 404 302 404 404 404",
         state=State.ACCOMPANYING),
    Case("next-step-unknown-change", "support:next_step_change", "POST", _next_step("weg"),
         "L   404 404 404 403 404 404 404 404 404",
         state=State.ACCOMPANYING),
    Case("methods", "support:method_list", "GET", _methods(),
         "L   404 404 404 404 404 404 404 200 404"),
    Case("methods-other", "support:method_list", "GET", _other_methods,
         "L   404 404 404 404 404 404 404 404 200"),
    Case("method-create", "support:method_create", "GET", _methods("neu/"),
         "L   404 404 404 404 404 404 404 200 404"),
    Case("method-create-save", "support:method_create", "POST", _methods("neu/"),
         "L   404 404 404 404 404 404 404 302 404",
         data=lambda c: {"name": "Blitzlicht", "description": "Reihum ein Satz.", "active": "on"}),
    Case("method-edit", "support:method_edit", "GET", _methods("method"),
         "L   404 404 404 404 404 404 404 200 404"),
    Case("quarantine", "support:quarantine", "GET", _fixed("/koordination/quarantaene/"),
         "L   404 404 404 200 200 404 404 404 404"),
    # A mail in site A's quarantine is for site A's coordinators only.
    Case("quarantine-mail", "support:quarantine_detail", "GET", _quarantined,
         "L   404 404 404 200 404 404 404 404 404"),
    Case("mailboxes", "support:mailbox_list", "GET", _mailboxes(),
         "L   404 404 404 404 404 404 404 200 404"),
    Case("mailbox", "support:mailbox_edit", "GET", _mailboxes("site"),
         "L   404 404 404 404 404 404 404 200 404"),
    # Released entries are for the organisation's coordinators and admins, not the other's.
    Case("releases", "support:release_list", "GET", _releases(""),
         "L   404 404 404 200 200 404 404 200 404"),
    Case("releases-other", "support:release_list", "GET", _other_releases,
         "L   404 404 404 404 404 404 404 404 200"),
    Case("release", "support:release_detail", "GET", _releases("note"),
         "L   404 404 404 200 200 404 404 200 404",
         state=State.IN_CONTACT),
    Case("release-file", "support:release_file", "GET", _releases("file"),
         "L   404 404 404 200 200 404 404 200 404",
         state=State.IN_CONTACT),
    # The public catalogue is for everyone, without a login; an inactive offer is for no one.
    Case("catalogue-index", "catalog:index", "GET", _fixed("/katalog/"),
         "200 200 200 200 200 200 200 200 200 200"),
    Case("catalogue-matrix", "catalog:matrix", "GET", _public(""),
         "200 200 200 200 200 200 200 200 200 200"),
    Case("catalogue-unknown-organisation", "catalog:matrix", "GET",
         _fixed("/katalog/gibt-es-nicht/"),
         "404 404 404 404 404 404 404 404 404 404"),
    Case("catalogue-offer", "catalog:offer", "GET", _public("offer"),
         "200 200 200 200 200 200 200 200 200 200"),
    Case("catalogue-offer-inactive", "catalog:offer", "GET", _public("inactive"),
         "404 404 404 404 404 404 404 404 404 404"),
    Case("catalogue-area", "catalog:area", "GET", _public("area"),
         "200 200 200 200 200 200 200 200 200 200"),
    Case("catalogue-search", "catalog:search", "GET", _public("search"),
         "200 200 200 200 200 200 200 200 200 200"),
    Case("catalogue-others", "catalog:supporter_types", "GET", _public("others"),
         "200 200 200 200 200 200 200 200 200 200"),
    # Anyone may ask without an account; the organisation's school contacts are sent to the
    # request form of the app (302), with the offer preselected.
    Case("public-request", "support:public_request", "GET", _public("request"),
         "200 200 302 302 200 200 200 200 200 200"),
    Case("public-request-send", "support:public_request", "POST", _public("request"),
         "302 302 302 302 302 302 302 302 302 302",
         data=_public_request),
    Case("public-request-invalid", "support:public_request", "POST", _public("request"),
         "400 400 302 302 400 400 400 400 400 400",
         data=lambda c: {"school": "", "text": ""}),
    Case("public-request-sent", "support:public_request_sent", "GET", _public("sent"),
         "200 200 200 200 200 200 200 200 200 200"),
    # The schools a school choice offers: the same public list as the public request form.
    Case("school-choices", "core:school_choices", "GET", _public("schools"),
         "200 200 200 200 200 200 200 200 200 200"),
    Case("school-choices-unknown-organisation", "core:school_choices", "GET",
         _fixed("/katalog/gibt-es-nicht/schulen/?q=Elbufer"),
         "404 404 404 404 404 404 404 404 404 404"),
    # Editing the catalogue is for the organisation's admins; everyone else gets 404.
    Case("catalogue-admin", "catalog:admin_index", "GET", _catalogue_admin(""),
         "L   404 404 404 404 404 404 404 200 404"),
    Case("catalogue-admin-other", "catalog:admin_index", "GET",
         _catalogue_admin("", other=True),
         "L   404 404 404 404 404 404 404 404 200"),
    Case("catalogue-offer-create", "catalog:admin_offer_create", "GET",
         _catalogue_admin("angebote/neu/"),
         "L   404 404 404 404 404 404 404 200 404"),
    Case("catalogue-offer-create-save", "catalog:admin_offer_create", "POST",
         _catalogue_admin("angebote/neu/"),
         "L   404 404 404 404 404 404 404 302 404",
         data=lambda c: {"title": "Schulpsychologische Beratung", "active": "on"}),
    Case("catalogue-offer-edit", "catalog:admin_offer_edit", "GET", _catalogue_admin("offer"),
         "L   404 404 404 404 404 404 404 200 404"),
    # An offer of another organisation is not found, even by an admin.
    Case("catalogue-offer-edit-other", "catalog:admin_offer_edit", "GET",
         _catalogue_admin("offer", other=True),
         "L   404 404 404 404 404 404 404 404 404"),
    Case("catalogue-area-create", "catalog:admin_area_create", "GET",
         _catalogue_admin("bereiche/neu/"),
         "L   404 404 404 404 404 404 404 200 404"),
    Case("catalogue-area-edit", "catalog:admin_area_edit", "GET", _catalogue_admin("area"),
         "L   404 404 404 404 404 404 404 200 404"),
    Case("catalogue-supporter-type-create", "catalog:admin_supporter_type_create", "GET",
         _catalogue_admin("weitere/neu/"),
         "L   404 404 404 404 404 404 404 200 404"),
    Case("catalogue-supporter-type-edit", "catalog:admin_supporter_type_edit", "GET",
         _catalogue_admin("supporter-type"),
         "L   404 404 404 404 404 404 404 200 404"),
    # A supporter keeps their own profile and absences; nobody else sees or changes them.
    Case("profile", "catalog:profile", "GET", _fixed("/begleitung/profil/"),
         "L   404 404 404 404 404 200 200 404 404"),
    Case("profile-save", "catalog:profile", "POST", _fixed("/begleitung/profil/"),
         "L   404 404 404 404 404 302 302 404 404", data=_profile_data),
    Case("profile-other-organisation", "catalog:profile", "GET",
         _fixed("/begleitung/profil/?organisation=lag-ssa"),
         "L   404 404 404 404 404 404 404 404 404"),
    # Without a profile there is nothing to record an absence for (400 with the reason).
    Case("absence-add", "catalog:absence_add", "POST", _absence_add,
         "L   404 404 404 404 404 302 400 404 404",
         data=lambda c: {"organisation": c.organisation.slug,
                         "absence-starts_on": "2031-08-01", "absence-ends_on": "2031-08-10"}),
    Case("absence-remove", "catalog:absence_remove", "POST", _absence,
         "L   404 404 404 404 404 302 404 404 404"),
    # The weights of matching are the organisation admin's, of their organisation only.
    Case("matching-weights", "catalog:matching_weights", "GET", _weights,
         "L   404 404 404 404 404 404 404 200 404"),
    Case("matching-weights-save", "catalog:matching_weights", "POST", _weights,
         "L   404 404 404 404 404 404 404 302 404",
         data=lambda c: {"offer": "5", "quality_area": "3", "school_type": "2", "distance": "4",
                         "capacity": "3", "history": "1", "max_distance_km": "80"}),
    Case("workload", "support:workload", "GET", _fixed("/koordination/auslastung/"),
         "L   404 404 404 200 200 404 404 404 404"),
    # Amendments, completion and evaluation (issue 6). The changes of a Kontrakt version are
    # read like the Kontrakt: by the school, the accepted supporter and the coordination.
    Case("kontrakt-changes", "support:agreement_changes", "GET", _amended,
         "L   404 200 404 200 404 200 404 404 404",
         state=State.AGREED),
    # Once the Kontrakt binds, the school and the accepted supporter propose changes to it and
    # accept them; the coordination reads the Kontrakt but changes nothing (403).
    Case("kontrakt-amend", "support:agreement_edit", "GET", _req("kontrakt/"),
         "L   404 200 404 403 404 200 404 404 404",
         state=State.ACCOMPANYING),
    # The school proposed the change, which is its acceptance: accepting again is refused (400).
    Case("kontrakt-accept-amendment", "support:agreement_accept", "POST", _amendment_accept,
         "L   404 400 404 403 404 302 404 404 404",
         state=State.AGREED),
    # The final reflection is written and confirmed by the two sides; the coordination sees
    # the request, not the step (403). The supporter wrote it, so has confirmed it (400).
    Case("final-reflection", "support:final_reflection", "POST", _req("abschluss/reflexion/"),
         "L   404 302 404 403 404 302 404 404 404",
         state=State.ACCOMPANYING, data=lambda c: {"reflection-text": "Viel erreicht."}),
    Case("final-reflection-closed", "support:final_reflection", "POST",
         _req("abschluss/reflexion/"),
         "L   404 400 404 403 404 400 404 404 404",
         state=State.COMPLETED, data=lambda c: {"reflection-text": "Viel erreicht."}),
    Case("final-reflection-confirm", "support:final_reflection_confirm", "POST", _reflected,
         "L   404 302 404 403 404 400 404 404 404",
         state=State.ACCOMPANYING),
    # The evaluation is for the school's and the supporter's side, once each.
    Case("evaluation", "support:evaluation", "GET", _req("auswertung/"),
         "L   404 200 404 403 404 200 404 404 404",
         state=State.COMPLETED),
    Case("evaluation-decline", "support:evaluation", "POST", _req("auswertung/"),
         "L   404 302 404 403 404 302 404 404 404",
         state=State.COMPLETED, data=lambda c: {"decline": "1"}),
    Case("evaluation-too-early", "support:evaluation", "POST", _req("auswertung/"),
         "L   404 400 404 403 404 400 404 404 404",
         state=State.ACCOMPANYING, data=lambda c: {"decline": "1"}),
    # The aggregate report is for the organisation's coordinators and admins; the questions
    # are the admins'. A question of another organisation is not found, even by its admin here.
    Case("evaluation-report", "support:evaluation_report", "GET", _evaluation_admin(),
         "L   404 404 404 200 200 404 404 200 404"),
    Case("evaluation-report-other", "support:evaluation_report", "GET", _other_evaluation_report,
         "L   404 404 404 404 404 404 404 404 200"),
    Case("evaluation-questions", "support:evaluation_questions", "GET",
         _evaluation_admin("fragen/"),
         "L   404 404 404 404 404 404 404 200 404"),
    Case("evaluation-question-add", "support:evaluation_questions", "POST",
         _evaluation_admin("fragen/"),
         "L   404 404 404 404 404 404 404 302 404",
         data=_question_data),
    Case("evaluation-question", "support:evaluation_question_edit", "GET",
         _evaluation_admin("question"),
         "L   404 404 404 404 404 404 404 200 404"),
    Case("evaluation-question-save", "support:evaluation_question_edit", "POST",
         _evaluation_admin("question"),
         "L   404 404 404 404 404 404 404 302 404",
         data=_question_data),
    Case("evaluation-question-other", "support:evaluation_question_edit", "GET",
         _evaluation_admin("question", other=True),
         "L   404 404 404 404 404 404 404 404 404"),
    Case("evaluation-question-delete", "support:evaluation_question_delete", "POST",
         _evaluation_admin("delete"),
         "L   404 404 404 404 404 404 404 302 404"),
    # Synergie: the school of a completed request writes a concept; 400 before completion.
    Case("concept-form", "support:concept_form", "GET", _req("konzept/"),
         "L   404 200 404 403 404 403 404 404 404",
         state=State.COMPLETED),
    Case("concept-form-too-early", "support:concept_form", "GET", _req("konzept/"),
         "L   404 400 404 403 404 403 404 404 404",
         state=State.ACCOMPANYING),
    Case("concept-send", "support:concept_form", "POST", _req("konzept/"),
         "L   404 302 404 403 404 403 404 404 404",
         state=State.COMPLETED, data=lambda c: _concept_texts() | {"consent": "on"}),
    # Only the school withdraws; readers of the library see the concept (403), others not.
    Case("concept-withdraw", "support:concept_withdraw", "POST", _concept("withdraw"),
         "L   404 302 403 403 403 403 403 403 404",
         state=State.COMPLETED),
    # The organisation's admins and coordinators review; a concept only in its site's queue.
    Case("concept-queue", "support:concept_queue", "GET",
         _fixed("/organisation/lasub/konzepte/pruefen/"),
         "L   404 404 404 200 200 404 404 200 404"),
    Case("concept-review", "support:concept_review", "GET", _concept("review"),
         "L   404 404 404 200 404 404 404 200 404",
         state=State.COMPLETED),
    Case("concept-publish", "support:concept_review", "POST", _concept("review"),
         "L   404 404 404 302 404 404 404 302 404",
         state=State.COMPLETED, data=lambda c: _concept_texts() | {"action": "publish"}),
    # The library is for everyone with a role in the organisation, not for another's.
    Case("concept-library", "support:concept_library", "GET", _fixed("/konzepte/"),
         "L   404 200 200 200 200 200 200 200 200"),
    Case("concept-detail", "support:concept_detail", "GET", _concept("library"),
         "L   404 200 200 200 200 200 200 200 404",
         state=State.COMPLETED),
]
# fmt: on


def _lotse_patterns(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[str]:
    """The names (or, for unnamed ones, the routes) of every URL pattern of Lotse itself."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(FOREIGN_PREFIXES):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _lotse_patterns(entry, route, inner)
        else:
            assert isinstance(entry, URLPattern)
            yield f"{namespace}{entry.name}" if entry.name else route


def test_the_table_lists_every_url_pattern() -> None:
    patterns = set(_lotse_patterns())
    listed = {case.pattern for case in CASES}
    assert patterns - listed == set(), "URL patterns missing from the permission matrix"
    assert listed - patterns == set(), "the permission matrix lists URL patterns that are gone"


def test_the_walk_finds_the_known_patterns() -> None:
    # Guards the walk itself: if it found nothing, the test above could not fail.
    patterns = set(_lotse_patterns())
    assert {"home", "core:outbox", "support:detail", "support:action"} <= patterns
    assert not any(p.startswith(("admin:", "account_", "set_language")) for p in patterns)


def test_each_case_has_a_unique_id() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


def _answer(client: Client, case: Case, c: Cast, sr: SupportRequest | None, role: str) -> str:
    """What the role gets: '' when it is what the table says, else the mismatch."""
    if role != "anonymous":
        client.force_login(getattr(c, role))
    path = case.path(c, sr)
    response = client.get(path) if case.method == "GET" else client.post(path, case.data(c))
    expected = case.expected()[role]
    where = f"{case.id}: {case.method} {path} as {role}"
    location = response.get("Location", "")
    if expected == LOGIN:
        if response.status_code != 302 or not location.startswith("/konto/login/?next="):
            got = f"{response.status_code} {location}".rstrip()
            return f"{where}: expected a redirect to the login, got {got}"
        return ""
    if response.status_code != int(expected):
        return f"{where}: expected {expected}, got {response.status_code} {location}".rstrip()
    if response.status_code == 302 and location.startswith("/konto/login/"):
        return f"{where}: expected {expected} to a page, got a redirect to the login"
    return ""


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_permission_matrix(cast: Cast, case: Case) -> None:
    """The case's request is brought to its state once; every role then asks in a savepoint
    that is rolled back, so what one role's POST changes no other role sees."""
    sr = bring_to_state(cast, case.state, **case.setup) if case.state else None
    mismatches = []
    for role in ROLES:
        try:
            with transaction.atomic():
                # Fresh objects and a fresh client (no login, no cookies) for every role; the
                # cache (rate limits) is a database table, so it is rolled back with the rest.
                c = reload_cast(cast)
                fresh = SupportRequest.objects.get(pk=sr.pk) if sr is not None else None
                mismatch = _answer(Client(), case, c, fresh, role)
                transaction.set_rollback(True)
        except Exception as error:  # reported with the others below
            mismatch = f"{case.id}: {case.method} as {role}: raised {error!r}"
        if mismatch:
            mismatches.append(mismatch)
    assert not mismatches, "\n".join(mismatches)
