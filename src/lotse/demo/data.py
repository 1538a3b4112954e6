"""Demo data: a Saxony-like state support system and a Lower-Saxony-like association.

Everything here is invented for demonstrations. Addresses use the non-routable `.example`
domain; school names, streets and numbers are realistic in form but not taken from a register.
Coordinates are those of the town; `seed` spreads schools of one town a little apart.
"""

from __future__ import annotations

from typing import NamedTuple

DEMO_PASSWORD = "lotse-demo-2026"  # noqa: S105 - published demo password, never used in production
# Staff must log in with a second factor. Every demo staff account gets an authenticator app
# with this one published secret (base32); `lotse demo-code EMAIL` prints its current code.
DEMO_TOTP_SECRET = "LOTSEDEMOLOTSEDEMOLOTSEDEMOLOTSE"  # noqa: S105 - published, demo only
# The password of the test Dovecot (scripts/dovecot.sh), which takes any user name.
DEMO_MAILBOX_PASSWORD = "lotse-test"  # noqa: S105 - published, demo and tests only


class SiteData(NamedTuple):
    name: str
    email: str
    phone: str
    districts: tuple[str, ...]
    statewide: bool = False
    description: str = ""


class SchoolData(NamedTuple):
    number: str
    name: str
    school_type: str  # School.Type value
    street: str
    postcode: str
    city: str
    mail_domain: str  # the school's own domain, without ".example"


class PersonData(NamedTuple):
    email: str
    first_name: str
    last_name: str
    phone: str
    role: str  # Role.Kind value
    title: str = ""
    sites: tuple[str, ...] = ()
    school: str = ""  # official number of the school the contact speaks for
    superuser: bool = False


class OfferData(NamedTuple):
    title: str
    description: str
    services: tuple[str, ...]
    target_groups: tuple[str, ...]
    contact: str  # e-mail of a person of PEOPLE
    site: str | None
    quality_areas: tuple[int, ...] = ()
    cost: str = "kostenfrei"


# Merkmale of an area, each with its Kriterien.
Characteristics = tuple[tuple[str, tuple[str, ...]], ...]


class ProfileData(NamedTuple):
    """A supporter's profile for matching (lotse.catalog.models.SupporterProfile)."""

    email: str  # of a supporter of PEOPLE
    offers: tuple[str, ...]  # titles of OFFERS
    quality_areas: tuple[int, ...]
    school_types: tuple[str, ...]  # empty: every type
    districts: tuple[str, ...]  # empty: every district
    home_postcode: str
    home_place: str  # a town of TOWNS: its coordinates are the home base
    languages: tuple[str, ...]
    max_processes: int
    hours_per_month: int
    works_at: tuple[str, ...] = ()  # official numbers of schools (conflict of interest)
    # An absence in days from the day of seeding: (first, last).
    absence: tuple[int, int] | None = None
    note: str = ""


class OrganisationData(NamedTuple):
    slug: str
    name: str
    kind: str  # Organisation.Kind value
    state: str
    mail_from: str
    acknowledgement_days: int
    sites: tuple[SiteData, ...]
    schools: dict[str, tuple[SchoolData, ...]]  # district name -> schools
    quality_areas: tuple[tuple[int, str, Characteristics], ...]
    people: tuple[PersonData, ...]
    offers: tuple[OfferData, ...]
    supporter_types: tuple[SupporterTypeData, ...] = ()
    profiles: tuple[ProfileData, ...] = ()


# Town -> (latitude, longitude, telephone area code)
TOWNS: dict[str, tuple[float, float, str]] = {
    # Saxony
    "Dresden": (51.0504, 13.7373, "0351"),
    "Kamenz": (51.2676, 14.0937, "03578"),
    "Bautzen": (51.1814, 14.4239, "03591"),
    "Hoyerswerda": (51.4386, 14.2499, "03571"),
    "Pulsnitz": (51.1833, 14.0117, "035955"),
    "Görlitz": (51.1526, 14.9872, "03581"),
    "Zittau": (50.8961, 14.8072, "03583"),
    "Niesky": (51.2925, 14.8223, "03588"),
    "Löbau": (51.0994, 14.6672, "03585"),
    "Chemnitz": (50.8278, 12.9214, "0371"),
    "Freiberg": (50.9119, 13.3428, "03731"),
    "Mittweida": (50.9856, 12.9811, "03727"),
    "Döbeln": (51.1194, 13.1067, "03431"),
    "Annaberg-Buchholz": (50.5794, 13.0044, "03733"),
    "Aue-Bad Schlema": (50.5869, 12.7006, "03771"),
    "Schwarzenberg": (50.5453, 12.7792, "03774"),
    "Marienberg": (50.6511, 13.1647, "03735"),
    "Meißen": (51.1636, 13.4775, "03521"),
    "Radebeul": (51.1072, 13.6608, "0351"),
    "Riesa": (51.3075, 13.2939, "03525"),
    "Coswig": (51.1264, 13.5836, "03523"),
    "Pirna": (50.9584, 13.9374, "03501"),
    "Dippoldiswalde": (50.8933, 13.6686, "03504"),
    "Freital": (51.0017, 13.6489, "0351"),
    "Sebnitz": (50.9756, 14.2747, "035971"),
    "Leipzig": (51.3397, 12.3731, "0341"),
    "Delitzsch": (51.5256, 12.3425, "034202"),
    "Torgau": (51.5606, 13.0054, "03421"),
    "Eilenburg": (51.4597, 12.6328, "03423"),
    "Markkleeberg": (51.2778, 12.3686, "0341"),
    "Borna": (51.1247, 12.4967, "03433"),
    "Grimma": (51.2386, 12.7256, "03437"),
    "Wurzen": (51.3703, 12.7375, "03425"),
    "Zwickau": (50.7189, 12.4961, "0375"),
    "Werdau": (50.7364, 12.3764, "03761"),
    "Crimmitschau": (50.8150, 12.3878, "03762"),
    "Glauchau": (50.8194, 12.5447, "03763"),
    "Plauen": (50.4950, 12.1383, "03741"),
    "Reichenbach im Vogtland": (50.6219, 12.3036, "03765"),
    "Auerbach/Vogtl.": (50.5111, 12.4000, "03744"),
    # Lower Saxony
    "Hannover": (52.3759, 9.7320, "0511"),
    "Garbsen": (52.4180, 9.5981, "05131"),
    "Langenhagen": (52.4394, 9.7400, "0511"),
    "Hildesheim": (52.1508, 9.9511, "05121"),
    "Braunschweig": (52.2689, 10.5268, "0531"),
    "Wolfenbüttel": (52.1622, 10.5369, "05331"),
    "Lüneburg": (53.2464, 10.4115, "04131"),
    "Buchholz in der Nordheide": (53.3275, 9.8669, "04181"),
    "Winsen (Luhe)": (53.3578, 10.2128, "04171"),
    "Osnabrück": (52.2799, 8.0472, "0541"),
    "Lingen (Ems)": (52.5231, 7.3161, "0591"),
    "Meppen": (52.6906, 7.2910, "05931"),
}

