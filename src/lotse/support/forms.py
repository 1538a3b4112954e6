"""Forms of the support process; they validate input, services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotse.catalog.matching import Ranking
from lotse.catalog.models import Offer, QualityArea
from lotse.core.models import Organisation, Person, School, Site
from lotse.lib.forms import KernForm, apply_kern_classes
from lotse.support.models import CHOOSABLE, GoalProgress, Mailbox, Method, NextStep, State


def visibility_field(label: Any = None, **kwargs: Any) -> forms.ChoiceField:
    """Who may read an entry; left empty, the author's default applies (see visibility.py)."""
    return forms.ChoiceField(
        label=label or _("Who may see this?"),
        choices=[(level.value, level.label) for level in CHOOSABLE],
        widget=forms.RadioSelect,
        required=False,
        **kwargs,
    )


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


OTHER_SCHOOL = "andere"


class PublicRequestForm(KernForm):
    """A request from the public catalogue, without an account."""

    school = forms.ChoiceField(
        label=_("School"),
        help_text=_(
            "Sorted by district. Type the first letters of the name to jump to your school."
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
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
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
    # A trap for robots: people do not see the field (it is off-screen and out of the tab
    # order); whatever fills it in is not a person.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.schools = {
            str(school.pk): school
            for school in School.objects.filter(district__organisation=organisation)
            .select_related("district")
            .order_by("district__name", "name", "pk")
        }
        groups: dict[str, list[tuple[str, str]]] = {}
        for key, school in self.schools.items():
            label = (
                f"{school.name}, {school.city} ({school.number})"
                if school.city
                else (f"{school.name} ({school.number})")
            )
            groups.setdefault(school.district.name if school.district else "", []).append(
                (key, label)
            )
        self.fields["school"].choices = [  # type: ignore[attr-defined]
            ("", _("— please choose —")),
            (OTHER_SCHOOL, _("My school is not in the list")),
            *groups.items(),
        ]
        self.fields["quality_area"].queryset = QualityArea.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        ).order_by("number")
        self.fields["offer"].queryset = Offer.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation, active=True
        ).order_by("title")
        website = self.fields["website"].widget
        website.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(
                _("Please describe what your school would like support with.")
            )
        return text

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
            data["school"] = self.schools.get(choice)
            data["school_name"] = ""
        return data

    def is_robot(self) -> bool:
        """Whether the trap field was filled in (call after is_valid())."""
        return bool(self.cleaned_data.get("website", "").strip())


class NoteForm(KernForm):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}))
    visibility = visibility_field()


class OptionalNoteForm(KernForm):
    note = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    visibility = visibility_field()


