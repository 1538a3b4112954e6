"""The organisation admin sets the acknowledgement deadline, the reminder and the sender."""

from __future__ import annotations

import pytest
from django.test import Client

from lotse.core import services
from lotse.core.models import Organisation
from tests.factories import Cast, OrganisationFactory, person_with_role, submit_request

pytestmark = pytest.mark.django_db


def url(organisation: Organisation) -> str:
    return f"/organisation/{organisation.slug}/einstellungen/"


# The settings of the accompaniment, as the form sends them unchanged.
ACCOMPANIMENT = {
    "session_reminder_hours": "24",
    "agreement_end_reminder_days": "14",
    "evaluation_min_answers": "5",
}


def test_admin_sees_the_current_settings(cast: Cast, client: Client) -> None:
    client.force_login(cast.admin)
    response = client.get(url(cast.organisation))
    assert response.status_code == 200
    assert response.context["form"].initial == {
        "acknowledgement_days": 7,
        "reminder_days_before": 2,
        "mail_from": "lotse@lasub.example",
        "session_reminder_hours": 24,
        "agreement_end_reminder_days": 14,
        "evaluation_min_answers": 5,
    }


def test_admin_changes_the_deadline(cast: Cast, client: Client) -> None:
    client.force_login(cast.admin)
    response = client.post(
        url(cast.organisation),
        {
            "acknowledgement_days": "10",
            "reminder_days_before": "3",
            "mail_from": "",
            "session_reminder_hours": "48",
            "agreement_end_reminder_days": "21",
            "evaluation_min_answers": "8",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url(cast.organisation)
    cast.organisation.refresh_from_db()
    assert cast.organisation.acknowledgement_days == 10
    assert cast.organisation.reminder_days_before == 3
    assert cast.organisation.mail_from == ""
    assert cast.organisation.session_reminder_hours == 48
    assert cast.organisation.agreement_end_reminder_days == 21
    assert cast.organisation.evaluation_min_answers == 8


def _ok(**changes: str) -> dict[str, str]:
    """Valid settings with the given changes."""
    return {"acknowledgement_days": "7", "reminder_days_before": "2", **changes}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"acknowledgement_days": "5", "reminder_days_before": "5"}, "reminder_days_before"),
        ({"acknowledgement_days": "0", "reminder_days_before": "0"}, "acknowledgement_days"),
        ({"acknowledgement_days": "", "reminder_days_before": "1"}, "acknowledgement_days"),
        ({"acknowledgement_days": "7", "reminder_days_before": "1", "mail_from": "x"}, "mail_from"),
        (_ok(session_reminder_hours="0"), "session_reminder_hours"),
        (_ok(session_reminder_hours="169"), "session_reminder_hours"),
        (_ok(agreement_end_reminder_days="0"), "agreement_end_reminder_days"),
        (_ok(agreement_end_reminder_days="91"), "agreement_end_reminder_days"),
        (_ok(evaluation_min_answers="2"), "evaluation_min_answers"),
        (_ok(evaluation_min_answers="51"), "evaluation_min_answers"),
        (_ok(evaluation_min_answers=""), "evaluation_min_answers"),
    ],
    ids=[
        "reminder not before deadline",
        "no days",
        "missing",
        "bad address",
        "no hours before a session",
        "more than a week before a session",
        "no days before the Kontrakt ends",
        "more than 90 days before the Kontrakt ends",
        "too few answers",
        "too many answers",
        "no answers given",
    ],
)
def test_bad_settings_are_an_error_and_change_nothing(
    cast: Cast, client: Client, data: dict[str, str], field: str
) -> None:
    client.force_login(cast.admin)
    response = client.post(url(cast.organisation), {**ACCOMPANIMENT, **data})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {field}
    cast.organisation.refresh_from_db()
    assert (cast.organisation.acknowledgement_days, cast.organisation.reminder_days_before) == (
        7,
        2,
    )
    assert cast.organisation.session_reminder_hours == 24
    assert cast.organisation.evaluation_min_answers == 5


def test_out_of_range_values_are_explained_in_german(cast: Cast, client: Client) -> None:
    client.force_login(cast.admin)
    response = client.post(url(cast.organisation), _ok(session_reminder_hours="200"))
    assert response.status_code == 400
    assert "kleiner oder gleich 168" in response.content.decode()


def test_admin_of_another_organisation_gets_404(cast: Cast, client: Client) -> None:
    foreign_admin = person_with_role("admin", OrganisationFactory())
    client.force_login(foreign_admin)
    assert client.get(url(cast.organisation)).status_code == 404
    assert client.post(url(cast.organisation), {"acknowledgement_days": "1"}).status_code == 404
    client.force_login(cast.admin)
    assert client.get("/organisation/gibt-es-nicht/einstellungen/").status_code == 404


def test_only_admins_may_change_settings(cast: Cast) -> None:
    for person in (cast.coordinator, cast.supporter, cast.school_contact_a, cast.outsider):
        with pytest.raises(services.NotAllowed):
            services.organisation_update_settings(
                organisation=cast.organisation,
                by=person,
                acknowledgement_days=1,
                reminder_days_before=0,
            )
    cast.organisation.refresh_from_db()
    assert cast.organisation.acknowledgement_days == 7


def test_new_deadline_applies_to_new_requests(cast: Cast) -> None:
    services.organisation_update_settings(
        organisation=cast.organisation,
        by=cast.admin,
        acknowledgement_days=3,
        reminder_days_before=1,
    )
    sr = submit_request(cast.school_a, cast.school_contact_a)
    assert (sr.acknowledge_due_at - sr.received_at).days == 3