GS, OS, GY, FS, BS, IGS, OTHER = (
    "grundschule",
    "oberschule",
    "gymnasium",
    "foerderschule",
    "berufsschule",
    "gesamtschule",
    "other",
)

# ---------------------------------------------------------------------------------------------
# Saxony: Landesamt für Schule und Bildung – Unterstützungssystem Schulentwicklung
# ---------------------------------------------------------------------------------------------

SN_SITES = (
    SiteData(
        "Bautzen",
        "bautzen@lasub.example",
        "03591 4710-0",
        ("LK Bautzen", "LK Görlitz"),
        description="Koordiniert auch die sorbisch-deutschen Schulen.",
    ),
    SiteData(
        "Chemnitz",
        "chemnitz@lasub.example",
        "0371 4620-0",
        ("Stadt Chemnitz", "LK Mittelsachsen", "Erzgebirgskreis"),
        description="Hauptsitz.",
    ),
    SiteData(
        "Dresden",
        "dresden@lasub.example",
        "0351 4380-0",
        ("Stadt Dresden", "LK Meißen", "LK Sächsische Schweiz-Osterzgebirge"),
    ),
    SiteData(
        "Leipzig",
        "leipzig@lasub.example",
        "0341 4950-0",
        ("Stadt Leipzig", "LK Nordsachsen", "LK Leipzig"),
    ),
    SiteData(
        "Zwickau",
        "zwickau@lasub.example",
        "0375 4430-0",
        ("LK Zwickau", "Vogtlandkreis"),
    ),
    SiteData(
        "Radebeul",
        "radebeul@lasub.example",
        "0351 8320-0",
        (),
        statewide=True,
        description=(
            "Landesweit: Qualitätsentwicklung, Fortbildung von Lehrkräften und Schulleitungen."
        ),
    ),
)

# The official Kreisschlüssel of each district (the first five digits of the Amtlicher
# Gemeindeschlüssel of its municipalities); the school import derives districts with them.
SN_DISTRICT_KEYS = {
    "Stadt Chemnitz": "14511",
    "Erzgebirgskreis": "14521",
    "LK Mittelsachsen": "14522",
    "Vogtlandkreis": "14523",
    "LK Zwickau": "14524",
    "Stadt Dresden": "14612",
    "LK Bautzen": "14625",
    "LK Görlitz": "14626",
    "LK Meißen": "14627",
    "LK Sächsische Schweiz-Osterzgebirge": "14628",
    "Stadt Leipzig": "14713",
    "LK Leipzig": "14729",
    "LK Nordsachsen": "14730",
}

