"""Confidential text is encrypted at rest, bound to its row, and survives a key rotation."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from lotse.lib.crypto import DecryptionError, key_id, new_key_spec
from lotse.support.models import State, SupportRequest, TimelineEvent
from lotse.support.services import requests as request_services
from tests.factories import Cast, bring_to_state

SENTINEL = "Sentinel-Vertraulich-7f3a9c"


def _clarified_with_sentinel(cast: Cast) -> SupportRequest:
    sr = bring_to_state(cast, State.ACKNOWLEDGED, text=f"Unsere Lage: {SENTINEL}")
    request_services.request_clarify(request=sr, by=cast.coordinator, note=f"Geklärt: {SENTINEL}")
    return sr


def test_a_value_copied_into_another_row_does_not_decrypt(cast: Cast) -> None:
    sr = _clarified_with_sentinel(cast)
    clarified = TimelineEvent.objects.get(request=sr, kind="clarified")
    other = TimelineEvent.objects.filter(request=sr).exclude(pk=clarified.pk).first()
    assert other is not None
    sealed = TimelineEvent.objects.filter(pk=clarified.pk).values_list("note", flat=True).get()
    TimelineEvent.objects.filter(pk=other.pk).update(note=sealed)

    with pytest.raises(DecryptionError):
        _ = TimelineEvent.objects.get(pk=other.pk).note
    assert SENTINEL in TimelineEvent.objects.get(pk=clarified.pk).note


def test_rotation_re_encrypts_every_row_under_the_new_key(cast: Cast, settings: Any) -> None:
    old, new = new_key_spec("alt"), new_key_spec("neu")
    settings.LOTSE_ENCRYPTION_KEYS = old
    sr = _clarified_with_sentinel(cast)
    assert key_id(bytes(SupportRequest.objects.values_list("text", flat=True).get(pk=sr.pk))) == (
        "alt"
    )

    settings.LOTSE_ENCRYPTION_KEYS = f"{new},{old}"
    progress = io.StringIO()
    call_command("rotate-keys", stdout=progress)
    assert "support.TimelineEvent: [" in progress.getvalue()  # the progress bar

    settings.LOTSE_ENCRYPTION_KEYS = new  # the old key is gone
    for value in TimelineEvent.objects.filter(request=sr).values_list("note", flat=True):
        assert key_id(bytes(value)) == "neu"
    assert SENTINEL in SupportRequest.objects.get(pk=sr.pk).text
    assert SENTINEL in TimelineEvent.objects.get(request=sr, kind="clarified").note


SCRIPT = f"""
from lotse.core.models import *
from lotse.support.services import requests as request_services
org = Organisation.objects.create(slug="o", name="Org", kind="support_system", state="SN")
site = Site.objects.create(organisation=org, name="Dresden", email="dd@x.example")
district = District.objects.create(organisation=org, name="Dresden", site=site)
school = School.objects.create(state="SN", number="1", name="GS", school_type="grundschule",
                               district=district)
coordinator = Person.objects.create_user("co@x.example", "pw")
Role.objects.create(person=coordinator, organisation=org, kind="coordinator").sites.add(site)
sr = request_services.request_submit(school=school, by=None, subject="Betreff",
                             text="Lage: {SENTINEL}", contact_name="A",
                             contact_email="a@x.example")
request_services.request_acknowledge(request=sr, by=coordinator, message="Danke")
request_services.request_clarify(request=sr, by=coordinator, note="Notiz: {SENTINEL}")
assert "{SENTINEL}" in type(sr).objects.get(pk=sr.pk).text
print("ok")
"""


def _run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "lotse", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _postgres_database(url: str) -> tuple[str, str]:
    """A fresh database next to the test server's, and its URL."""
    import psycopg

    name = f"lotse_sentinel_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, url.rsplit("/", 1)[0] + f"/{name}"


def test_the_sentinel_is_not_in_the_stored_data(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "LOTSE_DATA_DIR": str(tmp_path),
        "LOTSE_ENCRYPTION_KEYS": new_key_spec("k1"),
        "DJANGO_SETTINGS_MODULE": "lotse.settings",
        "LOTSE_DEMO": "true",  # no secret key of its own: `lotse migrate` would refuse otherwise
    }
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith("postgres")
    if postgres:
        name, env["DATABASE_URL"] = _postgres_database(url)
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    try:
        _run(env, "migrate", "-v0")
        assert "ok" in _run(env, "shell", "-c", SCRIPT)
        if postgres:
            dump = subprocess.run(  # noqa: S603
                ["pg_dump", env["DATABASE_URL"]],  # noqa: S607
                capture_output=True,
                timeout=120,
                check=True,
            ).stdout
            assert dump.count(b"Sentinel") == 0
            assert b"support_timelineevent" in dump  # the dump holds the tables
        else:
            stored = b"".join(p.read_bytes() for p in tmp_path.glob("db.sqlite3*"))
            assert stored.count(b"Sentinel") == 0
            assert b"support_timelineevent" in stored
    finally:
        if postgres:
            import psycopg

            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
