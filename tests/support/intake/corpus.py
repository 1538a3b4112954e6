"""A corpus of realistic raw e-mails as they arrive at a regional LaSuB site address.

Schools write informally to e.g. dresden@lasub.example. This module produces the bytes such
mail has on the wire (CRLF line ends, RFC 2047/2231 encodings, Outlook/Apple Mail structure,
bounces, auto-replies and broken mail), each with what a reader of the mail must make of it.

Most mails are written by hand from small helpers rather than with `EmailMessage`, because the
stdlib normalises exactly the details that matter here (boundary names, how encoded words are
split, the charset label, defects). A few use `EmailMessage` / `policy.SMTP` where that is how
real senders (scripts, web forms) produce mail.

Quarantine reasons (`Expected.reason_contains`), one word each so a German reason text can carry
it in brackets, e.g. „Unbekannter Zeichensatz (charset)“:

* ``charset`` – a part declares a charset no codec knows,
* ``MIME``    – the multipart structure is broken (no boundary parameter / boundary not in body),
* ``size``    – the raw mail is larger than ``max_size``,
* ``sender``  – there is no From header at all (German reason: „Kein Absender (sender)“),
* ``text``    – nothing readable: the only part is base64 garbage that decodes to nothing.

Only the standard library is used, so the corpus can be checked without Lotse.
"""

from __future__ import annotations

import base64
import io
import quopri
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

__all__ = ["CorpusMail", "Expected", "build_corpus"]

KINDS = ("request", "reply", "auto_reply", "bounce", "quarantine")

# Every German special letter; each mail that covers an encoding carries it in that encoding.
UMLAUTE = "Ärger über Öffnungszeiten, Übergänge und größere Klassen"


@dataclass(frozen=True)
class Expected:
    kind: str  # "request" | "reply" | "auto_reply" | "bounce" | "quarantine"
    sender: str = ""  # lower-case bare address of From
    subject: str = ""  # fully decoded subject ("" if none expected to match)
    body_contains: tuple[str, ...] = ()  # decoded fragments that must appear in the text
    attachments: tuple[str, ...] = ()  # decoded file names of attachments (incl. inline images)
    reason_contains: str = ""  # for quarantine: a word the reason mentions
    refers_to: str = ""  # for reply/bounce: the Lotse Message-ID it refers to
    # Addition to the agreed API: fragments that must NOT appear in the readable text
    # (CSS of an Outlook <style> block, the content of a .txt attachment).
    body_excludes: tuple[str, ...] = ()
    # For a bounce: the address that failed and the status code (RFC 3463) it reports.
    bounce_recipient: str = ""
    bounce_status: str = ""


@dataclass(frozen=True)
class CorpusMail:
    name: str
    raw: bytes
    expected: Expected


# --------------------------------------------------------------------------- building blocks

CRLF = b"\r\n"
Headers = list[tuple[str, str]]
# A MIME entity: its own headers (Content-*) and its encoded body.
Entity = tuple[Headers, bytes]

_BASE_DATE = datetime(2025, 3, 3, 7, 42, 11, tzinfo=timezone(timedelta(hours=1)))


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _render(headers: Headers, body: bytes) -> bytes:
    """Header lines (values may carry their own folding) + blank line + body."""
    lines = [
        f"{name}: {value}".encode() if value else f"{name}:".encode() for name, value in headers
    ]
    return CRLF.join(lines) + CRLF + CRLF + body


def _b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", CRLF)


def _qp(data: bytes) -> bytes:
    return quopri.encodestring(data.replace(b"\r\n", b"\n")).replace(b"\n", CRLF)


def _text(
    text: str,
    *,
    subtype: str = "plain",
    charset: str | None = "utf-8",
    cte: str = "8bit",
    params: str = "",
    extra: Headers | None = None,
) -> Entity:
    """A text part. `charset=None` writes no charset parameter (but still encodes as Latin-1)."""
    data = _crlf(text).encode(charset or "latin-1")
    ctype = f"text/{subtype}"
    if charset:
        ctype += f'; charset="{charset}"'
    ctype += params
    if cte == "quoted-printable":
        body = _qp(data)
    elif cte == "base64":
        body = _b64(data)
    else:
        body = data if data.endswith(CRLF) else data + CRLF
    return [("Content-Type", ctype), ("Content-Transfer-Encoding", cte), *(extra or [])], body


def _file(ctype: str, data: bytes, disposition: str, extra: Headers | None = None) -> Entity:
    headers: Headers = [("Content-Type", ctype), ("Content-Transfer-Encoding", "base64")]
    headers.append(("Content-Disposition", disposition))
    return headers + (extra or []), _b64(data)


def _multipart(
    subtype: str, boundary: str, parts: list[Entity], params: str = "", preamble: str = ""
) -> Entity:
    body = preamble.encode() + CRLF if preamble else b""
    for headers, part_body in parts:
        body += b"--" + boundary.encode() + CRLF + _render(headers, part_body)
        if not body.endswith(CRLF):
            body += CRLF
    body += b"--" + boundary.encode() + b"--" + CRLF
    return [("Content-Type", f'multipart/{subtype}; boundary="{boundary}"{params}')], body


def _mail(headers: Headers, entity: Entity, mime_version: bool = True) -> bytes:
    content_headers, body = entity
    version: Headers = [("MIME-Version", "1.0")] if mime_version else []
    return _render(headers + version + content_headers, body)


def _encoded_words(text: str, charset: str, encoding: str, limit: int = 75) -> list[str]:
    """RFC 2047 encoded words for `text`, each at most `limit` long, never splitting a letter."""

    def word(chunk: str) -> str:
        data = chunk.encode(charset)
        if encoding == "B":
            payload = base64.b64encode(data).decode()
        else:
            payload = "".join(
                "_"
                if byte == 0x20
                else chr(byte)
                if chr(byte).isalnum() and byte < 0x80
                else f"={byte:02X}"
                for byte in data
            )
        return f"=?{charset}?{encoding}?{payload}?="

    words: list[str] = []
    chunk = ""
    for char in text:
        if chunk and len(word(chunk + char)) > limit:
            words.append(word(chunk))
            chunk = char
        else:
            chunk += char
    words.append(word(chunk))
    return words


def _png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _pdf(title: str) -> bytes:
    text = title.encode("latin-1", "replace")
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
        b"1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"
        b"2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n"
        b"3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>> endobj\n"
        b"4 0 obj <</Title(" + text + b")>> endobj\n"
        b"trailer <</Root 1 0 R/Info 4 0 R>>\n%%EOF\n"
    )


def _docx(paragraph: str) -> bytes:
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="xml" ContentType="application/'
            'xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
            'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
            f"{paragraph}</w:t></w:r></w:p></w:body></w:document>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2025, 3, 1, 9, 0, 0)), content)
    return buffer.getvalue()


class _Ctx:
    def __init__(self, site: str, lotse_id: str, token: str, max_size: int) -> None:
        self.site = site
        self.lotse_id = lotse_id
        self.token = token
        self.max_size = max_size
        self.count = 0

    def date(self) -> str:
        """A plausible, strictly increasing Date value."""
        self.count += 1
        return format_datetime(_BASE_DATE + timedelta(minutes=53 * self.count))

    def mid(self, name: str, domain: str) -> str:
        stamp = f"{_BASE_DATE + timedelta(minutes=53 * self.count):%Y%m%d%H%M%S}"
        return f"<{stamp}.{name.replace('_', '-')}@{domain}>"

    def head(
        self,
        name: str,
        from_: str,
        subject: str | None,
        domain: str,
        *extra: tuple[str, str],
        to: str | None = None,
    ) -> Headers:
        """Standard top-level headers; `subject` is written as given (None: no Subject)."""
        headers: Headers = [("From", from_), ("To", to or self.site)]
        if subject is not None:
            headers.append(("Subject", subject))
        headers += [("Date", self.date()), ("Message-ID", self.mid(name, domain)), *extra]
        return headers

    def lotse_original(self, recipient: str) -> bytes:
        """The Lotse mail that bounced, as it left the site."""
        return _mail(
            [
                ("Return-Path", f"<{self.site}>"),
                ("From", f"=?utf-8?q?LaSuB_Standort_Dresden?= <{self.site}>"),
                ("To", recipient),
                ("Subject", "=?utf-8?q?Terminvorschlag_P=C3=A4dagogischer_Tag?="),
                ("Date", "Mon, 03 Mar 2025 09:15:02 +0100"),
                ("Message-ID", self.lotse_id),
                ("Auto-Submitted", "auto-generated"),
            ],
            _text(
                "Sehr geehrte Damen und Herren,\n\nwir schlagen als Termin für den "
                "pädagogischen Tag den 12. März vor.\n\nMit freundlichen Grüßen\n"
                "Ihr Team der Schulentwicklungsberatung\n",
                cte="quoted-printable",
            ),
        )


# --------------------------------------------------------------------------- requests: charsets


def _plain_utf8(c: _Ctx) -> CorpusMail:
    name = "charset_utf8_8bit"
    text = (
        "Sehr geehrte Damen und Herren,\n\n"
        "unser Kollegium ist in den letzten zwei Jahren stark gewachsen (von 18 auf 31 "
        "Lehrkräfte). Wir würden gern mit Ihrer Unterstützung einen Prozess zur "
        "Teamentwicklung beginnen – am liebsten mit einem pädagogischen Tag im Frühjahr.\n\n"
        f"Themen, die uns beschäftigen: {UMLAUTE}.\n\n"
        "Mit freundlichen Grüßen\n"
        "Dr. Annette Weißgerber\nSchulleiterin\n125. Grundschule Dresden\nTel. 0351 4711230\n"
    )
    raw = _mail(
        c.head(
            name,
            '"Schulleitung 125. GS" <schulleitung@125gs-dresden.example>',
            "=?UTF-8?Q?Unterst=C3=BCtzung_bei_der_Teamentwicklung?=",
            "125gs-dresden.example",
            ("User-Agent", "Mozilla Thunderbird"),
        ),
        _text(text, params="; format=flowed"),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "schulleitung@125gs-dresden.example",
            "Unterstützung bei der Teamentwicklung",
            ("einen Prozess zur Teamentwicklung beginnen", UMLAUTE, "Dr. Annette Weißgerber"),
        ),
    )


