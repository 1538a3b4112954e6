"""Forms of the mail intake: a site's mailbox, accepting a quarantined mail as a request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lotse.core.models import Organisation
from lotse.core.school_choice import SchoolChoiceField
from lotse.lib import limits
from lotse.lib.forms import KernForm
from lotse.support.models import Mailbox


class MailboxForm(KernForm):
    host = forms.CharField(label=_("IMAP server"), max_length=200)
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=993)
    security = forms.ChoiceField(label=_("Connection security"), choices=Mailbox.Security.choices)
    username = forms.CharField(label=_("User name"), max_length=200)
    password = forms.CharField(
        label=_("Password"),
        max_length=limits.SECRET,
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Stored encrypted. Leave empty to keep the stored password."),
    )
    folder = forms.CharField(label=_("Folder"), max_length=200, initial="INBOX")
    done_folder = forms.CharField(
        label=_("Move imported mail to"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to only mark imported mail as read."),
    )
    active = forms.BooleanField(label=_("Read this mailbox every minute"), required=False)

    def __init__(self, *args: Any, has_password: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_password = has_password

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password") or ""
        if not password and not self.has_password:
            raise forms.ValidationError(_("Please enter the mailbox password."))
        return password


class QuarantineAcceptForm(KernForm):
    school = SchoolChoiceField(
        required=False,
        label=_("School"),
        empty_label=_("— assign later —"),
    )

    def __init__(
        self, *args: Any, schools: Any, organisation: Organisation | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["school"].organisation = organisation  # type: ignore[attr-defined]
