"""Forms of core."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lotse.core.models import Organisation
from lotse.lib.forms import KernForm


class OrganisationSettingsForm(KernForm):
    acknowledgement_days = forms.IntegerField(
        label=_("Days to confirm receipt of a request"),
        min_value=1,
        max_value=60,
        help_text=_("Counted from receipt. Overdue requests stand out in the inbox."),
    )
    reminder_days_before = forms.IntegerField(
        label=_("Remind coordinators this many days before the deadline"),
        min_value=0,
        max_value=30,
    )
    mail_from = forms.EmailField(
        label=_("Sender address of the organisation's mails"), required=False
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        days, before = data.get("acknowledgement_days"), data.get("reminder_days_before")
        if isinstance(days, int) and isinstance(before, int) and before >= days:
            self.add_error("reminder_days_before", _("The reminder must come before the deadline."))
        return data

    @staticmethod
    def initial_for(organisation: Organisation) -> dict[str, object]:
        return {
            "acknowledgement_days": organisation.acknowledgement_days,
            "reminder_days_before": organisation.reminder_days_before,
            "mail_from": organisation.mail_from,
        }
