"""Forms of core."""

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from lotse.core import retention, schoolimport
from lotse.core.models import Organisation, RetentionAction
from lotse.lib import textsearch
from lotse.lib.forms import KernForm, apply_kern_classes
from lotse.lib.sizes import megabytes

# Ten years: the longest period an organisation may choose.
MAX_MONTHS = 120


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
    session_reminder_hours = forms.IntegerField(
        label=_("Remind school and supporters this many hours before a session"),
        min_value=1,
        max_value=168,
        help_text=_("Between 1 and 168 hours (one week)."),
    )
    agreement_end_reminder_days = forms.IntegerField(
        label=_("Remind school and supporters this many days before the Kontrakt ends"),
        min_value=1,
        max_value=90,
        help_text=_("Between 1 and 90 days. They then choose: extend or complete."),
    )
    evaluation_min_answers = forms.IntegerField(
        label=_("Fewest answers before the evaluation report shows a question"),
        min_value=3,
        max_value=50,
        help_text=_(
            "Between 3 and 50. Fewer answers are not shown, so no one can tell who answered what."
        ),
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
            "session_reminder_hours": organisation.session_reminder_hours,
            "agreement_end_reminder_days": organisation.agreement_end_reminder_days,
            "evaluation_min_answers": organisation.evaluation_min_answers,
        }


class RetentionForm(KernForm):
    """One pair of fields per registered kind of data: months, then what happens."""

    def __init__(self, *args: Any, rules: list[retention.Rule], **kwargs: Any) -> None:
        self.rules = rules
        super().__init__(*args, **kwargs)
        for rule in rules:
            kind = rule.kind
            self.fields[f"{kind.slug}-months"] = forms.IntegerField(
                label=format_lazy("{}: {}", kind.label, _("keep for months")),
                min_value=1,
                max_value=MAX_MONTHS,
                help_text=format_lazy(
                    "{} {}",
                    kind.help_text,
                    _("Default: %(months)s months, then %(action)s.")
                    % {"months": kind.months, "action": RetentionAction(kind.action).label},
                ),
                initial=rule.months,
            )
            self.fields[f"{kind.slug}-action"] = forms.ChoiceField(
                label=format_lazy("{}: {}", kind.label, _("then")),
                choices=[(a, RetentionAction(a).label) for a in kind.actions],
                initial=rule.action,
            )
        apply_kern_classes(self)

    def pairs(self) -> list[tuple[retention.Rule, forms.BoundField, forms.BoundField]]:
        """Each rule with its two fields, for a table of one row per kind."""
        return [
            (rule, self[f"{rule.kind.slug}-months"], self[f"{rule.kind.slug}-action"])
            for rule in self.rules
        ]

    def values(self) -> dict[str, tuple[int, str]]:
        return {
            rule.kind.slug: (
                self.cleaned_data[f"{rule.kind.slug}-months"],
                self.cleaned_data[f"{rule.kind.slug}-action"],
            )
            for rule in self.rules
        }


class PersonSearchForm(KernForm):
    q = forms.CharField(label=_("Name or e-mail address"), required=False, max_length=200)


class EraseForm(KernForm):
    confirmation = forms.CharField(
        label=_("Type the person's e-mail address to confirm"),
        max_length=254,
        help_text=_(
            "Erasing cannot be undone. The person can no longer log in; their name and address "
            "are removed from every record."
        ),
    )


class SchoolSearchForm(KernForm):
    q = forms.CharField(label=_("Name, number or town"), required=False, max_length=200)


class SchoolImportForm(KernForm):
    file = forms.FileField(label=_("File"))
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=schoolimport.FileFormat.choices,
        initial=schoolimport.FileFormat.AUTO,
    )
    encoding = forms.ChoiceField(
        label=_("Encoding"),
        choices=schoolimport.Encoding.choices,
        initial=schoolimport.Encoding.UTF8,
        help_text=_("A file that is valid UTF-8 is always read as UTF-8."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hint = format_lazy(
            "{} {}",
            _("JSON or CSV from the Saxon school database, or a CSV in Lotse's generic format."),
            _("At most %(size)s MB.") % {"size": self.megabytes()},
        )
        self.fields["file"].help_text = hint
        # The bound field was made (and its help text copied) in KernForm.__init__ already.
        self["file"].help_text = hint
        apply_kern_classes(self)

    @staticmethod
    def megabytes() -> str:
        return megabytes(schoolimport.max_size())

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > schoolimport.max_size():
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB."), params={"size": self.megabytes()}
            )
        return upload


class SearchSynonymsForm(KernForm):
    """An organisation's synonym list for the search, one line per word: "Mobbing: Konflikte,
    Streit" makes a search for "Mobbing" also find the offers about Konflikte and Streit."""

    synonyms = forms.CharField(
        label=_("Synonyms"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=20000,
        help_text=_(
            "One line per word: the word, a colon, then the words it should also find, "
            "separated by commas. Example: Mobbing: Konflikte, Streit"
        ),
    )

    @staticmethod
    def text_of(pairs: list[tuple[str, list[str]]]) -> str:
        return "\n".join(f"{word}: {', '.join(means)}" for word, means in pairs)

    def clean_synonyms(self) -> list[tuple[str, list[str]]]:
        pairs: dict[str, tuple[str, list[str]]] = {}
        for number, line in enumerate(self.cleaned_data["synonyms"].splitlines(), start=1):
            if not line.strip():
                continue
            word, colon, rest = line.partition(":")
            word = word.strip()
            means = [part.strip() for part in rest.split(",") if part.strip()]
            if not colon or not word or not means:
                raise forms.ValidationError(
                    _("Line %(number)s: write the word, a colon and what it should also find."),
                    params={"number": number},
                )
            if len(textsearch.terms(word)) != 1 or len(word.split()) != 1:
                raise forms.ValidationError(
                    _("Line %(number)s: “%(word)s” must be one word that carries meaning."),
                    params={"number": number, "word": word},
                )
            if len(word) > 100 or len(", ".join(means)) > 300:
                raise forms.ValidationError(
                    _("Line %(number)s is too long."), params={"number": number}
                )
            key = word.casefold()
            if key in pairs:
                pairs[key][1].extend(m for m in means if m not in pairs[key][1])
            else:
                pairs[key] = (word, means)
        return list(pairs.values())
