"""Every read the support views need, filtered by what the user may see, without N+1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, DateTimeField, F, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from lotse.core import roles
from lotse.core.models import Organisation, Person, Role, School, Site
from lotse.support.models import (
    Agreement,
    Attachment,
    Meeting,
    Proposal,
    State,
    SupportRequest,
    TimelineEvent,
)


def request_list_for_school(*, person: Person) -> QuerySet[SupportRequest]:
    """All requests of the schools the person speaks for, newest first."""
    return (
        SupportRequest.objects.filter(
            school_id__in=roles.contact_school_ids(person),
            organisation_id__in=roles.organisation_ids(person, roles.Kind.SCHOOL_CONTACT),
        )
        .select_related("school", "site")
        .order_by("-received_at")
    )


@dataclass(frozen=True)
class InboxFilter:
    site: Site | None = None
    state: str = ""
    overdue: bool = False
    quality_area_id: int | None = None
    school: str = ""


def request_inbox_for_coordinator(
    *, person: Person, filters: InboxFilter | None = None
) -> QuerySet[SupportRequest]:
    """The coordinator's inbox: requests of their sites, most urgent first."""
    filters = filters or InboxFilter(state="open")
    qs = SupportRequest.objects.filter(site_id__in=roles.coordinated_site_ids(person))
    if filters.site is not None:
        qs = qs.filter(site=filters.site)
    if filters.state == "open":
        qs = qs.filter(inbox_rank__lt=2)
    elif filters.state:
        qs = qs.filter(state=filters.state)
    if filters.overdue:
        qs = qs.filter(state=State.RECEIVED, acknowledge_due_at__lt=timezone.now())
    if filters.quality_area_id:
        qs = qs.filter(quality_area_id=filters.quality_area_id)
    if filters.school:
        term = filters.school.strip()
        qs = qs.filter(Q(school__name__icontains=term) | Q(school__number=term))
    qs = qs.select_related("school", "site", "quality_area")
    if filters.state == "open" or filters.overdue:
        # The default view: one index range per site, no sort of the whole history.
        return qs.order_by("inbox_rank", "acknowledge_due_at", "pk")
    # With closed requests in view, those come last and newest first.
    open_due = Case(
        When(inbox_rank__lt=2, then=F("acknowledge_due_at")),
        default=Value(None),
        output_field=DateTimeField(),
    )
    return qs.order_by("inbox_rank", open_due.asc(nulls_last=True), "-received_at", "pk")


def request_list_for_supporter(*, person: Person) -> QuerySet[Proposal]:
    """Proposals to the supporter that are still theirs to see."""
    return (
        Proposal.objects.filter(supporter=person)
        .exclude(status=Proposal.Status.DECLINED)
        .exclude(request__state=State.WITHDRAWN)
        .select_related("request__school", "request__site")
        .order_by("-request__updated_at")
    )


def request_detail(*, person: Person, request: SupportRequest) -> dict[str, Any]:
    """Everything the detail page shows, in a fixed number of queries."""
    events = list(
        TimelineEvent.objects.filter(request=request)
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    proposals = list(
        Proposal.objects.filter(request=request).select_related("supporter").order_by("created_at")
    )
    meetings = list(Meeting.objects.filter(request=request).order_by("-starts_at"))
    agreements = list(
        Agreement.objects.filter(request=request)
        .prefetch_related(Prefetch("acceptances__person"))
        .order_by("-version")
    )
    attachments = list(
        Attachment.objects.filter(request=request).defer("content").order_by("created_at", "pk")
    )
    return {
        "attachments": attachments,
        "events": events,
        "proposals": proposals,
        "meetings": meetings,
        "next_meeting": next((m for m in meetings if m.starts_at >= timezone.now()), None),
        "agreement": agreements[0] if agreements else None,
        "agreements": agreements,
    }


def supporters_for(*, request: SupportRequest) -> QuerySet[Person]:
    """Active supporters of the request's organisation."""
    return (
        Person.objects.filter(
            roles__organisation_id=request.organisation_id,
            roles__kind=Role.Kind.SUPPORTER,
            is_active=True,
        )
        .order_by("last_name", "first_name")
        .distinct()
    )


def schools_for_contact(*, person: Person) -> QuerySet[School]:
    """Schools the person may send requests for."""
    return roles.contact_schools(person)


def schools_of_organisation(*, organisation: Organisation) -> QuerySet[School]:
    """The schools in the districts an organisation serves."""
    return School.objects.filter(district__organisation=organisation).order_by("name", "city")
