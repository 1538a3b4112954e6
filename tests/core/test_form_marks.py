"""Required or optional: a form marks whichever kind of field is rarer, and nothing where nothing
is required (KERN's guidance); the marks are German."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from lotse.core.models import Site
from lotse.lib.forms import KernForm
from lotse.support.forms.base import visibility_field
from lotse.support.forms.requests import InboxFilterForm

pytestmark = pytest.mark.django_db


class MostlyRequired(KernForm):
    subject = forms.CharField(label="Betreff")
    text = forms.CharField(label="Text", widget=forms.Textarea)
    phone = forms.CharField(label="Telefon", required=False)
    visibility = visibility_field()


class MostlyOptional(KernForm):
    name = forms.CharField(label="Name")
    phone = forms.CharField(label="Telefon", required=False)
    note = forms.CharField(label="Notiz", required=False)
    agree = forms.BooleanField(label="Einverstanden", required=False)


def label_of(form: forms.Form, name: str) -> str:
    html = str(form[name].as_field_group())
    start = html.index("<label" if "<legend" not in html else "<legend")
    return html[start : html.index("</", start)]


def test_a_filter_marks_nothing() -> None:
    with translation.override("de"):
        html = str(InboxFilterForm(sites=Site.objects.none()))
    assert "– optional" not in html
    assert "Pflichtfeld" not in html


def test_where_most_fields_are_required_the_optional_ones_are_marked() -> None:
    with translation.override("de"):
        form = MostlyRequired()
        assert "– optional" in label_of(form, "phone")
        assert "– optional" not in label_of(form, "subject")
        assert "Pflichtfeld" not in str(form)
        # A radio group of who may see an entry keeps its default when left alone.
        assert "– optional" not in str(form["visibility"].as_field_group())


def test_where_most_fields_are_optional_the_required_ones_are_marked() -> None:
    with translation.override("de"):
        form = MostlyOptional()
        assert "– Pflichtfeld" in label_of(form, "name")
        assert "– optional" not in str(form)
