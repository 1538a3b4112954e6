"""Production settings, which differ only in environment values, pass Django's deploy check: the
environment docs/operations.md gives as the minimum for a public installation, read from there."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from lotse.lib.crypto import new_key_spec

OPERATIONS = Path(__file__).resolve().parents[1] / "docs" / "operations.md"
SECRET = "k8Qf2-vXn7Lr1Zp0sWd4Tg9Hc6Jb3Ma5Ue8Yi2Oq7Rt1Ex4Nw0Sz6Kd9Pf3Gh5Lm7Cv"


def _environment() -> dict[str, str]:
    # Nothing of this test run's own configuration; the browser tests allow async-unsafe calls
    # in this process, a deployment never does.
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LOTSE_", "DATABASE_", "SMTP_")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }


def documented_production_environment() -> dict[str, str]:
    """The block after "The minimum for a public installation" in docs/operations.md."""
    text = OPERATIONS.read_text()
    start = text.index("The minimum\nfor a public installation")
    opening = text.index("```sh\n", start) + len("```sh\n")
    block = text[opening : text.index("```", opening)]
    values = dict(re.findall(r"^([A-Z_]+)=(.*?)\s*(?:#.*)?$", block, flags=re.MULTILINE))
    assert {"LOTSE_SECRET_KEY", "LOTSE_ENCRYPTION_KEYS", "LOTSE_HTTPS"} <= set(values), block
    return values


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lotse", "check", "--deploy", "--fail-level", "WARNING"],
        env={**env, "DJANGO_SETTINGS_MODULE": "lotse.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_documented_production_environment_passes_check_deploy(tmp_path: Path) -> None:
    documented = documented_production_environment()
    # The placeholders and the paths of this machine; everything else as documented.
    assert documented["LOTSE_SECRET_KEY"].startswith("<")
    assert documented["LOTSE_ENCRYPTION_KEYS"].startswith("<")
    env = {
        **_environment(),
        **documented,
        "LOTSE_SECRET_KEY": SECRET,
        "LOTSE_ENCRYPTION_KEYS": new_key_spec("k2026"),
        "LOTSE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = check_deploy(env)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_without_https_the_check_names_what_is_missing(tmp_path: Path) -> None:
    env = {
        **_environment(),
        "LOTSE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LOTSE_HTTPS": "false",
        "LOTSE_SECRET_KEY": SECRET,
        "LOTSE_ENCRYPTION_KEYS": new_key_spec("k2026"),
    }
    result = check_deploy(env)
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS" in result.stderr
    assert "SECURE_SSL_REDIRECT" in result.stderr


def test_without_its_keys_the_documented_environment_fails_the_check(tmp_path: Path) -> None:
    env = {
        **_environment(),
        **documented_production_environment(),
        "LOTSE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    del env["LOTSE_SECRET_KEY"], env["LOTSE_ENCRYPTION_KEYS"]
    result = check_deploy(env)
    assert result.returncode != 0
    assert "lotse.E001" in result.stderr
    assert "lotse.E002" in result.stderr


def test_without_an_smtp_server_mail_is_held_and_the_check_reports_nothing(
    tmp_path: Path,
) -> None:
    documented = documented_production_environment()
    documented.pop("SMTP_HOST")
    env = {
        **_environment(),
        **documented,
        "LOTSE_SECRET_KEY": SECRET,
        "LOTSE_ENCRYPTION_KEYS": new_key_spec("k2026"),
        "LOTSE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = check_deploy(env)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