SN_SCHOOLS: dict[str, tuple[SchoolData, ...]] = {
    "LK Bautzen": (
        SchoolData(
            "41320117",
            "Lessing-Gymnasium Kamenz",
            GY,
            "Garnisonsplatz 5",
            "01917",
            "Kamenz",
            "lessing-gym-kamenz",
        ),
        SchoolData(
            "41320205",
            "Philipp-Melanchthon-Gymnasium Bautzen",
            GY,
            "Melanchthonstraße 10",
            "02625",
            "Bautzen",
            "melanchthon-bautzen",
        ),
        SchoolData(
            "41320318",
            "Sorbisches Gymnasium Bautzen",
            GY,
            "Friedrich-List-Straße 8",
            "02625",
            "Bautzen",
            "sorbisches-gym-bautzen",
        ),
        SchoolData(
            "41320422",
            "Grundschule An der Elster Hoyerswerda",
            GS,
            "Elsterstraße 12",
            "02977",
            "Hoyerswerda",
            "gs-elster-hoyerswerda",
        ),
        SchoolData(
            "41320536",
            "Ernst-Rietschel-Oberschule Pulsnitz",
            OS,
            "Robert-Koch-Straße 3",
            "01896",
            "Pulsnitz",
            "os-pulsnitz",
        ),
    ),
    "LK Görlitz": (
        SchoolData(
            "41420104",
            "Augustum-Annen-Gymnasium Görlitz",
            GY,
            "Annengasse 3",
            "02826",
            "Görlitz",
            "aag-goerlitz",
        ),
        SchoolData(
            "41420219",
            "Christian-Weise-Gymnasium Zittau",
            GY,
            "Hochwaldstraße 21",
            "02763",
            "Zittau",
            "cwg-zittau",
        ),
        SchoolData(
            "41420327",
            "Oberschule am Stadtpark Niesky",
            OS,
            "Muskauer Straße 40",
            "02906",
            "Niesky",
            "os-niesky",
        ),
        SchoolData(
            "41420433",
            "Berufliches Schulzentrum Löbau",
            BS,
            "Georgewitzer Straße 48",
            "02708",
            "Löbau",
            "bsz-loebau",
        ),
    ),
    "Stadt Chemnitz": (
        SchoolData(
            "41610108",
            "Oberschule am Sonnenberg Chemnitz",
            OS,
            "Tschaikowskistraße 47",
            "09130",
            "Chemnitz",
            "os-sonnenberg-chemnitz",
        ),
        SchoolData(
            "41610214",
            "Karl-Schmidt-Rottluff-Gymnasium Chemnitz",
            GY,
            "Elisenstraße 10",
            "09111",
            "Chemnitz",
            "ksr-gym-chemnitz",
        ),
        SchoolData(
            "41610325",
            "Kaßberg-Grundschule Chemnitz",
            GS,
            "Franz-Mehring-Straße 22",
            "09112",
            "Chemnitz",
            "gs-kassberg-chemnitz",
        ),
        SchoolData(
            "41610431",
            "Grundschule Altchemnitz",
            GS,
            "Annaberger Straße 112",
            "09120",
            "Chemnitz",
            "gs-altchemnitz",
        ),
        SchoolData(
            "41610546",
            "Förderzentrum „Am Rosenhof“ Chemnitz",
            FS,
            "Rosenhof 4",
            "09111",
            "Chemnitz",
            "fz-rosenhof-chemnitz",
        ),
        SchoolData(
            "41610652",
            "Berufliches Schulzentrum für Technik Chemnitz",
            BS,
            "Schloßstraße 4",
            "09113",
            "Chemnitz",
            "bszt-chemnitz",
        ),
    ),
    "LK Mittelsachsen": (
        SchoolData(
            "41710116",
            "Geschwister-Scholl-Gymnasium Freiberg",
            GY,
            "Ernst-Thälmann-Straße 2",
            "09599",
            "Freiberg",
            "gsg-freiberg",
        ),
        SchoolData(
            "41710228",
            "Oberschule „Am Schwanenteich“ Mittweida",
            OS,
            "Rochlitzer Straße 9",
            "09648",
            "Mittweida",
            "os-mittweida",
        ),
        SchoolData(
            "41710334",
            "Grundschule Döbeln-Ost",
            GS,
            "Heinrich-Heine-Straße 14",
            "04720",
            "Döbeln",
            "gs-doebeln-ost",
        ),
        SchoolData(
            "41710449",
            "Berufliches Schulzentrum „Julius Weisbach“ Freiberg",
            BS,
            "Chemnitzer Straße 89",
            "09599",
            "Freiberg",
            "bsz-freiberg",
        ),
    ),
    "Erzgebirgskreis": (
        SchoolData(
            "41210113",
            "Erzgebirgsgymnasium Annaberg-Buchholz",
            GY,
            "Klosterstraße 4",
            "09456",
            "Annaberg-Buchholz",
            "eg-annaberg",
        ),
        SchoolData(
            "41210221",
            "Oberschule Schwarzenberg",
            OS,
            "Schulstraße 3",
            "08340",
            "Schwarzenberg",
            "os-schwarzenberg",
        ),
        SchoolData(
            "41210337",
            "Grundschule am Markt Marienberg",
            GS,
            "Markt 9",
            "09496",
            "Marienberg",
            "gs-marienberg",
        ),
        SchoolData(
            "41210442",
            "Förderzentrum „Glück auf“ Aue",
            FS,
            "Lessingstraße 25",
            "08280",
            "Aue-Bad Schlema",
            "fz-aue",
        ),
    ),
    "Stadt Dresden": (
        SchoolData(
            "41120125",
            "125. Grundschule Dresden",
            GS,
            "Gamigstraße 30",
            "01239",
            "Dresden",
            "125gs-dresden",
        ),
        SchoolData(
            "41120030",
            "30. Grundschule Dresden",
            GS,
            "Dorfhainer Straße 31",
            "01189",
            "Dresden",
            "30gs-dresden",
        ),
        SchoolData(
            "41120056",
            "56. Oberschule Dresden",
            OS,
            "Hohenthalplatz 1",
            "01067",
            "Dresden",
            "56os-dresden",
        ),
        SchoolData(
            "41120101",
            "101. Oberschule „Johannes Gutenberg“ Dresden",
            OS,
            "Gutenbergstraße 1",
            "01307",
            "Dresden",
            "101os-dresden",
        ),
        SchoolData(
            "41120207",
            "Bertolt-Brecht-Gymnasium Dresden",
            GY,
            "Lortzingstraße 1",
            "01307",
            "Dresden",
            "bbg-dresden",
        ),
        SchoolData(
            "41120213",
            "Vitzthum-Gymnasium Dresden",
            GY,
            "Parkstraße 4",
            "01069",
            "Dresden",
            "vitzthum-dresden",
        ),
        SchoolData(
            "41120348",
            "Förderschule „Johann Heinrich Pestalozzi“ Dresden",
            FS,
            "Gamigstraße 24",
            "01239",
            "Dresden",
            "pestalozzi-dresden",
        ),
        SchoolData(
            "41120452",
            "Berufliches Schulzentrum für Gesundheit und Sozialwesen Dresden",
            BS,
            "Güntzstraße 32",
            "01307",
            "Dresden",
            "bszgs-dresden",
        ),
        SchoolData(
            "41120514",
            "Universitätsschule Dresden",
            IGS,
            "Cämmerswalder Straße 41",
            "01189",
            "Dresden",
            "universitaetsschule-dresden",
        ),
    ),
    "LK Meißen": (
        SchoolData(
            "41270109",
            "Gymnasium Franziskaneum Meißen",
            GY,
            "Freiheit 13",
            "01662",
            "Meißen",
            "franziskaneum-meissen",
        ),
        SchoolData(
            "41270215",
            "Oberschule Radebeul-Mitte",
            OS,
            "Wilhelm-Eichler-Straße 13",
            "01445",
            "Radebeul",
            "os-radebeul-mitte",
        ),
        SchoolData(
            "41270326",
            "Grundschule Riesa-Weida",
            GS,
            "Alleestraße 4",
            "01587",
            "Riesa",
            "gs-riesa-weida",
        ),
        SchoolData(
            "41270438",
            "Grundschule Coswig-Spitzgrund",
            GS,
            "Spitzgrundstraße 11",
            "01640",
            "Coswig",
            "gs-coswig",
        ),
    ),
    "LK Sächsische Schweiz-Osterzgebirge": (
        SchoolData(
            "41280112",
            "Friedrich-Schiller-Gymnasium Pirna",
            GY,
            "Seminarstraße 3",
            "01796",
            "Pirna",
            "fsg-pirna",
        ),
        SchoolData(
            "41280224",
            "Oberschule Pirna-Copitz",
            OS,
            "Schulstraße 2",
            "01796",
            "Pirna",
            "os-copitz",
        ),
        SchoolData(
            "41280335",
            "Grundschule Freital-Deuben",
            GS,
            "Poisentalstraße 16",
            "01705",
            "Freital",
            "gs-deuben",
        ),
        SchoolData(
            "41280441",
            "Förderschule am Gickelsberg Sebnitz",
            FS,
            "Am Gickelsberg 2",
            "01855",
            "Sebnitz",
            "fs-sebnitz",
        ),
    ),
    "Stadt Leipzig": (
        SchoolData(
            "41530106",
            "Thomasschule zu Leipzig",
            GY,
            "Hillerstraße 7",
            "04109",
            "Leipzig",
            "thomasschule-leipzig",
        ),
        SchoolData(
            "41530211",
            "Schillerschule Leipzig",
            GY,
            "Schillerweg 8",
            "04155",
            "Leipzig",
            "schillerschule-leipzig",
        ),
        SchoolData(
            "41530074",
            "74. Schule – Grundschule der Stadt Leipzig",
            GS,
            "Gorkistraße 15",
            "04347",
            "Leipzig",
            "74gs-leipzig",
        ),
        SchoolData(
            "41530323",
            "Oberschule Paunsdorf",
            OS,
            "Goldsternstraße 30",
            "04329",
            "Leipzig",
            "os-paunsdorf",
        ),
        SchoolData(
            "41530439",
            "Förderschule „Am Rosental“ Leipzig",
            FS,
            "Emil-Fuchs-Straße 5",
            "04105",
            "Leipzig",
            "fs-rosental-leipzig",
        ),
        SchoolData(
            "41530547",
            "Berufliches Schulzentrum 7 der Stadt Leipzig",
            BS,
            "Schönauer Straße 160",
            "04207",
            "Leipzig",
            "bsz7-leipzig",
        ),
    ),
    "LK Nordsachsen": (
        SchoolData(
            "41740118",
            "Johann-Walter-Gymnasium Torgau",
            GY,
            "Straße der Jugend 2",
            "04860",
            "Torgau",
            "jwg-torgau",
        ),
        SchoolData(
            "41740229",
            "Oberschule Delitzsch-Nord",
            OS,
            "Dübener Straße 21",
            "04509",
            "Delitzsch",
            "os-delitzsch",
        ),
        SchoolData(
            "41740336",
            "Grundschule Eilenburg-Ost",
            GS,
            "Rinckartstraße 3",
            "04838",
            "Eilenburg",
            "gs-eilenburg-ost",
        ),
    ),
    "LK Leipzig": (
        SchoolData(
            "41730114",
            "Rudolf-Hildebrand-Schule Markkleeberg",
            GY,
            "Koburger Straße 2",
            "04416",
            "Markkleeberg",
            "rhs-markkleeberg",
        ),
        SchoolData(
            "41730227",
            "Oberschule am Breiten Teich Borna",
            OS,
            "Am Breiten Teich 6",
            "04552",
            "Borna",
            "os-borna",
        ),
        SchoolData(
            "41730333",
            "Grundschule Grimma-Süd",
            GS,
            "Leipziger Straße 84",
            "04668",
            "Grimma",
            "gs-grimma-sued",
        ),
        SchoolData(
            "41730448",
            "Förderzentrum Wurzen",
            FS,
            "Dresdener Straße 64",
            "04808",
            "Wurzen",
            "fz-wurzen",
        ),
    ),
    "LK Zwickau": (
        SchoolData(
            "41520119",
            "Käthe-Kollwitz-Gymnasium Zwickau",
            GY,
            "Bahnhofstraße 11",
            "08056",
            "Zwickau",
            "kkg-zwickau",
        ),
        SchoolData(
            "41520226",
            "Oberschule Werdau",
            OS,
            "August-Bebel-Straße 18",
            "08412",
            "Werdau",
            "os-werdau",
        ),
        SchoolData(
            "41520332",
            "Grundschule Crimmitschau-Nord",
            GS,
            "Karl-Marx-Straße 40",
            "08451",
            "Crimmitschau",
            "gs-crimmitschau",
        ),
        SchoolData(
            "41520447",
            "Berufliches Schulzentrum Glauchau",
            BS,
            "Lungwitzer Straße 64",
            "08371",
            "Glauchau",
            "bsz-glauchau",
        ),
    ),
    "Vogtlandkreis": (
        SchoolData(
            "41630115",
            "Lessing-Gymnasium Plauen",
            GY,
            "Karlstraße 30",
            "08523",
            "Plauen",
            "lessing-plauen",
        ),
        SchoolData(
            "41630228",
            "Oberschule Reichenbach",
            OS,
            "Zwickauer Straße 12",
            "08468",
            "Reichenbach im Vogtland",
            "os-reichenbach",
        ),
        SchoolData(
            "41630334",
            "Grundschule am Schlossberg Auerbach",
            GS,
            "Schlossstraße 5",
            "08209",
            "Auerbach/Vogtl.",
            "gs-auerbach",
        ),
    ),
}

