"""Forms of a request's way: the two request forms, the steps of the coordination, the Kontrakt
and the inbox filter. Forms validate input, services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotse.catalog.matching import Ranking
from lotse.catalog.models import Offer, QualityArea
from lotse.core.models import Organisation, Person, School, Site
from lotse.core.school_choice import SchoolChoiceField
from lotse.lib import limits
from lotse.lib.forms import FreeTextField, KernForm
from lotse.support.forms.base import RequestFormBase, visibility_field
from lotse.support.models import Method, State


class RequestForm(RequestFormBase):
    """A request of a school contact, logged in, for one of their schools."""

    field_order = (
        "school",
        "subject",
        "text",
        "quality_area",
        "offer",
        "contact_name",
        "contact_email",
        "contact_phone",
    )

    school = SchoolChoiceField(label=_("School"))
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_email = forms.EmailField(label=_("E-mail"))

    def __init__(self, *args: Any, schools: Any, organisation_ids: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["quality_area"].queryset = QualityArea.objects.filter(  # type: ignore[attr-defined]
            organisation_id__in=organisation_ids
        )
        self.fields["offer"].queryset = Offer.objects.filter(  # type: ignore[attr-defined]
            organisation_id__in=organisation_ids, active=True
        )


OTHER_SCHOOL = "andere"


class PublicRequestForm(RequestFormBase):
    """A request from the public catalogue, without an account."""

    field_order = (
        "school",
        "school_name",
        "contact_name",
        "contact_email",
        "contact_phone",
        "subject",
        "text",
        "quality_area",
        "offer",
        "website",
    )

    school = SchoolChoiceField(
        label=_("School"),
        help_text=_(
            "Type part of the name, the town or the school number of your school, then choose "
            "it from the list."
        ),
    )
    school_name = forms.CharField(
        label=_("Name and town of your school"),
        max_length=200,
        required=False,
        help_text=_("Only if your school is not in the list."),
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=200)
    contact_email = forms.EmailField(
        label=_("E-mail"), help_text=_("We send a confirmation of your request to this address.")
    )
    # A trap for robots: people do not see the field (it is off-screen and out of the tab
    # order); whatever fills it in is not a person.
    website = forms.CharField(
        label=_("Leave this field empty"), required=False, max_length=limits.LINE
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        school = self.fields["school"]
        assert isinstance(school, SchoolChoiceField)
        school.queryset = School.objects.filter(district__organisation=organisation)
        school.organisation = organisation
        school.extra = [(OTHER_SCHOOL, _("My school is not in the list"))]
        self.fields["quality_area"].queryset = QualityArea.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        ).order_by("number")
        self.fields["offer"].queryset = Offer.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation, active=True
        ).order_by("title")
        website = self.fields["website"].widget
        website.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice = data.get("school")
        if choice == OTHER_SCHOOL:
            data["school"] = None
            if not data.get("school_name", "").strip():
                self.add_error(
                    "school_name",
                    _("Please give the name and town of your school, as it is not in the list."),
                )
        elif choice:
            data["school_name"] = ""
        return data

    def is_robot(self) -> bool:
        """Whether the trap field was filled in (call after is_valid())."""
        return bool(self.cleaned_data.get("website", "").strip())


class NoteForm(KernForm):
    note = FreeTextField(label=_("Note"), rows=4)
    visibility = visibility_field()


class OptionalNoteForm(KernForm):
    note = FreeTextField(label=_("Message"), required=False, rows=4)
    visibility = visibility_field()


class MessageForm(KernForm):
    """The coordination's message to the school; the school and the coordination read it."""

    note = FreeTextField(
        label=_("Message"),
        required=False,
        help_text=_("Sent to the school by e-mail; the regional coordination can read it too."),
        rows=4,
    )