def _qp_utf8(c: _Ctx) -> CorpusMail:
    name = "charset_utf8_quoted_printable"
    # Long lines: quoted-printable soft line breaks fall in the middle of sentences.
    text = (
        "Sehr geehrte Frau Dr. Lindner,\n\n"
        "wie telefonisch besprochen schildere ich kurz unsere Lage: Zwischen zwei Fachschaften "
        "(Mathematik und Naturwissenschaften) gibt es seit dem Herbst anhaltende Konflikte um "
        "Raumbelegung, Vertretungsstunden und die Verteilung der Mittel für Lehrmittel. "
        "Die Stimmung im Lehrerzimmer ist angespannt, zwei Kolleginnen haben um Versetzung "
        "gebeten.\n\n"
        f"Dazu kommen {UMLAUTE}.\n\n"
        "Wir bitten um eine externe Moderation bzw. Beratung für die Schulleitung und die "
        "Fachschaftsleitungen.\n\n"
        "Freundliche Grüße\ni. A. Sabine Kühn, Sekretariat\nGymnasium Franziskaneum Meißen\n"
    )
    msg = EmailMessage(policy=policy.SMTP)
    for key, value in c.head(
        name,
        "Sekretariat Gymnasium Meißen <sekretariat@gymnasium-meissen.example>",
        None,
        "gymnasium-meissen.example",
    ):
        msg[key] = value
    msg["Subject"] = "Konflikte im Kollegium – Bitte um Beratung"
    msg.set_content(text, cte="quoted-printable")
    return CorpusMail(
        name,
        msg.as_bytes(),
        Expected(
            "request",
            "sekretariat@gymnasium-meissen.example",
            "Konflikte im Kollegium – Bitte um Beratung",
            (
                "gibt es seit dem Herbst anhaltende Konflikte um Raumbelegung, "
                "Vertretungsstunden und die Verteilung der Mittel für Lehrmittel",
                UMLAUTE,
                "Sabine Kühn",
            ),
        ),
    )


def _base64_utf8(c: _Ctx) -> CorpusMail:
    name = "charset_utf8_base64"
    text = (
        "Guten Tag,\n\n"
        "die Oberschule Pirna möchte im kommenden Schuljahr ihre Unterrichtsentwicklung "
        "voranbringen: kompetenzorientierte Aufgaben in Klasse 7 und 8, gemeinsame "
        "Bewertungskriterien und kollegiale Hospitation.\n"
        f"Offene Punkte aus der Gesamtlehrerkonferenz: {UMLAUTE}.\n\n"
        "Können Sie uns eine Prozessbegleitung vermitteln?\n\n"
        "Viele Grüße\nJörg Schütze\nstellv. Schulleiter\n"
    )
    raw = _mail(
        c.head(
            name,
            "=?utf-8?b?SsO2cmcgU2Now7x0emU=?= <stellv.schulleitung@os-pirna.example>",
            "=?utf-8?b?VW50ZXJyaWNodHNlbnR3aWNrbHVuZyBLbGFzc2UgNy84?=",
            "os-pirna.example",
            ("X-Mailer", "Microsoft Outlook 16.0"),
        ),
        _text(text, cte="base64"),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "stellv.schulleitung@os-pirna.example",
            "Unterrichtsentwicklung Klasse 7/8",
            ("ihre Unterrichtsentwicklung voranbringen", UMLAUTE, "Jörg Schütze"),
        ),
    )


def _latin1(c: _Ctx) -> CorpusMail:
    name = "charset_iso8859_1"
    text = (
        "Sehr geehrte Damen und Herren,\n\n"
        "wir bauen zum Schuljahr 2025/26 unseren Ganztag aus (offene Angebote bis 16 Uhr, "
        "Hausaufgabenbetreuung, Arbeitsgemeinschaften mit Vereinen aus Radebeul).\n"
        f"Bei den Eltern gibt es {UMLAUTE}.\n"
        "Wir suchen Beratung zur Konzeption und zur Zusammenarbeit mit dem Hort.\n\n"
        "Mit freundlichen Grüßen\nBärbel Öhler\nGanztagskoordinatorin\n"
    )
    subject = "Anfrage =?iso-8859-1?q?f=FCr_die_Ganztagskonzeption_=28GTA=29?="
    raw = _mail(
        c.head(
            name,
            "Ganztag Grundschule Radebeul-Ost <ganztag@gs-radebeul.example>",
            subject,
            "gs-radebeul.example",
        ),
        _text(text, charset="iso-8859-1"),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "ganztag@gs-radebeul.example",
            "Anfrage für die Ganztagskonzeption (GTA)",
            ("wir bauen zum Schuljahr 2025/26 unseren Ganztag aus", UMLAUTE, "Bärbel Öhler"),
        ),
    )


def _latin9(c: _Ctx) -> CorpusMail:
    name = "charset_iso8859_15_euro"
    text = (
        "Guten Tag,\n\n"
        "für eine Fortbildung zur Gesprächsführung in Konflikten haben wir ein Budget von "
        "höchstens 450 € (Honorar) zzgl. 60 € Fahrtkosten.\n"
        f"Im Kollegium gibt es {UMLAUTE}.\n"
        "Ist eine Unterstützung durch die Schulentwicklungsberatung möglich?\n\n"
        "Gruß\nVerwaltung BSZ Bautzen\n"
    )
    raw = _mail(
        c.head(
            name,
            "BSZ Bautzen Verwaltung <verwaltung@bsz-bautzen.example>",
            "=?ISO-8859-15?Q?Fortbildung_Gespr=E4chsf=FChrung_=2D_Budget_450_=A4?=",
            "bsz-bautzen.example",
        ),
        _text(text, charset="iso-8859-15", cte="quoted-printable"),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "verwaltung@bsz-bautzen.example",
            "Fortbildung Gesprächsführung - Budget 450 €",
            ("höchstens 450 € (Honorar) zzgl. 60 € Fahrtkosten", UMLAUTE),
        ),
    )


def _cp1252(c: _Ctx) -> CorpusMail:
    name = "charset_windows_1252"
    text = (
        "Sehr geehrte Damen und Herren,\n\n"
        "in unserer Klasse 6b eskaliert seit Wochen ein Streit zwischen zwei Schülergruppen – "
        "inzwischen sind auch Eltern beteiligt. Unser Projekt „Streitschlichter“ reicht dafür "
        "nicht mehr aus.\n"
        f"Beim Elternabend ging es um {UMLAUTE}.\n"
        "Wir wünschen uns eine Mediation durch eine externe Fachkraft; Kosten bis 300 € könnte "
        "der Förderverein übernehmen.\n\n"
        "Mit freundlichen Grüßen\nSteffen Groß\nKlassenleiter 6b, 43. Oberschule Dresden\n"
    )
    raw = _mail(
        c.head(
            name,
            '"Groß, Steffen" <steffen.gross@43os-dresden.example>',
            "=?Windows-1252?Q?Mediation_Klasse_6b_=96_=84Streitschlichter=93_reicht_nicht?=",
            "43os-dresden.example",
            ("X-Mailer", "Microsoft Outlook 14.0"),
        ),
        _text(text, charset="windows-1252", cte="quoted-printable"),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "steffen.gross@43os-dresden.example",
            "Mediation Klasse 6b – „Streitschlichter“ reicht nicht",
            (
                "Unser Projekt „Streitschlichter“ reicht dafür nicht mehr aus.",
                "Kosten bis 300 € könnte der Förderverein übernehmen",
                UMLAUTE,
            ),
        ),
    )


def _no_charset_latin1(c: _Ctx) -> CorpusMail:
    name = "charset_missing_latin1_bytes"
    # text/plain without charset parameter, but the body is 8-bit Latin-1 (old mail programs,
    # school administration software). A reader must guess: not UTF-8, so Latin-1/cp1252.
    text = (
        "Hallo,\n\n"
        "die Schulkonferenz hat beschlossen, dass wir uns zum Thema Schulentwicklung beraten "
        "lassen möchten. Schwerpunkt: Rückmeldekultur und Feedback im Unterricht.\n"
        f"Außerdem: {UMLAUTE}.\n\n"
        "Grüße aus Großenhain\nHeike Märtens\n"
    )
    raw = _mail(
        c.head(
            name,
            "Heike Maertens <sekretariat@gs-grossenhain.example>",
            "Beratung Schulentwicklung (Rueckmeldekultur)",
            "gs-grossenhain.example",
            ("X-Mailer", "SchulVerwaltung Mail 3.2"),
        ),
        _text(text, charset=None),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "sekretariat@gs-grossenhain.example",
            "Beratung Schulentwicklung (Rueckmeldekultur)",
            ("Schwerpunkt: Rückmeldekultur und Feedback im Unterricht.", UMLAUTE, "Heike Märtens"),
        ),
    )


