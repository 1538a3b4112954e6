"""How much text a person may type into a field: the maxima of every free-text field, in one
place. A form field carries its maximum as `max_length`, so the page has it as `maxlength` and
the server refuses more (with a German message; the form comes back with what was typed).

The maxima are generous for what each field is for, and small enough that no page weighs
megabytes because one text is huge."""

# A line: a subject, a name, a place, a title.
LINE = 200
# A search box.
SEARCH = 100
# A short text of a few lines: participants, a reason, a next step, a description.
TEXT = 5_000
# A long text: a request, a note, a session record, a reflection, a Kontrakt's goals, a concept.
LONG_TEXT = 20_000
# A password or access token typed into a form (a mailbox's).
SECRET = 1_000
