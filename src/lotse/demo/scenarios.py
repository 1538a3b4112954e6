"""Demo support requests at the Dresden site, created only through the support services.

So every request has a real timeline and real mails in the outbox. The scenarios need the
people and schools of `lotse.demo.data`.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

from django.utils import timezone

from lotse.catalog.models import Offer, QualityArea
from lotse.core.models import Organisation, OutboxMessage, Person, School, Site
from lotse.support.mail import intake
from lotse.support.models import (
    Acceptance,
    Agreement,
    Meeting,
    Method,
    NextStep,
    Proposal,
    Session,
    SupportRequest,
    TimelineEvent,
)
from lotse.support.selectors import completion as completion_selectors
from lotse.support.services import accompaniment as accompaniment_services
from lotse.support.services import agreements as agreement_services
from lotse.support.services import completion as completion_services
from lotse.support.services import concepts as concept_services
from lotse.support.services import requests as request_services

CONFIDENTIALITY = (
    "Alle Beteiligten behandeln persönliche Informationen aus der Begleitung vertraulich. "
    "Ergebnisse werden nur in der mit der Schule abgestimmten Form weitergegeben."
)


class _Cast:
    """The people and things the scenarios refer to."""

    def __init__(self, org: Organisation) -> None:
        def person(email: str) -> Person:
            return Person.objects.get(email=email)

        self.org = org
        self.coordinator = person("koordination.dresden@lasub.example")
        self.moderator = person("prozessmoderation@lasub.example")
        self.mediator = person("schulmediation@lasub.example")
        self.school_contact = person("schulleitung@125gs-dresden.example")

    def school(self, number: str) -> School:
        return School.objects.select_related("district__site", "district__organisation").get(
            state=self.org.state, number=number
        )

    def area(self, number: int) -> QualityArea:
        return QualityArea.objects.get(organisation=self.org, number=number)

    def offer(self, title: str) -> Offer:
        return Offer.objects.get(organisation=self.org, title=title)


def _future(days: int, hour: int) -> dt.datetime:
    """A local date-time `days` from today at the full hour, always in the future."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _to_meeting(
    cast: _Cast, request: SupportRequest, supporter: Person, *, clarification: str, days: int
) -> SupportRequest:
    """Walk a request from receipt to a scheduled first meeting."""
    request = request_services.request_acknowledge(
        request=request,
        by=cast.coordinator,
        message="vielen Dank für Ihre Anfrage. Wir melden uns in den nächsten Tagen bei Ihnen.",
    )
    request = request_services.request_clarify(
        request=request, by=cast.coordinator, note=clarification
    )
    request = request_services.request_propose(
        request=request, by=cast.coordinator, supporters=[supporter]
    )
    request_services.proposal_accept(
        proposal=Proposal.objects.get(request=request, supporter=supporter), by=supporter
    )
    request = request_services.request_first_contact(
        request=request,
        by=supporter,
        note="Telefonat mit der Schulleitung; Termin für das erste Gespräch vor Ort vereinbart.",
    )
    request_services.request_schedule_meeting(
        request=request,
        by=supporter,
        starts_at=_future(days, 14),
        place=f"{request.requester}, Lehrerzimmer",
        participants="Schulleitung, Steuergruppe",
    )
    # The meeting was arranged about a week after the request came in; the steps before it
    # fall in between (_in_order).
    TimelineEvent.objects.filter(request=request, kind="meeting_scheduled").update(
        created_at=min(request.received_at + dt.timedelta(days=6), timezone.now())
    )
    return SupportRequest.objects.get(pk=request.pk)


def _meeting_held(request: SupportRequest, *, days_ago: int) -> None:
    """Scheduling only accepts a future date: move the first meeting to the day it took place
    (the Kontrakt binds only after it)."""
    held = _future(0, 14) - dt.timedelta(days=days_ago)
    Meeting.objects.filter(request=request).update(starts_at=held)
    # The step in the timeline names the day it was arranged for.
    for event in TimelineEvent.objects.filter(request=request, kind="meeting_scheduled"):
        event.created_at = held - dt.timedelta(days=7)
        event.data = {**event.data, "starts_at": held.isoformat()}
        event.save(update_fields=["created_at", "data"])