def _no_mime_headers(c: _Ctx) -> CorpusMail:
    name = "charset_no_mime_headers_utf8_lf"
    # No MIME-Version, no Content-Type, bare LF line ends, yet 8-bit UTF-8 body (mbox export).
    text = (
        "Liebe Kolleginnen und Kollegen,\n\n"
        "wir möchten ein Beratungsgespräch zur Einführung von Klassenrat und Schülerparlament.\n"
        f"Anlass: {UMLAUTE}.\n\n"
        "Danke und viele Grüße\nUte Weiß, Förderschule Freital\n"
    )
    head = c.head(
        name,
        "Ute Weiss <u.weiss@foerderschule-freital.example>",
        "Klassenrat und Schuelerparlament",
        "foerderschule-freital.example",
    )
    raw = "\n".join(f"{k}: {v}" for k, v in head).encode() + b"\n\n" + text.encode()
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "u.weiss@foerderschule-freital.example",
            "Klassenrat und Schuelerparlament",
            ("Einführung von Klassenrat und Schülerparlament", UMLAUTE, "Ute Weiß"),
        ),
    )


def _raw_utf8_headers(c: _Ctx) -> CorpusMail:
    name = "charset_raw_utf8_headers"
    # SMTPUTF8 style: 8-bit UTF-8 directly in Subject and the From display name.
    text = (
        "Hallo liebes Team,\n\n"
        "unser Kollegium wünscht sich eine Fortbildung „Classroom Management“ – "
        "gern als Abrufangebot an zwei Nachmittagen.\n"
        f"Gründe: {UMLAUTE}.\n\n"
        "Schöne Grüße\nJürgen Döring\n"
    )
    raw = _mail(
        c.head(
            name,
            "Jürgen Döring <j.doering@gs-dippoldiswalde.example>",
            "Fortbildung „Classroom Management“ für unser Kollegium",
            "gs-dippoldiswalde.example",
        ),
        _text(text),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "j.doering@gs-dippoldiswalde.example",
            "Fortbildung „Classroom Management“ für unser Kollegium",
            ("eine Fortbildung „Classroom Management“", UMLAUTE),
        ),
    )


# --------------------------------------------------------------------------- requests: subjects


def _subject_mixed_words(c: _Ctx) -> CorpusMail:
    name = "subject_encoded_words_b_q_mixed_folded"
    part1 = "Anfrage Schulentwicklung: Übergang Kita–Grundschule, "
    part2 = "Förderung der Lesekompetenz und "
    part3 = "„Lesepaten“ für 300 €"
    words = (
        _encoded_words(part1, "UTF-8", "B", limit=60)
        + _encoded_words(part2, "ISO-8859-1", "Q")
        + _encoded_words(part3, "windows-1252", "Q")
    )
    text = (
        "Sehr geehrte Damen und Herren,\n\n"
        "im Übergang von der Kita in die Grundschule beobachten wir große Unterschiede bei "
        "den Vorläuferfähigkeiten. Wir möchten ein Konzept zur Leseförderung mit Lesepaten "
        "entwickeln und bitten um Beratung.\n\n"
        f"{UMLAUTE}.\n\n"
        "Mit freundlichen Grüßen\nKatja Hübner, Schulleiterin GS Kesselsdorf\n"
    )
    raw = _mail(
        c.head(
            name,
            "Katja Huebner <schulleitung@gs-kesselsdorf.example>",
            "\r\n ".join(words),
            "gs-kesselsdorf.example",
        ),
        _text(text, cte="quoted-printable"),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "schulleitung@gs-kesselsdorf.example",
            part1 + part2 + part3,
            ("Konzept zur Leseförderung mit Lesepaten", UMLAUTE),
        ),
    )


def _long_subject(c: _Ctx) -> CorpusMail:
    name = "subject_very_long"
    subject = (
        "Anfrage der Schulkonferenz des Beruflichen Schulzentrums für Technik und Wirtschaft "
        "Bautzen zur langfristigen Begleitung unserer Schulentwicklung: Teamentwicklung in den "
        "Bildungsgängen, Umgang mit Konflikten zwischen Abteilungen, Unterrichtsentwicklung im "
        "Lernfeldunterricht, Übergänge in Ausbildung und Studium sowie Aufbau einer "
        "schulinternen Steuergruppe (Bitte um Rückmeldung bis Ende März)"
    )
    msg = EmailMessage(policy=policy.SMTP)
    for key, value in c.head(
        name, "Schulkonferenz BSZ <schulkonferenz@bsz-bautzen.example>", None, "bsz-bautzen.example"
    ):
        msg[key] = value
    # Python folds this itself; note: its folder emits "Schulzentrums \r\n =?utf-8?q?f..."
    # which decodes with a double space. Readers should collapse whitespace.
    msg["Subject"] = subject
    msg.set_content(
        "Sehr geehrte Damen und Herren,\n\ndie Themen stehen im Betreff. Wir freuen uns auf "
        "ein erstes Gespräch.\n\nDie Schulkonferenz\n"
    )
    return CorpusMail(
        name,
        msg.as_bytes(),
        Expected(
            "request",
            "schulkonferenz@bsz-bautzen.example",
            subject,
            ("Wir freuen uns auf ein erstes Gespräch.",),
        ),
    )


def _empty_subject(c: _Ctx) -> CorpusMail:
    name = "subject_empty"
    text = (
        "Hallo,\n\nich bin Lehrerin an der 32. Grundschule und schreibe von privat, weil der "
        "Schulrechner streikt. Unser Team sucht Unterstützung bei der Teamentwicklung nach "
        "dem Wechsel der Schulleitung.\n\nLG Katrin Müller\n"
    )
    raw = _mail(
        c.head(
            name,
            "=?utf-8?q?M=C3=BCller=2C_Katrin?= <K.Mueller@Web.Example>",
            "",
            "web.example",
        ),
        _text(text),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "k.mueller@web.example",
            "",
            ("Unser Team sucht Unterstützung bei der Teamentwicklung", "Katrin Müller"),
        ),
    )


def _no_subject_header(c: _Ctx) -> CorpusMail:
    name = "subject_header_missing"
    text = (
        "Guten Abend,\n\nkönnten Sie mir sagen, an wen ich mich wegen einer Supervision für "
        "unser Schulsozialarbeits-Team wenden kann?\n\nDanke, T. Lehmann\n"
    )
    raw = _mail(
        c.head(name, "t.lehmann@gmx.example", None, "gmx.example"),
        _text(text),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "t.lehmann@gmx.example",
            "",
            ("wegen einer Supervision für unser Schulsozialarbeits-Team",),
        ),
    )


# --------------------------------------------------------------------------- requests: HTML

_OUTLOOK_STYLE = """<style><!--
/* Font Definitions */
@font-face
\t{font-family:"Cambria Math";
\tpanose-1:2 4 5 3 5 4 6 3 2 4;}
@font-face
\t{font-family:Calibri;
\tpanose-1:2 15 5 2 2 2 4 3 2 4;}
/* Style Definitions */
p.MsoNormal, li.MsoNormal, div.MsoNormal
\t{margin:0cm;
\tfont-size:11.0pt;
\tfont-family:"Calibri",sans-serif;
\tmso-fareast-language:EN-US;}
span.E-MailFormatvorlage17
\t{mso-style-type:personal-compose;
\tfont-family:"Calibri",sans-serif;
\tcolor:windowtext;}
.MsoChpDefault
\t{mso-style-type:export-only;}
@page WordSection1
\t{size:612.0pt 792.0pt;
\tmargin:70.85pt 70.85pt 2.0cm 70.85pt;}
div.WordSection1
\t{page:WordSection1;}
--></style><!--[if gte mso 9]><xml>
<o:shapedefaults v:ext="edit" spidmax="1026" />
</xml><![endif]--><!--[if gte mso 9]><xml>
<o:shapelayout v:ext="edit">
<o:idmap v:ext="edit" data="1" />
</o:shapelayout></xml><![endif]-->"""

_OUTLOOK_HEAD = (
    '<html xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w="urn:schemas-microsoft-com:office:word" '
    'xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" '
    'xmlns="http://www.w3.org/TR/REC-html40">\n<head>\n'
    '<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
    '<meta name="Generator" content="Microsoft Word 15 (filtered medium)">\n'
    + _OUTLOOK_STYLE
    + "\n</head>\n"
    '<body lang="DE" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">\n'
    '<div class="WordSection1">\n'
)

CSS_MARKERS = ("MsoNormal", "font-family", "mso-style-type", "@page", "panose")