# Area → Merkmal (characteristic) → Kriterien (criteria). The areas and characteristics are
# those of Saxony's "Kriterienbeschreibung Schulische Qualität"; the criteria are shortened,
# plausible wordings for the demo.
SN_QUALITY_AREAS: tuple[tuple[int, str, Characteristics], ...] = (
    (
        1,
        "Ergebnisse",
        (
            (
                "Erfüllung des Erziehungs- und Bildungsauftrages",
                (
                    "Die Schülerinnen und Schüler erreichen die Ziele der Lehrpläne.",
                    "Die Schule fördert Selbst-, Sozial- und Methodenkompetenz.",
                    "Die Schülerinnen und Schüler übernehmen Verantwortung für sich und andere.",
                ),
            ),
            (
                "Schul- und Ausbildungserfolg",
                (
                    "Der Anteil der Schülerinnen und Schüler ohne Abschluss sinkt.",
                    "Übergänge in weiterführende Schulen und Ausbildung gelingen.",
                ),
            ),
            (
                "Schulzufriedenheit",
                (
                    "Schülerinnen und Schüler, Eltern und Lehrkräfte sind mit der Schule "
                    "zufrieden.",
                    "Die Schule erhebt die Zufriedenheit regelmäßig und wertet sie aus.",
                ),
            ),
        ),
    ),
    (
        2,
        "Lehren und Lernen",
        (
            (
                "Lehr- und Lernorganisation",
                (
                    "Der Unterricht ist zeitlich und räumlich gut organisiert.",
                    "Fachgruppen stimmen Inhalte und Leistungsanforderungen ab.",
                    "Die Schule nutzt Lernzeit effektiv.",
                ),
            ),
            (
                "Lehr- und Lernprozesse",
                (
                    "Der Unterricht ist klar strukturiert und kognitiv aktivierend.",
                    "Die Lehrkräfte setzen vielfältige Methoden und Sozialformen ein.",
                    "Die Schülerinnen und Schüler erhalten regelmäßig Rückmeldung zum Lernstand.",
                ),
            ),
        ),
    ),
    (
        3,
        "Schulkultur",
        (
            (
                "Werte und Normen der Schule",
                (
                    "Die Schule hat gemeinsam vereinbarte Regeln, die alle kennen.",
                    "Konflikte werden fair und gewaltfrei gelöst.",
                ),
            ),
            (
                "Schulklima",
                (
                    "Der Umgang miteinander ist von Wertschätzung und Respekt geprägt.",
                    "Schülerinnen und Schüler fühlen sich an der Schule sicher.",
                ),
            ),
            (
                "Individuelle Förderung",
                (
                    "Die Schule erkennt Lernvoraussetzungen und besondere Begabungen.",
                    "Förderangebote sind auf die Bedarfe der Schülerinnen und Schüler abgestimmt.",
                ),
            ),
        ),
    ),
    (
        4,
        "Entwicklung der Professionalität",
        (
            (
                "Systematische Zusammenarbeit im Kollegium",
                (
                    "Lehrkräfte arbeiten in Teams verbindlich zusammen.",
                    "Kollegiale Hospitation und Fallberatung sind üblich.",
                ),
            ),
            (
                "Lebenslanges Lernen",
                (
                    "Die Schule hat ein Fortbildungskonzept, das sich am Schulprogramm orientiert.",
                    "Erkenntnisse aus Fortbildungen werden im Kollegium weitergegeben.",
                ),
            ),
        ),
    ),
    (
        5,
        "Management und Führung",
        (
            (
                "Verwaltungs- und Ressourcenmanagement",
                ("Die Schulleitung setzt personelle und sächliche Mittel zielgerichtet ein.",),
            ),
            (
                "Führung",
                (
                    "Die Schulleitung hat eine pädagogische Leitvorstellung und vertritt sie.",
                    "Entscheidungen werden transparent vorbereitet und kommuniziert.",
                ),
            ),
            (
                "Qualitätssicherung und -entwicklung",
                (
                    "Die Schule arbeitet mit einem Schulprogramm und überprüft es.",
                    "Ergebnisse der Evaluation führen zu konkreten Maßnahmen.",
                ),
            ),
            (
                "Personalentwicklung",
                ("Die Schulleitung führt regelmäßig Mitarbeitergespräche.",),
            ),
            (
                "Personalauswahl",
                ("Neue Lehrkräfte werden nach einem abgestimmten Konzept eingearbeitet.",),
            ),
        ),
    ),
    (
        6,
        "Kooperation",
        (
            (
                "Schüler- und Elternmitwirkung",
                (
                    "Schülerinnen, Schüler und Eltern wirken in den Gremien aktiv mit.",
                    "Die Schule informiert Eltern regelmäßig und bezieht sie ein.",
                ),
            ),
            (
                "Nationale und internationale Zusammenarbeit",
                (
                    "Die Schule kooperiert mit Partnern in der Region.",
                    "Schulpartnerschaften und Austauschprojekte werden gepflegt.",
                ),
            ),
        ),
    ),
)


