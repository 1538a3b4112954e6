"""Issue 11, data protection: secure deletion in SQLite, unreadable values that keep the page,
the access log's refresh rows and its retention, and the export of what others wrote."""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import json
import logging
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, models, transaction
from django.db.models import Q
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.log import AdminEmailHandler

from lotse.core import audit, retention
from lotse.core.models import AccessLog, OutboxMessage, RetentionRun, Role
from lotse.lib import crypto
from lotse.support.models import (
    NextStep,
    Proposal,
    Release,
    Session,
    State,
    SupportRequest,
    TimelineEvent,
)
from lotse.support.retention import ANONYMISED_SUBJECT
from lotse.support.services import accompaniment as accompaniment_services
from lotse.support.services import records as record_services
from lotse.support.services import requests as request_services
from tests.factories import Cast, bring_to_state, walk

# --- deleted rows are wiped in the file --------------------------------------------------------


@pytest.mark.django_db
def test_every_sqlite_connection_overwrites_deleted_rows() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1
    # A connection opened later (another server process, the worker) has it too.
    fresh = connections.create_connection("default")
    try:
        with fresh.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete")
            assert cursor.fetchone()[0] == 1
    finally:
        # Django ignores close() on an in-memory test database; close the SQLite handle itself
        # (the shared in-memory database lives on in the test's own connection).
        if fresh.connection is not None:
            fresh.connection.close()


# --- anonymising leaves no person and no free text under a request -----------------------------

# What may stay under an anonymised request, field by field, and why. Every other field of every
# row that still belongs to the request must be empty: no person, no text, no data.
ALLOWED: dict[str, dict[str, str]] = {
    "support.SupportRequest": {
        "id": "the row itself",
        "organisation": "statistics: which organisation",
        "site": "statistics: which site",
        "school": "statistics: which school was supported (an institution, not a person)",
        "token": "a random reference without meaning",
        "channel": "statistics: form, mail or public form",
        "subject": "the mark of an anonymised request, '–'",
        "quality_area": "statistics: the area of school quality",
        "offer": "statistics: the offer asked for",
        "state": "statistics: how the request ended",
        "row_key": "a random key that binds the emptied encrypted fields to the row",
        "received_at": "a date",
        "acknowledge_due_at": "a date",
        "acknowledged_at": "a date",
        "inbox_rank": "derived from the state by the database",
        "closed_at": "a date",
        "updated_at": "a date",
    },
    "support.TimelineEvent": {
        "id": "the row itself",
        "request": "the chain to the request",
        "kind": "which step happened, e.g. 'accepted' (a fixed word, no text)",
        "created_at": "a date",
        "row_key": "a random key that binds the emptied note to the row",
        "visibility": "a level of the emptied entry, no content",
        "data": "only channel, Kontrakt version and side stay (checked below)",
    },
    "support.Session": {
        "id": "the row itself",
        "request": "the chain to the request",
        "uid": "a random calendar id without meaning",
        "sequence": "a count of calendar updates",
        "starts_at": "a date",
        "ends_at": "a date",
        "status": "statistics: held, planned or cancelled",
        "visibility": "a level of the emptied record, no content",
        "row_key": "a random key that binds the emptied fields to the row",
        "created_at": "a date",
        "recorded_at": "a date",
        "methods": "statistics: the methods used, from the organisation's list (no text)",
    },
    "support.NextStep": {
        "id": "the row itself",
        "request": "the chain to the request",
        "session": "the chain to the session it came from",
        "owner": "statistics: which side (school, supporter, both), no person",
        "due_on": "a date",
        "done_at": "a date",
        "visibility": "a level of the emptied text, no content",
        "row_key": "a random key that binds the emptied text to the row",
        "created_at": "a date",
    },
    "support.FinalReflection": {
        "id": "the row itself",
        "request": "the chain to the request",
        "visibility": "a level of the emptied text, no content",
        "row_key": "a random key that binds the emptied text to the row",
        "written_at": "a date",
        "school_confirmed_at": "a date",
        "supporter_confirmed_at": "a date",
    },
    "support.EvaluationSubmission": {
        "id": "the row itself",
        "request": "the chain to the request",
        "side": "that a side answered, never what",
        "declined": "that a side declined, never why",
        "submitted_at": "a date",
    },
}
NEUTRAL_EVENT_DATA = {"channel", "version", "side"}


