"""The pages of the accompaniment: planning and recording sessions, next steps, the request page's
"Als Nächstes" box and "Begleitung" section, and the organisation's methods."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lotse.core.models import AccessLog, OutboxMessage, Person
from lotse.support.models import (
    GoalProgress,
    Method,
    NextStep,
    Session,
    State,
    SupportRequest,
    Visibility,
)
from lotse.support.services import accompaniment as accompaniment_services
from lotse.support.services import records as record_services
from lotse.support.services.accompaniment import ProgressData, StepData
from tests.factories import Cast, bring_to_state

pytestmark = pytest.mark.django_db

ClientAs = Callable[[Person | None], Client]


def day(offset: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=offset)


def form(**changes: str) -> dict[str, str]:
    data = {
        "day": day(7).isoformat(),
        "begins": "14:00",
        "ends": "15:30",
        "place": "Schule, Raum 3",
        "participants": "Steuergruppe",
    }
    data.update(changes)
    return data


def fishbowl(cast: Cast) -> Method:
    return Method.objects.create(
        organisation=cast.organisation,
        name="Fishbowl",
        description="Eine kleine Runde spricht, die anderen hören zu.",
    )


def plan(cast: Cast, sr: SupportRequest, **kw: Any) -> Session:
    starts = timezone.make_aware(dt.datetime.combine(day(kw.pop("days", 7)), dt.time(14)))
    return accompaniment_services.session_plan(
        request=sr,
        by=cast.supporter,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90),
        place="Schule, Raum 3",
        participants=kw.pop("participants", "Frau Vertraulich"),
        **kw,
    )


def begun(session: Session) -> Session:
    past = timezone.now() - dt.timedelta(hours=2)
    Session.objects.filter(pk=session.pk).update(
        starts_at=past, ends_at=past + dt.timedelta(hours=1)
    )
    return Session.objects.get(pk=session.pk)


def text(response: Any) -> str:
    return response.content.decode()


# --- planning ---------------------------------------------------------------------------------


def test_the_supporter_plans_a_session_with_a_method(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.AGREED)
    method = fishbowl(cast)
    client = client_as(cast.supporter)
    page = client.get(f"/anfragen/{sr.pk}/termine/neu/")
    assert page.status_code == 200
    assert "Eine kleine Runde spricht" in text(page)

    response = client.post(
        f"/anfragen/{sr.pk}/termine/neu/", form(methods=str(method.pk)), follow=True
    )

    assert response.redirect_chain[-1][0].endswith(f"/anfragen/{sr.pk}/#begleitung")
    assert "Der Termin ist geplant." in text(response)
    session = Session.objects.get(request=sr)
    assert timezone.localtime(session.starts_at).hour == 14
    assert list(session.methods.all()) == [method]
    assert OutboxMessage.objects.filter(template="support/mail/session_invitation").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"day": day(-1).isoformat()}, "Der Termin muss in der Zukunft liegen."),
        ({"ends": "13:00"}, "Der Termin muss nach seinem Beginn enden."),
        ({"place": ""}, "Dieses Feld ist zwingend erforderlich."),
        ({"day": "morgen"}, "Bitte ein gültiges Datum eingeben."),
        ({"begins": "25:99"}, "Bitte eine gültige Uhrzeit eingeben."),
    ],
)
def test_bad_input_to_the_plan_is_explained_in_german(
    cast: Cast, client_as: ClientAs, changes: dict[str, str], message: str
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    response = client_as(cast.school_contact_a).post(
        f"/anfragen/{sr.pk}/termine/neu/", form(**changes)
    )
    assert response.status_code == 400
    assert message in text(response)
    assert not Session.objects.exists()


def test_a_method_of_another_organisation_is_no_choice(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.AGREED)
    foreign = Method.objects.create(
        organisation=cast.other_organisation, name="Fremd", description="Nicht von hier."
    )
    response = client_as(cast.supporter).post(
        f"/anfragen/{sr.pk}/termine/neu/", form(methods=str(foreign.pk))
    )
    assert response.status_code == 400
    assert "keine gültige Auswahl" in text(response)


def test_planning_too_early_says_why_on_the_request_page(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.MEETING_SCHEDULED)
    response = client_as(cast.supporter).get(f"/anfragen/{sr.pk}/termine/neu/", follow=True)
    assert "nicht möglich, solange die Anfrage" in text(response)


def test_moving_and_cancelling_from_the_page(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    session = plan(cast, sr)
    client = client_as(cast.school_contact_a)
    url = f"/anfragen/{sr.pk}/termine/{session.pk}/verschieben/"
    bad = client.post(url, form(ends="10:00"))
    assert bad.status_code == 400
    assert "Der Termin muss nach seinem Beginn enden." in text(bad)

    assert client.post(url, form(day=day(9).isoformat(), place="Aula")).status_code == 302
    session.refresh_from_db()
    assert (session.place, session.sequence) == ("Aula", 1)

    response = client.post(f"/anfragen/{sr.pk}/termine/{session.pk}/absagen/", follow=True)
    assert "Der Termin wurde abgesagt." in text(response)
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    again = client.post(f"/anfragen/{sr.pk}/termine/{session.pk}/absagen/")
    assert again.status_code == 400
    assert "Nur ein geplanter Termin kann geändert werden." in text(again)


# --- recording --------------------------------------------------------------------------------


def test_recording_shows_the_goals_and_keeps_progress_and_next_steps(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    session = begun(plan(cast, sr))
    client = client_as(cast.supporter)
    url = f"/anfragen/{sr.pk}/termine/{session.pk}/protokoll/"

    page = client.get(url)
    assert page.status_code == 200
    assert "Ziel 1: Feedback im Unterricht verankern" in text(page)
    assert "Frau Vertraulich" in text(page)  # who was to take part, to start from
    assert AccessLog.objects.filter(what="session_record").count() == 1

    bad = client.post(
        url,
        {
            "participants": "Steuergruppe",
            "step_1_text": "Fragebogen",
            "step_1_owner": "school",
            "step_1_due": day(-3).isoformat(),
        },
    )
    assert bad.status_code == 400
    assert "Das Fälligkeitsdatum darf nicht in der Vergangenheit liegen." in text(bad)
    missing = client.post(url, {"participants": "Steuergruppe", "step_1_text": "Fragebogen"})
    assert "Bitte geben Sie an, wer den nächsten Schritt übernimmt." in text(missing)
    assert "Bitte geben Sie ein Fälligkeitsdatum an." in text(missing)

    done = client.post(
        url,
        {
            "participants": "Steuergruppe",
            "notes": "Offenes Gespräch.",
            "reflection": "Gut vorangekommen.",
            "goal_1_level": "2",
            "goal_1_note": "Erste Runde.",
            "goal_2_level": "",
            "step_1_text": "Fragebogen entwerfen",
            "step_1_owner": "school",
            "step_1_due": day(10).isoformat(),
        },
    )
    assert done.status_code == 302
    session.refresh_from_db()
    assert session.status == Session.Status.HELD
    assert GoalProgress.objects.get(session=session).level == 2
    assert NextStep.objects.get(session=session).owner == "school"


def test_a_session_not_yet_begun_cannot_be_recorded(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    session = plan(cast, sr)
    response = client_as(cast.supporter).post(
        f"/anfragen/{sr.pk}/termine/{session.pk}/protokoll/", {"participants": "Alle"}
    )
    assert response.status_code == 400
    assert "erst dokumentiert werden, wenn er begonnen hat" in text(response)


# --- next steps on the request page -----------------------------------------------------------


def test_next_steps_are_added_and_ticked_off_on_the_request_page(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.AGREED)
    client = client_as(cast.school_contact_a)
    url = f"/anfragen/{sr.pk}/naechste-schritte/"
    bad = client.post(url, {"step-text": "Elternbrief", "step-owner": "school", "step-due_on": ""})
    assert bad.status_code == 400
    assert "Dieses Feld ist zwingend erforderlich." in text(bad)
    past = client.post(
        url,
        {"step-text": "Elternbrief", "step-owner": "school", "step-due_on": day(-1).isoformat()},
    )
    assert "Das Fälligkeitsdatum darf nicht in der Vergangenheit liegen." in text(past)
    assert not NextStep.objects.exists()

    ok = client.post(
        url, {"step-text": "Elternbrief", "step-owner": "school", "step-due_on": day(3).isoformat()}
    )
    assert ok.status_code == 302
    step = NextStep.objects.get()
    response = client_as(cast.supporter).post(
        f"/anfragen/{sr.pk}/naechste-schritte/{step.pk}/erledigt/", follow=True
    )
    assert "Der nächste Schritt ist als erledigt markiert." in text(response)
    step.refresh_from_db()
    assert step.done_by == cast.supporter


# --- the request page -------------------------------------------------------------------------


def test_the_school_sees_the_next_session_and_open_steps_at_the_top(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    plan(cast, sr, methods=[fishbowl(cast)])
    plan(cast, sr, days=20)
    step = accompaniment_services.next_step_add(
        request=sr, by=cast.supporter, text="Elternbrief schreiben", owner="school", due_on=day(1)
    )
    NextStep.objects.filter(pk=step.pk).update(due_on=day(-2))

    page = text(client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/"))

    box = page[page.index('id="als-naechstes"') : page.index('id="state-heading"')]
    assert "Als Nächstes" in box
    assert f"{day(7):%d.%m.%Y}" in box or day(7).strftime("%-d.") in box
    assert "Fishbowl" in box
    assert "Eine kleine Runde spricht, die anderen hören zu." in box
    assert "Elternbrief schreiben" in box
    assert "überfällig" in box
    assert page.index('id="als-naechstes"') < page.index('id="state-heading"')
    section = page[page.index('id="begleitung"') :]
    assert "Ziele und ihr Fortschritt" in section
    assert "Feedback im Unterricht verankern" in section


def test_the_coordination_sees_placeholders_until_the_school_widens(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    session = begun(plan(cast, sr))
    accompaniment_services.session_record(
        session=session,
        by=cast.supporter,
        participants="Frau Vertraulich",
        notes="Geheime Notiz",
        progress=[ProgressData(1, 3, "Fortschrittsnotiz")],
        next_steps=[StepData("Geheimer Schritt", "school", day(3))],
    )
    client = client_as(cast.coordinator)
    page = text(client.get(f"/anfragen/{sr.pk}/"))
    for secret in ("Frau Vertraulich", "Geheime Notiz", "Fortschrittsnotiz", "Geheimer Schritt"):
        assert secret not in page
    assert "Vertraulicher Eintrag – nur für die Teilnehmenden" in page
    assert "Schule, Raum 3" in page  # date and place are no secret

    record_services.entry_set_visibility(
        entry=session, by=cast.school_contact_a, visibility=Visibility.COORDINATION
    )
    page = text(client.get(f"/anfragen/{sr.pk}/"))
    assert "Geheime Notiz" in page
    assert "Fortschrittsnotiz" in page
    assert "Geheimer Schritt" not in page  # the next step has its own level


def test_the_request_page_with_sessions_writes_one_log_row_and_no_query_per_session(
    cast: Cast, client_as: ClientAs
) -> None:
    small = bring_to_state(cast, State.ACCOMPANYING, subject="Klein")
    large = bring_to_state(cast, State.ACCOMPANYING, subject="Groß")
    method = fishbowl(cast)
    for sr, rounds in ((small, 1), (large, 6)):
        for n in range(rounds):
            session = begun(plan(cast, sr, methods=[method]))
            accompaniment_services.session_record(
                session=session,
                by=cast.supporter,
                participants=f"Runde {n}",
                progress=[ProgressData(1, 1), ProgressData(2, 2)],
                next_steps=[StepData(f"Schritt {n}", "school", day(3))],
            )
            plan(cast, sr, methods=[method], days=10 + n)
            record_services.entry_release(
                entry=session, by=cast.school_contact_a, purpose="Bericht"
            )
    for name in ("school_contact_a", "coordinator", "supporter"):
        client = client_as(getattr(cast, name))
        counts = []
        for sr in (small, large):
            client.get(f"/anfragen/{sr.pk}/")
            before = AccessLog.objects.count()
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(f"/anfragen/{sr.pk}/").status_code == 200
            assert AccessLog.objects.count() == before + 1
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1], f"a query per session crept in for {name}"


def test_the_held_session_shows_its_record_and_the_goal_history(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    for level in (1, 3):
        session = begun(plan(cast, sr))
        accompaniment_services.session_record(
            session=session,
            by=cast.supporter,
            participants="Steuergruppe",
            reflection=f"Reflexion {level}",
            progress=[ProgressData(1, level)],
        )
    page = text(client_as(cast.school_contact_a).get(f"/anfragen/{sr.pk}/"))
    assert "Reflexion 1" in page
    assert "Reflexion 3" in page
    history = page[page.index("Ziele und ihr Fortschritt") :]
    assert history.count("begonnen") >= 1
    assert "größtenteils erreicht" in history


# --- methods ----------------------------------------------------------------------------------


def test_admins_describe_and_switch_off_methods(cast: Cast, client_as: ClientAs) -> None:
    client = client_as(cast.admin)
    base = f"/organisation/{cast.organisation.slug}/methoden/"
    # The admin finds the page where the organisation's admin pages are linked.
    assert f'href="{base}"' in text(
        client.get(f"/organisation/{cast.organisation.slug}/einstellungen/")
    )
    empty = client.post(f"{base}neu/", {"name": "Blitzlicht", "description": ""})
    assert empty.status_code == 400
    assert "Dieses Feld ist zwingend erforderlich." in text(empty)
    created = client.post(
        f"{base}neu/", {"name": "Blitzlicht", "description": "Reihum ein Satz.", "active": "on"}
    )
    assert created.status_code == 302
    method = Method.objects.get()
    twin = client.post(f"{base}neu/", {"name": "blitzlicht", "description": "Nochmal."})
    assert twin.status_code == 400
    assert "Eine Methode mit diesem Namen gibt es bereits." in text(twin)
    assert (
        client.post(
            f"{base}{method.pk}/", {"name": "Blitzlicht", "description": "Reihum ein Satz."}
        ).status_code
        == 302
    )
    method.refresh_from_db()
    assert not method.active
    listing = text(client.get(base))
    assert "Blitzlicht" in listing
    assert "abgeschaltet" in listing


def test_a_held_or_cancelled_session_has_no_forms_any_more(cast: Cast, client_as: ClientAs) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    session = plan(cast, sr)
    accompaniment_services.session_cancel(session=session, by=cast.supporter)
    client = client_as(cast.supporter)
    for suffix in ("protokoll/", "verschieben/"):
        response = client.get(f"/anfragen/{sr.pk}/termine/{session.pk}/{suffix}", follow=True)
        assert response.redirect_chain[-1][0] == f"/anfragen/{sr.pk}/"
        assert "Dieser Termin wurde bereits dokumentiert oder abgesagt." in text(response)


def test_a_released_session_record_is_read_by_the_organisation_with_one_log_row(
    cast: Cast, client_as: ClientAs
) -> None:
    sr = bring_to_state(cast, State.ACCOMPANYING)
    session = begun(plan(cast, sr))
    accompaniment_services.session_record(
        session=session,
        by=cast.supporter,
        participants="Steuergruppe",
        notes="Offenes Gespräch",
        reflection="Gut vorangekommen",
    )
    release = record_services.entry_release(
        entry=session, by=cast.school_contact_a, purpose="Jahresbericht"
    )
    client = client_as(cast.admin)
    before = AccessLog.objects.count()
    response = client.get(f"/organisation/{cast.organisation.slug}/freigaben/{release.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "Termin am" in page
    assert "Offenes Gespräch" in page
    assert "Gut vorangekommen" in page
    assert AccessLog.objects.count() == before + 1


def test_a_long_accompaniment_shows_the_newest_sessions_and_done_steps_first(
    cast: Cast, client_as: ClientAs
) -> None:
    """Eight held sessions and eight done steps: the page lists the newest five of each and
    says how many more there are; "Die ganze Begleitung anzeigen" lists them all. The goals'
    history and "who can see what" count every one of them either way."""
    sr = bring_to_state(cast, State.ACCOMPANYING)
    for n in range(8):
        session = begun(plan(cast, sr, participants=f"Runde {n}"))
        Session.objects.filter(pk=session.pk).update(
            starts_at=timezone.now() - dt.timedelta(days=30 - n)
        )
        accompaniment_services.session_record(
            session=Session.objects.get(pk=session.pk),
            by=cast.supporter,
            participants=f"Runde {n}",
            progress=[ProgressData(1, 1)],
            next_steps=[StepData(f"Schritt {n}", "school", day(n + 1))],
        )
    NextStep.objects.filter(request=sr).update(done_at=timezone.now(), done_by=cast.supporter)
    client = client_as(cast.school_contact_a)

    page = text(client.get(f"/anfragen/{sr.pk}/", HTTP_ACCEPT_LANGUAGE="de"))
    whole = text(client.get(f"/anfragen/{sr.pk}/?begleitung=alle", HTTP_ACCEPT_LANGUAGE="de"))

    rounds = [n for n in range(8) if f"Runde {n}<" in page or f"Runde {n}\n" in page]
    assert rounds == [3, 4, 5, 6, 7]
    assert "3 frühere Termine werden nicht angezeigt." in page
    assert [f"Schritt {n}" in page for n in range(8)] == [False] * 3 + [True] * 5
    assert "3 frühere erledigte Schritte werden nicht angezeigt." in page
    assert f'href="/anfragen/{sr.pk}/?begleitung=alle#begleitung"' in page
    assert all(f"Schritt {n}" in whole for n in range(8))
    assert all(f"Runde {n}" in whole for n in range(8))
    assert "nicht angezeigt" not in whole
    levels = re.findall(r"\((\d+) Einträge?\)</dt>", page)
    assert levels == re.findall(r"\((\d+) Einträge?\)</dt>", whole)