class SupporterTypeData(NamedTuple):
    name: str
    description: str
    contact_name: str
    contact_phone: str
    contact_email: str
    link: str = ""


# The other supporters of DOMAIN.md, who help schools directly as part of their tasks.
SN_SUPPORTER_TYPES = (
    SupporterTypeData(
        "Fachberater",
        "Fachberaterinnen und Fachberater beraten Lehrkräfte und Fachkonferenzen zu "
        "fachlichen und fachdidaktischen Fragen, zu Lehrplänen und zu Leistungsbewertung.",
        "Fachberatung am zuständigen Standort",
        "0371 4620-300",
        "fachberatung@lasub.example",
        "https://www.lasub.example/fachberatung",
    ),
    SupporterTypeData(
        "Medienberater",
        "Medienpädagogische Beraterinnen und Berater unterstützen Schulen beim Medienkonzept, "
        "bei der digitalen Ausstattung und beim Lernen mit digitalen Medien.",
        "Medienpädagogische Beratung",
        "0351 8320-310",
        "medienberatung@lasub.example",
        "https://www.lasub.example/medienberatung",
    ),
    SupporterTypeData(
        "Berater Schule/Wirtschaft",
        "Beraterinnen und Berater Schule/Wirtschaft unterstützen Schulen bei der beruflichen "
        "Orientierung und bei Kooperationen mit Unternehmen der Region.",
        "Beratung Schule/Wirtschaft",
        "0341 4950-320",
        "schule-wirtschaft@lasub.example",
        "https://www.lasub.example/schule-wirtschaft",
    ),
    SupporterTypeData(
        "Schulpsychologen",
        "Schulpsychologinnen und Schulpsychologen beraten Schülerinnen und Schüler, Eltern, "
        "Lehrkräfte und Schulleitungen vertraulich, etwa bei Lern- und Verhaltensproblemen, "
        "in Krisen und nach belastenden Ereignissen.",
        "Schulpsychologischer Dienst",
        "0351 4380-330",
        "schulpsychologie@lasub.example",
        "https://www.lasub.example/schulpsychologie",
    ),
    SupporterTypeData(
        "Beratungsstelle zur Begabtenförderung",
        "Die Beratungsstelle berät Eltern, Lehrkräfte und Schulen zum Erkennen und Fördern "
        "besonderer Begabungen und vermittelt Förderangebote.",
        "Beratungsstelle zur Begabtenförderung",
        "0351 8320-340",
        "begabtenfoerderung@lasub.example",
        "https://www.lasub.example/begabtenfoerderung",
    ),
)

SN_PEOPLE = (
    PersonData(
        "admin@lasub.example",
        "Katrin",
        "Hoffmann",
        "0351 8320-100",
        "admin",
        title="Fachadministration",
        superuser=True,
    ),
    PersonData(
        "koordination.dresden@lasub.example",
        "Susanne",
        "Richter",
        "0351 4380-210",
        "coordinator",
        title="Regionalkoordinatorin",
        sites=("Dresden",),
    ),
    PersonData(
        "koordination.leipzig@lasub.example",
        "Thomas",
        "Krause",
        "0341 4950-210",
        "coordinator",
        title="Regionalkoordinator",
        sites=("Leipzig",),
    ),
    PersonData(
        "prozessmoderation@lasub.example",
        "Anja",
        "Schubert",
        "0351 4380-231",
        "supporter",
        title="Prozessmoderatorin",
        sites=("Dresden",),
    ),
    PersonData(
        "schulmediation@lasub.example",
        "Martin",
        "Vogel",
        "0351 4380-245",
        "supporter",
        title="Regionalbegleiter Schulmediation",
        sites=("Dresden",),
    ),
    PersonData(
        "streitschlichtung@lasub.example",
        "Jana",
        "Fischer",
        "03501 7790-12",
        "supporter",
        title="Regionalbegleiterin Schulmediation",
        sites=("Dresden",),
    ),
    PersonData(
        "medienbildung@lasub.example",
        "Tobias",
        "Krüger",
        "03521 4690-31",
        "supporter",
        title="Medienpädagogischer Berater",
        sites=("Dresden",),
    ),
    PersonData(
        "unterrichtsentwicklung@lasub.example",
        "Claudia",
        "Lehmann",
        "0341 4950-233",
        "supporter",
        title="Trainerin für Unterrichtsentwicklung",
        sites=("Leipzig",),
    ),
    PersonData(
        "supervision@lasub.example",
        "Frank",
        "Neumann",
        "0371 4620-241",
        "supporter",
        title="Pädagogischer Supervisor",
        sites=("Chemnitz",),
    ),
    PersonData(
        "demokratiepaedagogik@lasub.example",
        "Ines",
        "Wolf",
        "0375 4430-236",
        "supporter",
        title="Beraterin für Demokratiepädagogik",
        sites=("Zwickau", "Bautzen"),
    ),
    PersonData(
        "schulleitung@125gs-dresden.example",
        "Birgit",
        "Schneider",
        "0351 2840-110",
        "school_contact",
        title="Schulleiterin",
        school="41120125",
    ),
    PersonData(
        "schulleitung@schillerschule-leipzig.example",
        "Jens",
        "Hartmann",
        "0341 5610-120",
        "school_contact",
        title="Schulleiter",
        school="41530211",
    ),
)