def _paths_to_request(max_depth: int = 3) -> dict[type[models.Model], list[str]]:
    """Every installed model with a chain of foreign keys to a request, with the lookups of
    those chains ("request", "session__request", ...), found from the models, not a list."""
    paths: dict[type[models.Model], list[str]] = {SupportRequest: ["pk"]}
    for _depth in range(max_depth):
        for model in apps.get_models():
            # Forward foreign keys and one-to-one fields (a subclass of ForeignKey).
            for f in model._meta.concrete_fields:
                if not isinstance(f, models.ForeignKey):
                    continue
                target = f.related_model
                if target is None or target not in paths or model is target:
                    continue
                for path in paths[target]:
                    lookup = f.name if path == "pk" else f"{f.name}__{path}"
                    if lookup not in paths.setdefault(model, []):
                        paths[model].append(lookup)
    return paths


def _is_empty(value: object) -> bool:
    return value in (None, "", b"", [], {}) or (
        isinstance(value, bytes | memoryview) and not bytes(value)
    )


def what_stays_under(sr: SupportRequest) -> list[str]:
    """ "Model.field = value" for every non-empty field that stays under the request and is not
    allowed, and every relation to a person that is still set."""
    person_model = apps.get_model(settings.AUTH_USER_MODEL)
    found: list[str] = []
    for model, lookups in _paths_to_request().items():
        q = Q(pk__in=[])
        for lookup in lookups:
            q |= Q(**{lookup: sr.pk})
        allowed = ALLOWED.get(model._meta.label, {})
        for row in model._default_manager.filter(q).distinct():
            for f in model._meta.concrete_fields:
                value = getattr(row, f.attname)
                if f.is_relation and f.related_model is person_model:
                    if value is not None:
                        found.append(f"{model._meta.label}.{f.name}: a person")
                elif f.name not in allowed and not _is_empty(value):
                    found.append(f"{model._meta.label}.{f.name} = {str(value)[:60]!r}")
            for m2m in model._meta.many_to_many:
                if m2m.name not in allowed and getattr(row, m2m.name).exists():
                    found.append(f"{model._meta.label}.{m2m.name}: linked rows")
    return found