def _agreed_on(request: SupportRequest, *, days_ago: int) -> None:
    """Date the Kontrakt's drafting, acceptances and agreement to the day they happened, so no
    session is held before the Kontrakt was accepted."""
    when = _at_work(timezone.now() - dt.timedelta(days=days_ago), hour=15)
    Agreement.objects.filter(request=request).update(created_at=when - dt.timedelta(days=2))
    Acceptance.objects.filter(agreement__request=request).update(accepted_at=when)
    TimelineEvent.objects.filter(request=request, kind="agreement_drafted").update(
        created_at=when - dt.timedelta(days=2)
    )
    TimelineEvent.objects.filter(request=request, kind__in=["agreement_accepted", "agreed"]).update(
        created_at=when
    )


def create_requests(org: Organisation) -> int:
    """Create requests in different states; return how many."""
    cast = _Cast(org)
    now = timezone.now()
    created: list[SupportRequest] = []

    # 1. Fresh: just received by e-mail.
    created.append(
        request_services.request_submit(
            school=cast.school("41120030"),
            by=None,
            channel=SupportRequest.Channel.EMAIL,
            subject="Pädagogischer Tag zum Thema Medienbildung",
            text=(
                "Sehr geehrte Damen und Herren,\n\nunser Kollegium möchte im kommenden "
                "Schulhalbjahr einen Pädagogischen Tag zur Medienbildung durchführen. "
                "Können Sie uns dabei unterstützen?\n\nMit freundlichen Grüßen\nUta Zimmermann"
            ),
            contact_name="Uta Zimmermann",
            contact_email="sekretariat@30gs-dresden.example",
            contact_phone="0351 4010-0",
            quality_area=cast.area(2),
        )
    )

    # 2. Overdue: received nine days ago, receipt still not confirmed.
    created.append(
        request_services.request_submit(
            school=cast.school("41280224"),
            by=None,
            channel=SupportRequest.Channel.EMAIL,
            subject="Konflikte in Klassenstufe 7",
            text=(
                "In unseren siebten Klassen häufen sich Konflikte und Mobbing-Vorfälle. Wir "
                "suchen Unterstützung für ein Sozialkompetenztraining und die Ausbildung von "
                "Streitschlichtern."
            ),
            contact_name="Ralf Günther",
            contact_email="sekretariat@os-copitz.example",
            contact_phone="03501 2242-0",
            quality_area=cast.area(3),
            offer=cast.offer("Regionalbegleiter Schulmediation"),
            received_at=_at_work(now - dt.timedelta(days=9), hour=9),
        )
    )

    # 3. Acknowledged.
    request = request_services.request_submit(
        school=cast.school("41270109"),
        by=None,
        subject="Begleitung der Steuergruppe",
        text=(
            "Nach der externen Evaluation möchten wir unser Schulprogramm fortschreiben. Unsere "
            "neue Steuergruppe wünscht sich eine Prozessbegleitung."
        ),
        contact_name="Dr. Michael Seidel",
        contact_email="sekretariat@franziskaneum-meissen.example",
        quality_area=cast.area(5),
        offer=cast.offer("Prozessmoderatoren"),
        received_at=_at_work(now - dt.timedelta(days=2), hour=10),
    )
    created.append(
        request_services.request_acknowledge(
            request=request,
            by=cast.coordinator,
            message="vielen Dank, wir rufen Sie diese Woche zur Klärung an.",
        )
    )

    # 3b. Clarified: the coordination chooses from the shortlist (lotse.catalog.matching).
    request = request_services.request_submit(
        school=cast.school("41120101"),
        by=None,
        subject="Streitschlichtung in Klasse 5 und 6 aufbauen",
        text=(
            "Nach mehreren Konflikten auf dem Schulhof möchten wir ein Streitschlichterprogramm "
            "für die Klassen 5 und 6 aufbauen und das Kollegium in Konfliktmoderation schulen."
        ),
        contact_name="Heike Brückner",
        contact_email="sekretariat@101os-dresden.example",
        quality_area=cast.area(3),
        offer=cast.offer("Regionalbegleiter Schulmediation"),
        received_at=_at_work(now - dt.timedelta(days=4), hour=11),
    )
    request = request_services.request_acknowledge(request=request, by=cast.coordinator)
    created.append(
        request_services.request_clarify(
            request=request,
            by=cast.coordinator,
            note="Telefonat mit Frau Brückner: Start im nächsten Halbjahr, 15 Schüler.",
        )
    )

    # 4. Supporters proposed.
    request = request_services.request_submit(
        school=cast.school("41120056"),
        by=None,
        subject="Ausbildung von Streitschlichtern",
        text=(
            "Wir möchten ab dem nächsten Schuljahr Schülerinnen und Schüler der Klassen 8 und 9 "
            "zu Streitschlichtern ausbilden und bitten um Beratung."
        ),
        contact_name="Sandra Köhler",
        contact_email="sekretariat@56os-dresden.example",
        quality_area=cast.area(3),
        offer=cast.offer("Regionalbegleiter Schulmediation"),
        received_at=_at_work(now - dt.timedelta(days=5), hour=12),
    )
    request = request_services.request_acknowledge(request=request, by=cast.coordinator)
    request = request_services.request_clarify(
        request=request,
        by=cast.coordinator,
        note="Telefonat mit Frau Köhler: 12 Schüler, Start nach den Winterferien.",
    )
    created.append(
        request_services.request_propose(
            request=request,
            by=cast.coordinator,
            supporters=[cast.mediator],
            note="Herr Vogel hat Erfahrung mit Streitschlichterprogrammen an Oberschulen.",
        )
    )

    # 5. First meeting scheduled.
    request = request_services.request_submit(
        school=cast.school("41120207"),
        by=None,
        subject="Schulentwicklung: Ganztagsangebote neu ordnen",
        text=(
            "Wir möchten unsere Ganztagsangebote gemeinsam mit Eltern und Schülern neu ordnen "
            "und suchen eine Moderation für den Prozess."
        ),
        contact_name="Kerstin Lange",
        contact_email="sekretariat@bbg-dresden.example",
        quality_area=cast.area(6),
        offer=cast.offer("Prozessmoderatoren"),
        received_at=_at_work(now - dt.timedelta(days=14), hour=13),
    )
    created.append(
        _to_meeting(
            cast,
            request,
            cast.moderator,
            clarification="Auftrag geklärt: Moderation von drei Workshops mit Eltern und Schülern.",
            days=10,
        )
    )

    # 6. Binding Kontrakt, sent by the school contact through the form.
    request = request_services.request_submit(
        school=cast.school("41120125"),
        by=cast.school_contact,
        subject="Konflikttraining für das Kollegium",
        text=(
            "Auf dem Schulhof und in den Pausen eskalieren Konflikte häufiger. Das Kollegium "
            "wünscht sich ein Konflikttraining und langfristig eine Streitschlichtung durch "
            "Schülerinnen und Schüler der Klassen 3 und 4."
        ),
        contact_name=cast.school_contact.get_full_name(),
        contact_email=cast.school_contact.email,
        contact_phone=cast.school_contact.phone,
        quality_area=cast.area(3),
        offer=cast.offer("Regionalbegleiter Schulmediation"),
        received_at=_at_work(now - dt.timedelta(days=21), hour=8),
    )
    request = _to_meeting(
        cast,
        request,
        cast.mediator,
        clarification="Pädagogischer Tag gewünscht, danach Begleitung der Streitschlichtung.",
        days=3,
    )
    # The first meeting took place four days ago; the Kontrakt agreed there begins in ten days.
    _meeting_held(request, days_ago=4)
    meeting_day = timezone.localdate() - dt.timedelta(days=4)
    agreement = agreement_services.agreement_draft(
        request=request,
        by=cast.mediator,
        participants="Schulleitung, Kollegium, Schulsozialarbeit, Martin Vogel",
        goals=(
            "Pädagogischer Tag „Konflikte konstruktiv lösen“ für das gesamte Kollegium\n"
            "Ausbildung von 10 Streitschlichterinnen und Streitschlichtern aus Klasse 3 und 4\n"
            "Gemeinsame Pausenregeln mit dem Schülerrat vereinbaren"
        ),
        starts_on=meeting_day + dt.timedelta(days=14),
        ends_on=meeting_day + dt.timedelta(days=180),
        place="125. Grundschule Dresden",
        frequency="monatlich ein Termin, dazu ein Pädagogischer Tag",
        resources="Aula und Gruppenräume; zwei Lehrkräfte mit je einer Anrechnungsstunde",
        methods=["Kollegiale Fallberatung"],
        other_methods="Konflikttraining mit Rollenspielen",
        confidentiality=CONFIDENTIALITY,
    )
    agreement_services.agreement_accept(agreement=agreement, by=cast.mediator)
    agreement_services.agreement_accept(agreement=agreement, by=cast.school_contact)
    created.append(request)

    # 7. and 8.: mail that reached the Dresden mailbox, through the real importer (and a bounce
    # of an earlier acknowledgement).
    created.extend(_mails(org))

    # 9.–11.: the accompaniment after the Kontrakt (sessions, next steps, an amendment) and two
    # completed processes that shared their experience (Synergie).
    created.extend(_accompaniments(cast))
    for request in created:
        _in_order(request, since=now)
    return len(created)


