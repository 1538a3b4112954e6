"""The school data import: open school data files into the schools of an organisation's state.

Three formats are read (docs/school-import.md describes them for the people who make files):

- `sn-json`: the Saxon school database (Sächsische Schuldatenbank, `/api/v1/schools?format=json`).
  The API answers with a JSON list of schools; each school carries its key, name and head and a
  list `buildings` with address, municipality, coordinates, contact and school types. The first
  building is the school's main one and is read; a field may also stand on the school itself
  (as in DOMAIN.md's flat field list), where a building lacks it. An object with the list under
  `"data"` is read too.
- `sn-csv`: the same database as CSV (`format=csv`): one row per building with the same field
  names; `school_type_keys` holds the keys comma-separated ("11, 12"). A school with several
  buildings has several rows; the first counts, the others are skipped (not an error; the
  report lists them as skipped, with the reason).
- `generic-csv`: a documented CSV for every other source (columns in `GENERIC_COLUMNS`).

The file must be UTF-8 (a byte order mark is fine; UTF-16 with a byte order mark too). A file
declared as Windows-1252 (what older Excel writes) is decoded as such, unless it is valid UTF-8.
Anything else is rejected as a whole with a reason: the import never guesses an encoding and so
never stores mojibake.

A school is keyed by (state, official number). Saxon files hold schools of Saxony; a generic
row names its state or takes the organisation's. The district follows from the Saxon
municipality key (its first five digits are the Kreisschlüssel, `District.official_key`) or
from the generic row's district name or key; the site follows from the district.

Every row is checked first; a row with a problem is rejected with its reasons (German for the
user, through gettext) and the others are imported. The whole file is imported in one
transaction: either all its good rows are written, or, on an error of the database, none.
Existing schools are updated only where a field differs, so a second import of the same file
changes nothing. Fields a file does not have (a column or a JSON key that is missing) are left
as they are. The names of school heads in the Saxon data are personal data and are not read.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from lotse.core import roles
from lotse.core.models import District, Organisation, Person, School, SchoolImport
from lotse.core.services import NotAllowed


class FileFormat(models.TextChoices):
    AUTO = "auto", _("Detect automatically")
    SN_JSON = "sn-json", _("Saxon school database, JSON")
    SN_CSV = "sn-csv", _("Saxon school database, CSV")
    GENERIC_CSV = "generic-csv", _("Generic CSV (Lotse)")


class Encoding(models.TextChoices):
    UTF8 = "utf-8", _("UTF-8")
    WINDOWS_1252 = "windows-1252", _("Windows-1252 (CSV from older Excel versions)")


# The sixteen federal states, by the abbreviations of the state's official number.
STATES = frozenset(
    {"BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"}
)
# Germany's bounding box (47.27–55.06 N, 5.87–15.04 E), with a little room at the borders.
LATITUDES = (Decimal("47.2"), Decimal("55.1"))
LONGITUDES = (Decimal("5.8"), Decimal("15.1"))
_SIX_PLACES = Decimal("0.000001")
_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z./-]{0,19}")
_COMMUNITY_KEY = re.compile(r"\d{8}")

# Keys of the Saxon school database's key table `school_types` that Lotse's types cover.
SN_SCHOOL_TYPES = {
    "11": School.Type.PRIMARY,  # Grundschule
    "12": School.Type.OBERSCHULE,  # Oberschule (formerly Mittelschule)
    "13": School.Type.GYMNASIUM,  # Gymnasium
    "14": School.Type.SPECIAL,  # Förderschule
}
# Names of school types in generic files (compared case-insensitively), and the Saxon keys.
GENERIC_SCHOOL_TYPES: dict[str, str] = {
    **SN_SCHOOL_TYPES,
    **{value: value for value in School.Type.values},
    "primary school": School.Type.PRIMARY,
    "mittelschule": School.Type.OBERSCHULE,
    "förderschule": School.Type.SPECIAL,
    "förderzentrum": School.Type.SPECIAL,
    "special needs school": School.Type.SPECIAL,
    "berufliches schulzentrum": School.Type.VOCATIONAL,
    "vocational school": School.Type.VOCATIONAL,
    "integrierte gesamtschule": School.Type.COMPREHENSIVE,
    "comprehensive school": School.Type.COMPREHENSIVE,
    "sonstige": School.Type.OTHER,
}

# Generic CSV: each Lotse field with the column names that may hold it (English, German).
GENERIC_COLUMNS: dict[str, tuple[str, ...]] = {
    "state": ("state", "land", "bundesland"),
    "number": ("number", "schulnummer", "nummer"),
    "name": ("name", "schulname"),
    "school_type": ("school_type", "schulart", "schulform"),
    "street": ("street", "strasse", "straße"),
    "postcode": ("postcode", "plz", "postleitzahl"),
    "city": ("city", "ort"),
    "district": ("district", "landkreis", "kreis"),
    "latitude": ("latitude", "breite", "lat"),
    "longitude": ("longitude", "laenge", "länge", "lon"),
    "email": ("email", "e-mail", "mail"),
    "phone": ("phone", "telefon"),
    "homepage": ("homepage", "website", "internet"),
}
GENERIC_REQUIRED = ("number", "name", "district")
SN_REQUIRED = ("institution_key", "name", "community_key")

# The fields of School that an import writes, in the order the preview lists changes.
FIELDS = (
    "name",
    "school_type",
    "district",
    "street",
    "postcode",
    "city",
    "latitude",
    "longitude",
    "email",
    "phone",
    "homepage",
)
_LIMITS: dict[str, int] = {
    f.name: f.max_length
    for f in School._meta.concrete_fields
    if f.name in ("name", "street", "postcode", "city", "email", "phone", "homepage")
    and f.max_length is not None
}

# Every reason and note of a report, by code. Stored as codes with parameters, so that a report
# kept for the result page speaks the language of whoever reads it.
MESSAGES = {
    # the file as a whole
    "empty": _("The file is empty."),
    "not_utf8": _(
        "The file is not UTF-8 encoded (the first invalid byte is in line %(line)s). Save it as "
        "UTF-8 (in Excel: “CSV UTF-8”), or choose the encoding Windows-1252 if it came from an "
        "older Excel."
    ),
    "not_windows_1252": _(
        "The file is neither UTF-8 nor Windows-1252 encoded (the first invalid byte is in line "
        "%(line)s)."
    ),
    "bad_json": _("The file is not valid JSON (error in line %(line)s, column %(column)s)."),
    "json_shape": _(
        "The JSON file must hold a list of schools, or an object with that list under “data”."
    ),
    "csv_error": _("The CSV file cannot be read (line %(line)s)."),
    "unknown_header": _(
        "The header row matches no known format. Expected the columns of the Saxon school "
        "database (institution_key, name, community_key, …) or of the generic CSV (number, "
        "name, district, …)."
    ),
    "missing_columns": _("The header row lacks these columns: %(columns)s."),
    "duplicate_columns": _("The header row names these columns twice: %(columns)s."),
    "not_saxony": _(
        "The Saxon school database lists schools in Saxony (SN); this organisation works in "
        "%(state)s."
    ),
    "read_as_utf8": _(
        "The file is valid UTF-8 and was read as UTF-8, not as Windows-1252 as chosen."
    ),
    # a row
    "not_an_object": _("The entry is not an object with the fields of a school."),
    "field_count": _("The row has %(found)s fields, the header row %(expected)s."),
    "missing_key": _("The official school number (%(column)s) is missing."),
    "invalid_key": _(
        "“%(value)s” is not a valid school number (at most 20 letters, digits, dots, hyphens "
        "or slashes)."
    ),
    "duplicate": _(
        "The school number %(key)s appears more than once in the file; only its first row "
        "(%(first)s) is imported."
    ),
    "duplicate_entry": _(
        "The school number %(key)s appears more than once in the file; only its first entry "
        "(%(first)s) is imported."
    ),
    "further_building": _(
        "A further building of the school %(key)s: the school is imported from its first row "
        "(%(first)s)."
    ),
    "missing_name": _("The name of the school is missing."),
    "not_text": _("%(field)s must be text, not a list or an object."),
    "too_long": _("%(field)s is too long (%(length)s characters, at most %(max)s)."),
    "invalid_state": _("“%(value)s” is not a German federal state (two letters, e.g. SN)."),
    "other_state": _("The school lies in %(value)s; this organisation works in %(state)s."),
    "community_key_missing": _(
        "Unknown district: the municipality key (community_key) is missing."
    ),
    "community_key_invalid": _(
        "Unknown district: “%(value)s” is not a municipality key (8 digits, e.g. 14612000)."
    ),
    "unknown_district_key": _(
        "Unknown district: no district of the organisation has the key %(key)s (from the "
        "municipality key %(community_key)s)."
    ),
    "district_missing": _("Unknown district: the district is missing."),
    "unknown_district": _(
        "Unknown district: no district of the organisation is called “%(value)s” or has it as "
        "its key."
    ),
    "other_organisation": _("The school belongs to a district of another organisation."),
    "coordinates_incomplete": _(
        "Bad coordinates: only one is given, but latitude and longitude belong together."
    ),
    "coordinates_not_numbers": _(
        "Bad coordinates: latitude “%(latitude)s” and longitude “%(longitude)s” must be numbers."
    ),
    "coordinates_out_of_range": _(
        "Bad coordinates: %(latitude)s, %(longitude)s do not exist (latitude from −90 to 90, "
        "longitude from −180 to 180)."
    ),
    "coordinates_outside": _("Bad coordinates: %(latitude)s, %(longitude)s lie outside Germany."),
    "coordinates_swapped": _(
        "Bad coordinates: %(latitude)s, %(longitude)s lie outside Germany. Are latitude and "
        "longitude swapped?"
    ),
    "bad_email": _("“%(value)s” is not a valid e-mail address."),
    # notes on a row that is imported
    "unknown_school_type": _(
        "Unknown school type “%(value)s”: a new school is imported as “%(other)s”, an existing "
        "one keeps its type."
    ),
    "missing_school_type": _(
        "The school type is missing: a new school is imported as “%(other)s”, an existing one "
        "keeps its type."
    ),
    "postcode_padded": _(
        "The postcode %(value)s has four digits; the leading zero was added (%(postcode)s)."
    ),
    "homepage_ignored": _("“%(value)s” is not a web address; the homepage is left as it is."),
}


@dataclass(frozen=True)
class Message:
    """One reason or note, rendered in the active language when shown."""

    code: str
    params: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        values: dict[str, str] = {"other": str(School.Type.OTHER.label), **self.params}
        if "field" in values:
            values["field"] = str(label_of_source(values["field"]))
        return str(MESSAGES[self.code]) % values


class FileRejected(Exception):
    """The file as a whole cannot be imported; nothing was written."""

    def __init__(self, code: str, **params: object) -> None:
        self.reason = Message(code, {k: str(v) for k, v in params.items()})
        super().__init__(str(self.reason))

    @property
    def message(self) -> str:
        return str(self.reason)


@dataclass
class Rejection:
    """A row that was not imported, and every reason why."""

    row: int
    key: str
    reasons: list[Message]

    @property
    def reason(self) -> str:
        return " ".join(str(reason) for reason in self.reasons)


@dataclass
class Skip(Rejection):
    """A row that is left out on purpose, not an error: a further building of a school in a
    Saxon CSV export (the school's first row is imported)."""


@dataclass
class Note:
    """Something the admin should know about a row that was imported (or about the file)."""

    row: int
    key: str
    message: Message

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class Change:
    """A school the import creates or updates, with the fields that change (old, new)."""

    row: int
    key: str
    name: str
    created: bool
    district: str
    site: str
    fields: list[tuple[str, str, str]]

    def labelled_fields(self) -> list[tuple[str, str, str]]:
        """The changed fields with their labels in the active language."""
        return [(str(label_of(name)), old, new) for name, old, new in self.fields]


@dataclass
class Result:
    """What an import did (or, in a dry run, would do)."""

    file_format: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[Change] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def format_label(self) -> str:
        return str(FileFormat(self.file_format).label)

    @property
    def is_json(self) -> bool:
        return self.file_format == FileFormat.SN_JSON

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-able data, for `SchoolImport.result`."""
        return {
            "file_format": self.file_format,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "changes": [
                [c.row, c.key, c.name, c.created, c.district, c.site, c.fields]
                for c in self.changes
            ],
            "rejected": [
                [r.row, r.key, [[m.code, m.params] for m in r.reasons]] for r in self.rejected
            ],
            "skipped": [
                [r.row, r.key, [[m.code, m.params] for m in r.reasons]] for r in self.skipped
            ],
            "notes": [[n.row, n.key, n.message.code, n.message.params] for n in self.notes],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        return cls(
            file_format=data["file_format"],
            dry_run=data["dry_run"],
            rows=data["rows"],
            created=data["created"],
            updated=data["updated"],
            unchanged=data["unchanged"],
            changes=[
                Change(row, key, name, created, district, site, [(f, o, n) for f, o, n in fields])
                for row, key, name, created, district, site, fields in data["changes"]
            ],
            rejected=[
                Rejection(row, key, [Message(code, params) for code, params in reasons])
                for row, key, reasons in data["rejected"]
            ],
            # Results stored before skipped rows were told apart have none.
            skipped=[
                Skip(row, key, [Message(code, params) for code, params in reasons])
                for row, key, reasons in data.get("skipped", [])
            ],
            notes=[
                Note(row, key, Message(code, params)) for row, key, code, params in data["notes"]
            ],
        )


def label_of(name: str) -> Any:
    """The label of a School field as the preview shows it."""
    if name == "latitude":
        return _("latitude")
    if name == "longitude":
        return _("longitude")
    model_field = School._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    return capfirst(model_field.verbose_name)


# --- reading a file ----------------------------------------------------------------------------


@dataclass
class SourceRow:
    """One row of a file, with its values under Lotse's field names.

    `values` holds only what the file has: a field missing from the file is missing here."""

    row: int
    values: dict[str, Any]
    problem: Message | None = None


@dataclass
class Parsed:
    file_format: str
    rows: list[SourceRow]
    notes: list[Note]


def decode(content: bytes, encoding: str = Encoding.UTF8) -> tuple[str, str]:
    """The file's text and the encoding it was read in. UTF-8 (with or without byte order
    mark) always; Windows-1252 only when chosen; never a guess."""
    if not content.strip():
        raise FileRejected("empty")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text": marked unmistakably by its byte order mark.
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise FileRejected("not_utf8", line=_line_of(content, exc.start)) from exc
    try:
        return content.decode("utf-8-sig"), Encoding.UTF8
    except UnicodeDecodeError as exc:
        if encoding != Encoding.WINDOWS_1252:
            raise FileRejected("not_utf8", line=_line_of(content, exc.start)) from exc
    try:
        return content.decode("cp1252"), Encoding.WINDOWS_1252
    except UnicodeDecodeError as exc:
        raise FileRejected("not_windows_1252", line=_line_of(content, exc.start)) from exc


def _line_of(content: bytes, position: int) -> int:
    return content.count(b"\n", 0, position) + 1


def read(
    content: bytes, *, file_format: str = FileFormat.AUTO, encoding: str = Encoding.UTF8
) -> Parsed:
    """Decode the file, find its format and read its rows (not yet checked)."""
    text, used = decode(content, encoding)
    notes = []
    if encoding == Encoding.WINDOWS_1252 and used != encoding and not content.isascii():
        notes.append(Note(0, "", Message("read_as_utf8")))
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise FileRejected("empty")
    if file_format == FileFormat.AUTO:
        file_format = FileFormat.SN_JSON if stripped[0] in "[{" else _csv_format(stripped)
    if file_format == FileFormat.SN_JSON:
        return Parsed(FileFormat.SN_JSON, list(_read_sn_json(stripped)), notes)
    # Blank lines before the header row still count, so that line numbers are the editor's.
    skipped = text[: len(text) - len(stripped)].count("\n")
    return Parsed(file_format, _read_csv(stripped, file_format, skipped), notes)


def _read_sn_json(text: str) -> Iterator[SourceRow]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileRejected("bad_json", line=exc.lineno, column=exc.colno) from exc
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list):
        raise FileRejected("json_shape")
    for index, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            yield SourceRow(index, {}, Message("not_an_object"))
            continue
        # The first building is the school's main one; fields missing there may stand on the
        # school itself.
        buildings = entry.get("buildings")
        building = buildings[0] if isinstance(buildings, list) and buildings else {}
        if not isinstance(building, dict):
            building = {}
        merged = {**entry, **building}
        yield SourceRow(index, _from_sn(merged))


def _from_sn(raw: dict[str, Any]) -> dict[str, Any]:
    """Lotse's fields from the Saxon school database's fields (those present)."""
    values: dict[str, Any] = {"state": "SN"}
    for ours, theirs in (
        ("number", "institution_key"),
        ("name", "name"),
        ("school_type", "school_type_keys"),
        ("street", "street"),
        ("postcode", "postcode"),
        ("city", "community"),
        ("community_key", "community_key"),
        ("latitude", "latitude"),
        ("longitude", "longitude"),
        ("email", "mail"),
        ("homepage", "homepage"),
    ):
        if theirs in raw:
            values[ours] = raw[theirs]
    if "phone_code_1" in raw or "phone_number_1" in raw:
        parts = [raw.get("phone_code_1"), raw.get("phone_number_1")]
        values["phone"] = " ".join(str(p).strip() for p in parts if p not in (None, ""))
    return values


def _delimiter(header: str) -> str:
    """The delimiter of a CSV file: whichever of ; , tab its header row has most of."""
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d])


def _columns(header_row: list[str]) -> list[str]:
    return [cell.strip().lstrip("\ufeff").lower() for cell in header_row]


def _csv_format(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    header = _columns(next(csv.reader([first_line], delimiter=_delimiter(first_line))))
    if "institution_key" in header:
        return FileFormat.SN_CSV
    if set(header) & set(GENERIC_COLUMNS["number"]):
        return FileFormat.GENERIC_CSV
    raise FileRejected("unknown_header")


def _read_csv(text: str, file_format: str, skipped: int = 0) -> list[SourceRow]:
    first_line = text.split("\n", 1)[0]
    # Strict: an unclosed quote would otherwise swallow the rest of the file into one field.
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_delimiter(first_line), strict=True
    )
    try:
        header = _columns(next(reader))
        twice = sorted({c for c in header if c and header.count(c) > 1})
        if twice:
            raise FileRejected("duplicate_columns", columns=", ".join(twice))
        mapping = _column_mapping(header, file_format)
        rows = []
        line = reader.line_num + skipped
        for record in reader:
            start, line = line + 1, reader.line_num + skipped
            if not any(cell.strip() for cell in record):
                continue
            # Trailing empty fields (a delimiter too many at the end) are harmless.
            extra = record[len(header) :]
            cells = record[: len(header)] if not any(c.strip() for c in extra) else record
            if len(cells) != len(header):
                problem = Message(
                    "field_count", {"found": str(len(cells)), "expected": str(len(header))}
                )
                rows.append(SourceRow(start, {}, problem))
                continue
            raw = {column: cells[index] for index, column in enumerate(header) if column in mapping}
            if file_format == FileFormat.SN_CSV:
                rows.append(SourceRow(start, _from_sn(raw)))
            else:
                rows.append(SourceRow(start, {mapping[c]: v for c, v in raw.items()}))
    except csv.Error as exc:
        raise FileRejected("csv_error", line=reader.line_num + skipped) from exc
    return rows


def _column_mapping(header: list[str], file_format: str) -> dict[str, str]:
    """Column name -> Lotse field (for Saxon CSV: the columns that are read, to themselves)."""
    if file_format == FileFormat.SN_CSV:
        missing = [c for c in SN_REQUIRED if c not in header]
        if missing:
            raise FileRejected("missing_columns", columns=", ".join(missing))
        return {c: c for c in header}
    mapping = {}
    for ours, names in GENERIC_COLUMNS.items():
        for name in names:
            if name in header:
                mapping[name] = ours
                break
    missing = [c for c in GENERIC_REQUIRED if c not in mapping.values()]
    if missing:
        raise FileRejected("missing_columns", columns=", ".join(missing))
    return mapping


# --- checking a row ----------------------------------------------------------------------------


@dataclass
class Checked:
    """A row that passed every check: the values to write, the district, notes."""

    row: int
    key: str
    values: dict[str, Any]
    notes: list[Message]


def _text(value: Any) -> str:
    """A value of the file as text: numbers as they are written, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _coordinate(value: Any) -> Decimal | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        text = _text(value)
        if "," in text and "." not in text:  # a German decimal comma
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
    return number if number.is_finite() else None