_MEDIATION_SERVICES = (
    "Pädagogische Tage und Konflikttrainings",
    "Beratung und Begleitung bei der Ausbildung von Schülerstreitschlichtern",
    "Ausbildung von Schülern zu Streitschlichtern",
    "Beratung bei Konflikten",
    "Sozialkompetenztrainings",
)
_MEDIATION_TARGETS = (
    "Lehrerkollegien",
    "Lehrerteams",
    "Steuergruppen",
    "Schulleitungen",
    "Schüler",
    "Schulsozialarbeiter",
    "regionale Netzwerke",
)

SN_OFFERS = (
    OfferData(
        "Prozessmoderatoren",
        "Prozessmoderatorinnen und -moderatoren begleiten Schulen bei der Planung und Umsetzung "
        "von Schulentwicklungsvorhaben – von der Bestandsaufnahme über die Zielklärung bis zur "
        "Auswertung.",
        (
            "Moderation von Pädagogischen Tagen und Konferenzen",
            "Begleitung von Steuergruppen",
            "Unterstützung bei der Fortschreibung des Schulprogramms",
            "Auswertung der externen Evaluation mit dem Kollegium",
            "Beratung bei Veränderungsprozessen",
        ),
        ("Schulleitungen", "Steuergruppen", "Lehrerkollegien", "Lehrerteams"),
        "prozessmoderation@lasub.example",
        "Dresden",
        (3, 4, 5),
    ),
    OfferData(
        "Trainer für Unterrichtsentwicklung",
        "Trainerinnen und Trainer für Unterrichtsentwicklung unterstützen Kollegien dabei, "
        "Unterricht gemeinsam weiterzuentwickeln und neue Lehr- und Lernformen zu erproben.",
        (
            "Schulinterne Fortbildungen zu Methoden- und Kommunikationstraining",
            "Trainings zu kooperativem Lernen",
            "Begleitung von Fachgruppen bei der Unterrichtsentwicklung",
            "Hospitation und kollegiale Unterrichtsreflexion",
        ),
        ("Lehrerkollegien", "Fachgruppen", "Lehrerteams", "Steuergruppen"),
        "unterrichtsentwicklung@lasub.example",
        "Leipzig",
        (2, 4),
    ),
    OfferData(
        "Pädagogische Supervisoren",
        "Pädagogische Supervision bietet Lehrkräften und Schulleitungen einen geschützten Raum, "
        "berufliche Situationen zu reflektieren und Handlungsmöglichkeiten zu erweitern.",
        (
            "Einzelsupervision für Lehrkräfte und Schulleitungen",
            "Gruppen- und Teamsupervision",
            "Fallberatung",
            "Coaching für Schulleitungen in Veränderungssituationen",
        ),
        ("Lehrkräfte", "Lehrerteams", "Schulleitungen", "Schulsozialarbeiter"),
        "supervision@lasub.example",
        "Chemnitz",
        (4, 5),
    ),
    OfferData(
        "Berater für Demokratiepädagogik",
        "Beraterinnen und Berater für Demokratiepädagogik unterstützen Schulen dabei, "
        "Beteiligung und demokratisches Handeln im Schulalltag zu verankern.",
        (
            "Beratung zum Aufbau von Klassenrat und Schülerparlament",
            "Fortbildungen zu Beteiligung und Demokratiebildung",
            "Begleitung von Projekttagen zu Demokratie und Vielfalt",
            "Unterstützung im Umgang mit extremistischen Vorfällen",
        ),
        ("Lehrerkollegien", "Schulleitungen", "Schüler", "Schülervertretungen", "Eltern"),
        "demokratiepaedagogik@lasub.example",
        "Zwickau",
        (3, 6),
    ),
    OfferData(
        "Regionalbegleiter Schulmediation",
        "Regionalbegleiterinnen und Regionalbegleiter Schulmediation unterstützen Schulen beim "
        "konstruktiven Umgang mit Konflikten und beim Aufbau von Streitschlichtung.",
        _MEDIATION_SERVICES,
        _MEDIATION_TARGETS,
        "schulmediation@lasub.example",
        "Dresden",
        (3, 6),
    ),
)

# Dresden's supporters differ in offers, distance and load, so a Dresden request has a real
# shortlist; the others are excluded there for their districts, an absence or a conflict.
_DRESDEN_DISTRICTS = ("Stadt Dresden", "LK Meißen", "LK Sächsische Schweiz-Osterzgebirge")
SN_PROFILES = (
    ProfileData(
        "prozessmoderation@lasub.example",
        ("Prozessmoderatoren",),
        (3, 4, 5),
        (),
        _DRESDEN_DISTRICTS,
        "01069",
        "Dresden",
        ("de", "en"),
        max_processes=4,
        hours_per_month=24,
    ),
    ProfileData(
        "schulmediation@lasub.example",
        ("Regionalbegleiter Schulmediation",),
        (3, 6),
        (GS, OS, FS),
        _DRESDEN_DISTRICTS,
        "01445",
        "Radebeul",
        ("de",),
        max_processes=3,
        hours_per_month=16,
        absence=(10, 17),
        note="Fortbildung in der zweiten Woche.",
    ),
    ProfileData(
        "streitschlichtung@lasub.example",
        ("Regionalbegleiter Schulmediation",),
        (3,),
        (GS, OS),
        ("LK Sächsische Schweiz-Osterzgebirge", "Stadt Dresden"),
        "01796",
        "Pirna",
        ("de", "cs"),
        max_processes=2,
        hours_per_month=10,
    ),
    ProfileData(
        "medienbildung@lasub.example",
        (),
        (2,),
        (OS, GY, BS),
        _DRESDEN_DISTRICTS,
        "01662",
        "Meißen",
        ("de", "en"),
        max_processes=3,
        hours_per_month=12,
        # Teaches at the 56. Oberschule: never proposed to it.
        works_at=("41120056",),
    ),
    ProfileData(
        "unterrichtsentwicklung@lasub.example",
        ("Trainer für Unterrichtsentwicklung",),
        (2, 4),
        (),
        ("Stadt Leipzig", "LK Leipzig", "LK Nordsachsen"),
        "04109",
        "Leipzig",
        ("de", "en", "fr"),
        max_processes=3,
        hours_per_month=20,
    ),
    ProfileData(
        "supervision@lasub.example",
        ("Pädagogische Supervisoren",),
        (4, 5),
        (),
        ("Stadt Chemnitz", "LK Mittelsachsen", "Erzgebirgskreis"),
        "09111",
        "Chemnitz",
        ("de",),
        max_processes=2,
        hours_per_month=8,
    ),
    ProfileData(
        "demokratiepaedagogik@lasub.example",
        ("Berater für Demokratiepädagogik",),
        (3, 6),
        (),
        (),
        "02625",
        "Bautzen",
        ("de", "hsb", "pl"),
        max_processes=3,
        hours_per_month=16,
        absence=(-2, 12),
        note="Elternzeit bis Mitte des Monats.",
    ),
)