# --- the accompaniment after the Kontrakt -----------------------------------------------------

FEEDBACK_GOALS = (
    "Eine gemeinsame Haltung zu Feedback im Kollegium entwickeln\n"
    "Kollegiale Unterrichtsbesuche in zwei Fachgruppen erproben\n"
    "Einen Feedbackbogen für Schülerinnen und Schüler einführen"
)


def _binding(
    cast: _Cast, supporter: Person, *, subject: str, text: str, goals: str, days_ago: int
) -> SupportRequest:
    """A request of the 125. Grundschule walked to a binding Kontrakt."""
    request = request_services.request_submit(
        school=cast.school("41120125"),
        by=cast.school_contact,
        subject=subject,
        text=text,
        contact_name=cast.school_contact.get_full_name(),
        contact_email=cast.school_contact.email,
        contact_phone=cast.school_contact.phone,
        quality_area=cast.area(2),
        offer=cast.offer("Prozessmoderatoren"),
        received_at=_at_work(timezone.now() - dt.timedelta(days=days_ago), hour=9),
    )
    request = _to_meeting(
        cast, request, supporter, clarification="Auftrag im Telefonat geklärt.", days=1
    )
    # Two weeks after the request the first meeting; a week later the Kontrakt binds; its time
    # span begins 30 days after the request.
    _meeting_held(request, days_ago=days_ago - 14)
    today = timezone.localdate()
    agreement = agreement_services.agreement_draft(
        request=request,
        by=supporter,
        participants="Schulleitung, Steuergruppe (4 Lehrkräfte), Prozessbegleitung",
        goals=goals,
        starts_on=today - dt.timedelta(days=days_ago - 30),
        ends_on=today + dt.timedelta(days=40),
        place="125. Grundschule Dresden",
        frequency="alle drei Wochen, 90 Minuten",
        resources="Eine Anrechnungsstunde für die Steuergruppe",
        methods=["Kollegiale Fallberatung", "Feedbackbogen"],
        other_methods="Moderation der Steuergruppe",
        confidentiality=CONFIDENTIALITY,
    )
    agreement_services.agreement_accept(agreement=agreement, by=supporter)
    agreement_services.agreement_accept(agreement=agreement, by=cast.school_contact)
    _agreed_on(request, days_ago=days_ago - 21)
    return SupportRequest.objects.get(pk=request.pk)