class Checker:
    """Checks the rows of one file against the organisation's districts and schools."""

    def __init__(self, organisation: Organisation, file_format: str) -> None:
        self.organisation = organisation
        self.file_format = file_format
        self.saxon = file_format in (FileFormat.SN_JSON, FileFormat.SN_CSV)
        districts = list(District.objects.filter(organisation=organisation).select_related("site"))
        self.districts_by_key = {d.official_key: d for d in districts if d.official_key}
        self.districts_by_name = {d.name.casefold(): d for d in districts}
        self.districts_by_short_name: dict[str, list[District]] = {}
        for district in districts:
            short = _short_district_name(district.name)
            self.districts_by_short_name.setdefault(short, []).append(district)
        self.schools = {
            s.number: s
            for s in School.objects.filter(state=organisation.state).select_related(
                "district__site"
            )
        }
        self.seen: dict[str, int] = {}

    def check(self, source: SourceRow) -> Checked | Rejection:
        """The row's values to write, or why it cannot be imported."""
        key, refusal = self._key(source)
        if refusal is not None:
            return refusal
        reasons: list[Message] = []
        notes: list[Message] = []
        out: dict[str, Any] = {}
        text: dict[str, str] = {}
        for name, value in source.values.items():
            if isinstance(value, dict | list) and name != "school_type":
                reasons.append(Message("not_text", {"field": name}))
            else:
                text[name] = _text(value)
        existing = self.schools.get(key)
        self._state(text, reasons)
        if text.get("name"):
            out["name"] = text["name"]
        else:
            reasons.append(Message("missing_name"))
        self._school_type(source.values, existing, out, notes)
        district = self._district(text, reasons)
        if district is not None:
            out["district"] = district
        self._address(text, out, notes)
        self._coordinates(source.values, text, out, reasons)
        self._contact(text, out, reasons, notes)
        for name, limit in _LIMITS.items():
            value = out.get(name)
            if isinstance(value, str) and len(value) > limit:
                params = {"field": name, "length": str(len(value)), "max": str(limit)}
                reasons.append(Message("too_long", params))
        if (
            existing is not None
            and existing.district is not None
            and existing.district.organisation_id != self.organisation.pk
        ):
            reasons.append(Message("other_organisation"))
        if reasons:
            return Rejection(source.row, key, reasons)
        return Checked(source.row, key, out, notes)

    def _key(self, source: SourceRow) -> tuple[str, Rejection | None]:
        """The row's official number, or the rejection of a row without a usable one (a
        missing or invalid number, a second row of the same number, an unreadable row)."""
        raw = source.values.get("number")
        key = "" if isinstance(raw, dict | list) else _text(raw)[:40]
        if source.problem is not None:
            return key, Rejection(source.row, key, [source.problem])
        if not key:
            column = "institution_key" if self.saxon else "number"
            return key, Rejection(source.row, "", [Message("missing_key", {"column": column})])
        if not _NUMBER.fullmatch(key):
            return key, Rejection(source.row, key, [Message("invalid_key", {"value": key})])
        if key in self.seen:
            params = {"key": key, "first": str(self.seen[key])}
            if self.file_format == FileFormat.SN_CSV:
                return key, Skip(source.row, key, [Message("further_building", params)])
            code = "duplicate_entry" if self.file_format == FileFormat.SN_JSON else "duplicate"
            return key, Rejection(source.row, key, [Message(code, params)])
        self.seen[key] = source.row
        return key, None

    def _address(self, text: dict[str, str], out: dict[str, Any], notes: list[Message]) -> None:
        for name in ("street", "city", "phone"):
            if name in text:
                out[name] = text[name]
        if "postcode" in text:
            postcode = text["postcode"]
            # Spreadsheets drop the leading zero of Saxon postcodes (01067 → 1067).
            if len(postcode) == 4 and postcode.isdigit():
                postcode = f"0{postcode}"
                notes.append(
                    Message("postcode_padded", {"value": text["postcode"], "postcode": postcode})
                )
            out["postcode"] = postcode

    def _contact(
        self,
        text: dict[str, str],
        out: dict[str, Any],
        reasons: list[Message],
        notes: list[Message],
    ) -> None:
        if "email" in text:
            email = text["email"]
            if email and not _is_email(email):
                reasons.append(Message("bad_email", {"value": email[:100]}))
            out["email"] = email
        if "homepage" in text:
            homepage = text["homepage"]
            if homepage and "://" not in homepage:
                homepage = f"https://{homepage}"
            if homepage and not _is_url(homepage):
                notes.append(Message("homepage_ignored", {"value": text["homepage"][:100]}))
            else:
                out["homepage"] = homepage

    def _state(self, text: dict[str, str], reasons: list[Message]) -> None:
        state = text.get("state", "").upper() or self.organisation.state
        if state not in STATES:
            reasons.append(Message("invalid_state", {"value": text.get("state", "")[:20]}))
        elif state != self.organisation.state:
            reasons.append(
                Message("other_state", {"value": state, "state": self.organisation.state})
            )

    def _school_type(
        self,
        values: dict[str, Any],
        existing: School | None,
        out: dict[str, Any],
        notes: list[Message],
    ) -> None:
        raw = values.get("school_type")
        if isinstance(raw, list):
            tokens = [_text(t) for t in raw]
        else:
            text = _text(raw)
            tokens = [t.strip() for t in text.split(",")] if self.saxon else [text]
        tokens = [t for t in tokens if t]
        table = SN_SCHOOL_TYPES if self.saxon else GENERIC_SCHOOL_TYPES
        for token in tokens:
            found = table.get(token.casefold())
            if found is not None:
                out["school_type"] = found
                return
        if existing is None:
            out["school_type"] = School.Type.OTHER
        if "school_type" not in values and existing is not None:
            return  # the file does not speak about types: nothing to note
        if tokens:
            notes.append(Message("unknown_school_type", {"value": ", ".join(tokens)[:60]}))
        else:
            notes.append(Message("missing_school_type"))

    def _district(self, text: dict[str, str], reasons: list[Message]) -> District | None:
        if self.saxon:
            community_key = text.get("community_key", "")
            if not community_key:
                reasons.append(Message("community_key_missing"))
                return None
            if not _COMMUNITY_KEY.fullmatch(community_key):
                reasons.append(Message("community_key_invalid", {"value": community_key[:20]}))
                return None
            district = self.districts_by_key.get(community_key[:5])
            if district is None:
                reasons.append(
                    Message(
                        "unknown_district_key",
                        {"key": community_key[:5], "community_key": community_key},
                    )
                )
            return district
        value = text.get("district", "")
        if not value:
            reasons.append(Message("district_missing"))
            return None
        district = self.districts_by_key.get(value) or self.districts_by_name.get(value.casefold())
        if district is None:
            candidates = self.districts_by_short_name.get(_short_district_name(value), [])
            district = candidates[0] if len(candidates) == 1 else None
        if district is None:
            reasons.append(Message("unknown_district", {"value": value[:120]}))
        return district

    def _coordinates(
        self,
        values: dict[str, Any],
        text: dict[str, str],
        out: dict[str, Any],
        reasons: list[Message],
    ) -> None:
        if "latitude" not in values and "longitude" not in values:
            return
        lat_text, lon_text = text.get("latitude", ""), text.get("longitude", "")
        if not lat_text and not lon_text:
            out["latitude"] = out["longitude"] = None
            return
        shown = {"latitude": lat_text[:30], "longitude": lon_text[:30]}
        if not lat_text or not lon_text:
            reasons.append(Message("coordinates_incomplete"))
            return
        latitude, longitude = _coordinate(values["latitude"]), _coordinate(values["longitude"])
        if latitude is None or longitude is None:
            reasons.append(Message("coordinates_not_numbers", shown))
            return
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            reasons.append(Message("coordinates_out_of_range", shown))
            return
        if not (_in_germany(latitude, longitude)):
            swapped = _in_germany(longitude, latitude)
            code = "coordinates_swapped" if swapped else "coordinates_outside"
            reasons.append(Message(code, shown))
            return
        out["latitude"] = latitude.quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)
        out["longitude"] = longitude.quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)


