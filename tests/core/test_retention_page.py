"""The organisation admin's retention page: one rule per kind of data, and what the runs did."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from lotse.core import retention
from lotse.core.models import Organisation, RetentionRule, RetentionRun
from tests.factories import Cast, OrganisationFactory, person_with_role

pytestmark = pytest.mark.django_db


def url(organisation: Organisation) -> str:
    return f"/organisation/{organisation.slug}/aufbewahrung/"


def current_values(organisation: Organisation) -> dict[str, str]:
    return {
        f"{r.kind.slug}-{name}": str(value)
        for r in retention.rules_for(organisation)
        for name, value in (("months", r.months), ("action", r.action))
    }


def test_admin_sees_every_kind_with_its_defaults(cast: Cast, client: Client) -> None:
    client.force_login(cast.admin)
    response = client.get(url(cast.organisation))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [rule.kind.slug for rule, *_fields in rows] == [k.slug for k in retention.kinds()]
    defaults = {rule.kind.slug: (rule.months, rule.action) for rule, *_fields in rows}
    assert defaults["support.completed"] == (24, "anonymise")
    assert defaults["support.withdrawn"] == (3, "delete")
    # The mail kind allows only deleting (its key must stay).
    mail_action = next(a for r, _m, a, _run in rows if r.kind.slug == "support.unassigned_mail")
    assert [value for value, _label in mail_action.field.choices] == ["delete"]
    assert (
        f'href="{url(cast.organisation)}"'
        in client.get(f"/organisation/{cast.organisation.slug}/einstellungen/").content.decode()
    )


def test_admin_saves_the_rules(cast: Cast, client: Client) -> None:
    client.force_login(cast.admin)
    data = current_values(cast.organisation) | {
        "support.withdrawn-months": "1",
        "support.forwarded-action": "delete",
    }
    response = client.post(url(cast.organisation), data, follow=True)
    assert response.redirect_chain == [(url(cast.organisation), 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    rules = {
        r.kind: (r.months, r.action)
        for r in RetentionRule.objects.filter(organisation=cast.organisation)
    }
    assert rules["support.withdrawn"] == (1, "delete")
    assert rules["support.forwarded"] == (6, "delete")
    assert len(rules) == len(retention.kinds())
    in_force = {r.kind.slug: r for r in retention.rules_for(cast.organisation)}
    assert in_force["support.withdrawn"].months == 1
    assert not in_force["support.withdrawn"].is_default


@pytest.mark.parametrize(
    "change",
    [
        {"support.completed-months": "0"},
        {"support.completed-months": "121"},
        {"support.completed-months": ""},
        {"support.unassigned_mail-action": "anonymise"},
        {"core.outbox-action": "keep"},
    ],
    ids=["zero", "over ten years", "missing", "action the kind does not allow", "unknown"],
)
def test_bad_rules_are_an_error_and_change_nothing(
    cast: Cast, client: Client, change: dict[str, str]
) -> None:
    client.force_login(cast.admin)
    response = client.post(url(cast.organisation), current_values(cast.organisation) | change)
    assert response.status_code == 400
    assert set(response.context["form"].errors) == set(change)
    assert not RetentionRule.objects.exists()


def test_the_page_shows_the_last_runs(cast: Cast, client: Client) -> None:
    now = timezone.now()
    RetentionRun.objects.create(
        organisation=cast.organisation,
        kind="support.withdrawn",
        action="delete",
        months=3,
        ran_at=now - dt.timedelta(days=1),
        cutoff=now - dt.timedelta(days=91),
        count=4,
    )
    RetentionRun.objects.create(
        organisation=cast.organisation,
        kind="support.withdrawn",
        action="delete",
        months=3,
        ran_at=now,
        cutoff=now - dt.timedelta(days=90),
        count=0,
    )
    client.force_login(cast.admin)
    response = client.get(url(cast.organisation))
    last = {rule.kind.slug: run for rule, _m, _a, run in response.context["rows"]}
    assert last["support.withdrawn"].count == 0  # the latest run, also when it found nothing
    assert last["support.completed"] is None
    acted = response.context["runs"]
    assert [(run.count, str(label)) for run, label in acted] == [
        (4, str(retention.kind("support.withdrawn").label))
    ]


def test_admin_of_another_organisation_gets_404(cast: Cast, client: Client) -> None:
    client.force_login(person_with_role("admin", OrganisationFactory()))
    assert client.get(url(cast.organisation)).status_code == 404
    assert client.post(url(cast.organisation), {}).status_code == 404


def test_only_admins_may_change_the_rules(cast: Cast) -> None:
    for person in (cast.coordinator, cast.supporter, cast.school_contact_a, cast.outsider):
        with pytest.raises(retention.NotAllowed):
            retention.set_rules(
                organisation=cast.organisation,
                by=person,
                values={"support.withdrawn": (1, "delete")},
            )
    assert not RetentionRule.objects.exists()