LASUB = OrganisationData(
    slug="lasub",
    name="Landesamt für Schule und Bildung – Unterstützungssystem Schulentwicklung",
    kind="support_system",
    state="SN",
    mail_from="unterstuetzung@lasub.example",
    acknowledgement_days=7,
    sites=SN_SITES,
    schools=SN_SCHOOLS,
    quality_areas=SN_QUALITY_AREAS,
    people=SN_PEOPLE,
    offers=SN_OFFERS,
    supporter_types=SN_SUPPORTER_TYPES,
    profiles=SN_PROFILES,
)

# ---------------------------------------------------------------------------------------------
# Lower Saxony: LAG Schulsozialarbeit Niedersachsen e.V.
# ---------------------------------------------------------------------------------------------

NI_SITES = (
    SiteData(
        "RLSB Braunschweig",
        "braunschweig@lag-ssa-nds.example",
        "0531 2870-40",
        ("Stadt Braunschweig", "LK Wolfenbüttel"),
    ),
    SiteData(
        "RLSB Hannover",
        "hannover@lag-ssa-nds.example",
        "0511 3960-40",
        ("Region Hannover", "LK Hildesheim"),
        description="Regionalgruppe Hannover Stadt und Region.",
    ),
    SiteData(
        "RLSB Lüneburg",
        "lueneburg@lag-ssa-nds.example",
        "04131 7260-40",
        ("LK Lüneburg", "LK Harburg"),
    ),
    SiteData(
        "RLSB Osnabrück",
        "osnabrueck@lag-ssa-nds.example",
        "0541 3380-40",
        ("Stadt Osnabrück", "LK Emsland"),
    ),
)

NI_DISTRICT_KEYS = {
    "Stadt Braunschweig": "03101",
    "LK Wolfenbüttel": "03158",
    "Region Hannover": "03241",
    "LK Hildesheim": "03254",
    "LK Harburg": "03353",
    "LK Lüneburg": "03355",
    "Stadt Osnabrück": "03404",
    "LK Emsland": "03454",
}

NI_SCHOOLS: dict[str, tuple[SchoolData, ...]] = {
    "Region Hannover": (
        SchoolData(
            "94213",
            "IGS Linden",
            IGS,
            "Am Lindener Berge 38",
            "30449",
            "Hannover",
            "igs-linden",
        ),
        SchoolData(
            "94352",
            "Oberschule Garbsen-Berenbostel",
            OS,
            "Marktstraße 21",
            "30827",
            "Garbsen",
            "obs-berenbostel",
        ),
        SchoolData(
            "94418",
            "Grundschule Langenhagen-Kaltenweide",
            GS,
            "Kananoher Straße 6",
            "30855",
            "Langenhagen",
            "gs-kaltenweide",
        ),
    ),
    "LK Hildesheim": (
        SchoolData(
            "92607",
            "Robert-Bosch-Gesamtschule Hildesheim",
            IGS,
            "Richthofenstraße 37",
            "31137",
            "Hildesheim",
            "rbg-hildesheim",
        ),
    ),
    "Stadt Braunschweig": (
        SchoolData(
            "81734",
            "IGS Franzsches Feld Braunschweig",
            IGS,
            "Grünewaldstraße 12",
            "38104",
            "Braunschweig",
            "igsff-braunschweig",
        ),
        SchoolData(
            "81825",
            "Grundschule Bebelhof Braunschweig",
            GS,
            "Borsigstraße 4",
            "38126",
            "Braunschweig",
            "gs-bebelhof",
        ),
    ),
    "LK Wolfenbüttel": (
        SchoolData(
            "82143",
            "Oberschule Cranachstraße Wolfenbüttel",
            OS,
            "Cranachstraße 4",
            "38302",
            "Wolfenbüttel",
            "obs-cranach-wf",
        ),
    ),
    "LK Lüneburg": (
        SchoolData(
            "71408",
            "Oberschule am Wasserturm Lüneburg",
            OS,
            "Lindenstraße 27",
            "21335",
            "Lüneburg",
            "obs-wasserturm",
        ),
    ),
    "LK Harburg": (
        SchoolData(
            "71921",
            "IGS Buchholz",
            IGS,
            "Sprötzer Weg 33",
            "21244",
            "Buchholz in der Nordheide",
            "igs-buchholz",
        ),
        SchoolData(
            "71966",
            "Berufsbildende Schulen Winsen (Luhe)",
            BS,
            "Bürgerweide 6",
            "21423",
            "Winsen (Luhe)",
            "bbs-winsen",
        ),
    ),
    "Stadt Osnabrück": (
        SchoolData(
            "63205",
            "Gesamtschule Schinkel Osnabrück",
            IGS,
            "Windthorststraße 79",
            "49084",
            "Osnabrück",
            "gs-schinkel-os",
        ),
    ),
    "LK Emsland": (
        SchoolData(
            "64517",
            "Overbergschule Lingen",
            OS,
            "Overbergstraße 8",
            "49809",
            "Lingen (Ems)",
            "overbergschule-lingen",
        ),
        SchoolData(
            "64582",
            "Förderschule Marienschule Meppen",
            FS,
            "Nagelshof 12",
            "49716",
            "Meppen",
            "marienschule-meppen",
        ),
    ),
}