def label_of_source(name: str) -> Any:
    return label_of(name) if name in FIELDS else name


def _in_germany(latitude: Decimal, longitude: Decimal) -> bool:
    return LATITUDES[0] <= latitude <= LATITUDES[1] and LONGITUDES[0] <= longitude <= LONGITUDES[1]


def _short_district_name(name: str) -> str:
    """A district's name without "LK", "Landkreis", "Stadt" …, to match "Landkreis Bautzen"
    with "LK Bautzen" (used only where it identifies one district)."""
    short = name.casefold().strip()
    for prefix in ("landkreis ", "lk ", "kreisfreie stadt ", "stadt ", "kreis "):
        if short.startswith(prefix):
            return short[len(prefix) :].strip()
    return short


_email = EmailValidator()
_url = URLValidator(schemes=["http", "https"])


def _is_email(value: str) -> bool:
    try:
        _email(value)
    except ValidationError:
        return False
    return True


def _is_url(value: str) -> bool:
    try:
        _url(value)
    except ValidationError:
        return False
    return True


# --- writing -----------------------------------------------------------------------------------


def _shown(name: str, value: Any) -> str:
    """A field's value as the preview shows it."""
    if value is None:
        return ""
    if name == "school_type":
        return str(School.Type(value).label)
    if name == "district":
        return value.name
    return str(value)


