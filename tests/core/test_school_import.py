"""The school data import: the three formats, every kind of bad row with its German reason,
encodings, idempotence, district and site derivation, dry runs, and the command."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from lotse.core import schoolimport
from lotse.core.models import District, Organisation, School
from lotse.demo import data
from tests.factories import Cast, DistrictFactory, OrganisationFactory, SiteFactory

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "schools"
SN_HEADER = (
    "institution_key,name,school_type_keys,street,postcode,community,community_key,"
    "latitude,longitude,mail,phone_code_1,phone_number_1,homepage"
)
GOOD_SN_ROW = (
    "41612301,Grundschule Am Elbbogen Dresden,11,Leipziger Straße 112,01127,Dresden,14612000,"
    "51.072341,13.721486,sekretariat@gs-elbbogen.example,0351,8493210,"
)
GENERIC_HEADER = (
    "state;number;name;school_type;street;postcode;city;district;latitude;longitude;email;phone"
)
GOOD_GENERIC_ROW = (
    "SN;41730183;Grundschule am Lober Delitzsch;grundschule;Eilenburger Straße 26;04509;"
    "Delitzsch;LK Nordsachsen;51,526904;12,346118;sekretariat@gs-lober.example;034202 61570"
)


@pytest.fixture
def lasub(cast: Cast) -> Organisation:
    """The cast's organisation with the thirteen Saxon districts and their Kreisschlüssel: its
    "Dresden" (site A) and "Leipzig" (site B), and the others spread over both sites."""
    organisation = cast.organisation
    District.objects.filter(organisation=organisation, name="Dresden").update(official_key="14612")
    District.objects.filter(organisation=organisation, name="Leipzig").update(official_key="14713")
    for index, (name, key) in enumerate(data.SN_DISTRICT_KEYS.items()):
        if name not in ("Stadt Dresden", "Stadt Leipzig"):
            site = cast.site_a if index % 2 else cast.site_b
            DistrictFactory(site=site, name=name, official_key=key)
    return organisation


def run(organisation: Organisation, content: bytes | str, **kwargs: Any) -> schoolimport.Result:
    if isinstance(content, str):
        content = content.encode()
    return schoolimport.run(organisation=organisation, content=content, **kwargs)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def german(message: object) -> str:
    with translation.override("de"):
        return str(message)


def reasons_of(result: schoolimport.Result) -> dict[int, str]:
    with translation.override("de"):
        return {rejection.row: rejection.reason for rejection in result.rejected}


def school_values(number: str) -> dict[str, Any]:
    school = School.objects.select_related("district__site").get(state="SN", number=number)
    return {
        "name": school.name,
        "school_type": school.school_type,
        "district": school.district.name if school.district else None,
        "site": school.district.site.name if school.district else None,
        "street": school.street,
        "postcode": school.postcode,
        "city": school.city,
        "latitude": school.latitude,
        "longitude": school.longitude,
        "email": school.email,
        "phone": school.phone,
        "homepage": school.homepage,
    }


# --- good rows, each format --------------------------------------------------------------------


def test_the_saxon_json_sample_creates_its_schools_with_district_and_site(
    lasub: Organisation, cast: Cast
) -> None:
    result = run(lasub, sample("sachsen-schuldatenbank.json"))

    assert (result.created, result.updated, result.unchanged, result.rejected) == (8, 0, 0, [])
    assert result.file_format == schoolimport.FileFormat.SN_JSON
    assert school_values("41612301") == {
        "name": "Grundschule Am Elbbogen Dresden",
        "school_type": School.Type.PRIMARY,
        "district": "Dresden",
        "site": cast.site_a.name,
        "street": "Leipziger Straße 112",
        "postcode": "01127",
        "city": "Dresden",
        "latitude": Decimal("51.072341"),
        "longitude": Decimal("13.721486"),
        "email": "sekretariat@gs-elbbogen-dresden.example",
        "phone": "0351 8493210",
        "homepage": "https://gs-elbbogen-dresden.example/",
    }
    # Leipzig's Kreisschlüssel leads to the district served by site B.
    assert school_values("41713522")["site"] == cast.site_b.name
    # "11, 12": the first key Lotse knows decides the type.
    assert school_values("41627962")["school_type"] == School.Type.PRIMARY
    assert school_values("41524851")["school_type"] == School.Type.SPECIAL
    # A homepage without scheme gets https://.
    assert school_values("41612415")["homepage"] == "https://www.os-weisseritz.example"


def test_the_names_of_school_heads_are_not_stored(lasub: Organisation) -> None:
    content = sample("sachsen-schuldatenbank.json")
    assert b"Wendler" in content

    run(lasub, content)

    stored = json.dumps(list(School.objects.values()), default=str)
    assert "Wendler" not in stored
    assert "Katrin" not in stored


def test_the_saxon_csv_sample_holds_the_same_schools_as_the_json_sample(
    lasub: Organisation,
) -> None:
    result = run(lasub, sample("sachsen-schuldatenbank.csv"))
    assert (result.created, result.rejected) == (8, [])
    assert result.file_format == schoolimport.FileFormat.SN_CSV
    from_csv = {number: school_values(number) for number in ("41612301", "41627962", "41628173")}

    again = run(lasub, sample("sachsen-schuldatenbank.json"))

    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
    assert from_csv == {number: school_values(number) for number in from_csv}


def test_the_generic_sample_finds_districts_by_name_short_name_and_key(
    lasub: Organisation,
) -> None:
    result = run(lasub, sample("generic.csv"))

    assert (result.created, result.rejected) == (6, [])
    assert result.file_format == schoolimport.FileFormat.GENERIC_CSV
    assert school_values("41730183")["district"] == "LK Nordsachsen"
    assert school_values("41522305")["district"] == "LK Mittelsachsen"  # "Landkreis Mittelsachsen"
    assert school_values("41523416")["district"] == "Vogtlandkreis"  # the key 14523
    # German decimal commas, and the types by name.
    assert school_values("41730183")["latitude"] == Decimal("51.526904")
    assert school_values("41523416")["school_type"] == School.Type.SPECIAL
    assert school_values("41521527")["school_type"] == School.Type.VOCATIONAL
    # A spreadsheet dropped the leading zero of Görlitz's postcode; the import adds it back.
    assert school_values("41626638")["postcode"] == "02826"
    assert [(n.row, german(n)) for n in result.notes] == [
        (
            7,
            "Die Postleitzahl 2826 hat vier Ziffern; die führende Null wurde ergänzt (02826).",
        )
    ]


def test_a_flat_json_list_and_a_data_envelope_are_read(lasub: Organisation) -> None:
    flat = [
        {
            "institution_key": 41612301,
            "name": "Grundschule Am Elbbogen Dresden",
            "school_type_keys": "11",
            "community_key": "14612000",
            "latitude": "51.072341",
            "longitude": 13.721486,
        }
    ]
    result = run(lasub, json.dumps(flat))
    assert (result.created, result.rejected) == (1, [])
    assert school_values("41612301")["latitude"] == Decimal("51.072341")

    flat[0]["name"] = "Grundschule Am Elbbogen"
    enveloped = run(lasub, json.dumps({"data": flat}))

    assert (enveloped.created, enveloped.updated) == (0, 1)
    assert school_values("41612301")["name"] == "Grundschule Am Elbbogen"


def test_the_delimiter_is_found_from_the_header_row(lasub: Organisation) -> None:
    semicolons = SN_HEADER.replace(",", ";") + "\n" + GOOD_SN_ROW.replace(",", ";")
    result = run(lasub, semicolons)
    assert (result.created, result.rejected) == (1, [])
    assert school_values("41612301")["street"] == "Leipziger Straße 112"


def test_generic_columns_may_be_named_in_german(lasub: Organisation) -> None:
    content = (
        "Land;Schulnummer;Schulname;Schulart;Straße;PLZ;Ort;Landkreis;Breite;Länge;E-Mail\n"
        "SN;41730183;Grundschule am Lober;Grundschule;Eilenburger Straße 26;04509;Delitzsch;"
        "LK Nordsachsen;51.526904;12.346118;sekretariat@gs-lober.example\n"
    )
    result = run(lasub, content)
    assert (result.created, result.rejected) == (1, [])
    assert school_values("41730183")["city"] == "Delitzsch"


def test_line_numbers_are_those_of_the_file_also_after_blank_lines(lasub: Organisation) -> None:
    content = f"\n\n{GENERIC_HEADER}\n{GOOD_GENERIC_ROW}\n\n" + generic_row(name="")

    result = run(lasub, content)

    assert reasons_of(result) == {6: "Der Name der Schule fehlt."}


def test_blank_lines_and_a_trailing_delimiter_are_harmless(lasub: Organisation) -> None:
    content = f"{GENERIC_HEADER}\n\n{GOOD_GENERIC_ROW};\n;;;;;;;;;;;\n"
    result = run(lasub, content)
    assert (result.rows, result.created, result.rejected) == (1, 1, [])


# --- idempotence, updates, dry runs ------------------------------------------------------------


def test_a_second_import_of_the_same_file_changes_nothing(lasub: Organisation) -> None:
    run(lasub, sample("sachsen-schuldatenbank.json"))

    with CaptureQueriesContext(connection) as queries:
        again = run(lasub, sample("sachsen-schuldatenbank.json"))

    assert (again.created, again.updated, again.unchanged, again.changes) == (0, 0, 8, [])
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert writes == []


def test_a_changed_field_updates_that_field_and_shows_old_and_new(lasub: Organisation) -> None:
    run(lasub, sample("sachsen-schuldatenbank.json"))
    schools = json.loads(sample("sachsen-schuldatenbank.json"))
    schools[0]["buildings"][0]["phone_number_1"] = "8493299"

    result = run(lasub, json.dumps(schools))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 7)
    (change,) = result.changes
    with translation.override("de"):
        assert change.labelled_fields() == [("Telefon", "0351 8493210", "0351 8493299")]
    assert (change.row, change.key, change.created) == (1, "41612301", False)
    assert school_values("41612301")["phone"] == "0351 8493299"


def test_a_new_municipality_key_moves_the_school_to_another_district_and_site(
    lasub: Organisation, cast: Cast
) -> None:
    run(lasub, f"{SN_HEADER}\n{GOOD_SN_ROW}")
    assert school_values("41612301")["site"] == cast.site_a.name

    result = run(lasub, f"{SN_HEADER}\n" + GOOD_SN_ROW.replace("14612000", "14713000"))

    assert result.updated == 1
    assert [f[0] for f in result.changes[0].fields] == ["district"]
    assert (result.changes[0].district, result.changes[0].site) == ("Leipzig", cast.site_b.name)
    assert school_values("41612301")["site"] == cast.site_b.name


def test_fields_the_file_does_not_have_are_left_as_they_are(lasub: Organisation) -> None:
    run(lasub, f"{SN_HEADER}\n{GOOD_SN_ROW}")
    School.objects.filter(number="41612301").update(homepage="https://alt.example/")
    without_homepage = f"{SN_HEADER.removesuffix(',homepage')}\n{GOOD_SN_ROW.removesuffix(',')}"

    result = run(lasub, without_homepage)

    assert result.unchanged == 1
    assert school_values("41612301")["homepage"] == "https://alt.example/"


def test_a_dry_run_reports_but_writes_nothing(lasub: Organisation) -> None:
    before = School.objects.count()

    result = run(lasub, sample("sachsen-schuldatenbank.json"), dry_run=True)

    assert (result.dry_run, result.created) == (True, 8)
    assert len(result.changes) == 8
    assert School.objects.count() == before


def test_a_database_error_leaves_the_whole_file_unimported(
    lasub: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    create = School.objects.create

    def failing_third(**kwargs: Any) -> School:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return create(**kwargs)

    monkeypatch.setattr(School.objects, "create", failing_third)
    before = School.objects.count()

    with pytest.raises(RuntimeError):
        run(lasub, sample("sachsen-schuldatenbank.json"))

    assert School.objects.count() == before


# --- bad rows ----------------------------------------------------------------------------------


def sn_file(*rows: str) -> str:
    return "\n".join([SN_HEADER, GOOD_SN_ROW, *rows])


def sn_row(**changes: str) -> str:
    """The good Saxon row with other values in some columns (and another number)."""
    values = dict(zip(SN_HEADER.split(","), GOOD_SN_ROW.split(","), strict=True))
    values["institution_key"] = "41612999"
    values.update(changes)
    return ",".join(f'"{v}"' if "," in v else v for v in values.values())


SN_CASES = [
    (
        "missing key",
        sn_row(institution_key=""),
        "Die amtliche Schulnummer (institution_key) fehlt.",
    ),
    (
        "invalid key",
        sn_row(institution_key="4161 2999"),
        "„4161 2999“ ist keine gültige Schulnummer",
    ),
    ("missing name", sn_row(name=""), "Der Name der Schule fehlt."),
    (
        "unknown district",
        sn_row(community_key="15003000"),
        "Unbekannter Landkreis: Kein Landkreis der Organisation hat den Kreisschlüssel 15003 "
        "(aus dem Gemeindeschlüssel 15003000).",
    ),
    (
        "missing municipality key",
        sn_row(community_key=""),
        "Unbekannter Landkreis: Der Gemeindeschlüssel (community_key) fehlt.",
    ),
    (
        "invalid municipality key",
        sn_row(community_key="146"),
        "Unbekannter Landkreis: „146“ ist kein Gemeindeschlüssel (8 Ziffern, z. B. 14612000).",
    ),
    (
        "coordinates not numbers",
        sn_row(latitude="51.05x", longitude="13,73"),
        "Ungültige Koordinaten: Breite „51.05x“ und Länge „13,73“ müssen Zahlen sein.",
    ),
    (
        "coordinates not a number at all",
        sn_row(latitude="NaN", longitude="13.7"),
        "Ungültige Koordinaten: Breite „NaN“ und Länge „13.7“ müssen Zahlen sein.",
    ),
    (
        "one coordinate",
        sn_row(longitude=""),
        "Ungültige Koordinaten: Nur eine ist angegeben, aber Breite und Länge gehören zusammen.",
    ),
    (
        "coordinates out of range",
        sn_row(latitude="95.1", longitude="13.7"),
        "Ungültige Koordinaten: 95.1, 13.7 gibt es nicht (Breite von −90 bis 90, Länge von "
        "−180 bis 180).",
    ),
    (
        "coordinates outside Germany",
        sn_row(latitude="48.8566", longitude="2.3522"),
        "Ungültige Koordinaten: 48.8566, 2.3522 liegen außerhalb Deutschlands.",
    ),
    (
        "coordinates swapped",
        sn_row(latitude="13.7373", longitude="51.0504"),
        "Ungültige Koordinaten: 13.7373, 51.0504 liegen außerhalb Deutschlands. Sind Breite und "
        "Länge vertauscht?",
    ),
    (
        "bad e-mail",
        sn_row(mail="sekretariat(at)schule.example"),
        "„sekretariat(at)schule.example“ ist keine gültige E-Mail-Adresse.",
    ),
    (
        "name too long",
        sn_row(name="G" * 201),
        "Name ist zu lang (201 Zeichen, höchstens 200).",
    ),
    (
        "field count",
        GOOD_SN_ROW.replace("41612301", "41612999") + ",zu viel",
        "Die Zeile hat 14 Felder, die Kopfzeile 13.",
    ),
]


@pytest.mark.parametrize(
    ("row", "reason"), [case[1:] for case in SN_CASES], ids=[case[0] for case in SN_CASES]
)
def test_a_bad_saxon_row_is_rejected_with_its_german_reason(
    lasub: Organisation, row: str, reason: str
) -> None:
    result = run(lasub, sn_file(row))

    assert result.created == 1  # the good row is imported all the same
    assert reasons_of(result)[3].startswith(reason), reasons_of(result)
    assert School.objects.filter(number="41612999").exists() is False


def generic_file(*rows: str) -> str:
    return "\n".join([GENERIC_HEADER, GOOD_GENERIC_ROW, *rows])


def generic_row(**changes: str) -> str:
    values = dict(zip(GENERIC_HEADER.split(";"), GOOD_GENERIC_ROW.split(";"), strict=True))
    values["number"] = "41730999"
    values.update(changes)
    return ";".join(values.values())


GENERIC_CASES = [
    ("missing key", generic_row(number=""), "Die amtliche Schulnummer (number) fehlt."),
    (
        "unknown district",
        generic_row(district="Landkreis Harz"),
        "Unbekannter Landkreis: Kein Landkreis der Organisation heißt „Landkreis Harz“ oder hat "
        "diesen Schlüssel.",
    ),
    (
        # "Leipzig" alone could be the city or the Landkreis: no guessing.
        "ambiguous district",
        generic_row(district="Landkreis Leipzig"),
        "Unbekannter Landkreis: Kein Landkreis der Organisation heißt „Landkreis Leipzig“",
    ),
    (
        "missing district",
        generic_row(district=""),
        "Unbekannter Landkreis: Der Landkreis fehlt.",
    ),
    (
        "invalid state",
        generic_row(state="XY"),
        "„XY“ ist kein deutsches Bundesland (zwei Buchstaben, z. B. SN).",
    ),
    (
        "other state",
        generic_row(state="NI"),
        "Die Schule liegt in NI; diese Organisation arbeitet in SN.",
    ),
    (
        "bad coordinates",
        generic_row(latitude="einundfünfzig"),
        "Ungültige Koordinaten: Breite „einundfünfzig“ und Länge „12,346118“ müssen Zahlen sein.",
    ),
    (
        "duplicate key",
        generic_row(number="41730183"),
        "Die Schulnummer 41730183 kommt in der Datei mehrfach vor",
    ),
]


@pytest.mark.parametrize(
    ("row", "reason"),
    [case[1:] for case in GENERIC_CASES],
    ids=[case[0] for case in GENERIC_CASES],
)
def test_a_bad_generic_row_is_rejected_with_its_german_reason(
    lasub: Organisation, row: str, reason: str
) -> None:
    result = run(lasub, generic_file(row))

    assert result.created == 1
    assert reasons_of(result)[3].startswith(reason), reasons_of(result)


def test_a_row_with_several_problems_names_each(lasub: Organisation) -> None:
    result = run(lasub, sn_file(sn_row(name="", community_key="15003000", mail="kaputt")))

    (rejection,) = result.rejected
    with translation.override("de"):
        reasons = [str(reason) for reason in rejection.reasons]
    assert reasons == [
        "Der Name der Schule fehlt.",
        "Unbekannter Landkreis: Kein Landkreis der Organisation hat den Kreisschlüssel 15003 "
        "(aus dem Gemeindeschlüssel 15003000).",
        "„kaputt“ ist keine gültige E-Mail-Adresse.",
    ]


def test_the_sample_with_bad_rows_rejects_each_with_its_reason(lasub: Organisation) -> None:
    result = run(lasub, sample("sachsen-schuldatenbank-fehler.csv"))

    assert (result.rows, result.created, len(result.rejected), len(result.skipped)) == (11, 2, 8, 1)
    reasons = reasons_of(result)
    assert reasons[3] == "Die amtliche Schulnummer (institution_key) fehlt."
    assert reasons[4] == "Der Name der Schule fehlt."
    assert reasons[5].startswith("Unbekannter Landkreis: Kein Landkreis der Organisation hat")
    assert reasons[6].startswith("Ungültige Koordinaten: Breite „51.05x“")
    assert reasons[7].endswith("liegen außerhalb Deutschlands.")
    assert reasons[8].endswith("Sind Breite und Länge vertauscht?")
    assert 9 not in reasons  # a further building: skipped, not rejected
    with translation.override("de"):
        assert [(s.row, s.key, s.reason) for s in result.skipped] == [
            (
                9,
                "41612520",
                "Weiteres Gebäude der Schule 41612520: Die Schule wird aus ihrer ersten Zeile "
                "(2) übernommen.",
            )
        ]
    assert reasons[10] == "„sekretariat(at)gs-mailfehler.example“ ist keine gültige E-Mail-Adresse."
    assert reasons[11] == "Unbekannter Landkreis: Der Gemeindeschlüssel (community_key) fehlt."
    # The main building's row counts, not the second building's.
    assert school_values("41612520")["street"] == "Kesselsdorfer Straße 90"


def test_a_further_building_in_a_saxon_csv_is_skipped_not_rejected(lasub: Organisation) -> None:
    result = run(lasub, sn_file(sn_row(institution_key="41612301", name="Außenstelle")))

    assert result.rejected == []
    (skip,) = result.skipped
    assert (skip.row, skip.key) == (3, "41612301")
    with translation.override("de"):
        assert skip.reason == (
            "Weiteres Gebäude der Schule 41612301: Die Schule wird aus ihrer ersten Zeile (2) "
            "übernommen."
        )
    # A stored result keeps the skipped rows apart.
    again = schoolimport.Result.from_dict(result.as_dict())
    assert [s.row for s in again.skipped] == [3]
    assert again.rejected == []


def test_the_same_number_twice_in_a_json_file_is_rejected_as_an_entry(
    lasub: Organisation,
) -> None:
    entry = {"institution_key": "41612301", "name": "Grundschule", "community_key": "14612000"}
    result = run(lasub, json.dumps([entry, entry]))

    assert reasons_of(result)[2] == (
        "Die Schulnummer 41612301 kommt in der Datei mehrfach vor; nur ihr erster Eintrag (1) "
        "wird übernommen."
    )


def test_a_json_entry_that_is_no_object_is_rejected(lasub: Organisation) -> None:
    result = run(lasub, json.dumps(["41612301"]))

    assert reasons_of(result) == {1: "Der Eintrag ist kein Objekt mit den Feldern einer Schule."}


def test_a_json_value_that_is_no_text_is_rejected(lasub: Organisation) -> None:
    entry = {
        "institution_key": "41612301",
        "name": {"de": "Grundschule"},
        "community_key": "14612000",
    }
    result = run(lasub, json.dumps([entry]))

    assert reasons_of(result)[1].startswith("Name muss Text sein, keine Liste und kein Objekt.")


def test_a_school_of_another_organisations_district_is_not_taken_over(
    lasub: Organisation,
) -> None:
    other = OrganisationFactory(slug="verein-sn", state="SN")
    other_district = DistrictFactory(site=SiteFactory(organisation=other), name="Stadt Dresden")
    School.objects.create(
        state="SN", number="41612999", name="Schule", school_type="other", district=other_district
    )

    result = run(lasub, sn_file(sn_row()))

    assert (
        reasons_of(result)[3] == "Die Schule gehört zu einem Landkreis einer anderen Organisation."
    )
    assert School.objects.get(number="41612999").district == other_district


# --- school types ------------------------------------------------------------------------------


def test_an_unknown_school_type_makes_a_new_school_other_and_leaves_a_known_one(
    lasub: Organisation,
) -> None:
    content = sn_file(sn_row(school_type_keys="21"))

    result = run(lasub, content)

    assert school_values("41612999")["school_type"] == School.Type.OTHER
    assert [german(note) for note in result.notes] == [
        "Unbekannte Schulart „21“: Eine neue Schule wird als „Sonstige“ übernommen, eine "
        "bekannte behält ihre Schulart."
    ]
    School.objects.filter(number="41612999").update(school_type=School.Type.VOCATIONAL)
    again = run(lasub, content)
    assert again.unchanged == 2
    assert school_values("41612999")["school_type"] == School.Type.VOCATIONAL


# --- the file as a whole -----------------------------------------------------------------------

CP1252 = "windows-1252"


def test_a_windows_1252_file_is_rejected_unless_declared(lasub: Organisation) -> None:
    content = sample("generic-windows-1252.csv")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")

    with pytest.raises(schoolimport.FileRejected) as rejected:
        run(lasub, content)

    assert german(rejected.value.reason).startswith(
        "Die Datei ist nicht UTF-8-kodiert (das erste ungültige Byte steht in Zeile 2)."
    )
    assert not School.objects.filter(number="41522305").exists()


def test_a_declared_windows_1252_file_is_read_without_mojibake(lasub: Organisation) -> None:
    result = run(lasub, sample("generic-windows-1252.csv"), encoding=CP1252)

    assert (result.created, result.rejected) == (2, [])
    assert school_values("41522305")["street"] == "Schloßplatz 7"
    assert school_values("41626638")["name"] == "Oberschule Neißetal Görlitz"


def test_a_utf8_file_declared_as_windows_1252_is_read_as_utf8(lasub: Organisation) -> None:
    result = run(lasub, sample("generic.csv"), encoding=CP1252)

    assert school_values("41522305")["street"] == "Schloßplatz 7"
    assert german(result.notes[0]) == (
        "Die Datei ist gültiges UTF-8 und wurde als UTF-8 gelesen, nicht wie gewählt als "
        "Windows-1252."
    )


def test_an_ascii_file_declared_as_windows_1252_needs_no_note(lasub: Organisation) -> None:
    content = f"{GENERIC_HEADER}\n{GOOD_GENERIC_ROW.replace('ß', 'ss')}".encode("ascii")

    result = run(lasub, content, encoding=CP1252)

    assert (result.created, result.notes) == (1, [])


def test_bytes_that_are_not_windows_1252_either_are_rejected(lasub: Organisation) -> None:
    content = f"{GENERIC_HEADER}\n{GOOD_GENERIC_ROW}".encode("cp1252") + b"\x81\n"

    with pytest.raises(schoolimport.FileRejected) as rejected:
        run(lasub, content, encoding=CP1252)

    assert german(rejected.value.reason) == (
        "Die Datei ist weder UTF-8- noch Windows-1252-kodiert (das erste ungültige Byte steht "
        "in Zeile 2)."
    )


def test_utf8_with_byte_order_mark_and_utf16_are_read(lasub: Organisation) -> None:
    text = f"{GENERIC_HEADER}\n{GOOD_GENERIC_ROW}\n"

    with_bom = run(lasub, "\ufeff".encode() + text.encode(), dry_run=True)
    utf16 = run(lasub, text.encode("utf-16"), dry_run=True)

    assert (with_bom.created, utf16.created) == (1, 1)
    assert with_bom.changes[0].name == utf16.changes[0].name == "Grundschule am Lober Delitzsch"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"  \n", "Die Datei ist leer."),
        (b'[{"institution_key": 1,', "Die Datei ist kein gültiges JSON (Fehler in Zeile 1"),
        (
            b'{"schools": []}',
            "Die JSON-Datei muss eine Liste von Schulen enthalten oder ein Objekt mit dieser "
            "Liste unter „data“.",
        ),
        (b"Schule;Ort\nA;B\n", "Die Kopfzeile passt zu keinem bekannten Format."),
        (
            b"number;name;city\n1;A;B\n",
            "In der Kopfzeile fehlen diese Spalten: district.",
        ),
        (
            b"institution_key,name,name,community_key\n",
            "Die Kopfzeile nennt diese Spalten doppelt: name.",
        ),
        (b'number;name;district\n1;"A;B\n', "Die CSV-Datei ist nicht lesbar"),
    ],
    ids=["empty", "broken json", "json object", "unknown header", "missing", "twice", "open quote"],
)
def test_a_file_that_cannot_be_read_is_rejected_as_a_whole(
    lasub: Organisation, content: bytes, reason: str
) -> None:
    with pytest.raises(schoolimport.FileRejected) as rejected:
        run(lasub, content)

    assert german(rejected.value.reason).startswith(reason)


def test_a_saxon_file_is_refused_for_an_organisation_outside_saxony(cast: Cast) -> None:
    with pytest.raises(schoolimport.FileRejected) as rejected:
        run(cast.other_organisation, sample("sachsen-schuldatenbank.json"))

    assert german(rejected.value.reason) == (
        "Die Sächsische Schuldatenbank enthält Schulen in Sachsen (SN); diese Organisation "
        "arbeitet in NI."
    )


def test_a_chosen_format_is_kept_to(lasub: Organisation) -> None:
    with pytest.raises(schoolimport.FileRejected) as rejected:
        run(lasub, sample("generic.csv"), file_format=schoolimport.FileFormat.SN_CSV)

    assert german(rejected.value.reason) == (
        "In der Kopfzeile fehlen diese Spalten: institution_key, community_key."
    )


# --- the result, kept for the result page ------------------------------------------------------


def test_a_result_survives_its_round_trip_through_json(lasub: Organisation) -> None:
    result = run(lasub, sample("sachsen-schuldatenbank-fehler.csv"), dry_run=True)

    kept = schoolimport.Result.from_dict(json.loads(json.dumps(result.as_dict())))

    assert kept == result
    # Reasons are kept as codes, so they read in the language of whoever looks.
    with translation.override("en"):
        assert kept.rejected[0].reason == "The official school number (institution_key) is missing."


# --- the command -------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def command(*args: str, stderr: io.StringIO | None = None) -> str:
    out = io.StringIO()
    with translation.override("de"):
        call_command("import-schools", *args, stdout=out, stderr=stderr or io.StringIO())
    return out.getvalue()


def test_the_command_reports_counts_and_every_rejection(lasub: Organisation) -> None:
    output = command(str(SAMPLES / "sachsen-schuldatenbank-fehler.csv"), "--organisation=lasub")

    assert "Format: Sächsische Schuldatenbank, CSV, 11 Zeilen gelesen" in output
    assert "angelegt: 2\naktualisiert: 0\nunverändert: 0\nabgelehnt: 8\n" in output
    assert "  Zeile 3: Die amtliche Schulnummer (institution_key) fehlt.\n" in output
    assert "  Zeile 5 (41612742): Unbekannter Landkreis: Kein Landkreis" in output
    assert "übersprungen (weitere Gebäude): 1\n  Zeile 9 (41612520): Weiteres Gebäude" in output
    assert "  Zeile 12 (41613308): Unbekannte Schulart „21“" in output
    assert School.objects.filter(number="41613308").exists()


def test_the_command_shows_a_progress_bar_on_a_terminal_only(lasub: Organisation) -> None:
    terminal, log = Terminal(), io.StringIO()

    command(str(SAMPLES / "generic.csv"), "--organisation=lasub", "--dry-run", stderr=terminal)
    command(str(SAMPLES / "generic.csv"), "--organisation=lasub", "--dry-run", stderr=log)

    assert "\rgeneric.csv: [" in terminal.getvalue()
    assert "] 6/6\n" in terminal.getvalue()
    assert log.getvalue() == ""


def test_the_command_dry_run_says_so_and_writes_nothing(lasub: Organisation) -> None:
    output = command(
        str(SAMPLES / "generic.csv"), "--organisation=lasub", "--dry-run", "--format=generic-csv"
    )

    assert "angelegt: 6" in output
    assert output.endswith("Probelauf: Nichts wurde gespeichert.\n")
    assert not School.objects.filter(number="41730183").exists()


def test_the_command_reads_a_declared_encoding(lasub: Organisation) -> None:
    path = str(SAMPLES / "generic-windows-1252.csv")
    with pytest.raises(CommandError, match="Die Datei ist nicht UTF-8-kodiert"):
        command(path, "--organisation=lasub")

    output = command(path, "--organisation=lasub", "--encoding=windows-1252")

    assert "angelegt: 2" in output


def test_the_command_needs_a_known_organisation_and_a_readable_file(
    lasub: Organisation, tmp_path: Path
) -> None:
    # The cast has two organisations: which one must be said.
    with pytest.raises(CommandError, match="--organisation SLUG is needed"):
        command(str(SAMPLES / "generic.csv"))
    with pytest.raises(CommandError, match="no organisation 'nirgendwo'"):
        command(str(SAMPLES / "generic.csv"), "--organisation=nirgendwo")
    with pytest.raises(CommandError, match=r"fehlt\.csv"):
        command(str(tmp_path / "fehlt.csv"), "--organisation=lasub")


def test_the_command_takes_the_only_organisation_without_being_told(empty_database: None) -> None:
    organisation = OrganisationFactory(slug="lasub", state="SN")
    DistrictFactory(site=SiteFactory(organisation=organisation), official_key="14612")

    output = command(str(SAMPLES / "sachsen-schuldatenbank.json"), "--dry-run")

    assert "angelegt: 2\n" in output  # the two Dresden schools; the others have no district
    assert "abgelehnt: 6\n" in output


# --- the demo data -----------------------------------------------------------------------------


def test_every_demo_district_has_its_kreisschluessel() -> None:
    for organisation in data.ORGANISATIONS:
        names = {name for site in organisation.sites for name in site.districts}
        keys = data.DISTRICT_KEYS[organisation.state]
        assert set(keys) == names
        state_prefix = {"SN": "14", "NI": "03"}[organisation.state]
        assert all(key.startswith(state_prefix) and len(key) == 5 for key in keys.values())
    assert data.SN_DISTRICT_KEYS["Stadt Dresden"] == "14612"
    assert data.SN_DISTRICT_KEYS["LK Sächsische Schweiz-Osterzgebirge"] == "14628"


def test_the_samples_import_into_the_seeded_demo(db: None) -> None:
    from lotse.demo.seed import seed

    seed(with_requests=False)
    lasub = Organisation.objects.get(slug="lasub")

    results = [run(lasub, sample(name)) for name in ("sachsen-schuldatenbank.json", "generic.csv")]

    assert [(r.created, r.rejected) for r in results] == [(8, []), (6, [])]
    gymnasium = School.objects.select_related("district__site").get(number="41628173")
    assert gymnasium.district is not None
    assert (gymnasium.district.name, gymnasium.district.site.name) == (
        "LK Sächsische Schweiz-Osterzgebirge",
        "Dresden",
    )


# --- keeping uploads ---------------------------------------------------------------------------


def test_uploads_are_deleted_a_day_after_their_upload(cast: Cast) -> None:
    import datetime as dt

    from django.utils import timezone

    from lotse.core.models import SchoolImport

    def upload(hours: int) -> SchoolImport:
        return SchoolImport.objects.create(
            organisation=cast.organisation,
            uploaded_by=cast.admin,
            uploaded_at=timezone.now() - dt.timedelta(hours=hours),
            filename="schulen.csv",
            file_format="auto",
            encoding="utf-8",
            content=b"x",
        )

    fresh, stale = upload(23), upload(25)

    assert schoolimport.purge() == 1
    assert list(SchoolImport.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not SchoolImport.objects.filter(pk=stale.pk).exists()


def test_the_progress_bar_redraws_per_per_cent_not_per_row_and_ends_its_line() -> None:
    from django.core.management.base import OutputWrapper

    from lotse.lib.progress import ProgressBar

    terminal = Terminal()
    bar = ProgressBar(OutputWrapper(terminal), "schulen.csv", 1000)
    for done in range(1, 1001):
        bar.update(done)
    bar.finish()

    drawn = terminal.getvalue()
    # A redraw for each per cent and each newly filled cell: far fewer than the 1000 rows.
    assert 100 <= drawn.count("\r") <= 131
    assert drawn.endswith(f"\rschulen.csv: [{'#' * 30}] 1000/1000\n")
