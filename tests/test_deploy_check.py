"""Production settings, which differ only in environment values, pass Django's deploy check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _environment() -> dict[str, str]:
    # The browser tests allow async-unsafe calls in this process; a deployment never does.
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    env = {
        **_environment(),
        "LOTSE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LOTSE_HTTPS": "true",
        "LOTSE_BEHIND_PROXY": "true",
        "LOTSE_SECRET_KEY": "k8Qf2-vXn7Lr1Zp0sWd4Tg9Hc6Jb3Ma5Ue8Yi2Oq7Rt1Ex4Nw0Sz6Kd9Pf3Gh5Lm7Cv",
        "LOTSE_ALLOWED_HOSTS": "lotse.example.org",
        "SMTP_HOST": "mail.example.org",
        "DJANGO_SETTINGS_MODULE": "lotse.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "lotse", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_without_https_the_check_names_what_is_missing(tmp_path: Path) -> None:
    env = {
        **_environment(),
        "LOTSE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LOTSE_HTTPS": "false",
        "DJANGO_SETTINGS_MODULE": "lotse.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "lotse", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS" in result.stderr