def _outlook_html_only(c: _Ctx) -> CorpusMail:
    name = "html_outlook_only"
    html = (
        _OUTLOOK_HEAD.replace("{charset}", "windows-1252")
        + '<p class="MsoNormal">Sehr geehrte Damen und Herren,<o:p></o:p></p>\n'
        '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n'
        '<p class="MsoNormal">an unserer Schule m&ouml;chten wir den Ganztag neu aufstellen. '
        "Dazu bitten wir um Unterst&uuml;tzung bei der Konzeption und bei der "
        "Teamentwicklung im Ganztagsteam (Lehrkr&auml;fte, Hort, Vereine).<o:p></o:p></p>\n"
        '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n'
        '<p class="MsoNormal">&Auml;rger &uuml;ber &Ouml;ffnungszeiten, &Uuml;berg&auml;nge '
        "und gr&ouml;&szlig;ere Klassen<o:p></o:p></p>\n"
        '<p class="MsoNormal">Ein erster Termin w&auml;re am&nbsp;14.&nbsp;M&auml;rz m&ouml;glich. '
        "Das Budget liegt bei 1.200 € – finanziert &uuml;ber „Ganztag Sachsen“.<o:p></o:p></p>\n"
        '<table class="MsoNormalTable" border="0" cellspacing="0" cellpadding="0" '
        'style="border-collapse:collapse">\n<tr>\n<td width="300" valign="top" '
        'style="padding:0cm 5.4pt 0cm 5.4pt">\n'
        '<table class="MsoNormalTable" border="0" cellpadding="0"><tr><td>'
        '<p class="MsoNormal"><b><span style="color:#1F3864">Cornelia Schr&ouml;der'
        "</span></b><o:p></o:p></p>\n"
        '<p class="MsoNormal"><span style="font-size:9.0pt">Schulleiterin<o:p></o:p></span></p>'
        "</td></tr></table>\n</td>\n"
        '<td valign="top"><p class="MsoNormal"><span style="font-size:9.0pt">'
        "Oberschule &bdquo;Am Elbtal&ldquo; Riesa<o:p></o:p></span></p></td>\n"
        "</tr>\n</table>\n"
        '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n</div>\n</body>\n</html>\n'
    )
    raw = _mail(
        c.head(
            name,
            "=?iso-8859-1?Q?Schr=F6der=2C_Cornelia?= <schulleitung@os-riesa.example>",
            "Ganztag: Konzeption und Teamentwicklung",
            "os-riesa.example",
            ("X-MS-Has-Attach", ""),
            ("X-MS-TNEF-Correlator", ""),
            ("Thread-Topic", "Ganztag: Konzeption und Teamentwicklung"),
            ("Thread-Index", "AdmL6Ut0l7kPq3mTQ1mFJ3WkYtK2Rg=="),
            ("Content-Language", "de-DE"),
        ),
        _text(html, subtype="html", charset="Windows-1252", cte="quoted-printable"),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "schulleitung@os-riesa.example",
            "Ganztag: Konzeption und Teamentwicklung",
            (
                "an unserer Schule möchten wir den Ganztag neu aufstellen.",
                "Unterstützung bei der Konzeption und bei der Teamentwicklung im Ganztagsteam "
                "(Lehrkräfte, Hort, Vereine)",
                UMLAUTE,
                "Ein erster Termin wäre am 14. März möglich.",
                "Das Budget liegt bei 1.200 € – finanziert über „Ganztag Sachsen“.",
                "Cornelia Schröder",
                "Oberschule „Am Elbtal“ Riesa",
            ),
            body_excludes=CSS_MARKERS,
        ),
    )


def _outlook_alternative(c: _Ctx) -> CorpusMail:
    name = "html_outlook_alternative"
    plain = (
        "Sehr geehrte Damen und Herren,\n\n"
        "unser Kollegium möchte die Unterrichtsentwicklung im Fach Deutsch voranbringen. "
        "Wir bitten um Begleitung für eine Fachschaftsklausur (Kosten bis 250 €).\n\n"
        f"{UMLAUTE}\n\n"
        "Mit freundlichen Grüßen\n\nAndreas Kühnel\nFachschaftsleiter Deutsch\n"
        "Gymnasium Coswig\n"
    )
    html = (
        _OUTLOOK_HEAD.replace("{charset}", "iso-8859-1")
        + '<p class="MsoNormal">Sehr geehrte Damen und Herren,<o:p></o:p></p>\n'
        '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n'
        '<p class="MsoNormal">unser Kollegium m&ouml;chte die Unterrichtsentwicklung im Fach '
        "Deutsch voranbringen. Wir bitten um Begleitung f&uuml;r eine Fachschaftsklausur "
        "(Kosten bis 250 €).<o:p></o:p></p>\n"
        f'<p class="MsoNormal">{UMLAUTE}<o:p></o:p></p>\n'
        '<p class="MsoNormal">Mit freundlichen Gr&uuml;&szlig;en<o:p></o:p></p>\n'
        '<p class="MsoNormal">Andreas K&uuml;hnel<o:p></o:p></p>\n'
        "</div>\n</body>\n</html>\n"
    )
    # Classic Outlook: labelled iso-8859-1 although the € is Windows-1252 byte 0x80.
    # (WHATWG: the label iso-8859-1 means windows-1252.)
    plain_part = (
        [
            ("Content-Type", 'text/plain; charset="iso-8859-1"'),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ],
        _qp(_crlf(plain).encode("cp1252")),
    )
    html_part = (
        [
            ("Content-Type", 'text/html; charset="iso-8859-1"'),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ],
        _qp(_crlf(html).encode("cp1252")),
    )
    raw = _mail(
        c.head(
            name,
            "=?iso-8859-1?Q?K=FChnel=2C_Andreas?= <a.kuehnel@gymnasium-coswig.example>",
            "Unterrichtsentwicklung Deutsch: Fachschaftsklausur",
            "gymnasium-coswig.example",
            ("Thread-Topic", "Unterrichtsentwicklung Deutsch: Fachschaftsklausur"),
            ("Accept-Language", "de-DE, en-US"),
            ("Content-Language", "de-DE"),
        ),
        _multipart(
            "alternative",
            "_000_DB9PR01MB7354A1B2C3D4E5F6A7B8C9D0DB9PR01MB7354eurp_",
            [plain_part, html_part],
        ),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "a.kuehnel@gymnasium-coswig.example",
            "Unterrichtsentwicklung Deutsch: Fachschaftsklausur",
            (
                "unser Kollegium möchte die Unterrichtsentwicklung im Fach Deutsch voranbringen.",
                "Fachschaftsklausur (Kosten bis 250 €)",
                UMLAUTE,
                "Andreas Kühnel",
            ),
            body_excludes=CSS_MARKERS,
        ),
    )


def _html_br_p(c: _Ctx) -> CorpusMail:
    name = "html_only_br_and_p"
    sentences = (
        "Wir sind eine Oberschule mit 420 Schülerinnen und Schülern.",
        "Seit dem Schuljahreswechsel häufen sich Konflikte in den Pausen.",
        "Die Schulsozialarbeit ist mit einer halben Stelle besetzt.",
        "Wir möchten ein Konzept für Streitschlichtung und Mediation aufbauen.",
    )
    html = (
        "<!DOCTYPE html><html><head><title>Anfrage</title></head><body>"
        '<div dir="ltr">Guten Tag,<br><br>'
        + "<br>".join(sentences[:3])
        + f"<p>{sentences[3]}</p><p>{UMLAUTE}</p>"
        + "<p>Freundliche Grüße<br>Silke Baumgärtel<br>Oberschule Heidenau</p></div>"
        "</body></html>"
    )
    raw = _mail(
        c.head(
            name,
            "Silke Baumgaertel <s.baumgaertel@os-heidenau.example>",
            "Konflikte in den Pausen",
            "os-heidenau.example",
        ),
        _text(html, subtype="html", cte="quoted-printable"),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "s.baumgaertel@os-heidenau.example",
            "Konflikte in den Pausen",
            (*sentences, UMLAUTE, "Silke Baumgärtel"),
        ),
    )


# --------------------------------------------------------------------------- requests: files


def _apple_mail(c: _Ctx) -> CorpusMail:
    name = "apple_mail_inline_image_and_pdf"
    cid = "6C0F5A2E-1B7D-4C55-9E0A-2F3B4D5E6F70@apple.example"
    plain = (
        "Liebe Frau Hartmann,\n\n"
        "wie besprochen sende ich Ihnen unsere Anfrage zur Schulentwicklung als PDF. "
        "Das Foto zeigt unseren neuen Lernraum.\n\n"
        f"{UMLAUTE}.\n\n"
        "Herzliche Grüße\nMaren Köhler\n"
    )
    html = (
        '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
        '<body style="overflow-wrap: break-word; -webkit-nbsp-mode: space;">'
        "<div>Liebe Frau Hartmann,</div><div><br></div>"
        "<div>wie besprochen sende ich Ihnen unsere Anfrage zur Schulentwicklung als PDF. "
        "Das Foto zeigt unseren neuen Lernraum.</div><div><br></div>"
        f'<div><img apple-inline="yes" id="A1" src="cid:{cid}" alt="Lernraum.png"></div>'
        f"<div>{UMLAUTE}.</div><div><br></div>"
        "<div>Herzliche Grüße</div><div>Maren Köhler</div></body></html>"
    )
    related = _multipart(
        "related",
        "Apple-Mail=_8D2C3F10-93A4-4B2E-A1C7-5E6F7A8B9C0D",
        [
            _text(html, subtype="html", cte="quoted-printable"),
            _file(
                'image/png; name="Lernraum.png"',
                _png(),
                'inline; filename="Lernraum.png"',
                [("Content-Id", f"<{cid}>")],
            ),
        ],
        params='; type="text/html"',
    )
    alternative = _multipart(
        "alternative",
        "Apple-Mail=_4B1E2D3C-7A8F-4E5D-9C0B-1A2B3C4D5E6F",
        [_text(plain, cte="quoted-printable"), related],
    )
    raw = _mail(
        c.head(
            name,
            "=?utf-8?Q?Maren_K=C3=B6hler?= <m.koehler@gs-weinboehla.example>",
            "Anfrage Schulentwicklung",
            "gs-weinboehla.example",
            ("X-Mailer", "Apple Mail (2.3774.600.62)"),
        ),
        _multipart(
            "mixed",
            "Apple-Mail=_0A9B8C7D-6E5F-4A3B-2C1D-0E9F8A7B6C5D",
            [
                alternative,
                _file(
                    'application/pdf; x-unix-mode=0644; name="Anfrage Schulentwicklung.pdf"',
                    _pdf("Anfrage Schulentwicklung"),
                    'attachment; filename="Anfrage Schulentwicklung.pdf"',
                ),
            ],
        ),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "m.koehler@gs-weinboehla.example",
            "Anfrage Schulentwicklung",
            ("sende ich Ihnen unsere Anfrage zur Schulentwicklung als PDF.", UMLAUTE),
            ("Lernraum.png", "Anfrage Schulentwicklung.pdf"),
        ),
    )


