"""The choice of a school, one field for every form that asks for one: usable with the ~1,400
schools of a Saxon import, with and without JavaScript.

- A few schools (a school contact's own): a plain select.
- Many schools, without JavaScript: a text field and a "Suchen" button. The button sends the
  form back; the view shows it again as typed (`searching`), the select now holds the schools
  that match the words (name, town or school number), and the person picks one.
- Many schools, with JavaScript (`static/lotse/school-choice.js`): the text field becomes a
  combobox (WAI-ARIA combobox with a listbox popup): typing asks `school_choices` for the
  matches, the arrow keys move through them, Enter picks one, Escape closes the list, and a
  live region says how many schools were found. The select stays the value that is sent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.forms.boundfield import BoundField
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lotse.core.models import Organisation, School
from lotse.core.schools import text_contains, text_starts_with
from lotse.lib import limits
from lotse.lib.forms import EMPTY_CHOICE

# Up to this many schools the choice is a plain select; more need a search.
PLAIN_UP_TO = 40
# How many matches a search shows at most; a longer list helps no one.
SHOWN = 30
# What the search field and the search button add to the field's name.
QUERY_SUFFIX = "_suche"
BUTTON_SUFFIX = "_suchen"


def label(school: School) -> str:
    """How a school reads in the choice: name, town and official number."""
    if school.city:
        return f"{school.name}, {school.city} ({school.number})"
    return f"{school.name} ({school.number})"


def search(schools: QuerySet[School], query: str) -> QuerySet[School]:
    """The schools whose name, town or number holds every word of the query (a number from its
    start), those whose name begins with the first word first."""
    words = re.findall(r"\w+", query)[:8]
    for word in words:
        schools = schools.filter(
            text_contains("name", word) | text_contains("city", word) | Q(number__startswith=word)
        )
    if not words:
        return schools.none()
    return schools.annotate(
        lotse_first=Case(
            When(text_starts_with("name", words[0]), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("lotse_first", "name", "city", "pk")


def found_text(count: int, shown: int) -> str:
    """What the live region says after a search."""
    if count == 0:
        return str(_("No school found. Try part of the name, the town or the school number."))
    text = ngettext("%(count)s school found.", "%(count)s schools found.", count) % {"count": count}
    if count > shown:
        text += " " + str(
            _("The first %(shown)s are listed; type more to narrow the list.") % {"shown": shown}
        )
    return text


class SchoolChoiceWidget(forms.Widget):
    """Renders `core/widgets/school_choice.html` from what `SchoolBoundField` prepared."""

    template_name = "core/widgets/school_choice.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.state: dict[str, Any] = {}

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(self.state)
        given = context["widget"]["attrs"]
        # Attribute names with hyphens, which a template cannot read.
        context["widget"]["describedby"] = given.get("aria-describedby", "")
        context["widget"]["invalid"] = given.get("aria-invalid") == "true"
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


class SchoolChoiceField(forms.ModelChoiceField):
    """A school of `queryset`; `organisation` lets the combobox search its schools on the
    server (a public list, as the public request form shows it); `extra` adds choices that are
    no school (e.g. "my school is not in the list"), cleaned to their value."""

    widget = SchoolChoiceWidget

    def __init__(
        self,
        *,
        queryset: QuerySet[School] | None = None,
        organisation: Organisation | None = None,
        extra: Sequence[tuple[str, Any]] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("empty_label", EMPTY_CHOICE)
        super().__init__(
            queryset=queryset if queryset is not None else School.objects.none(), **kwargs
        )
        self.organisation = organisation
        self.extra = list(extra)

    def to_python(self, value: Any) -> Any:
        if value in {key for key, _label in self.extra}:
            return value
        return super().to_python(value)

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> BoundField:
        return SchoolBoundField(form, self, field_name)


class SchoolBoundField(BoundField):
    """Prepares the widget: the query typed, the schools to offer, the status to read."""

    field: SchoolChoiceField

    def query(self) -> str:
        if not self.form.is_bound:
            return ""
        return str(self.form.data.get(self.html_name + QUERY_SUFFIX) or "").strip()[: limits.SEARCH]

    def as_widget(self, widget: Any = None, attrs: Any = None, only_initial: bool = False) -> Any:
        self.field.widget.state = self._state()
        return super().as_widget(widget, attrs, only_initial)

    def _state(self) -> dict[str, Any]:
        field = self.field
        schools = field.queryset.select_related(None)  # type: ignore[union-attr]
        value = self.value()
        chosen = str(value) if value not in (None, "") else ""
        total = schools.count()
        query = self.query()
        status = ""
        if total <= PLAIN_UP_TO:
            offered = list(schools.order_by("name", "city", "pk"))
        elif query:
            matches = search(schools, query)
            count = matches.count()
            offered = list(matches[:SHOWN])
            status = found_text(count, SHOWN)
        else:
            offered = []
        options = [(str(s.pk), label(s)) for s in offered]
        chosen_label = ""
        if chosen.isdigit():
            chosen_label = next((text for key, text in options if key == chosen), "")
            if not chosen_label:
                school = schools.filter(pk=int(chosen)).first()
                if school is not None:
                    chosen_label = label(school)
                    options.insert(0, (chosen, chosen_label))
        extra = [(key, str(text)) for key, text in field.extra]
        chosen_label = chosen_label or next((t for k, t in extra if k == chosen), "")
        plain = total <= PLAIN_UP_TO
        search_url = (
            reverse("core:school_choices", args=[field.organisation.slug])
            if field.organisation is not None and not plain
            else ""
        )
        return {
            "plain": plain,
            "options": options,
            "extra": extra,
            "chosen": chosen,
            "empty_label": str(field.empty_label) if field.empty_label is not None else "",
            "query": query or chosen_label,
            "status": status,
            "search_url": search_url,
            "query_name": self.html_name + QUERY_SUFFIX,
            "button_name": self.html_name + BUTTON_SUFFIX,
            "required": field.required,
        }


def searching(form: forms.BaseForm) -> bool:
    """Whether the form came back for a school search (the "Suchen" button, without
    JavaScript). It is then shown again as typed, without complaints, and is not valid: the
    view shows it instead of acting on it."""
    if not form.is_bound:
        return False
    for name, field in form.fields.items():
        if isinstance(field, SchoolChoiceField) and form[name].html_name + BUTTON_SUFFIX in (
            form.data
        ):
            form._errors = ErrorDict()  # type: ignore[attr-defined]  # shown again as typed
            form.cleaned_data = {}
            form.shown_again = True  # type: ignore[attr-defined]
            return True
    return False