def _held(
    cast: _Cast,
    request: SupportRequest,
    supporter: Person,
    *,
    days_ago: int,
    methods: list[Method],
    notes: str,
    reflection: str,
    progress: list[int],
    steps: list[accompaniment_services.StepData],
) -> None:
    """A session planned and recorded. Planning only accepts a future date, so the demo plans
    it for tomorrow and then moves it to the past before recording it."""
    before = _last_event()
    session = accompaniment_services.session_plan(
        request=request,
        by=supporter,
        starts_at=_future(1, 14),
        ends_at=_future(1, 16),
        place="125. Grundschule Dresden, Lehrerzimmer",
        participants="Schulleitung, Steuergruppe",
        methods=methods,
    )
    starts = _future(1, 14) - dt.timedelta(days=days_ago + 1)
    Session.objects.filter(pk=session.pk).update(
        starts_at=starts, ends_at=starts + dt.timedelta(hours=2), reminder_sent_at=starts
    )
    # Planned two weeks ahead (and the accompaniment started with it), recorded the same day.
    for event in TimelineEvent.objects.filter(pk__gt=before, request=request):
        event.created_at = starts - dt.timedelta(days=14)
        if event.kind == "session_planned":
            event.data = {**event.data, "starts_at": starts.isoformat()}
        event.save(update_fields=["created_at", "data"])
    before = _last_event()
    session.refresh_from_db()
    accompaniment_services.session_record(
        session=session,
        by=supporter,
        participants="Schulleiterin, vier Lehrkräfte der Steuergruppe, Prozessbegleitung",
        notes=notes,
        reflection=reflection,
        progress=[
            accompaniment_services.ProgressData(position, level)
            for position, level in enumerate(progress, 1)
        ],
        next_steps=steps,
    )
    TimelineEvent.objects.filter(pk__gt=before, request=request).update(
        created_at=starts + dt.timedelta(hours=3)
    )