def _rfc2231_filename(c: _Ctx) -> CorpusMail:
    name = "attachment_rfc2231_utf8_continuation"
    filename = "Protokoll Dienstberatung – Teamentwicklung März 2025.pdf"
    # Thunderbird: name*0*/name*1* continuations, percent-encoded UTF-8.
    params = (
        "*0*=UTF-8''Protokoll%20Dienstberatung%20%E2%80%93%20;\r\n"
        " {key}*1*=Teamentwicklung%20M%C3%A4rz%202025.pdf"
    )
    text = (
        "Sehr geehrte Damen und Herren,\n\n"
        "im Anhang das Protokoll unserer Dienstberatung. Daraus ergibt sich unser Wunsch nach "
        "Begleitung bei der Teamentwicklung.\n\nMit freundlichen Grüßen\nRené Vogt\n"
    )
    raw = _mail(
        c.head(
            name,
            "=?UTF-8?Q?Ren=C3=A9_Vogt?= <rene.vogt@gs-moritzburg.example>",
            "Protokoll Dienstberatung",
            "gs-moritzburg.example",
            ("User-Agent", "Mozilla Thunderbird"),
        ),
        _multipart(
            "mixed",
            "------------Hb0x7Lq2cR9vY1aK3sD5fG8j",
            [
                _text(text, params="; format=flowed"),
                _file(
                    "application/pdf;\r\n name" + params.format(key="name"),
                    _pdf("Protokoll"),
                    "attachment;\r\n filename" + params.format(key="filename"),
                ),
            ],
            preamble="This is a multi-part message in MIME format.",
        ),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "rene.vogt@gs-moritzburg.example",
            "Protokoll Dienstberatung",
            ("Wunsch nach Begleitung bei der Teamentwicklung",),
            (filename,),
        ),
    )


def _encoded_word_filename(c: _Ctx) -> CorpusMail:
    name = "attachment_encoded_word_filename_docx"
    filename = "Konzept Ganztagsangebote Übersicht.docx"
    word = _encoded_words(filename, "UTF-8", "B")[0]
    text = (
        "Guten Tag,\n\nanbei unser Entwurf für die Ganztagsangebote. Wir hätten gern eine "
        "Rückmeldung und Beratung zur Weiterentwicklung.\n\nViele Grüße\nLena Krause\n"
    )
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    raw = _mail(
        c.head(
            name,
            "Lena Krause <lena.krause@gs-meissen-coelln.example>",
            "Entwurf Ganztagsangebote",
            "gs-meissen-coelln.example",
        ),
        _multipart(
            "mixed",
            "0000000000004f2a7b0620a1c3d5",
            [
                _text(text),
                _file(
                    f'{docx_type}; name="{word}"',
                    _docx("Konzept Ganztagsangebote"),
                    f'attachment; filename="{word}"',
                    [("Content-ID", "<f_m7x2k1a90>"), ("X-Attachment-Id", "f_m7x2k1a90")],
                ),
            ],
        ),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "lena.krause@gs-meissen-coelln.example",
            "Entwurf Ganztagsangebote",
            ("anbei unser Entwurf für die Ganztagsangebote.",),
            (filename,),
        ),
    )


def _latin1_filenames(c: _Ctx) -> CorpusMail:
    name = "attachment_iso8859_1_filenames_image"
    image_name = "Schülerzahlen Großenhain.png"
    pdf_name = "Übersicht Förderräume.pdf"
    image_word = _encoded_words(image_name, "ISO-8859-1", "Q")[0]
    text = (
        "Sehr geehrte Damen und Herren,\n\nzur Vorbereitung des Gesprächs über unsere "
        "Raum- und Ganztagsplanung sende ich zwei Übersichten.\n\nGruß\nM. Schäfer\n"
    )
    raw = _mail(
        c.head(
            name,
            "M. Schaefer <verwaltung@os-grossenhain.example>",
            "=?ISO-8859-1?Q?Unterlagen_f=FCr_das_Gespr=E4ch?=",
            "os-grossenhain.example",
        ),
        _multipart(
            "mixed",
            "=_alternative 003A1B2C4125891F_=",
            [
                _text(text, charset="iso-8859-1", cte="quoted-printable"),
                _file(
                    f'image/png; name="{image_word}"',
                    _png(6, 4, (200, 60, 40)),
                    f'attachment; filename="{image_word}"',
                ),
                _file(
                    "application/pdf",
                    _pdf("Uebersicht"),
                    "attachment; filename*=ISO-8859-1''%DCbersicht%20F%F6rderr%E4ume.pdf",
                ),
            ],
        ),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "verwaltung@os-grossenhain.example",
            "Unterlagen für das Gespräch",
            ("Raum- und Ganztagsplanung sende ich zwei Übersichten.",),
            (image_name, pdf_name),
        ),
    )


# Content of the .txt attachment; it must not leak into the readable text.
TXT_ATTACHMENT_MARKER = "VERTRAULICH – Notizen Elternabend"


def _txt_attachment(c: _Ctx) -> CorpusMail:
    name = "attachment_txt_not_merged"
    text = (
        "Hallo,\n\nwir bitten um Unterstützung bei einem Konflikt zwischen Elternschaft und "
        "Klassenleitung. Meine Notizen hänge ich als Textdatei an.\n\nGruß\nPeter Schmidt\n"
    )
    notes = (
        f"{TXT_ATTACHMENT_MARKER} 6a, 25.02.2025\n"
        "- Eltern kritisieren Hausaufgabenpraxis\n- Klassenleitung fühlt sich angegriffen\n"
    )
    raw = _mail(
        c.head(
            name,
            "Peter Schmidt <p.schmidt@gs-zittau.example>",
            "Konflikt Eltern / Klassenleitung",
            "gs-zittau.example",
        ),
        _multipart(
            "mixed",
            "b1_5f3c2a1e9d8b7a6c5d4e3f2a1b0c9d8e",
            [
                _text(text),
                _text(
                    notes,
                    cte="base64",
                    extra=[
                        ("Content-Disposition", 'attachment; filename="Notizen Elternabend.txt"')
                    ],
                ),
            ],
        ),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "p.schmidt@gs-zittau.example",
            "Konflikt Eltern / Klassenleitung",
            ("Konflikt zwischen Elternschaft und Klassenleitung.",),
            ("Notizen Elternabend.txt",),
            body_excludes=(TXT_ATTACHMENT_MARKER, "Hausaufgabenpraxis"),
        ),
    )


def _attachment_one_line(c: _Ctx) -> CorpusMail:
    name = "attachment_only_one_line"
    filename = "Antrag Schulentwicklungsberatung 2025.pdf"
    raw = _mail(
        c.head(
            name,
            "Sekretariat <sekretariat@84gs-dresden.example>",
            "Antrag",
            "84gs-dresden.example",
        ),
        _multipart(
            "mixed",
            "----=_NextPart_000_0042_01DB8C3A.5F2E1B40",
            [
                _text("Anbei unser Antrag, mit freundlichen Grüßen.\n", charset="windows-1252"),
                _file(
                    f'application/pdf; name="{filename}"',
                    _pdf("Antrag"),
                    f'attachment; filename="{filename}"',
                ),
            ],
            preamble="This is a multipart message in MIME format.",
        ),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "sekretariat@84gs-dresden.example",
            "Antrag",
            ("Anbei unser Antrag, mit freundlichen Grüßen.",),
            (filename,),
        ),
    )


# --------------------------------------------------------------------------- requests: forwards


def _forward_chain(c: _Ctx) -> CorpusMail:
    name = "forward_chain_wg_aw"
    subject = "WG: AW: Schulbegleitung Inklusion – Termin im Mai"
    text = (
        "Liebe Kolleginnen und Kollegen vom LaSuB,\n\n"
        "ich leite Ihnen die Korrespondenz mit unserem Schulträger weiter. Wir bitten um "
        "Unterstützung bei der Weiterentwicklung unseres Inklusionskonzepts und bei der "
        "Zusammenarbeit im multiprofessionellen Team.\n\n"
        "Viele Grüße\nThomas Neubert\nSchulleiter, Oberschule Coswig\n\n"
        "-----Ursprüngliche Nachricht-----\n"
        "Von: Schulverwaltungsamt Coswig <schulverwaltung@coswig.example>\n"
        "Gesendet: Dienstag, 4. März 2025 10:12\n"
        "An: Neubert, Thomas <schulleitung@os-coswig.example>\n"
        "Betreff: AW: Schulbegleitung Inklusion – Termin im Mai\n\n"
        "Sehr geehrter Herr Neubert,\n\n"
        "die zusätzlichen Schulbegleiter können wir erst ab Mai finanzieren. Für die "
        "konzeptionelle Arbeit wenden Sie sich bitte an das LaSuB.\n\n"
        "Mit freundlichen Grüßen\nIm Auftrag\nF. Richter\n\n"
        "> Am 28.02.2025 um 14:03 schrieb Thomas Neubert:\n"
        "> Sehr geehrte Frau Richter,\n"
        "> wir haben ab dem zweiten Halbjahr drei Kinder mit Förderbedarf mehr.\n"
        "> Können wir über zusätzliche Schulbegleitung sprechen?\n"
    )
    raw = _mail(
        c.head(
            name,
            '"Neubert, Thomas" <schulleitung@os-coswig.example>',
            "=?utf-8?Q?WG=3A_AW=3A_Schulbegleitung_Inklusion_=E2=80=93_Termin_im_Mai?=",
            "os-coswig.example",
            ("Cc", "stellvertretung@os-coswig.example"),
            ("Thread-Topic", "AW: Schulbegleitung Inklusion =?utf-8?Q?=E2=80=93?= Termin im Mai"),
        ),
        _text(text, cte="quoted-printable"),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "schulleitung@os-coswig.example",
            subject,
            (
                "Unterstützung bei der Weiterentwicklung unseres Inklusionskonzepts",
                "-----Ursprüngliche Nachricht-----",
                "> wir haben ab dem zweiten Halbjahr drei Kinder mit Förderbedarf mehr.",
            ),
        ),
    )


