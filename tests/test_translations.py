"""German is the default language: every string has a German translation, English exists."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import lotse

LOCALE = Path(lotse.__file__).resolve().parent / "locale"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is installed by make")
@pytest.mark.parametrize("language", ["de", "en"])
def test_catalogue_compiles_cleanly(language: str) -> None:
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(  # noqa: S603 - a fixed tool on a file of the project
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    if language == "de":
        assert "untranslated" not in result.stderr, result.stderr
        assert "fuzzy" not in result.stderr, result.stderr
