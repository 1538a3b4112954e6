"""Forms of the support process; they validate input, services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotse.catalog.models import Offer, QualityArea
from lotse.core.models import Person, School, Site
from lotse.lib.forms import KernForm
from lotse.support.models import Mailbox, State


class RequestForm(KernForm):
    school = forms.ModelChoiceField(queryset=School.objects.none(), label=_("School"))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    text = forms.CharField(
        label=_("What would your school like support with?"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Describe your situation in your own words. The regional site will contact you."
        ),
    )
    quality_area = forms.ModelChoiceField(
        queryset=QualityArea.objects.none(),
        required=False,
        label=_("Area of school quality"),
        empty_label=_("— not sure —"),
    )
    offer = forms.ModelChoiceField(
        queryset=Offer.objects.none(),
        required=False,
        label=_("Support offer"),
        empty_label=_("— not sure —"),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_email = forms.EmailField(label=_("E-mail"))
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)

    def __init__(self, *args: Any, schools: Any, organisation_ids: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["quality_area"].queryset = QualityArea.objects.filter(  # type: ignore[attr-defined]
            organisation_id__in=organisation_ids
        )
        self.fields["offer"].queryset = Offer.objects.filter(  # type: ignore[attr-defined]
            organisation_id__in=organisation_ids, active=True
        )

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(
                _("Please describe what your school would like support with.")
            )
        return text


class NoteForm(KernForm):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}))


class OptionalNoteForm(KernForm):
    note = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class ProposeForm(KernForm):
    supporters = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        label=_("Supporters"),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note to the supporters"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, supporters: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supporters"].queryset = supporters  # type: ignore[attr-defined]
        self.fields["supporters"].label_from_instance = lambda p: (  # type: ignore[attr-defined]
            f"{p.get_full_name() or p.email}"
        )


class DeclineForm(KernForm):
    reason = forms.CharField(
        label=_("Reason for declining"), widget=forms.Textarea(attrs={"rows": 3})
    )


class MeetingForm(KernForm):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    participants = forms.CharField(
        label=_("Participants (chosen by the school)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_starts_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["starts_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("The meeting must take place in the future."))
        return value


DEFAULT_CONFIDENTIALITY = _(
    "What is said in the meetings stays in the room. The school decides which information "
    "leaves it. Records are visible only to the participants."
)


class AgreementForm(KernForm):
    participants = forms.CharField(
        label=_("Participants (chosen by the school)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    goals = forms.CharField(
        label=_("Goals"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One goal per line. The goals belong to the school."),
    )
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=200)
    frequency = forms.CharField(
        label=_("Frequency"), max_length=200, help_text=_("e.g. every four weeks, 90 minutes")
    )
    resources = forms.CharField(
        label=_("Resources"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    methods = forms.CharField(
        label=_("Methods"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    confidentiality = forms.CharField(
        label=_("Confidentiality clause"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=DEFAULT_CONFIDENTIALITY,
    )

    def clean_goals(self) -> str:
        goals: str = self.cleaned_data["goals"]
        if not goals.strip():
            raise forms.ValidationError(_("A Kontrakt needs at least one goal."))
        return goals

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The time span must end after it begins."))
        return data


class ForwardForm(KernForm):
    recipient = forms.CharField(label=_("Forward to"), max_length=200)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class InboxFilterForm(KernForm):
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False, label=_("Site"), empty_label=_("all sites")
    )
    state = forms.ChoiceField(required=False, label=_("State"))
    overdue = forms.BooleanField(required=False, label=_("only overdue"))
    quality_area = forms.ModelChoiceField(
        queryset=QualityArea.objects.none(),
        required=False,
        label=_("Area of school quality"),
        empty_label=_("all areas"),
    )
    school = forms.CharField(required=False, label=_("School (name or number)"), max_length=200)

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]
        self.fields["state"].choices = [  # type: ignore[attr-defined]
            ("", _("all states")),
            ("open", _("all open")),
            *State.choices,
        ]
        self.fields["quality_area"].queryset = QualityArea.objects.filter(  # type: ignore[attr-defined]
            organisation__sites__in=sites
        ).distinct()


class AssignSchoolForm(KernForm):
    school = forms.ModelChoiceField(queryset=School.objects.none(), label=_("School"))

    def __init__(self, *args: Any, schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]


class MailboxForm(KernForm):
    host = forms.CharField(label=_("IMAP server"), max_length=200)
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=993)
    security = forms.ChoiceField(label=_("Connection security"), choices=Mailbox.Security.choices)
    username = forms.CharField(label=_("User name"), max_length=200)
    password = forms.CharField(
        label=_("Password"),
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
    school = forms.ModelChoiceField(
        queryset=School.objects.none(),
        required=False,
        label=_("School"),
        empty_label=_("— assign later —"),
    )

    def __init__(self, *args: Any, schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
