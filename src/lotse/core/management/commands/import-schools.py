"""`lotse import-schools FILE`: create and update schools from an open school data file.

Formats, columns and the reasons a row is rejected: docs/school-import.md. The progress bar goes
to stderr (only on a terminal), the report to stdout; the report is German unless the locale
says otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from lotse.core import schoolimport
from lotse.core.models import Organisation
from lotse.lib.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Import schools from the Saxon school database (JSON or CSV) or a generic CSV file, "
        "keyed by (state, official number); see docs/school-import.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the JSON or CSV file")
        parser.add_argument(
            "--organisation",
            metavar="SLUG",
            help="whose districts the schools belong to (needed when there are several)",
        )
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=schoolimport.FileFormat.values,
            default=schoolimport.FileFormat.AUTO,
            help="the file's format (default: detect)",
        )
        parser.add_argument(
            "--encoding",
            choices=schoolimport.Encoding.values,
            default=schoolimport.Encoding.UTF8,
            help="windows-1252 for CSV from older Excel versions (default: utf-8)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, but write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = self._organisation(options["organisation"])
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        bar: ProgressBar | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = ProgressBar(self.stderr, path.name, total)
            bar.update(done)

        try:
            result = schoolimport.run(
                organisation=organisation,
                content=content,
                file_format=options["file_format"],
                encoding=options["encoding"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        except schoolimport.FileRejected as exc:
            raise CommandError(f"{path}: {exc.message}") from exc
        finally:
            if bar is not None:
                bar.finish()
        self._report(organisation, result)

    def _organisation(self, slug: str | None) -> Organisation:
        if slug:
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                raise CommandError(f"no organisation {slug!r}")
            return organisation
        organisations = list(Organisation.objects.all()[:2])
        if len(organisations) != 1:
            raise CommandError(
                "--organisation SLUG is needed: "
                + (
                    "there is no organisation yet"
                    if not organisations
                    else "there are several organisations"
                )
            )
        return organisations[0]

    def _report(self, organisation: Organisation, result: schoolimport.Result) -> None:
        write = self.stdout.write
        read = (
            _("%(organisation)s, format: %(format)s, %(rows)s entries read")
            if result.is_json
            else _("%(organisation)s, format: %(format)s, %(rows)s rows read")
        )
        write(
            read
            % {
                "organisation": organisation.name,
                "format": result.format_label,
                "rows": result.rows,
            }
        )
        write(_("created: %(count)s") % {"count": result.created})
        write(_("updated: %(count)s") % {"count": result.updated})
        write(_("unchanged: %(count)s") % {"count": result.unchanged})
        write(_("rejected: %(count)s") % {"count": len(result.rejected)})
        where = _("entry") if result.is_json else _("line")
        for rejection in result.rejected:
            write(
                f"  {where} {rejection.row}"
                + (f" ({rejection.key})" if rejection.key else "")
                + f": {rejection.reason}"
            )
        if result.skipped:
            write(_("skipped (further buildings): %(count)s") % {"count": len(result.skipped)})
            for skip in result.skipped:
                write(f"  {where} {skip.row} ({skip.key}): {skip.reason}")
        if result.notes:
            write(_("notes: %(count)s") % {"count": len(result.notes)})
            for note in result.notes:
                prefix = f"  {where} {note.row}" + (f" ({note.key})" if note.key else "")
                write(f"{prefix}: {note}" if note.row else f"  {note}")
        if result.dry_run:
            write(_("Dry run: nothing was saved."))