def _forward_rfc822(c: _Ctx) -> CorpusMail:
    name = "forward_as_message_rfc822"
    inner = _mail(
        [
            ("From", "Elternrat 43. OS <elternrat.43os@web.example>"),
            ("To", "schulleitung@43os-dresden.example"),
            ("Subject", "Konflikt Klasse 6b"),
            ("Date", "Fri, 28 Feb 2025 19:20:00 +0100"),
            ("Message-ID", "<c0ffee.elternrat.6b@web.example>"),
        ],
        _text(
            "Sehr geehrte Frau Direktorin,\n\nwir Eltern der 6b machen uns große Sorgen über "
            "die Situation in der Klasse und bitten um ein Gespräch.\n\nDer Elternrat\n"
        ),
    )
    outer = (
        "Sehr geehrte Damen und Herren,\n\n"
        "im Anhang finden Sie die Nachricht unseres Elternrats. Wir bitten um eine Mediation "
        "zwischen Eltern, Klassenleitung und Schulleitung.\n\n"
        "Mit freundlichen Grüßen\nDr. Ines Walther\nSchulleiterin 43. Oberschule\n"
    )
    raw = _mail(
        c.head(
            name,
            "Ines Walther <schulleitung@43os-dresden.example>",
            "Fwd: Konflikt Klasse 6b",
            "43os-dresden.example",
        ),
        _multipart(
            "mixed",
            "------------3kq7Zx1Vb2Nm4Lp6Ow8Ie0Ru",
            [
                _text(outer),
                (
                    [
                        ("Content-Type", 'message/rfc822; name="Konflikt Klasse 6b.eml"'),
                        ("Content-Disposition", 'attachment; filename="Konflikt Klasse 6b.eml"'),
                    ],
                    inner,
                ),
            ],
        ),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "request",
            "schulleitung@43os-dresden.example",
            "Fwd: Konflikt Klasse 6b",
            ("Wir bitten um eine Mediation zwischen Eltern, Klassenleitung und Schulleitung.",),
            ("Konflikt Klasse 6b.eml",),
        ),
    )


# --------------------------------------------------------------------------- replies


def _reply_in_reply_to(c: _Ctx) -> CorpusMail:
    name = "reply_in_reply_to"
    text = (
        "Sehr geehrte Damen und Herren,\n\nvielen Dank, der 12. März passt uns gut. "
        "Wir reservieren die Aula ab 8 Uhr.\n\nMit freundlichen Grüßen\nA. Weißgerber\n\n"
        f"Am 03.03.2025 um 09:15 schrieb LaSuB Standort Dresden <{c.site}>:\n"
        "> wir schlagen als Termin für den pädagogischen Tag den 12. März vor.\n"
    )
    raw = _mail(
        c.head(
            name,
            "Schulleitung 125. GS <schulleitung@125gs-dresden.example>",
            "=?UTF-8?Q?AW=3A_Terminvorschlag_P=C3=A4dagogischer_Tag?=",
            "125gs-dresden.example",
            ("In-Reply-To", c.lotse_id),
            ("References", c.lotse_id),
        ),
        _text(text),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "reply",
            "schulleitung@125gs-dresden.example",
            "AW: Terminvorschlag Pädagogischer Tag",
            ("vielen Dank, der 12. März passt uns gut.",),
            refers_to=c.lotse_id,
        ),
    )


def _reply_references_only(c: _Ctx) -> CorpusMail:
    name = "reply_references_only"
    references = (
        f"<first.contact.77@os-pirna.example>\r\n {c.lotse_id}\r\n <cc.copy.78@lasub.example>"
    )
    text = (
        "Hallo zusammen,\n\nich habe die Rückfragen mit dem Kollegium geklärt: Wir möchten mit "
        "zwei Fachschaften starten.\n\nViele Grüße\nJörg Schütze\n"
    )
    raw = _mail(
        c.head(
            name,
            "=?utf-8?b?SsO2cmcgU2Now7x0emU=?= <stellv.schulleitung@os-pirna.example>",
            "Re: Unterrichtsentwicklung Klasse 7/8",
            "os-pirna.example",
            ("References", references),
            ("User-Agent", "Mozilla Thunderbird"),
        ),
        _text(text, params="; format=flowed"),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "reply",
            "stellv.schulleitung@os-pirna.example",
            "Re: Unterrichtsentwicklung Klasse 7/8",
            ("Wir möchten mit zwei Fachschaften starten.",),
            refers_to=c.lotse_id,
        ),
    )


def _reply_token(c: _Ctx) -> CorpusMail:
    name = "reply_token_in_subject"
    subject = f"AW: Ihre Anfrage [#{c.token}]"
    text = (
        "Guten Tag,\n\nentschuldigen Sie die späte Antwort. Ja, wir sind weiterhin an der "
        "Mediation interessiert, am besten nach den Winterferien.\n\nGruß\nS. Groß\n"
    )
    raw = _mail(
        c.head(
            name,
            "Steffen Gross <steffen.gross@43os-dresden.example>",
            subject,
            "43os-dresden.example",
        ),
        _text(text, charset="windows-1252", cte="quoted-printable"),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "reply",
            "steffen.gross@43os-dresden.example",
            subject,
            ("wir sind weiterhin an der Mediation interessiert",),
        ),
    )


# --------------------------------------------------------------------------- auto-replies


def _auto(
    c: _Ctx, name: str, from_: str, subject: tuple[str, str], text: str, *extra: tuple[str, str]
) -> CorpusMail:
    """An auto-reply; `subject` is (as written in the header, decoded)."""
    sender = parseaddr(from_)[1].lower()
    domain = sender.split("@", 1)[1]
    raw = _mail(c.head(name, from_, subject[0], domain, *extra), _text(text))
    return CorpusMail(name, raw, Expected("auto_reply", sender, subject[1]))


def _auto_replies(c: _Ctx) -> list[CorpusMail]:
    away = (
        "Vielen Dank für Ihre Nachricht. Ich bin bis einschließlich 21. März nicht im Haus. "
        "In dringenden Fällen wenden Sie sich bitte an das Sekretariat.\n"
    )
    return [
        _auto(
            c,
            "auto_auto_submitted",
            "Annette Weissgerber <a.weissgerber@125gs-dresden.example>",
            ("Abwesenheitsnotiz", "Abwesenheitsnotiz"),
            away,
            ("Auto-Submitted", "auto-replied"),
            ("In-Reply-To", c.lotse_id),
        ),
        _auto(
            c,
            "auto_precedence_bulk",
            "Schulverwaltungsamt Coswig <noreply@coswig.example>",
            ("Ihre Nachricht ist eingegangen", "Ihre Nachricht ist eingegangen"),
            "Ihre Nachricht wurde unter der Vorgangsnummer 2025-0311 erfasst.\n",
            ("Precedence", "bulk"),
        ),
        _auto(
            c,
            "auto_precedence_auto_reply",
            "Sekretariat OS Heidenau <sekretariat@os-heidenau.example>",
            ("=?utf-8?q?Eingangsbest=C3=A4tigung?=", "Eingangsbestätigung"),
            "Wir haben Ihre Nachricht erhalten und melden uns zeitnah.\n",
            ("Precedence", "auto_reply"),
            ("References", c.lotse_id),
        ),
        _auto(
            c,
            "auto_x_autoreply",
            "Maren Koehler <m.koehler@gs-weinboehla.example>",
            ("Ich bin bis 21.03. nicht im Haus", "Ich bin bis 21.03. nicht im Haus"),
            away,
            ("X-Autoreply", "yes"),
        ),
        _auto(
            c,
            "auto_outlook_out_of_office",
            "=?iso-8859-1?Q?Schr=F6der=2C_Cornelia?= <schulleitung@os-riesa.example>",
            (
                "=?utf-8?Q?Automatische_Antwort=3A_Terminvorschlag_P=C3=A4dagogischer_Tag?=",
                "Automatische Antwort: Terminvorschlag Pädagogischer Tag",
            ),
            away,
            ("X-Auto-Response-Suppress", "All"),
            ("X-MS-Exchange-Inbox-Rules-Loop", "schulleitung@os-riesa.example"),
            ("In-Reply-To", c.lotse_id),
            ("Thread-Topic", "Terminvorschlag =?utf-8?Q?P=C3=A4dagogischer?= Tag"),
        ),
        # Our own mail came back (forwarding rule at a school): From is the site address.
        # It even carries the request token - a loop must never become a reply.
        _auto(
            c,
            "auto_loop_from_site",
            f"LaSuB Standort Dresden <{c.site.upper()}>",
            (
                f"Ihre Anfrage ist eingegangen [#{c.token}]",
                f"Ihre Anfrage ist eingegangen [#{c.token}]",
            ),
            "Vielen Dank, Ihre Anfrage ist bei uns eingegangen.\n",
        ),
    ]


# --------------------------------------------------------------------------- bounces