def _at_work(when: dt.datetime, hour: int = 10) -> dt.datetime:
    """The same day at a working hour (a demo seeded at night would otherwise date a Kontrakt
    or a request at 4 in the morning); left as it is where that would lie in the future."""
    working = timezone.localtime(when).replace(hour=hour, minute=when.minute % 30)
    return working if working <= timezone.now() else when


def _last_event() -> int:
    return TimelineEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _in_order(request: SupportRequest, *, since: dt.datetime) -> None:
    """The demo takes each request's steps in one go, and dates some of them afterwards to the
    day they happened (receipt, first meeting, Kontrakt, sessions). The steps taken "now"
    between two dated ones are spread evenly between them, so the timeline tells the story in
    the order it was taken; steps after the last dated one stay today."""
    events = list(TimelineEvent.objects.filter(request=request).order_by("pk"))
    anchor: dt.datetime | None = None
    waiting: list[TimelineEvent] = []
    for event in events:
        if event.created_at >= since:
            waiting.append(event)
            continue
        if anchor is not None and waiting and anchor < event.created_at:
            step = (event.created_at - anchor) / (len(waiting) + 1)
            last = anchor
            for i, between in enumerate(waiting, 1):
                when = anchor + step * i
                # At a working hour of that day, where that keeps the order.
                working = timezone.localtime(when).replace(hour=9 + (2 * i) % 8, minute=0)
                if last < working < event.created_at:
                    when = working
                elif when <= last:
                    when = last + (event.created_at - last) / 2
                TimelineEvent.objects.filter(pk=between.pk).update(created_at=when)
                last = when
        anchor, waiting = event.created_at, []