class MessageForm(KernForm):
    """The coordination's message to the school; the school and the coordination read it."""

    note = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Sent to the school by e-mail; the regional coordination can read it too."),
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
    note = forms.CharField(
        label=_("Note to the supporters"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_(
            "Each proposed supporter reads it before deciding; the school and the regional "
            "coordination can read it too."
        ),
    )

    def __init__(self, *args: Any, ranking: Ranking, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ranking = ranking
        self.fields["supporters"].choices = [  # type: ignore[attr-defined]
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
    reason = forms.CharField(
        label=_("Reason for declining"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the regional coordination; the school can read it too."),
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
    participants = forms.CharField(
        label=_("Participants (chosen by the school)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    goals = forms.CharField(
        label=_("Goals"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One goal per line. The goals belong to the school."),
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
    visibility = visibility_field()


# --- notes, documents, visibility, releases ---------------------------------------------------


class NoteAddForm(KernForm):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}))
    visibility = visibility_field()


class DocumentForm(KernForm):
    file = forms.FileField(label=_("Document"))
    visibility = visibility_field()

    def __init__(self, *args: Any, max_size: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_size = max_size
        self.fields["file"].help_text = _("At most %(limit)s MB; stored encrypted.") % {
            "limit": round(max_size / 1e6, 1)
        }
        apply_kern_classes(self)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_size:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.")
                % {"limit": round(self.max_size / 1e6, 1)}
            )
        return upload


class VisibilityForm(KernForm):
    visibility = forms.ChoiceField(
        label=_("Who may see this?"),
        choices=[(level.value, level.label) for level in CHOOSABLE],
    )


# Purposes the school can pick; any other purpose can be written in.
RELEASE_PURPOSES = [
    _("Annual report of the site"),
    _("Evaluation of the support system"),
    _("Concept for the network library (anonymised)"),
]


class ReleaseForm(KernForm):
    choice = forms.ChoiceField(label=_("Purpose"), required=False)
    purpose = forms.CharField(label=_("Other purpose"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [  # type: ignore[attr-defined]
            ("", _("— write in a purpose —")),
            *((str(p), str(p)) for p in RELEASE_PURPOSES),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        purpose = (data.get("purpose") or "").strip() or data.get("choice") or ""
        if not purpose:
            raise forms.ValidationError(_("Please name the purpose of the release."))
        data["purpose"] = purpose
        return data


class RemoveSupporterForm(KernForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Recorded in the timeline; the supporter is told that their part has ended, not why."
        ),
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


# --- the accompaniment: sessions, next steps, methods -----------------------------------------


class MethodChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} – {obj.description}"


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


class SessionTimeForm(KernForm):
    """Date, beginning, end and place of a session, and the methods chosen for it."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    begins = forms.TimeField(label=_("Begins"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label=_("Place"), max_length=200)
    methods = MethodChoiceField(
        queryset=Method.objects.none(),
        label=_("Methods"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The invitation explains each method in plain language, so the school knows what "
            "to expect."
        ),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["methods"].queryset = Method.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation, active=True
        ).order_by("name")
        apply_kern_classes(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, begins, ends = data.get("day"), data.get("begins"), data.get("ends")
        if day is None or begins is None or ends is None:
            return data
        data["starts_at"] = _at(day, begins)
        data["ends_at"] = _at(day, ends)
        if data["starts_at"] <= timezone.now():
            self.add_error("day", _("The session must take place in the future."))
        if data["ends_at"] <= data["starts_at"]:
            self.add_error("ends", _("The session must end after it begins."))
        return data


class SessionPlanForm(SessionTimeForm):
    participants = forms.CharField(
        label=_("Participants (groups and persons)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The school decides who takes part."),
    )
    visibility = visibility_field(_("Who may see the participants and the record?"))


class NextStepForm(KernForm):
    text = forms.CharField(label=_("Next step"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ChoiceField(
        label=_("Who does it"), choices=NextStep.Owner.choices, widget=forms.RadioSelect
    )
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    visibility = visibility_field()

    def clean_due_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The due date must not be in the past."))
        return value


# How many empty next steps the record form offers; more can be added on the request page.
RECORD_STEP_ROWS = 3


class SessionRecordForm(KernForm):
    """The session record: who took part, notes, reflection, the goals' progress, next steps."""

    participants = forms.CharField(
        label=_("Who took part"), widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=_("Session notes"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    reflection = forms.CharField(
        label=_("Joint reflection"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("What went well, what was difficult, what we take with us."),
    )
    visibility = visibility_field(_("Who may see the record?"))

    def __init__(self, *args: Any, goals: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        levels = [("", _("— not recorded —")), *GoalProgress.Level.choices]
        for n, goal in enumerate(goals, start=1):
            self.fields[f"goal_{n}_level"] = forms.TypedChoiceField(
                label=_("Goal %(n)s: %(goal)s") % {"n": n, "goal": goal},
                choices=levels,
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"goal_{n}_note"] = forms.CharField(
                label=_("Note on goal %(n)s") % {"n": n},
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
            )
        for i in range(1, RECORD_STEP_ROWS + 1):
            self.fields[f"step_{i}_text"] = forms.CharField(
                label=_("Next step %(i)s") % {"i": i},
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
            )
            self.fields[f"step_{i}_owner"] = forms.ChoiceField(
                label=_("Who does next step %(i)s") % {"i": i},
                choices=[("", _("— please choose —")), *NextStep.Owner.choices],
                required=False,
            )
            self.fields[f"step_{i}_due"] = forms.DateField(
                label=_("Next step %(i)s due on") % {"i": i},
                widget=forms.DateInput(attrs={"type": "date"}),
                required=False,
            )
        apply_kern_classes(self)

    def goal_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"goal_{n}_level"], self[f"goal_{n}_note"]) for n in range(1, len(self.goals) + 1)
        ]

    def step_fields(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"step_{i}_text"], self[f"step_{i}_owner"], self[f"step_{i}_due"])
            for i in range(1, RECORD_STEP_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        for i in range(1, RECORD_STEP_ROWS + 1):
            if not (data.get(f"step_{i}_text") or "").strip():
                continue
            if not data.get(f"step_{i}_owner"):
                self.add_error(f"step_{i}_owner", _("Please say who does the next step."))
            due = data.get(f"step_{i}_due")
            if due is None:
                if f"step_{i}_due" not in self.errors:
                    self.add_error(f"step_{i}_due", _("Please give a due date."))
            elif due < today:
                self.add_error(f"step_{i}_due", _("The due date must not be in the past."))
        return data


class MethodForm(KernForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Explanation in plain language"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "What happens, what it is good for, and what the participants do. The school reads "
            "this with the invitation, before the method is used."
        ),
    )
    active = forms.BooleanField(
        label=_("Offered: supporters can choose this method"), required=False, initial=True
    )