def _bounce_postfix(c: _Ctx) -> CorpusMail:
    name = "bounce_dsn_postfix_message_rfc822"
    recipient = "schulleitung@43-os-dresden.example"
    notification = (
        "This is the mail system at host mail.lasub.example.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n\n"
        "For further assistance, please send mail to postmaster.\n\n"
        "                   The mail system\n\n"
        f"<{recipient}>: host mx.43-os-dresden.example[192.0.2.25] said: 550\n"
        f"    5.1.1 <{recipient}>: Recipient address rejected: User unknown in\n"
        "    virtual mailbox table (in reply to RCPT TO command)\n"
    )
    status = (
        "Reporting-MTA: dns; mail.lasub.example\n"
        "X-Postfix-Queue-ID: 4Z1x2Y3abcz\n"
        f"X-Postfix-Sender: rfc822; {c.site}\n"
        "Arrival-Date: Mon,  3 Mar 2025 09:15:02 +0100 (CET)\n\n"
        f"Final-Recipient: rfc822; {recipient}\n"
        f"Original-Recipient: rfc822;{recipient}\n"
        "Action: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.43-os-dresden.example\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address\n"
        "    rejected: User unknown in virtual mailbox table\n"
    )
    raw = _mail(
        c.head(
            name,
            "MAILER-DAEMON@mail.lasub.example (Mail Delivery System)",
            "Undelivered Mail Returned to Sender",
            "mail.lasub.example",
            ("Auto-Submitted", "auto-replied"),
            ("Return-Path", "<>"),
        ),
        _multipart(
            "report",
            "4Z1x2Y3abcz.1741000000/mail.lasub.example",
            [
                (
                    [
                        ("Content-Description", "Notification"),
                        ("Content-Type", "text/plain; charset=us-ascii"),
                    ],
                    _crlf(notification).encode(),
                ),
                (
                    [
                        ("Content-Description", "Delivery report"),
                        ("Content-Type", "message/delivery-status"),
                    ],
                    _crlf(status).encode(),
                ),
                (
                    [
                        ("Content-Description", "Undelivered Message"),
                        ("Content-Type", "message/rfc822"),
                    ],
                    c.lotse_original(recipient),
                ),
            ],
            params="; report-type=delivery-status",
            preamble="This is a MIME-encapsulated message.",
        ),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "bounce",
            "mailer-daemon@mail.lasub.example",
            "Undelivered Mail Returned to Sender",
            ("Recipient address rejected",),
            refers_to=c.lotse_id,
            bounce_recipient=recipient,
            bounce_status="5.1.1",
        ),
    )


def _bounce_headers_only(c: _Ctx) -> CorpusMail:
    name = "bounce_dsn_rfc822_headers"
    recipient = "info@gs-wilsdruff.example"
    original = c.lotse_original(recipient).split(CRLF + CRLF, 1)[0] + CRLF
    status = (
        "Reporting-MTA: dns; mx.schule-sachsen.example\n"
        "Received-From-MTA: DNS; mail.lasub.example\n"
        "Arrival-Date: Mon, 3 Mar 2025 09:15:04 +0100\n\n"
        f"Final-Recipient: RFC822; {recipient}\n"
        "Action: failed\nStatus: 5.2.2\n"
        "Diagnostic-Code: SMTP; 552 5.2.2 Mailbox full - quota exceeded\n"
        "Last-Attempt-Date: Mon, 3 Mar 2025 09:15:05 +0100\n"
    )
    raw = _mail(
        c.head(
            name,
            "Mail Delivery Subsystem <MAILER-DAEMON@mx.schule-sachsen.example>",
            "Returned mail: see transcript for details",
            "mx.schule-sachsen.example",
            ("Auto-Submitted", "auto-generated (failure)"),
        ),
        _multipart(
            "report",
            "q2393KF8012345.1741000505/mx.schule-sachsen.example",
            [
                _text(
                    "The original message was received at Mon, 3 Mar 2025 09:15:04 +0100\n"
                    "from mail.lasub.example [198.51.100.7]\n\n"
                    "   ----- The following addresses had permanent fatal errors -----\n"
                    f"<{recipient}>\n    (reason: 552 5.2.2 Mailbox full - quota exceeded)\n",
                    charset="us-ascii",
                    cte="7bit",
                ),
                ([("Content-Type", "message/delivery-status")], _crlf(status).encode()),
                ([("Content-Type", "text/rfc822-headers")], original),
            ],
            params="; report-type=delivery-status",
            preamble="This is a MIME-encapsulated message",
        ),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "bounce",
            "mailer-daemon@mx.schule-sachsen.example",
            "Returned mail: see transcript for details",
            ("Mailbox full",),
            refers_to=c.lotse_id,
            bounce_recipient=recipient,
            bounce_status="5.2.2",
        ),
    )


def _bounce_exchange(c: _Ctx) -> CorpusMail:
    name = "bounce_exchange_ndr"
    recipient = "sekretariat@gymnasium-meisen.example"
    sender = "microsoftexchange329e71ec88ae4615bbc36ab6ce41109e@lasub.example"
    text = (
        "Ihre Nachricht hat folgende Empfänger nicht erreicht:\n\n"
        f"{recipient}\nDie E-Mail-Adresse wurde nicht gefunden.\n\n"
        "Diagnoseinformationen für Administratoren:\n"
        "Generierender Server: EXCH01.lasub.example\n"
        f"{recipient}\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
        "Recipient not found by SMTP address lookup'\n"
    )
    html = (
        "<html><head><style>.x{font-family:Segoe UI}</style></head><body>"
        '<p><b><font color="#000066" size="3">Ihre Nachricht hat folgende Empfänger nicht '
        f'erreicht:</font></b></p><p><a href="mailto:{recipient}">{recipient}</a></p>'
        "<p>Die E-Mail-Adresse wurde nicht gefunden.</p></body></html>"
    )
    status = (
        "Reporting-MTA: dns;EXCH01.lasub.example\n"
        "Received-From-MTA: dns;EXCH02.lasub.example\n"
        "Arrival-Date: Mon, 3 Mar 2025 08:15:02 +0000\n\n"
        f"Final-Recipient: rfc822;{recipient}\n"
        "Action: failed\nStatus: 5.1.10\n"
        "Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found "
        "by SMTP address lookup\n"
        "X-Display-Name: Sekretariat Gymnasium\n"
    )
    original = c.lotse_original(recipient).split(CRLF + CRLF, 1)[0] + CRLF
    raw = _mail(
        c.head(
            name,
            f"Microsoft Outlook <{sender.replace('microsoftexchange', 'MicrosoftExchange')}>",
            "=?utf-8?Q?Unzustellbar=3A_Terminvorschlag_P=C3=A4dagogischer_Tag?=",
            "lasub.example",
            ("Content-Language", "de-DE"),
            ("X-MS-PublicTrafficType", "Email"),
            ("X-MS-Exchange-Message-Is-Ndr", ""),
            ("Auto-Submitted", "auto-replied"),
            to=c.site,
        ),
        _multipart(
            "report",
            "_e7a4b3c2-d1f0-4e9a-8b7c-6d5e4f3a2b1c_",
            [
                _multipart(
                    "alternative",
                    "_2c1b0a9f-8e7d-4c6b-5a49-382716054f3e_",
                    [
                        _text(text, cte="quoted-printable"),
                        _text(html, subtype="html", cte="quoted-printable"),
                    ],
                ),
                ([("Content-Type", "message/delivery-status")], _crlf(status).encode()),
                ([("Content-Type", "text/rfc822-headers")], original),
            ],
            params="; report-type=delivery-status",
        ),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "bounce",
            sender,
            "Unzustellbar: Terminvorschlag Pädagogischer Tag",
            ("Ihre Nachricht hat folgende Empfänger nicht erreicht:",),
            refers_to=c.lotse_id,
            bounce_recipient=recipient,
            bounce_status="5.1.10",
        ),
    )


def _bounce_qmail(c: _Ctx) -> CorpusMail:
    name = "bounce_qmail_plain_text"
    # Not a multipart/report: the returned message is quoted as plain text.
    recipient = "k.mueller@web.example"
    original = c.lotse_original(recipient).decode("ascii")
    text = (
        "Hi. This is the qmail-send program at mx.web.example.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        f"<{recipient}>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
        "--- Below this line is a copy of the message.\n\n" + original
    )
    raw = _mail(
        c.head(
            name,
            "MAILER-DAEMON@mx.web.example",
            "failure notice",
            "mx.web.example",
        ),
        _text(text, charset=None, cte="7bit"),
        mime_version=False,
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "bounce",
            "mailer-daemon@mx.web.example",
            "failure notice",
            ("Sorry, no mailbox here by that name.",),
            refers_to=c.lotse_id,
            bounce_recipient=recipient,
            bounce_status="5.1.1",
        ),
    )


def _bounce_gmail(c: _Ctx) -> CorpusMail:
    name = "bounce_gmail_dsn"
    recipient = "foerderverein.gs-coswig@gmail.example"
    text = (
        "** Die Adresse wurde nicht gefunden **\n\n"
        f"Ihre Nachricht wurde nicht an {recipient} zugestellt, weil die Adresse nicht "
        "gefunden wurde oder keine E-Mails empfangen kann.\n\n"
        "Hier erfahren Sie mehr: https://support.google.example/mail/?p=NoSuchUser\n\n"
        "Antwort:\n\n"
        "The email account that you tried to reach does not exist. Please try "
        "double-checking the recipient's email address for typos or unnecessary spaces.\n"
    )
    html = (
        "<html><head></head><body><table><tr><td><h2>Die Adresse wurde nicht gefunden</h2>"
        f"<p>Ihre Nachricht wurde nicht an <a>{recipient}</a> zugestellt, weil die Adresse "
        "nicht gefunden wurde oder keine E-Mails empfangen kann.</p></td></tr></table>"
        "</body></html>"
    )
    status = (
        "Reporting-MTA: dns; googlemail.example\n"
        "Received-From-MTA: dns; mail.lasub.example\n"
        "Arrival-Date: Mon, 03 Mar 2025 00:15:03 -0800 (PST)\n"
        "X-Original-Message-ID: " + c.lotse_id + "\n\n"
        f"Final-Recipient: rfc822; {recipient}\n"
        "Action: failed\n"
        "Status: 5.1.1\n"
        "Remote-MTA: dns; gmail-smtp-in.l.google.example. (2001:db8::1b, the server for the "
        "domain gmail.example.)\n"
        "Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not\n"
        " exist. Please try\n"
        " 550-5.1.1 double-checking the recipient's email address for typos or\n"
        " 550-5.1.1 unnecessary spaces. For more information, go to\n"
        " 550 5.1.1  https://support.google.example/mail/?p=NoSuchUser a1si2 - gsmtp\n"
        "Last-Attempt-Date: Mon, 03 Mar 2025 00:15:04 -0800 (PST)\n"
    )
    raw = _mail(
        c.head(
            name,
            "Mail Delivery Subsystem <mailer-daemon@googlemail.example>",
            "Delivery Status Notification (Failure)",
            "mx.google.example",
            ("Auto-Submitted", "auto-replied"),
        ),
        _multipart(
            "report",
            "000000000000a1b2c3d4e5f60718",
            [
                _multipart(
                    "related",
                    "000000000000a1b2c3d4e5f60719",
                    [
                        _multipart(
                            "alternative",
                            "000000000000a1b2c3d4e5f6071a",
                            [
                                _text(text, charset="UTF-8", cte="quoted-printable"),
                                _text(
                                    html, subtype="html", charset="UTF-8", cte="quoted-printable"
                                ),
                            ],
                        )
                    ],
                ),
                ([("Content-Type", "message/delivery-status")], _crlf(status).encode()),
                (
                    [("Content-Type", "message/rfc822")],
                    c.lotse_original(recipient),
                ),
            ],
            params="; report-type=delivery-status",
        ),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "bounce",
            "mailer-daemon@googlemail.example",
            "Delivery Status Notification (Failure)",
            ("Die Adresse wurde nicht gefunden",),
            refers_to=c.lotse_id,
            bounce_recipient=recipient,
            bounce_status="5.1.1",
        ),
    )


