"""English that reached German pages and files: Django's empty choice of a select, the comment the
calendar library writes into a time zone."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.utils import timezone, translation

from lotse.core.models import School
from lotse.support.calendar import session_calendar
from lotse.support.forms.requests import RequestForm
from lotse.support.models import State
from lotse.support.services import accompaniment as accompaniment_services
from tests.factories import Cast, bring_to_state

pytestmark = pytest.mark.django_db


def test_the_school_select_offers_a_german_empty_choice(cast: Cast) -> None:
    with translation.override("de"):
        form = RequestForm(
            schools=School.objects.filter(pk__in=[cast.school_a.pk, cast.school_b.pk]),
            organisation_ids={cast.organisation.pk},
        )
        html = str(form["school"])
    assert '<option value="" selected>Bitte auswählen</option>' in html
    assert "Select an option" not in html


def test_the_calendar_file_carries_no_english_comment(cast: Cast) -> None:
    sr = bring_to_state(cast, State.AGREED)
    starts = timezone.now() + dt.timedelta(days=3)
    with translation.override("de"):
        session = accompaniment_services.session_plan(
            request=sr,
            by=cast.supporter,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            place="Schule, Raum 3",
            participants="Steuergruppe",
        )
        ics = session_calendar(session)
    calendar = icalendar.Calendar.from_ical(ics)
    comments = [str(c["comment"]) for c in calendar.walk() if "comment" in c]
    assert comments == []
    assert "timezone only works" not in ics
    assert "Termin der Begleitung" in ics


def german_catalogue() -> dict[str, str]:
    """Every German translation of Lotse's catalogue, by msgid (plural forms joined)."""
    import gettext
    from pathlib import Path

    import lotse

    mo = Path(lotse.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as file:
        catalog: dict[object, str] = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
    return {str(key): value for key, value in catalog.items() if key}


def test_the_german_texts_use_one_inclusive_form() -> None:
    """The gender colon everywhere (docs/architecture.md, "Language and names"): no slash forms,
    no pairs, no forced articles, one name for the supporters, no parentheses in parentheses."""
    import re

    slash = re.compile(r"\w/(in|innen|r|e|n)\b|\b[Dd](er|ie)/d(ie|er)\b")
    wrong = {
        msgid: text
        for msgid, text in german_catalogue().items()
        if slash.search(text)
        or re.search(r"\w+erin oder (ein(en)? )?\w+er\b", text)
        or "Schulbegleiter" in text
        or re.search(r"\b[Ww]eitere[rn]? Unterstützer\b(?!:)", text)
        or re.search(r"\b(der|dem|des|ein|einer|einem) \w+:in\b", text)
        or re.search(r"\([^()]*\(", re.sub(r"%\(\w+\)[sd]", "", text))
    }
    assert wrong == {}


def test_the_legend_of_the_findings_is_plain() -> None:
    text = german_catalogue()["The check found these; they identify no one:"]
    assert (
        text
        == "Die Prüfung hat diese Wörter gefunden. Kreuzen Sie an, was niemanden erkennbar macht:"
    )


def test_feminine_nouns_take_their_article() -> None:
    """ "das Vorgangsnummer" stood on the page after a public request: nouns ending in -nummer,
    -ung, -heit, -keit, -schaft and -ion are feminine, so never "das" or "ein" before them."""
    import re

    wrong_article = re.compile(r"\b(?:[Dd]as|[Ee]in) \w+(?:nummer|ung|heit|keit|schaft|tion)\b")
    wrong = {
        msgid: text for msgid, text in german_catalogue().items() if wrong_article.search(text)
    }
    assert wrong == {}
