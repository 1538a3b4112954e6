"""Retention: how long each kind of data is kept, and the nightly job that enforces it.

Apps register *kinds of data* here (from their `AppConfig.ready()`), each with a default period
and action and two functions: one finds what is due for an organisation (everything that ended
before a cutoff), the other deletes or anonymises it. An organisation admin may change period
and action per kind (`RetentionRule`); without a rule the registered defaults apply. Every
application writes a `RetentionRun` row, also when nothing was due: that row is the record that
the rule was applied, and it makes the nightly job run once per night.

The access log (`AccessLog`) is never touched: it is append-only and its references are plain
ids, so it stays readable when what it refers to is gone (see `lotse.core.audit`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lotse.core import outbox, roles
from lotse.core.models import (
    Bounce,
    Organisation,
    OutboxMessage,
    Person,
    RetentionAction,
    RetentionRule,
    RetentionRun,
)
from lotse.lib.errors import Refused

logger = logging.getLogger(__name__)


class NotAllowed(Refused):
    """The person may not change the organisation's retention rules."""


Action = RetentionAction
Finder = Callable[[Organisation | None, dt.datetime, str], "QuerySet[Any]"]
Applier = Callable[["QuerySet[Any]", str], int]


@dataclass(frozen=True)
class Kind:
    """One kind of data with its default rule.

    `find(organisation, cutoff, action)` returns the rows that are due: those of the
    organisation that ended before `cutoff` and have not had `action` applied yet (so a second
    run finds nothing, and anonymised rows are still found when the rule changes to delete).
    `apply(rows, action)` deletes or anonymises them and returns how many it handled.
    With `without_organisation`, rows that belong to no organisation (e.g. account mails) are
    handled too, by the default rule: `find(None, cutoff, action)` returns those."""

    slug: str
    label: str | Promise
    help_text: str | Promise
    months: int
    action: str
    find: Finder
    apply: Applier
    actions: tuple[str, ...] = (Action.DELETE, Action.ANONYMISE)
    order: int = 100
    without_organisation: bool = False

    def __post_init__(self) -> None:
        if self.action not in self.actions:
            raise ValueError(f"{self.slug}: default action {self.action!r} is not allowed")
        if self.months < 1:
            raise ValueError(f"{self.slug}: months must be at least 1")


_KINDS: dict[str, Kind] = {}


def register(
    slug: str,
    *,
    label: str | Promise,
    help_text: str | Promise,
    months: int,
    action: str,
    find: Finder,
    apply: Applier,
    actions: tuple[str, ...] = (Action.DELETE, Action.ANONYMISE),
    order: int = 100,
    without_organisation: bool = False,
) -> Kind:
    """Register a kind of data (call from `AppConfig.ready()`); registering a slug again
    replaces it, so a reload in tests does not fail."""
    kind = Kind(
        slug=slug,
        label=label,
        help_text=help_text,
        months=months,
        action=action,
        find=find,
        apply=apply,
        actions=actions,
        order=order,
        without_organisation=without_organisation,
    )
    _KINDS[slug] = kind
    return kind


def kinds() -> list[Kind]:
    """Every registered kind, in the order of the admin page."""
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.slug))


def kind(slug: str) -> Kind:
    return _KINDS[slug]


@dataclass(frozen=True)
class Rule:
    """The rule in force for one organisation and kind: its own row or the defaults."""

    kind: Kind
    months: int
    action: str
    is_default: bool