class ProposeForm(KernForm):
    """The supporters to propose, chosen from the ranked shortlist; excluded supporters are
    no choice (the shortlist says why)."""

    supporters = forms.TypedMultipleChoiceField(
        coerce=int,
        label=_("Supporters"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Please choose at least one supporter."),
            "invalid_choice": _(
                "Someone you chose cannot be proposed for this request; the shortlist says why."
            ),
        },
    )
    note = FreeTextField(
        label=_("Note to the supporters"),
        required=False,
        help_text=_(
            "Each proposed supporter reads it before deciding; the school and the regional "
            "coordination can read it too."
        ),
        rows=3,
    )

    def __init__(
        self, *args: Any, ranking: Ranking, earlier: dict[int, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.ranking = ranking
        # Who declined the request or whose part in it ended: they can be proposed again.
        self.earlier = earlier or {}
        # Built when asked (a posted choice is checked): the page shows its own rows, and a
        # thousand choices built and normalised on every view of the page cost.
        self.fields["supporters"].choices = lambda: [  # type: ignore[attr-defined]
            (entry.candidate.person_id, entry.candidate.name) for entry in ranking.ranked
        ]

    def clean_supporters(self) -> list[Person]:
        """The chosen people, in the order of the shortlist."""
        chosen = set(self.cleaned_data["supporters"])
        people = Person.objects.in_bulk(chosen)
        return [people[pk] for pk in self.ranking.ranked_ids() if pk in chosen and pk in people]

    def chosen_ids(self) -> set[int]:
        """The ids ticked in the submitted form, to tick them again when it comes back."""
        if not self.is_bound:
            return set()
        key = self.add_prefix("supporters")
        values = self.data.getlist(key) if hasattr(self.data, "getlist") else self.data.get(key)
        return {int(v) for v in values or () if str(v).isdigit()}


class DeclineForm(KernForm):
    reason = FreeTextField(
        max_length=limits.TEXT,
        label=_("Reason for declining"),
        help_text=_("For the regional coordination; the school can read it too."),
        rows=3,
    )


class MeetingForm(KernForm):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    participants = FreeTextField(
        max_length=limits.TEXT, label=_("Participants (chosen by the school)"), rows=3
    )
    visibility = visibility_field(_("Who may see the participants?"))

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
    participants = FreeTextField(
        max_length=limits.TEXT, label=_("Participants (chosen by the school)"), rows=3
    )
    goals = FreeTextField(
        label=_("Goals"), help_text=_("One goal per line. The goals belong to the school."), rows=5
    )
    # A date input takes ISO dates only: without the format, a prefilled German date
    # (an amendment starts from the version in force) would arrive empty.
    starts_on = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    frequency = forms.CharField(
        label=_("Frequency"), max_length=200, help_text=_("e.g. every four weeks, 90 minutes")
    )
    resources = FreeTextField(max_length=limits.TEXT, label=_("Resources"), required=False, rows=2)
    # The organisation's methods, each with its explanation; "other methods" for the rest.
    methods = forms.MultipleChoiceField(
        label=_("Methods"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("From your organisation's list of methods, each explained in plain language."),
    )
    other_methods = FreeTextField(
        max_length=limits.TEXT,
        label=_("Other methods"),
        required=False,
        rows=2,
        help_text=_("Methods that are not on the list, in your own words."),
    )
    confidentiality = FreeTextField(
        max_length=limits.TEXT,
        label=_("Confidentiality clause"),
        initial=DEFAULT_CONFIDENTIALITY,
        rows=3,
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        listed = Method.objects.filter(organisation=organisation, active=True).order_by("name")
        choices = [(m.name, f"{m.name} – {m.description}") for m in listed]
        # A method the version to change names but the list no longer offers stays choosable.
        kept = self.initial.get("methods") or []
        offered = {name for name, _label in choices}
        choices += [
            (name, _("%(name)s (no longer on the list)") % {"name": name})
            for name in kept
            if name not in offered
        ]
        self.fields["methods"].choices = choices  # type: ignore[attr-defined]

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
    reason = FreeTextField(max_length=limits.TEXT, label=_("Reason"), required=False, rows=3)
    visibility = visibility_field()


# --- notes, documents, visibility, releases ---------------------------------------------------


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
    school = SchoolChoiceField(label=_("School"))

    def __init__(
        self, *args: Any, schools: Any, organisation: Organisation | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["school"].organisation = organisation  # type: ignore[attr-defined]


# --- the accompaniment: sessions, next steps, methods -----------------------------------------