def _accompaniments(cast: _Cast) -> list[SupportRequest]:
    today = timezone.localdate()
    methods = {m.name: m for m in Method.objects.filter(organisation=cast.org)}
    supporter = cast.moderator

    # 9. Running: two sessions recorded, one planned with methods the school can read about,
    # next steps (one overdue), and a proposed amendment the school has not accepted yet.
    running = _binding(
        cast,
        supporter,
        subject="Feedbackkultur im Kollegium",
        text="Wir möchten im Kollegium eine Kultur des gegenseitigen Feedbacks aufbauen.",
        goals=FEEDBACK_GOALS,
        days_ago=120,
    )
    _held(
        cast,
        running,
        supporter,
        days_ago=42,
        methods=[methods["Blitzlicht"], methods["Zielscheibe"]],
        notes="Die Steuergruppe sieht Feedback bisher vor allem als Kontrolle.",
        reflection="Offenes Gespräch; die Zielscheibe hat die Unterschiede sichtbar gemacht.",
        progress=[1, 0, 0],
        steps=[
            accompaniment_services.StepData(
                "Ergebnisse der Zielscheibe im Kollegium vorstellen", "school", today
            )
        ],
    )
    _held(
        cast,
        running,
        supporter,
        days_ago=14,
        methods=[methods["Kollegiale Fallberatung"]],
        notes="Zwei Fachgruppen sind bereit, gegenseitige Unterrichtsbesuche zu erproben.",
        reflection="Die Fallberatung hat Vertrauen geschaffen.",
        progress=[2, 1, 0],
        steps=[
            accompaniment_services.StepData(
                "Termine für die Unterrichtsbesuche abstimmen", "school", today + dt.timedelta(1)
            ),
            accompaniment_services.StepData(
                "Entwurf eines Feedbackbogens mitbringen", "supporter", today + dt.timedelta(5)
            ),
        ],
    )
    # The first next step was due on the day of the session: now it is overdue.
    NextStep.objects.filter(request=running, due_on=today).update(
        due_on=today - dt.timedelta(days=7)
    )
    step = NextStep.objects.get(request=running, owner="school", due_on__gt=today)
    accompaniment_services.next_step_done(step=step, by=cast.school_contact)
    accompaniment_services.session_plan(
        request=running,
        by=supporter,
        starts_at=_future(6, 14),
        ends_at=_future(6, 16),
        place="125. Grundschule Dresden, Lehrerzimmer",
        participants="Schulleitung, Steuergruppe, Fachgruppe Deutsch",
        methods=[methods["World Café"], methods["Feedbackbogen"]],
    )
    binding = running.agreements.get()
    agreement_services.agreement_draft(
        request=running,
        by=supporter,
        participants=binding.participants,
        goals=FEEDBACK_GOALS + "\nDie Elternvertretung in die Steuergruppe einbinden",
        starts_on=binding.starts_on,
        ends_on=binding.ends_on + dt.timedelta(days=90),
        place=binding.place,
        frequency="alle vier Wochen, 90 Minuten",
        resources=binding.resources,
        methods=binding.method_list(),
        other_methods=binding.other_methods or "",
        confidentiality=binding.confidentiality,
    )
    # The supporter's proposal is the supporter's acceptance; it waits for the school.
    # 10. and 11. Completed, with the final reflection and the evaluation of both sides; the
    # school shared its experience: one concept is in the library, one waits for review.
    completed: list[SupportRequest] = []
    for subject, topic, days_ago in (
        ("Steuergruppe arbeitsfähig machen", "Eine Steuergruppe arbeitsfähig machen", 300),
        ("Ganztag und Unterricht verzahnen", "Ganztag und Unterricht verzahnen", 260),
    ):
        request = _binding(
            cast,
            supporter,
            subject=subject,
            text=f"Wir wünschen uns Begleitung: {subject}.",
            goals="Klare Aufgaben und Arbeitsweise vereinbaren\nErgebnisse ins Kollegium tragen",
            days_ago=days_ago,
        )
        _held(
            cast,
            request,
            supporter,
            days_ago=60,
            methods=[methods["Blitzlicht"]],
            notes="Arbeitsweise vereinbart, Protokollführung rotiert.",
            reflection="Die Gruppe arbeitet inzwischen selbstständig.",
            progress=[4, 3],
            steps=[],
        )
        completion_services.final_reflection_write(
            request=request,
            by=supporter,
            text=(
                "Die Steuergruppe hat eine feste Arbeitsweise gefunden und trägt Ergebnisse "
                "selbst ins Kollegium. Weitere Begleitung ist nicht nötig."
            ),
        )
        completion_services.final_reflection_confirm(request=request, by=cast.school_contact)
        request = request_services.request_complete(request=request, by=supporter)
        for person, side in ((cast.school_contact, "school"), (supporter, "supporter")):
            completion_services.evaluation_submit(
                request=request,
                by=person,
                answers={
                    q.pk: (1 if q.kind == "yes_no" else 5)
                    for q in completion_selectors.questions_for(organisation=cast.org, side=side)
                },
            )
        concept = concept_services.concept_submit(
            request=request,
            by=cast.school_contact,
            topic=topic,
            what_was_done=(
                "In sechs Sitzungen hat die Steuergruppe mit einer externen Begleitung ihre "
                "Aufgaben, Rollen und eine feste Tagesordnung vereinbart. Zwischenstände gingen "
                "jeweils in die Gesamtkonferenz."
            ),
            what_helped=(
                "Feste Termine, eine rotierende Moderation und das Blitzlicht zu Beginn jeder "
                "Sitzung."
            ),
            quality_areas=[cast.area(2)],
            school_form="grundschule",
            consent=True,
        )
        if not completed:
            concept_services.concept_publish(concept=concept, by=cast.coordinator)
        completed.append(request)
    return [running, *completed]


