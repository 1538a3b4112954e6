"""A person's data: exported whole (DSGVO Art. 15/20) and erased everywhere (Art. 17).

Two people get a rich footprint through the real services: a school contact who sent a request,
answered by mail and accepted the Kontrakt, and a supporter with proposals, notes, a meeting and
Kontrakt versions. Their names, addresses and phone numbers are sentinels that must not be
found anywhere after the erasure."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.test import Client
from django.utils import timezone, translation
from pypdf import PdfReader

from lotse.core import audit, privacy
from lotse.core.models import AccessLog, Erasure, Person, RetentionRule, Role
from lotse.core.privacy import Subject
from lotse.support.models import Agreement, InboundMail, Meeting, State, SupportRequest
from lotse.support.privacy import involved_requests
from tests.factories import (
    PASSWORD,
    Cast,
    OfferFactory,
    OrganisationFactory,
    bring_to_state,
    give_totp,
    person_with_role,
    submit_request,
)

pytestmark = pytest.mark.django_db

CONTACT = {
    "first_name": "Sieglinde",
    "last_name": "Quastenflosser",
    "email": "s.quastenflosser@schule-a.example",
    "phone": "0351 4455667",
}
SUPPORTER = {
    "first_name": "Quirin",
    "last_name": "Zwetschkenröster",
    "email": "q.zwetschkenroester@begleitung.example",
    "phone": "0172 9988776",
}
TEXT = "Bitte rufen Sie Sieglinde Quastenflosser an, sie leitet die Steuergruppe."


def sentinels(who: dict[str, str]) -> list[str]:
    return [who["last_name"].lower(), who["email"].lower(), who["phone"]]


def rename(person: Person, values: dict[str, str]) -> None:
    for name, value in values.items():
        setattr(person, name, value)
    person.save()


@pytest.fixture
def footprint(cast: Cast) -> dict[str, Any]:
    """The school contact and the supporter, each with data in every part of Lotse."""
    contact, supporter = cast.school_contact_a, cast.supporter
    rename(contact, CONTACT)
    rename(supporter, SUPPORTER)
    sr = bring_to_state(
        cast,
        State.COMPLETED,
        text=TEXT,
        contact_name="Sieglinde Quastenflosser",
        contact_email=CONTACT["email"],
        contact_phone=CONTACT["phone"],
    )
    meeting = Meeting.objects.get(request=sr)
    meeting.participants = "Sieglinde Quastenflosser, Quirin Zwetschkenröster, Steuergruppe"
    meeting.save()
    agreement = Agreement.objects.get(request=sr)
    agreement.participants = "Schulleitung (Sieglinde Quastenflosser), Quirin Zwetschkenröster"
    agreement.save()
    # A second request, declined by the supporter: a proposal with a reason.
    other = submit_request(cast.school_a, contact, subject="Zweite Anfrage")
    from lotse.support.models import Proposal
    from lotse.support.services import accompaniment as accompaniment_services
    from lotse.support.services import requests as request_services

    request_services.request_acknowledge(request=other, by=cast.coordinator)
    request_services.request_clarify(request=other, by=cast.coordinator, note="Geklärt.")
    request_services.request_propose(request=other, by=cast.coordinator, supporters=[supporter])
    request_services.proposal_decline(
        proposal=Proposal.objects.get(request=other, supporter=supporter),
        by=supporter,
        reason="Quirin Zwetschkenröster hat keine Zeit.",
    )
    # A running accompaniment: a session planned by the supporter (its invitation names both
    # in the calendar file) and a next step that names her.
    from lotse.support.services import requests as request_services

    running = bring_to_state(cast, State.AGREED, subject="Dritte Anfrage")
    starts = timezone.now() + dt.timedelta(days=3)
    accompaniment_services.session_plan(
        request=running,
        by=supporter,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        place="Raum von Sieglinde Quastenflosser",
        participants="Sieglinde Quastenflosser, Quirin Zwetschkenröster",
    )
    accompaniment_services.next_step_add(
        request=running,
        by=supporter,
        text="Sieglinde Quastenflosser lädt die Steuergruppe ein.",
        owner="school",
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    # Her answer by mail, kept raw.
    raw = (
        f"From: Sieglinde Quastenflosser <{CONTACT['email']}>\nSubject: Re: #{sr.token}\n\nDanke!\n"
    ).encode()
    InboundMail.objects.create(
        site=cast.site_a,
        sha256=hashlib.sha256(raw).hexdigest(),
        raw=raw,
        sender=CONTACT["email"],
        subject=f"Re: #{sr.token}",
        outcome=InboundMail.Outcome.REPLY,
        request=sr,
    )
    for person in (contact, supporter):
        EmailAddress.objects.create(user=person, email=person.email, primary=True, verified=True)
        audit.read(
            person=person,
            role=Role.objects.filter(person=person).first().kind,  # type: ignore[union-attr]
            organisation=cast.organisation,
            subject=sr,
            what="detail",
        )
    # An offer names the supporter as its contact; the admin log knows both.
    OfferFactory(
        organisation=cast.organisation,
        contact_name="Quirin Zwetschkenröster",
        contact_email=SUPPORTER["email"],
        contact_phone=SUPPORTER["phone"],
    )
    person_type = ContentType.objects.get_for_model(Person)
    for person in (contact, supporter):
        LogEntry.objects.create(
            user=cast.admin,
            content_type=person_type,
            object_id=str(person.pk),
            object_repr=str(person),
            action_flag=CHANGE,
            change_message="[]",
        )
    LogEntry.objects.create(
        user=supporter,
        content_type=person_type,
        object_id=str(supporter.pk),
        object_repr=str(supporter),
        action_flag=CHANGE,
        change_message="[]",
    )
    # A retention rule records who changed it (here the supporter was admin for a while).
    RetentionRule.objects.create(
        organisation=cast.organisation,
        kind="support.completed",
        months=36,
        action="delete",
        changed_by=supporter,
    )
    return {"request": sr, "other": other, "contact": contact, "supporter": supporter}


def referring_rows(person: Person) -> dict[str, set[int]]:
    """Every row of every installed model that refers to the person, found independently of the
    registry: by each relation to the person model, and by each e-mail field."""
    person_model = apps.get_model(settings.AUTH_USER_MODEL)
    found: dict[str, set[int]] = {}
    for model in apps.get_models():
        if model is person_model:
            continue
        q = Q(pk__in=[])
        for f in model._meta.get_fields():
            if f.is_relation and not f.auto_created and f.related_model is person_model:
                q |= Q(**{f.name: person})
            elif isinstance(f, models.EmailField):
                q |= Q(**{f"{f.name}__iexact": person.email})
        pks = set(model._default_manager.filter(q).values_list("pk", flat=True))
        if pks:
            found[model._meta.label_lower] = pks
    return found


def every_text(exclude: tuple[type[models.Model], ...] = ()) -> list[tuple[str, str]]:
    """(model label, text) of every field of every row of every installed model, with
    encrypted fields decrypted and JSON written out."""
    texts = []
    for model in apps.get_models():
        if model in exclude:
            continue
        for obj in model._default_manager.all():
            for f in model._meta.concrete_fields:
                value = getattr(obj, f.attname)
                if isinstance(value, bytes | memoryview):
                    value = bytes(value).decode("utf-8", "replace")
                elif not isinstance(value, str):
                    value = json.dumps(value, default=str, ensure_ascii=False)
                texts.append((model._meta.label, value.lower()))
    return texts


def export_as_admin(cast: Cast, person: Person) -> tuple[Any, dict[str, Any]]:
    client = Client()
    client.force_login(cast.admin)
    response = client.post(
        f"/organisation/{cast.organisation.slug}/personen/{person.pk}/datenschutz/export/"
    )
    assert response.status_code == 200
    return response, json.loads(response.content)


def erase_as_admin(cast: Cast, person: Person, confirmation: str | None = None) -> Any:
    client = Client()
    client.force_login(cast.admin)
    return client.post(
        f"/organisation/{cast.organisation.slug}/personen/{person.pk}/datenschutz/loeschen/",
        {"confirmation": person.email if confirmation is None else confirmation},
    )


# --- coverage ----------------------------------------------------------------------------------


def test_every_relation_to_a_person_and_every_email_field_is_covered() -> None:
    assert privacy.uncovered() == [], (
        "models that refer to a person without a privacy registration "
        "(register them with lotse.core.privacy.register)"
    )


def test_the_coverage_check_names_a_model_that_is_not_registered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entries = {k: v for k, v in privacy._ENTRIES.items() if k != "support.proposal"}
    monkeypatch.setattr(privacy, "_ENTRIES", entries)
    assert privacy.uncovered() == [
        "support.Proposal.supporter",
        "support.Proposal.proposed_by",
        "support.Proposal.removed_by",
    ]


def test_the_coverage_check_names_a_relation_left_out_of_a_registration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entries = dict(privacy._ENTRIES)
    entries["support.meeting"] = privacy.Entry(
        label="support.Meeting", fields=(), text_fields=(), erase=privacy.delete
    )
    monkeypatch.setattr(privacy, "_ENTRIES", entries)
    assert privacy.uncovered() == ["support.Meeting.created_by"]


def test_allauth_mfa_and_user_sessions_are_covered_and_keep_secrets_out() -> None:
    mfa = privacy._ENTRIES["mfa.authenticator"]
    sessions = privacy._ENTRIES["usersessions.usersession"]
    assert (mfa.fields, mfa.erase, mfa.exclude) == (("user",), privacy.delete, ("data",))
    assert sessions.fields == ("user",)
    assert "session_key" in sessions.exclude


# --- export ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["contact", "supporter"])
def test_export_holds_every_row_that_refers_to_the_person(
    cast: Cast, footprint: dict[str, Any], who: str
) -> None:
    person = footprint[who]
    expected = referring_rows(person)
    response, data = export_as_admin(cast, person)

    assert response["Content-Type"].startswith("application/json")
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="lotse-person-{person.pk}-')
    assert disposition.endswith('.json"')
    assert data["person"]["email"] == person.email
    assert "password" not in data["person"]
    exported = {label: {row["id"] for row in rows} for label, rows in data["data"].items()}
    for label, pks in expected.items():
        assert pks <= exported.get(label, set()), f"{label} rows missing from the export"
    # The footprint reaches into every part that can refer to a person.
    common = {"core.role", "core.accesslog", "account.emailaddress", "support.acceptance"}
    own = {
        "contact": {"support.supportrequest", "support.timelineevent"},
        "supporter": {
            "admin.logentry",
            "catalog.offer",
            "core.retentionrule",
            "support.proposal",
            "support.meeting",
            "support.agreement",
            "support.timelineevent",
        },
    }[who]
    assert set(expected) >= common | own


def test_export_of_a_school_contact_has_her_request_mails_and_decrypted_text(
    cast: Cast, footprint: dict[str, Any]
) -> None:
    _response, data = export_as_admin(cast, footprint["contact"])
    requests = {row["id"]: row for row in data["data"]["support.supportrequest"]}
    assert requests[footprint["request"].pk]["text"] == TEXT
    assert requests[footprint["request"].pk]["contact_phone"] == CONTACT["phone"]
    assert "row_key" not in requests[footprint["request"].pk]
    mail = data["data"]["support.inboundmail"][0]
    assert "Sieglinde Quastenflosser" in base64.b64decode(mail["raw"]["base64"]).decode()
    assert any(CONTACT["email"] in row["to"] for row in data["data"]["core.outboxmessage"])
    # What she read is part of her data.
    assert [row["what"] for row in data["data"]["core.accesslog"]] == ["detail"]


def test_export_of_a_supporter_has_his_notes_meetings_and_kontrakt_versions(
    cast: Cast, footprint: dict[str, Any]
) -> None:
    _response, data = export_as_admin(cast, footprint["supporter"])
    events = data["data"]["support.timelineevent"]
    assert "Erstes Telefonat." in [e["note"] for e in events]
    assert {p["status"] for p in data["data"]["support.proposal"]} == {"accepted", "declined"}
    assert "Quirin Zwetschkenröster hat keine Zeit." in [
        p["decline_reason"] for p in data["data"]["support.proposal"]
    ]
    assert data["data"]["support.meeting"][0]["participants"].startswith("Sieglinde")
    agreement = data["data"]["support.agreement"][0]
    assert agreement["goals"].startswith("Feedback im Unterricht")
    assert data["data"]["catalog.offer"][0]["contact_email"] == SUPPORTER["email"]
    assert {a["side"] for a in data["data"]["support.acceptance"]} == {"supporter"}
    # The school's request text is not the supporter's data.
    assert "support.supportrequest" not in data["data"]


def test_each_export_writes_one_row_on_the_person_and_one_on_each_request_it_reads(
    cast: Cast, footprint: dict[str, Any]
) -> None:
    person = footprint["contact"]
    before = AccessLog.objects.count()
    export_as_admin(cast, person)
    rows = list(AccessLog.objects.order_by("pk")[before:])
    assert {(row.person, row.role, row.what) for row in rows} == {(cast.admin, "admin", "export")}
    on_person = [row for row in rows if row.subject_type == "core.person"]
    assert [row.subject_id for row in on_person] == [person.pk]
    # The requests she took part in each show the export on their own access log page.
    requests = {row.subject_id for row in rows if row.subject_type == "support.supportrequest"}
    assert requests == set(involved_requests(Subject.of(person)).values_list("pk", flat=True))
    assert requests
    assert len(rows) == 1 + len(requests)
    export_as_admin(cast, person)
    assert AccessLog.objects.count() == before + 2 * len(rows)


# --- erasure -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "values"), [("contact", CONTACT), ("supporter", SUPPORTER)])
def test_after_erasure_the_person_is_found_nowhere(
    cast: Cast, footprint: dict[str, Any], who: str, values: dict[str, str]
) -> None:
    person = footprint[who]
    assert any(needle in text for _label, text in every_text() for needle in sentinels(values)), (
        "the footprint must contain the sentinels before the erasure"
    )

    response = erase_as_admin(cast, person)

    assert response.status_code == 302
    found = [
        (label, needle)
        for label, text in every_text()
        for needle in sentinels(values)
        if needle in text
    ]
    assert found == []
    person.refresh_from_db()
    assert person.erased_at is not None
    assert person.email == f"erased-{person.pk}@erased.invalid"
    assert (person.first_name, person.last_name, person.phone) == ("", "", "")
    assert not person.is_active
    assert not person.has_usable_password()
    assert not Role.objects.filter(person=person).exists()
    assert not EmailAddress.objects.filter(user=person).exists()
    # The request and its history stay with the school; the erased person shows as such.
    assert SupportRequest.objects.filter(pk=footprint["request"].pk).exists()
    with translation.override("de"):
        assert person.get_full_name() == str(translation.gettext("erased person"))


def test_the_erasure_is_recorded_without_personal_data(
    cast: Cast, footprint: dict[str, Any]
) -> None:
    person = footprint["contact"]
    erase_as_admin(cast, person)
    erasure = Erasure.objects.get()
    assert (erasure.person_id, erasure.by, erasure.organisation) == (
        person.pk,
        cast.admin,
        cast.organisation,
    )
    assert erasure.counts["core.role"] == 1
    assert erasure.counts["support.supportrequest"] >= 1
    assert not any(n in json.dumps(erasure.counts).lower() for n in sentinels(CONTACT))


def test_the_access_log_keeps_the_erased_persons_reads(
    cast: Cast, footprint: dict[str, Any]
) -> None:
    person = footprint["contact"]
    log_before = list(AccessLog.objects.filter(person=person).values())
    erase_as_admin(cast, person)
    assert list(AccessLog.objects.filter(person=person).values()) == log_before
    assert log_before


def test_the_erased_person_cannot_log_in_and_loses_their_session(
    cast: Cast, footprint: dict[str, Any], client: Client
) -> None:
    person = footprint["contact"]
    assert client.login(username=CONTACT["email"], password=PASSWORD)
    assert client.get("/anfragen/").status_code == 200

    erase_as_admin(cast, person)

    assert client.get("/anfragen/").status_code == 302  # back to the login page
    assert not client.login(username=CONTACT["email"], password=PASSWORD)
    person.refresh_from_db()
    assert not client.login(username=person.email, password=PASSWORD)


def test_the_kontrakt_pdf_still_renders_with_an_erased_person(
    cast: Cast, footprint: dict[str, Any], client: Client
) -> None:
    sr = footprint["request"]
    erase_as_admin(cast, footprint["contact"])

    client.force_login(cast.supporter)
    agreement = Agreement.objects.get(request=sr)
    response = client.get(f"/anfragen/{sr.pk}/kontrakt/{agreement.version}/pdf/")

    assert response.status_code == 200
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    ).replace("\n", " ")
    with translation.override("de"):
        assert str(translation.gettext("erased person")) in text
    assert "Quastenflosser" not in text
    assert "Zwetschkenröster" in text  # the supporter was not erased
    assert agreement.acceptances.count() == 2


def test_a_wrong_confirmation_erases_nothing(cast: Cast, footprint: dict[str, Any]) -> None:
    person = footprint["contact"]
    response = erase_as_admin(cast, person, confirmation="jemand@anders.example")

    assert response.status_code == 400
    with translation.override("de"):
        assert response.context["form"].errors["confirmation"] == [
            translation.gettext("The e-mail address does not match. Nothing has been erased.")
        ]
    person.refresh_from_db()
    assert person.email == CONTACT["email"]
    assert person.erased_at is None
    assert Role.objects.filter(person=person).exists()
    assert not Erasure.objects.exists()


# --- who may ------------------------------------------------------------------------------------


def test_a_person_of_two_organisations_is_refused_to_an_admin_of_one(
    cast: Cast, client: Client
) -> None:
    shared = person_with_role(Role.Kind.SUPPORTER, cast.organisation, email="beide@example.org")
    Role.objects.create(person=shared, organisation=OrganisationFactory(), kind="member")
    base = f"/organisation/{cast.organisation.slug}/personen/{shared.pk}/datenschutz/"
    client.force_login(cast.admin)
    log_before = AccessLog.objects.count()

    page = client.get(base)
    export = client.post(f"{base}export/")
    erase = client.post(f"{base}loeschen/", {"confirmation": "beide@example.org"})

    assert page.status_code == 200
    assert page.context["refusal"]
    assert (export.status_code, erase.status_code) == (403, 403)
    with translation.override("de"):
        several = translation.gettext(
            "This person also holds roles in another organisation. Their data belong to "
            "several controllers; only the installation's operators may export or erase them."
        )
    assert page.context["refusal"] == export.context["refusal"] == several
    shared.refresh_from_db()
    assert shared.erased_at is None
    assert AccessLog.objects.count() == log_before


def test_a_superuser_may_export_and_erase_a_person_of_two_organisations(
    cast: Cast, client: Client
) -> None:
    shared = person_with_role(Role.Kind.SUPPORTER, cast.organisation, email="beide@example.org")
    Role.objects.create(person=shared, organisation=OrganisationFactory(), kind="member")
    operator = Person.objects.create_superuser("betrieb@example.org", PASSWORD)
    give_totp(operator)
    client.force_login(operator)
    base = f"/organisation/{cast.organisation.slug}/personen/{shared.pk}/datenschutz/"

    assert client.post(f"{base}export/").status_code == 200
    assert client.post(f"{base}loeschen/", {"confirmation": "beide@example.org"}).status_code == 302
    shared.refresh_from_db()
    assert shared.erased_at is not None
    assert Erasure.objects.get().by == operator


def test_people_of_another_organisation_are_not_found(cast: Cast, client: Client) -> None:
    stranger = person_with_role(Role.Kind.MEMBER, OrganisationFactory(), email="x@example.org")
    client.force_login(cast.admin)
    base = f"/organisation/{cast.organisation.slug}/personen/{stranger.pk}/datenschutz/"
    assert client.get(base).status_code == 404
    assert client.post(f"{base}export/").status_code == 404
    assert client.post(f"{base}loeschen/", {"confirmation": "x@example.org"}).status_code == 404


def test_the_person_list_searches_names_and_addresses_in_the_organisation(
    cast: Cast, client: Client
) -> None:
    person_with_role(Role.Kind.MEMBER, OrganisationFactory(), last_name="Berger")
    client.force_login(cast.admin)
    url = f"/organisation/{cast.organisation.slug}/personen/"

    everyone = client.get(url).context["page"].object_list
    found = client.get(url, {"q": "berger"}).context["page"].object_list
    by_address = client.get(url, {"q": "otto@begleitung"}).context["page"].object_list

    assert cast.outsider not in everyone
    assert cast.admin in everyone
    assert list(found) == [cast.supporter]
    assert list(by_address) == [cast.other_supporter]


def test_the_service_refuses_a_coordinator(cast: Cast) -> None:
    with pytest.raises(privacy.Refused):
        privacy.person_export(
            person=cast.school_contact_a, by=cast.coordinator, organisation=cast.organisation
        )
    assert not AccessLog.objects.exists()