def _differences(school: School | None, values: dict[str, Any]) -> list[str]:
    if school is None:
        return [name for name in FIELDS if name in values]
    changed = []
    for name in FIELDS:
        if name not in values:
            continue
        if name == "district":
            if school.district_id != values["district"].pk:
                changed.append(name)
        elif getattr(school, name) != values[name]:
            changed.append(name)
    return changed


Progress = Callable[[int, int], None]


def run(
    *,
    organisation: Organisation,
    content: bytes,
    file_format: str = FileFormat.AUTO,
    encoding: str = Encoding.UTF8,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Result:
    """Import a school data file into the schools of the organisation's state.

    Raises `FileRejected` for a file that cannot be read at all. With `dry_run`, nothing is
    written and the result says what an import would do (the preview)."""
    parsed = check_file(
        organisation=organisation, content=content, file_format=file_format, encoding=encoding
    )
    result = Result(file_format=parsed.file_format, dry_run=dry_run, notes=list(parsed.notes))
    with transaction.atomic():
        _run_rows(organisation, parsed, result, dry_run=dry_run, progress=progress)
    return result


def check_file(
    *, organisation: Organisation, content: bytes, file_format: str, encoding: str
) -> Parsed:
    """Read the file; raises `FileRejected` if it cannot be imported into the organisation."""
    parsed = read(content, file_format=file_format, encoding=encoding)
    if parsed.file_format in (FileFormat.SN_JSON, FileFormat.SN_CSV) and organisation.state != "SN":
        raise FileRejected("not_saxony", state=organisation.state)
    return parsed


def _run_rows(
    organisation: Organisation,
    parsed: Parsed,
    result: Result,
    *,
    dry_run: bool,
    progress: Progress | None,
) -> None:
    checker = Checker(organisation, parsed.file_format)
    total = len(parsed.rows)
    result.rows = total
    for done, source in enumerate(parsed.rows, start=1):
        outcome = checker.check(source)
        if isinstance(outcome, Skip):
            result.skipped.append(outcome)
        elif isinstance(outcome, Rejection):
            result.rejected.append(outcome)
        else:
            result.notes.extend(Note(outcome.row, outcome.key, m) for m in outcome.notes)
            _write(organisation, checker, outcome, result, dry_run=dry_run)
        if progress is not None:
            progress(done, total)


def _write(
    organisation: Organisation,
    checker: Checker,
    checked: Checked,
    result: Result,
    *,
    dry_run: bool,
) -> None:
    school = checker.schools.get(checked.key)
    changed = _differences(school, checked.values)
    if school is not None and not changed:
        result.unchanged += 1
        return
    # Every row that passed the checks has its name and district.
    district: District = checked.values["district"]
    result.changes.append(
        Change(
            row=checked.row,
            key=checked.key,
            name=checked.values["name"],
            created=school is None,
            district=district.name,
            site=district.site.name,
            fields=[
                (
                    name,
                    _shown(name, getattr(school, name)) if school is not None else "",
                    _shown(name, checked.values[name]),
                )
                for name in changed
            ],
        )
    )
    if school is None:
        result.created += 1
        if not dry_run:
            school = School.objects.create(
                state=organisation.state, number=checked.key, **checked.values
            )
            checker.schools[checked.key] = school
        return
    result.updated += 1
    if not dry_run:
        for name in changed:
            setattr(school, name, checked.values[name])
        school.save(update_fields=changed)


# --- the upload of the admin pages -------------------------------------------------------------

# An upload waits this long for its confirmation (and its result stays readable as long).
KEEP_UPLOADS = dt.timedelta(days=1)


def max_size() -> int:
    return int(getattr(settings, "SCHOOL_IMPORT_MAX_SIZE", 5 * 1024 * 1024))


@transaction.atomic
def upload_store(
    *,
    organisation: Organisation,
    by: Person,
    filename: str,
    content: bytes,
    file_format: str,
    encoding: str,
) -> SchoolImport:
    """Keep an uploaded school data file until its admin confirms the import. A file that
    cannot be read at all is refused at once (`FileRejected`), before it is kept."""
    if not roles.has_role(by, roles.Kind.ADMIN, organisation):
        raise NotAllowed
    check_file(
        organisation=organisation, content=content, file_format=file_format, encoding=encoding
    )
    purge()
    return SchoolImport.objects.create(
        organisation=organisation,
        uploaded_by=by,
        filename=filename[:200],
        file_format=file_format,
        encoding=encoding,
        content=content,
    )


def upload_preview(*, upload: SchoolImport) -> Result:
    """What the import of the uploaded file would do now (writes nothing)."""
    return run(
        organisation=upload.organisation,
        content=bytes(upload.content),
        file_format=upload.file_format,
        encoding=upload.encoding,
        dry_run=True,
    )


@transaction.atomic
def upload_confirm(*, upload: SchoolImport, by: Person) -> Result:
    """Import the uploaded file, keep the result and drop the file."""
    upload = SchoolImport.objects.select_for_update().get(pk=upload.pk)
    if upload.uploaded_by_id != by.pk or not roles.has_role(
        by, roles.Kind.ADMIN, upload.organisation
    ):
        raise NotAllowed
    if upload.result is not None:
        return Result.from_dict(upload.result)
    result = run(
        organisation=upload.organisation,
        content=bytes(upload.content),
        file_format=upload.file_format,
        encoding=upload.encoding,
    )
    upload.result = result.as_dict()
    upload.imported_at = timezone.now()
    upload.content = b""
    upload.save(update_fields=["result", "imported_at", "content"])
    return result


def upload_of(*, organisation: Organisation, by: Person, pk: int) -> SchoolImport | None:
    """The person's own upload for the organisation, while it is kept."""
    return (
        SchoolImport.objects.filter(
            pk=pk,
            organisation=organisation,
            uploaded_by=by,
            uploaded_at__gte=timezone.now() - KEEP_UPLOADS,
        )
        .select_related("organisation")
        .first()
    )


def purge(*, now: dt.datetime | None = None) -> int:
    """Delete the uploads (and results) older than a day; returns how many."""
    cutoff = (now or timezone.now()) - KEEP_UPLOADS
    deleted, _by_model = SchoolImport.objects.filter(uploaded_at__lt=cutoff).delete()
    return deleted