def _mails(org: Organisation) -> list[SupportRequest]:
    """A request by mail from an unknown sender (with a file), a broken mail in quarantine, and
    a bounce."""
    site = org.sites.get(name="Dresden")
    message = EmailMessage()
    message["From"] = "Karin Lehmann <k.lehmann@post.example>"
    message["To"] = site.email
    message["Subject"] = "Anfrage: Ausbildung von Streitschlichtern"
    message["Message-ID"] = "<demo-anfrage-streitschlichtung@post.example>"
    message.set_content(
        "Guten Tag,\n\nich bin Beratungslehrerin an einer Oberschule in Dresden. Wir möchten "
        "Schülerinnen und Schüler zu Streitschlichtern ausbilden und suchen Unterstützung.\n\n"
        "Unser bisheriges Konzept hängt an.\n\nMit freundlichen Grüßen\nKarin Lehmann"
    )
    message.add_attachment(
        "Konzept Streitschlichtung – Entwurf\n1. Auswahl der Schüler\n2. Ausbildung\n".encode(),
        maintype="text",
        subtype="plain",
        filename="Konzept Streitschlichtung.txt",
    )
    request = intake.mail_import(site=site, raw=message.as_bytes()).mail.request
    intake.mail_import(
        site=site,
        raw=(
            b"From: sekretariat@schule.example\r\nTo: " + site.email.encode() + b"\r\n"
            b"Subject: Unterlagen\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed\r\n\r\nDer Anhang fehlt, die Grenze auch.\r\n"
        ),
    )
    _bounce(site)
    return [request] if request is not None else []


def _bounce(site: Site) -> None:
    """The first acknowledgement of a request came back: the school's mailbox is full. The
    coordination sees it in the outbox, with the address, the status and the server's words."""
    sent = (
        OutboxMessage.objects.filter(
            organisation=site.organisation, template="support/mail/acknowledged"
        )
        .order_by("pk")
        .first()
    )
    if sent is None or len(sent.to) != 1:
        return
    address = sent.to[0]
    diagnostic = f"552 5.2.2 <{address}>: Mailbox full - quota exceeded"
    report = "\r\n".join(
        [
            "From: Mail Delivery System <MAILER-DAEMON@mail.lasub.example>",
            f"To: {site.email}",
            "Subject: Undelivered Mail Returned to Sender",
            "Message-ID: <demo-unzustellbar@mail.lasub.example>",
            "Auto-Submitted: auto-replied",
            "MIME-Version: 1.0",
            'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
            "",
            "--b",
            "Content-Type: text/plain; charset=us-ascii",
            "",
            "This is the mail system at host mail.lasub.example.",
            "",
            f"<{address}>: host mx.post.example said: {diagnostic}",
            "--b",
            "Content-Type: message/delivery-status",
            "",
            "Reporting-MTA: dns; mail.lasub.example",
            "",
            f"Final-Recipient: rfc822; {address}",
            "Action: failed",
            "Status: 5.2.2",
            f"Diagnostic-Code: smtp; {diagnostic}",
            "--b",
            "Content-Type: text/rfc822-headers",
            "",
            f"To: {address}",
            f"Message-ID: {sent.message_id}",
            "--b--",
            "",
        ]
    )
    intake.mail_import(site=site, raw=report.encode())