@pytest.mark.django_db
def test_anonymising_leaves_no_person_and_no_free_text_under_the_request(cast: Cast) -> None:
    closed = timezone.now() - dt.timedelta(days=31 * 25)
    with time_machine.travel(closed - dt.timedelta(days=40), tick=False):
        sr = bring_to_state(
            cast,
            State.ACCOMPANYING,
            reflected=True,
            text="Bitte rufen Sie Frau Quastenflosser an.",
            contact_phone="0351 4455667",
        )
        note = record_services.note_add(
            request=sr, by=cast.school_contact_a, text="Vertraulich: Konflikt im Kollegium."
        )
        record_services.document_upload(
            request=sr, by=cast.supporter, filename="Plan.pdf", content_type="", content=b"%PDF"
        )
        # The school releases its note for a purpose it types: a consent with text and person.
        record_services.entry_release(
            entry=note, by=cast.school_contact_a, purpose="Für die Schulkonferenz am Montag"
        )
        starts = closed - dt.timedelta(days=20)
        session = accompaniment_services.session_plan(
            request=sr,
            by=cast.supporter,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            place="Raum 3",
            participants="Frau Schulz, Steuergruppe",
        )
    with time_machine.travel(starts + dt.timedelta(minutes=10), tick=False):
        accompaniment_services.session_record(
            session=session,
            by=cast.supporter,
            participants="Frau Schulz",
            notes="Notiz der Sitzung",
            reflection="Gemeinsame Reflexion",
            progress=[accompaniment_services.ProgressData(1, 2, "Fortschritt")],
            next_steps=[accompaniment_services.StepData("Fragebogen", "supporter", starts.date())],
        )
    with time_machine.travel(closed, tick=False):
        sr = walk(cast, sr, "complete")
    # Before: the release with its purpose and person, the proposal's addressee are there.
    assert Release.objects.filter(request=sr).exists()
    assert TimelineEvent.objects.filter(request=sr, addressee__isnull=False).exists()

    retention.apply(now=timezone.now())

    assert SupportRequest.objects.get(pk=sr.pk).subject == ANONYMISED_SUBJECT
    stays = what_stays_under(sr)
    assert stays == [], "\n".join(stays)
    for event in TimelineEvent.objects.filter(request=sr):
        assert set(event.data) <= NEUTRAL_EVENT_DATA
    # Mails about the request name it by reference, not by a foreign key: they go too.
    assert not OutboxMessage.objects.filter(reference=f"support.SupportRequest:{sr.pk}").exists()
    # The school contact's export no longer shows the purpose she typed, nor the texts.
    exported = json.dumps(_export(cast, cast.school_contact_a), ensure_ascii=False)
    assert "Schulkonferenz" not in exported
    assert "Konflikt im Kollegium" not in exported
    # The facts for statistics are still there.
    assert Session.objects.filter(request=sr, status=Session.Status.HELD).count() == 1
    assert NextStep.objects.filter(request=sr).exists()


def test_the_walk_finds_the_models_under_a_request() -> None:
    """The walk is not vacuous: it reaches the models with a chain to a request."""
    paths = _paths_to_request()
    for label, lookup in [
        ("support.TimelineEvent", "request"),
        ("support.Release", "request"),
        ("support.GoalProgress", "session__request"),
        ("support.Acceptance", "agreement__request"),
        ("support.InboundMail", "request"),
    ]:
        assert lookup in paths[apps.get_model(label)], label


# --- one unreadable value keeps the page ------------------------------------------------------

UNREADABLE = "Dieser Eintrag ist nicht lesbar."


def _request_with_broken_notes(cast: Cast) -> tuple[SupportRequest, dict[str, int]]:
    """A request with a readable note, one sealed with a key this installation does not have,
    and one whose value was copied from another row."""
    sr = bring_to_state(cast, State.AGREED)

    def note(text: str) -> TimelineEvent:
        return record_services.note_add(
            request=sr, by=cast.school_contact_a, text=text, visibility="coordination"
        )

    readable = note("Lesbare Notiz der Schule")
    foreign = note("Geheim: fremder Schlüssel")
    copied = note("Geheim: kopierte Zeile")
    with override_settings(LOTSE_ENCRYPTION_KEYS=crypto.new_key_spec("fremd")):
        row = TimelineEvent.objects.get(pk=foreign.pk)
        row.note = "Geheim: fremder Schlüssel"
        row.save(update_fields=["note"])
    sealed = TimelineEvent.objects.get(pk=readable.pk).__dict__["note"]
    TimelineEvent.objects.filter(pk=copied.pk).update(note=crypto.Sealed(bytes(sealed)))
    return sr, {"readable": readable.pk, "foreign": foreign.pk, "copied": copied.pk}


def _entry(page: str, pk: int) -> str:
    start = page.index(f'id="entry-{pk}"')
    return page[start : page.index("</li>", start)]