def _bounce_exim(c: _Ctx) -> CorpusMail:
    name = "bounce_exim_plain_text"
    # Exim without DSN: the failed address indented, the server's words below it.
    recipient = "schulleitung@gs-radeburg.example"
    original = c.lotse_original(recipient).decode("ascii")
    text = (
        "This message was created automatically by mail delivery software.\n\n"
        "A message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n\n"
        f"  {recipient}\n"
        "    host mx.gs-radeburg.example [192.0.2.44]\n"
        f"    SMTP error from remote mail server after RCPT TO:<{recipient}>:\n"
        "    550 5.1.1 User unknown\n\n"
        "------ This is a copy of the message, including all the headers. ------\n\n" + original
    )
    raw = _mail(
        c.head(
            name,
            "Mail Delivery System <Mailer-Daemon@mx.lasub.example>",
            "Mail delivery failed: returning message to sender",
            "mx.lasub.example",
            ("Auto-Submitted", "auto-replied"),
            ("X-Failed-Recipients", recipient),
        ),
        _text(text, charset="us-ascii", cte="7bit"),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "bounce",
            "mailer-daemon@mx.lasub.example",
            "Mail delivery failed: returning message to sender",
            ("The following address(es) failed",),
            refers_to=c.lotse_id,
            bounce_recipient=recipient,
            bounce_status="5.1.1",
        ),
    )


# --------------------------------------------------------------------------- quarantine


def _unknown_charset(c: _Ctx) -> CorpusMail:
    name = "quarantine_unknown_charset"
    body = "Sehr geehrte Damen und Herren,\r\nwir bitten um Beratung zur Schulentwicklung.\r\n"
    raw = _mail(
        c.head(
            name,
            "Info <info@oberschule-kamenz.example>",
            "Beratung",
            "oberschule-kamenz.example",
        ),
        (
            [
                ("Content-Type", 'text/plain; charset="x-unknown-8bit-foo"'),
                ("Content-Transfer-Encoding", "8bit"),
            ],
            body.encode("latin-1") + "Grüße\r\n".encode("latin-1"),
        ),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "quarantine", "info@oberschule-kamenz.example", "Beratung", reason_contains="charset"
        ),
    )


def _no_boundary_param(c: _Ctx) -> CorpusMail:
    name = "quarantine_multipart_without_boundary"
    body = (
        b"--frontier\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Wir bitten um Unterst\xc3\xbctzung.\r\n--frontier--\r\n"
    )
    raw = _mail(
        c.head(
            name,
            "Schulleitung <schulleitung@gs-loebau.example>",
            "Anfrage",
            "gs-loebau.example",
        ),
        ([("Content-Type", "multipart/mixed")], body),
    )
    return CorpusMail(
        name,
        raw,
        Expected("quarantine", "schulleitung@gs-loebau.example", "Anfrage", reason_contains="MIME"),
    )


def _boundary_missing(c: _Ctx) -> CorpusMail:
    name = "quarantine_boundary_not_in_body"
    # A gateway rewrote the boundary in the header but not in the body.
    declared = "----=_NextPart_000_0012_01DB8C3A.5F2E1B40"
    used = "----=_NextPart_000_0012_01DB8C3A.5F2E1B41"
    body = (
        f"This is a multipart message in MIME format.\r\n\r\n--{used}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Wir bitten um Beratung zur Teamentwicklung.\r\n\r\n"
        f"--{used}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        "<p>Wir bitten um Beratung zur Teamentwicklung.</p>\r\n\r\n"
        f"--{used}--\r\n"
    ).encode()
    raw = _mail(
        c.head(
            name,
            "Sekretariat <sekretariat@gymnasium-meissen.example>",
            "Teamentwicklung",
            "gymnasium-meissen.example",
        ),
        ([("Content-Type", f'multipart/alternative; boundary="{declared}"')], body),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "quarantine",
            "sekretariat@gymnasium-meissen.example",
            "Teamentwicklung",
            reason_contains="MIME",
        ),
    )


def _oversize(c: _Ctx) -> CorpusMail:
    name = "quarantine_oversize"
    # Base64 grows by 4/3 plus line ends; this payload makes the mail exceed max_size.
    payload = random.Random(4711).randbytes(c.max_size * 3 // 4 + 4096)
    filename = "Präsentation Schulentwicklung.pptx"
    raw = _mail(
        c.head(
            name,
            "Schulleitung <schulleitung@gymnasium-pirna.example>",
            "=?utf-8?q?Pr=C3=A4sentation_zur_Schulentwicklung?=",
            "gymnasium-pirna.example",
        ),
        _multipart(
            "mixed",
            "----=_Part_1234_56789.1741000000000",
            [
                _text("Anbei die Präsentation aus der Dienstberatung.\n"),
                _file(
                    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                    payload,
                    "attachment; filename*=UTF-8''Pr%C3%A4sentation%20Schulentwicklung.pptx",
                ),
            ],
        ),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "quarantine",
            "schulleitung@gymnasium-pirna.example",
            "Präsentation zur Schulentwicklung",
            ("Anbei die Präsentation aus der Dienstberatung.",),
            (filename,),
            reason_contains="size",
        ),
    )


def _no_from(c: _Ctx) -> CorpusMail:
    name = "quarantine_no_from_header"
    # No From at all (a broken web form). Reason word: "sender" (German: „Kein Absender“).
    head = [
        h for h in c.head(name, "", "Anfrage Kontaktformular", "kontakt.example") if h[0] != "From"
    ]
    raw = _mail(
        head,
        _text(
            "Name: Frau Berger\nSchule: Grundschule Stolpen\n"
            "Anliegen: Bitte um Rückruf wegen Teamentwicklung\n"
        ),
    )
    return CorpusMail(
        name,
        raw,
        Expected("quarantine", "", "Anfrage Kontaktformular", reason_contains="sender"),
    )


def _garbage_base64(c: _Ctx) -> CorpusMail:
    name = "quarantine_base64_garbage_no_text"
    garbage = b"~~~~!!!!****####\r\n%%%%$$$$&&&&????\r\n@@@@^^^^((((]]]]\r\n"
    raw = _mail(
        c.head(
            name,
            "Schule <kontakt@gs-neustadt-sachsen.example>",
            "Anfrage",
            "gs-neustadt-sachsen.example",
        ),
        _multipart(
            "mixed",
            "=_9f8e7d6c5b4a",
            [
                (
                    [
                        ("Content-Type", 'text/plain; charset="utf-8"'),
                        ("Content-Transfer-Encoding", "base64"),
                    ],
                    garbage,
                )
            ],
        ),
    )
    return CorpusMail(
        name,
        raw,
        Expected(
            "quarantine", "kontakt@gs-neustadt-sachsen.example", "Anfrage", reason_contains="text"
        ),
    )


# --------------------------------------------------------------------------- the corpus


def build_corpus(
    *,
    site_address: str = "dresden@lasub.example",
    lotse_message_id: str = "<lotse.1.abc@lotse.localhost>",
    request_token: str = "A7K2M9",  # noqa: S107 - a request token, not a password
    max_size: int = 2_000_000,
) -> list[CorpusMail]:
    """All corpus mails; deterministic for the same arguments."""
    c = _Ctx(site_address, lotse_message_id, request_token, max_size)
    return [
        _plain_utf8(c),
        _qp_utf8(c),
        _base64_utf8(c),
        _latin1(c),
        _latin9(c),
        _cp1252(c),
        _no_charset_latin1(c),
        _no_mime_headers(c),
        _raw_utf8_headers(c),
        _subject_mixed_words(c),
        _long_subject(c),
        _empty_subject(c),
        _no_subject_header(c),
        _outlook_html_only(c),
        _outlook_alternative(c),
        _html_br_p(c),
        _apple_mail(c),
        _rfc2231_filename(c),
        _encoded_word_filename(c),
        _latin1_filenames(c),
        _txt_attachment(c),
        _attachment_one_line(c),
        _forward_chain(c),
        _forward_rfc822(c),
        _reply_in_reply_to(c),
        _reply_references_only(c),
        _reply_token(c),
        *_auto_replies(c),
        _bounce_postfix(c),
        _bounce_headers_only(c),
        _bounce_exchange(c),
        _bounce_qmail(c),
        _bounce_gmail(c),
        _bounce_exim(c),
        _unknown_charset(c),
        _no_boundary_param(c),
        _boundary_missing(c),
        _oversize(c),
        _no_from(c),
        _garbage_base64(c),
    ]