NI_PEOPLE = (
    PersonData(
        "vorstand@lag-ssa-nds.example",
        "Heike",
        "Brandt",
        "0511 3960-41",
        "admin",
        title="Vorstand",
    ),
    PersonData(
        "beratung@lag-ssa-nds.example",
        "Sabine",
        "Meyer",
        "0511 3960-42",
        "coordinator",
        title="Koordination Fachberatung",
        sites=("RLSB Braunschweig", "RLSB Hannover", "RLSB Lüneburg", "RLSB Osnabrück"),
    ),
    PersonData(
        "fachberatung@lag-ssa-nds.example",
        "Nicole",
        "Janssen",
        "0511 3960-43",
        "supporter",
        title="Fachberaterin Schulsozialarbeit",
        sites=("RLSB Hannover", "RLSB Lüneburg"),
    ),
    PersonData(
        "mitglied@lag-ssa-nds.example",
        "Lars",
        "Hinrichs",
        "0541 3380-44",
        "member",
        title="Schulsozialarbeiter",
    ),
    PersonData(
        "schulleitung@igs-linden.example",
        "Petra",
        "Kowalski",
        "0511 1684-90",
        "school_contact",
        title="Schulleiterin",
        school="94213",
    ),
)

NI_OFFERS = (
    OfferData(
        "Fachliche Beratung Schulsozialarbeit",
        "Die Fachberatung der LAG unterstützt Schulsozialarbeiterinnen und -arbeiter sowie "
        "Schulen beim Aufbau und bei der Weiterentwicklung von Schulsozialarbeit nach den "
        "Qualitätsstandards der LAG.",
        (
            "Beratung zur Konzeption von Schulsozialarbeit",
            "Kollegiale Fallberatung (anonymisiert)",
            "Beratung zu Schweigepflicht und Datenschutz (§ 203 StGB, § 65 SGB VIII)",
            "Vermittlung in Regionalgruppen und Arbeitsgemeinschaften",
        ),
        ("Schulsozialarbeiter", "Schulleitungen", "Träger der Schulsozialarbeit"),
        "fachberatung@lag-ssa-nds.example",
        "RLSB Hannover",
        cost="für Mitglieder kostenfrei",
    ),
)

LAG = OrganisationData(
    slug="lag-ssa-nds",
    name="LAG Schulsozialarbeit Niedersachsen e.V.",
    kind="association",
    state="NI",
    mail_from="info@lag-ssa-nds.example",
    acknowledgement_days=7,
    sites=NI_SITES,
    schools=NI_SCHOOLS,
    quality_areas=(),
    people=NI_PEOPLE,
    offers=NI_OFFERS,
    profiles=(
        ProfileData(
            "fachberatung@lag-ssa-nds.example",
            ("Fachliche Beratung Schulsozialarbeit",),
            (),
            (),
            (),
            "30159",
            "Hannover",
            ("de", "en", "tr"),
            max_processes=5,
            hours_per_month=30,
        ),
    ),
)

ORGANISATIONS = (LASUB, LAG)
# Kreisschlüssel per state and district name (the key's first two digits are the state's).
DISTRICT_KEYS = {"SN": SN_DISTRICT_KEYS, "NI": NI_DISTRICT_KEYS}

# One person per role for LOGINS.md and the summary of the command.
LOGINS = (
    ("Organisations-Admin (LaSuB, auch /verwaltung/)", "admin@lasub.example"),
    ("Regionalkoordination Dresden", "koordination.dresden@lasub.example"),
    ("Regionalkoordination Leipzig", "koordination.leipzig@lasub.example"),
    ("Unterstützerin (Prozessmoderatorin)", "prozessmoderation@lasub.example"),
    ("Unterstützer (Regionalbegleiter Schulmediation)", "schulmediation@lasub.example"),
    ("Schulkontakt (125. Grundschule Dresden)", "schulleitung@125gs-dresden.example"),
    ("Koordination LAG Schulsozialarbeit", "beratung@lag-ssa-nds.example"),
    ("Fachberaterin Schulsozialarbeit (LAG)", "fachberatung@lag-ssa-nds.example"),
    ("Mitglied LAG", "mitglied@lag-ssa-nds.example"),
)


# --- the accompaniment (issue 6): methods and the evaluation, the same for every organisation --

# (name, the explanation in plain language the school reads with the invitation)
METHODS: list[tuple[str, str]] = [
    (
        "Blitzlicht",
        "Zu Beginn sagt jede Person in einem Satz, wie es ihr mit dem Thema gerade geht. "
        "Niemand kommentiert. So hören alle, wo die Gruppe steht.",
    ),
    (
        "Kollegiale Fallberatung",
        "Eine Person schildert eine Situation aus ihrem Alltag. Die anderen fragen nach, "
        "sammeln Ideen und die Person entscheidet selbst, was sie davon mitnimmt. Dauer etwa "
        "45 Minuten; was gesagt wird, bleibt im Raum.",
    ),
    (
        "Zielscheibe",
        "Auf einem Plakat mit einer Zielscheibe markiert jede Person mit einem Punkt, wie nah "
        "wir einem Ziel schon sind. Das Bild zeigt ohne viele Worte, wo wir stehen.",
    ),
    (
        "World Café",
        "An mehreren Tischen wird in kleinen Gruppen zu je einer Frage gesprochen und "
        "mitgeschrieben. Nach 20 Minuten wechseln die Gruppen die Tische. Am Ende tragen wir "
        "zusammen, was sich zeigt.",
    ),
    (
        "Feedbackbogen",
        "Alle füllen einen kurzen Bogen ohne Namen aus. Die Steuergruppe wertet ihn aus und "
        "entscheidet, was sie dem Kollegium zurückmeldet.",
    ),
]

# (question, asked of: school | supporter | both, answer: scale | yes_no)
EVALUATION_QUESTIONS: list[tuple[str, str, str]] = [
    ("Die Begleitung hat uns geholfen, unsere Ziele zu erreichen.", "both", "scale"),
    ("Die Vereinbarungen im Kontrakt wurden eingehalten.", "both", "scale"),
    ("Vertraulichkeit wurde jederzeit gewahrt.", "school", "scale"),
    ("Wir können jetzt ohne Begleitung weiterarbeiten.", "school", "scale"),
    ("Würden Sie die Begleitung anderen Schulen empfehlen?", "school", "yes_no"),
    ("Die Schule hat die vereinbarten nächsten Schritte umgesetzt.", "supporter", "scale"),
    ("Die Zusammenarbeit mit der Schulleitung war tragfähig.", "supporter", "scale"),
]