@pytest.mark.django_db
def test_an_unreadable_value_shows_as_unreadable_and_the_page_stays(
    cast: Cast, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    sr, pks = _request_with_broken_notes(cast)
    caplog.set_level(logging.ERROR, logger="lotse.unreadable")
    client.force_login(cast.coordinator)

    response = client.get(f"/anfragen/{sr.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Lesbare Notiz der Schule" in _entry(page, pks["readable"])
    for name in ("foreign", "copied"):
        entry = _entry(page, pks[name])
        assert UNREADABLE in entry
        assert "Grund" not in entry  # the reason is for admins
    assert "Kontrakt" in page  # the rest of the page is there
    # Reported once per value, without content.
    reports = [r for r in caplog.records if r.name == "lotse.unreadable"]
    assert len(reports) == 2
    assert all(r.levelno == logging.ERROR for r in reports)
    assert "'fremd'" in reports[0].getMessage() + reports[1].getMessage()
    assert not any("Geheim" in r.getMessage() for r in reports)
    # The refresh of the timeline and a second reader do not report again.
    client.get(f"/anfragen/{sr.pk}/?fragment=timeline", headers={"HX-Request": "true"})
    client.force_login(cast.school_contact_a)
    assert client.get(f"/anfragen/{sr.pk}/").status_code == 200
    assert len([r for r in caplog.records if r.name == "lotse.unreadable"]) == 2


@pytest.mark.django_db
def test_admins_read_the_reason_of_an_unreadable_value(cast: Cast, client: Client) -> None:
    sr, pks = _request_with_broken_notes(cast)
    Role.objects.create(
        person=cast.coordinator, organisation=cast.organisation, kind=Role.Kind.ADMIN
    )
    client.force_login(cast.person("coordinator"))

    page = client.get(f"/anfragen/{sr.pk}/").content.decode()

    assert "„fremd“" in _entry(page, pks["foreign"])
    assert "nicht im Schlüsselbund" in _entry(page, pks["foreign"])
    assert "gehört nicht zu diesem Eintrag" in _entry(page, pks["copied"])


@pytest.mark.django_db
def test_the_report_of_an_unreadable_value_is_mailed_to_the_admins_once(
    cast: Cast, client: Client, settings: Any, mailoutbox: list[Any]
) -> None:
    settings.ADMINS = ["betrieb@example.org"]
    sr, _pks = _request_with_broken_notes(cast)
    # The handler that LOGGING installs for ERROR when LOTSE_ADMINS is set.
    handler = AdminEmailHandler()
    reporter = logging.getLogger("lotse.unreadable")
    reporter.addHandler(handler)
    try:
        client.force_login(cast.coordinator)
        client.get(f"/anfragen/{sr.pk}/")
        client.get(f"/anfragen/{sr.pk}/")
    finally:
        reporter.removeHandler(handler)
    assert len(mailoutbox) == 2
    assert all(m.to == ["betrieb@example.org"] for m in mailoutbox)
    assert not any("Geheim" in m.body or "Geheim" in m.subject for m in mailoutbox)


@pytest.mark.django_db
def test_an_unreadable_value_is_never_written_back(cast: Cast) -> None:
    _sr, pks = _request_with_broken_notes(cast)
    with crypto.tolerant(show_reason=lambda: False, report=lambda *args: None):
        row = TimelineEvent.objects.get(pk=pks["foreign"])
        assert isinstance(row.note, crypto.Unreadable)
        row.note = row.note
        with pytest.raises(crypto.DecryptionError), transaction.atomic():
            row.save(update_fields=["note"])
    # Outside a page that only reads, the error shows as before.
    with pytest.raises(crypto.DecryptionError):
        _ = TimelineEvent.objects.get(pk=pks["copied"]).note


# --- the access log: a refresh is logged only when it may show something new ------------------


def _timeline_reads(person: Any, sr: SupportRequest) -> list[str]:
    return list(
        AccessLog.objects.filter(
            person=person, subject_type="support.supportrequest", subject_id=sr.pk
        )
        .order_by("at", "pk")
        .values_list("what", flat=True)
    )


@pytest.mark.django_db
def test_a_timeline_refresh_is_logged_only_when_it_shows_something_new(
    cast: Cast, client: Client
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    client.force_login(cast.coordinator)
    refresh = f"/anfragen/{sr.pk}/?fragment=timeline"

    assert client.get(f"/anfragen/{sr.pk}/").status_code == 200
    for _minute in range(3):
        assert client.get(refresh, headers={"HX-Request": "true"}).status_code == 200
    # Three refreshes that showed what the page had shown: one read.
    assert _timeline_reads(cast.coordinator, sr) == ["request"]

    record_services.note_add(
        request=sr, by=cast.school_contact_a, text="Neue Notiz", visibility="coordination"
    )
    page = client.get(refresh, headers={"HX-Request": "true"}).content.decode()
    assert "Neue Notiz" in page
    client.get(refresh, headers={"HX-Request": "true"})
    # The refresh that showed the new note is logged, the one after it is not.
    assert _timeline_reads(cast.coordinator, sr) == ["request", "timeline"]


@pytest.mark.django_db
def test_a_refresh_without_an_earlier_read_is_logged(cast: Cast, client: Client) -> None:
    sr = bring_to_state(cast, State.CLARIFIED)
    client.force_login(cast.coordinator)
    client.get(f"/anfragen/{sr.pk}/?fragment=timeline", headers={"HX-Request": "true"})
    assert _timeline_reads(cast.coordinator, sr) == ["timeline"]


# --- the access log's retention: whole months, by the operators' command, recorded ------------


def _read_at(cast: Cast, when: dt.datetime) -> AccessLog:
    return AccessLog.objects.create(
        at=when,
        person=cast.coordinator,
        role="coordinator",
        organisation=cast.organisation,
        subject_type="support.supportrequest",
        subject_id=1,
        what="request",
    )


@pytest.mark.django_db
def test_the_access_log_is_cut_only_as_whole_months_past_its_retention(
    cast: Cast, settings: Any
) -> None:
    settings.ACCESS_LOG_MONTHS = 24
    now = timezone.now()
    old = _read_at(cast, now - dt.timedelta(days=31 * 27))
    recent = _read_at(cast, now - dt.timedelta(days=31 * 22))
    limit = audit.earliest_cut()
    # A month inside the retention period is refused; so is a cut inside a month.
    inside = timezone.localtime(limit + dt.timedelta(days=40))
    with pytest.raises(CommandError, match="retention period"):
        call_command("cut-access-log", "--before", f"{inside:%Y-%m}")
    with pytest.raises(audit.CutRefused, match="start of a month"):
        audit.cut(before=limit - dt.timedelta(days=3))
    out = StringIO()
    call_command("cut-access-log", "--dry-run", stdout=out)
    assert "would remove 1 reads" in out.getvalue()
    assert AccessLog.objects.filter(pk=old.pk).exists()
    assert not RetentionRun.objects.filter(kind=audit.CUT_KIND).exists()

    call_command("cut-access-log", stdout=StringIO())

    assert not AccessLog.objects.filter(pk=old.pk).exists()
    assert AccessLog.objects.filter(pk=recent.pk).exists()
    run = RetentionRun.objects.get(kind=audit.CUT_KIND)
    assert (run.organisation, run.action, run.months, run.count) == (None, "delete", 24, 1)
    assert run.cutoff == limit
    # The log is append-only again: a single row cannot be deleted.
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=recent.pk).delete()


# --- key rotation while the server runs -------------------------------------------------------


@pytest.mark.django_db
def test_rotation_seals_what_was_written_meanwhile_and_check_says_when_old_keys_remain(
    cast: Cast, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = crypto.new_key_spec("alt"), crypto.new_key_spec("neu")
    settings.LOTSE_ENCRYPTION_KEYS = old
    sr = bring_to_state(cast, State.CLARIFIED)
    settings.LOTSE_ENCRYPTION_KEYS = f"{new},{old}"
    with pytest.raises(CommandError, match="not sealed with key 'neu'"):
        call_command("rotate-keys", "--check", stdout=StringIO())

    # A server process still on the old ring writes a note while the command runs.
    command = importlib.import_module("lotse.core.management.commands.rotate-keys")
    written: list[int] = []

    class WriterDuringTheRun(command.ProgressBar):  # type: ignore[name-defined,misc]
        def update(self, done: int) -> None:
            super().update(done)
            if not written:
                with override_settings(LOTSE_ENCRYPTION_KEYS=old):
                    event = record_services.note_add(
                        request=sr, by=cast.coordinator, text="Während der Rotation"
                    )
                written.append(event.pk)

    monkeypatch.setattr(command, "ProgressBar", WriterDuringTheRun)
    call_command("rotate-keys", stdout=StringIO())

    assert written
    settings.LOTSE_ENCRYPTION_KEYS = new  # the old key can go now
    out = StringIO()
    call_command("rotate-keys", "--check", stdout=out)
    assert "every encrypted value is sealed with key 'neu'" in out.getvalue()
    assert TimelineEvent.objects.get(pk=written[0]).note == "Während der Rotation"


@pytest.mark.django_db
def test_rotation_leaves_an_unreadable_value_and_rotates_the_rest(
    cast: Cast, settings: Any
) -> None:
    sr, pks = _request_with_broken_notes(cast)
    current = crypto.key_ring()
    old_spec = ",".join(
        f"{kid}:{base64.urlsafe_b64encode(key).decode()}" for kid, key in current.keys.items()
    )
    settings.LOTSE_ENCRYPTION_KEYS = f"{crypto.new_key_spec('neu')},{old_spec}"
    err = StringIO()

    call_command("rotate-keys", stdout=StringIO(), stderr=err)

    assert "support.TimelineEvent: 2 rows hold a value that no key of the ring opens" in (
        err.getvalue()
    )
    readable = TimelineEvent.objects.get(pk=pks["readable"])
    assert crypto.key_id(bytes(readable.__dict__["note"])) == "neu"
    assert readable.note == "Lesbare Notiz der Schule"
    assert SupportRequest.objects.get(pk=sr.pk).text


@pytest.mark.django_db
def test_the_check_fails_when_the_ring_lacks_the_key_of_the_data(cast: Cast, settings: Any) -> None:
    """Moving the generated key with a different id (or another key) must not pass."""
    settings.LOTSE_ENCRYPTION_KEYS = crypto.new_key_spec("local1")
    bring_to_state(cast, State.CLARIFIED)
    settings.LOTSE_ENCRYPTION_KEYS = crypto.new_key_spec("k1")
    out = StringIO()
    with pytest.raises(CommandError, match="under a key that is not in the ring"):
        call_command("rotate-keys", "--check", stdout=out)
    assert "support.SupportRequest: 1 rows under a key not in the ring" in out.getvalue()


# --- the export lists what others wrote on the person's requests ------------------------------


def _export(cast: Cast, person: Any) -> dict[str, Any]:
    client = Client()
    client.force_login(cast.admin)
    response = client.post(
        f"/organisation/{cast.organisation.slug}/personen/{person.pk}/datenschutz/export/"
    )
    assert response.status_code == 200
    return json.loads(response.content)


def _accompanied_with_entries(cast: Cast) -> SupportRequest:
    """A request of school A's contact, with what the supporter and the coordination wrote."""
    sr = bring_to_state(cast, State.ACCOMPANYING, reflected=True)
    record_services.note_add(
        request=sr, by=cast.supporter, text="Notiz der Unterstützung: Kollegium offen."
    )
    starts = timezone.now() + dt.timedelta(days=1)
    session = accompaniment_services.session_plan(
        request=sr,
        by=cast.supporter,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        place="Raum 3",
        participants="Steuergruppe",
    )
    with time_machine.travel(starts + dt.timedelta(minutes=10), tick=False):
        accompaniment_services.session_record(
            session=session,
            by=cast.supporter,
            participants="Steuergruppe",
            notes="Sitzungsnotiz: gute Stimmung",
            reflection="",
            progress=[],
            next_steps=[],
        )
    return sr


@pytest.mark.django_db
def test_the_export_holds_what_others_wrote_on_the_persons_request(cast: Cast) -> None:
    sr = _accompanied_with_entries(cast)

    export = _export(cast, cast.school_contact_a)

    section = export["written_by_others"]
    assert "Art. 15(4)" in section["about"]
    entries = section["entries"]
    assert {e["request"] for e in entries} == {sr.pk}
    by_kind = {e["kind"]: e for e in entries}
    note = by_kind["note"]
    assert note["author_role"] == "supporter"
    assert note["text"] == {"note": "Notiz der Unterstützung: Kollegium offen."}
    assert note["date"]
    assert note["reference"] == sr.token
    assert by_kind["session_record"]["text"]["notes"] == "Sitzungsnotiz: gute Stimmung"
    assert by_kind["final_reflection"]["author_role"] == "supporter"
    # The coordinator's note to the proposed supporter (for the coordination and participants).
    assert by_kind["proposed"]["author_role"] == "coordination"
    assert by_kind["proposed"]["text"] == {"note": "Passt gut."}
    # Her own entries are in "data", not here.
    assert all(e["author_role"] != "school" for e in entries)


@pytest.mark.django_db
def test_entries_the_person_may_no_longer_read_are_listed_without_their_text(
    cast: Cast,
) -> None:
    sr = _accompanied_with_entries(cast)
    record_services.note_add(
        request=sr, by=cast.school_contact_a, text="Nur für den Raum: Personalfrage."
    )
    request_services.proposal_remove(
        proposal=Proposal.objects.get(request=sr, supporter=cast.supporter),
        by=cast.coordinator,
        reason="Krankheit",
    )

    export = _export(cast, cast.supporter)

    entries = export["written_by_others"]["entries"]
    from_school = [e for e in entries if e["kind"] == "note" and e["author_role"] == "school"]
    assert len(from_school) == 1
    assert from_school[0]["text"] is None
    assert "Art. 15(4)" in from_school[0]["withheld"]
    assert from_school[0]["level"] == "participants"
    assert "Personalfrage" not in json.dumps(export, ensure_ascii=False)


@pytest.mark.django_db
def test_the_page_shown_again_after_an_invalid_form_keeps_an_unreadable_value(
    cast: Cast, client: Client
) -> None:
    sr, pks = _request_with_broken_notes(cast)
    client.force_login(cast.coordinator)

    response = client.post(f"/anfragen/{sr.pk}/notiz/", {"note-text": ""})

    assert response.status_code == 400
    page = response.content.decode()
    assert UNREADABLE in _entry(page, pks["foreign"])
    assert "Lesbare Notiz der Schule" in _entry(page, pks["readable"])


@pytest.mark.django_db
def test_the_person_page_says_what_the_export_lists(cast: Cast, client: Client) -> None:
    client.force_login(cast.admin)
    page = client.get(
        f"/organisation/{cast.organisation.slug}/personen/{cast.supporter.pk}/datenschutz/"
    ).content.decode()
    assert "was andere zu den eigenen Anfragen der Person geschrieben haben" in page


@pytest.mark.django_db
def test_an_unreadable_value_does_not_stop_the_export(cast: Cast) -> None:
    _sr, pks = _request_with_broken_notes(cast)

    export = _export(cast, cast.school_contact_a)

    events = {row["id"]: row for row in export["data"]["support.timelineevent"]}
    assert events[pks["readable"]]["note"] == "Lesbare Notiz der Schule"
    assert "'fremd'" in events[pks["foreign"]]["note"]["unreadable"]
    assert "unreadable" in events[pks["copied"]]["note"]


def test_the_allow_list_names_only_fields_that_exist() -> None:
    """Every field that may stay is a real field, so the list cannot hide a typo."""
    for label, fields in ALLOWED.items():
        model = apps.get_model(label)
        names = {f.name for f in model._meta.get_fields()}
        assert set(fields) <= names, (label, set(fields) - names)