def rules_for(organisation: Organisation | None) -> list[Rule]:
    """The rule in force for each registered kind (for no organisation: the defaults of the
    kinds that handle rows without one)."""
    if organisation is None:
        return [
            Rule(kind=k, months=k.months, action=k.action, is_default=True)
            for k in kinds()
            if k.without_organisation
        ]
    rows = {r.kind: r for r in RetentionRule.objects.filter(organisation=organisation)}
    result = []
    for k in kinds():
        row = rows.get(k.slug)
        if row is not None and row.action in k.actions:
            result.append(Rule(kind=k, months=row.months, action=row.action, is_default=False))
        else:
            result.append(Rule(kind=k, months=k.months, action=k.action, is_default=True))
    return result


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same local wall-clock time `months` calendar months earlier (31 March − 1 → 28/29
    February), as an aware datetime."""
    local = timezone.localtime(moment)
    index = local.year * 12 + (local.month - 1) - months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    naive = local.replace(tzinfo=None).replace(year=year, month=month + 1, day=day)
    return timezone.make_aware(naive, timezone.get_current_timezone())


@dataclass(frozen=True)
class Outcome:
    organisation: Organisation | None
    rule: Rule
    cutoff: dt.datetime
    count: int
    run: RetentionRun | None


def _apply_one(
    organisation: Organisation | None, rule: Rule, now: dt.datetime, *, dry_run: bool
) -> Outcome:
    cutoff = months_before(now, rule.months)
    if dry_run:
        count = rule.kind.find(organisation, cutoff, rule.action).count()
        return Outcome(organisation, rule, cutoff, count, None)
    count = rule.kind.apply(rule.kind.find(organisation, cutoff, rule.action), rule.action)
    run = RetentionRun.objects.create(
        organisation=organisation,
        kind=rule.kind.slug,
        action=rule.action,
        months=rule.months,
        ran_at=now,
        cutoff=cutoff,
        count=count,
    )
    return Outcome(organisation, rule, cutoff, count, run)


def apply(
    *,
    now: dt.datetime | None = None,
    organisations: QuerySet[Organisation] | None = None,
    dry_run: bool = False,
) -> list[Outcome]:
    """Apply every rule of every organisation now (or only count what is due, with dry_run)."""
    now = now or timezone.now()
    outcomes = []
    targets = list(organisations) if organisations is not None else [*_organisations(), None]
    for organisation in targets:
        for rule in rules_for(organisation):
            with transaction.atomic():
                outcomes.append(_apply_one(organisation, rule, now, dry_run=dry_run))
    return outcomes


def night_start(now: dt.datetime) -> dt.datetime | None:
    """The start of the current nightly window (today at RETENTION_HOUR local time), or None
    while it has not begun yet today."""
    local = timezone.localtime(now)
    start = timezone.make_aware(
        dt.datetime.combine(local.date(), dt.time(settings.RETENTION_HOUR)),
        timezone.get_current_timezone(),
    )
    return start if local >= start else None


def apply_nightly(*, now: dt.datetime | None = None) -> list[Outcome]:
    """What the worker calls often: after RETENTION_HOUR (local time) apply each rule that has
    not run since then, so each rule runs once per night however often this is called.

    The organisation's row is locked while its rules are checked and applied, so two workers
    calling this at once do not both apply a rule."""
    now = now or timezone.now()
    start = night_start(now)
    if start is None:
        return []
    outcomes: list[Outcome] = []
    for organisation in [*_organisations(), None]:
        try:
            with transaction.atomic():
                outcomes.extend(_apply_nightly_to(organisation, now, start))
        except Exception:
            # One organisation's failure must not keep the others' data; it is retried at the
            # next call, as its rules have no run for tonight yet.
            logger.exception("retention failed for organisation %s", organisation)
    return outcomes


def _apply_nightly_to(
    organisation: Organisation | None, now: dt.datetime, start: dt.datetime
) -> list[Outcome]:
    if organisation is not None:
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    else:
        # Rows of no organisation: the lowest organisation's row serves as the lock.
        Organisation.objects.select_for_update().order_by("pk").first()
    done = set(
        RetentionRun.objects.filter(organisation=organisation, ran_at__gte=start).values_list(
            "kind", flat=True
        )
    )
    return [
        _apply_one(organisation, rule, now, dry_run=False)
        for rule in rules_for(organisation)
        if rule.kind.slug not in done
    ]


def _organisations() -> Iterator[Organisation]:
    yield from Organisation.objects.order_by("pk")


@transaction.atomic
def set_rules(
    *, organisation: Organisation, by: Person, values: dict[str, tuple[int, str]]
) -> list[Rule]:
    """Store the organisation's rules (kind slug → (months, action)); only its admins may.

    A rule equal to the defaults is stored too: the admin decided it."""
    if not roles.has_role(by, roles.Kind.ADMIN, organisation):
        raise NotAllowed
    now = timezone.now()
    for slug, (months, action) in values.items():
        k = kind(slug)
        if action not in k.actions or months < 1:
            raise ValueError(f"invalid rule for {slug}")
        RetentionRule.objects.update_or_create(
            organisation=organisation,
            kind=slug,
            defaults={"months": months, "action": action, "changed_at": now, "changed_by": by},
        )
    return rules_for(organisation)


def last_runs(organisation: Organisation) -> dict[str, RetentionRun]:
    """The latest run of each kind."""
    latest: dict[str, RetentionRun] = {}
    slugs = [k.slug for k in kinds()]
    for slug in slugs:
        run = RetentionRun.objects.filter(organisation=organisation, kind=slug).first()
        if run is not None:
            latest[slug] = run
    return latest


def runs_that_acted(organisation: Organisation, limit: int = 20) -> QuerySet[RetentionRun]:
    """The latest runs that deleted or anonymised something."""
    return RetentionRun.objects.filter(organisation=organisation, count__gt=0)[:limit]


# --- helpers for the kinds' apply functions ---------------------------------------------------


def delete_rows(rows: QuerySet[Any]) -> int:
    """Delete the rows (with what cascades from them); return how many of the rows went."""
    model: type[Model] = rows.model
    _total, per_model = rows.delete()
    return per_model.get(model._meta.label, 0)


# --- the kind core owns: outgoing mail ---------------------------------------------------------


def _outbox_due(
    organisation: Organisation | None, cutoff: dt.datetime, action: str
) -> QuerySet[OutboxMessage]:
    status = OutboxMessage.Status
    rows = OutboxMessage.objects.filter(organisation=organisation).filter(
        Q(status=status.SENT, sent_at__lt=cutoff)
        | Q(status=status.HELD, created_at__lt=cutoff)
        | Q(status=status.FAILED, attempts__gte=outbox.MAX_ATTEMPTS, created_at__lt=cutoff)
    )
    if action == Action.ANONYMISE:
        # A bounce that arrives after the anonymisation names an address again.
        named = Bounce.objects.filter(message=OuterRef("pk")).exclude(recipient="", reason="")
        rows = rows.filter(~Q(subject="", body="", calendar="") | Exists(named))
    return rows


def _outbox_apply(rows: QuerySet[OutboxMessage], action: str) -> int:
    if action == Action.DELETE:
        return delete_rows(rows)
    # The facts stay (when, which template, about what, delivered or not, the status codes of
    # its bounces); the people and the text go.
    Bounce.objects.filter(message__in=rows).update(recipient="", reason="")
    return rows.update(
        to=[],
        reply_to="",
        subject="",
        body="",
        calendar="",
        last_error="",
    )


def register_core_kinds() -> None:
    """Core's own kind of data; called from `CoreConfig.ready()`."""
    register(
        "core.outbox",
        label=_("Outgoing mails"),
        help_text=_(
            "Mails that were sent, kept in the app or given up, counted from when they were "
            "sent or written. Mails about a request also go when the request is deleted. "
            "Anonymising keeps date, kind and status but removes recipients and text."
        ),
        months=6,
        action=Action.DELETE,
        find=_outbox_due,
        apply=_outbox_apply,
        order=900,
        without_organisation=True,
    )
