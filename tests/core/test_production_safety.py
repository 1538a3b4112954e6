"""A real installation is safe by default: it refuses to start without its own secret key,
without its public address (the demo links to where it binds) and with its only encryption key
beside the data, refuses demo accounts, sends a
Content-Security-Policy and HSTS, counts clients by the trusted proxy hops, and its logs and
error mails hold no confidential content."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from allauth.account.adapter import get_adapter
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.utils.log import AdminEmailHandler

from lotse.core import checks, security
from lotse.core.models import Person
from lotse.lib.crypto import new_key_spec
from lotse.lib.log import JsonFormatter

SECRET = "k8Qf2-vXn7Lr1Zp0sWd4Tg9Hc6Jb3Ma5Ue8Yi2Oq7Rt1Ex4Nw0Sz6Kd9Pf3Gh5Lm7Cv"


def lotse_env(tmp_path: Path, **values: str) -> dict[str, str]:
    """The environment of a fresh installation in tmp_path: nothing of this test run's LOTSE_*
    settings, a database of its own, and the given values."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOTSE_", "DATABASE_"))}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    env.update(
        DJANGO_SETTINGS_MODULE="lotse.settings",
        LOTSE_DATA_DIR=str(data),
        DATABASE_URL=f"sqlite:///{data / 'lotse.sqlite3'}",
        # A port nothing listens on, should `serve` ever get as far as starting gunicorn.
        LOTSE_BIND="127.0.0.1:9",
    )
    env.update(values)
    return env


def lotse(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "lotse", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_of(env: dict[str, str], *names: str) -> dict[str, Any]:
    """Settings as a process with this environment reads them."""
    script = (
        "import json, sys, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({n: getattr(settings, n, None) for n in sys.argv[1:]}, default=str))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, a fixed script
        [sys.executable, "-c", script, *names],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


# --- the secret key ------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["serve"], ["worker", "--once"], ["migrate", "--no-input"]])
def test_a_real_installation_without_a_secret_key_refuses_to_start(
    tmp_path: Path, command: list[str]
) -> None:
    env = lotse_env(tmp_path, LOTSE_ENCRYPTION_KEYS=new_key_spec("k1"))
    result = lotse(env, *command)
    assert result.returncode != 0
    assert "lotse.E001" in result.stderr
    assert "LOTSE_SECRET_KEY is not set" in result.stderr
    assert "LOTSE_DEMO=true" in result.stderr  # the way for the demo
    assert "Lotse läuft" not in result.stdout  # serve stopped before starting gunicorn


def test_the_published_development_key_counts_as_no_key(tmp_path: Path) -> None:
    env = lotse_env(
        tmp_path,
        LOTSE_SECRET_KEY="insecure-lotse-development-key-change-me",
        LOTSE_ENCRYPTION_KEYS=new_key_spec("k1"),
    )
    result = lotse(env, "check")
    assert result.returncode != 0
    assert "lotse.E001" in result.stderr


def test_the_demo_starts_without_a_secret_key_and_the_real_one_with_its_keys(
    tmp_path: Path,
) -> None:
    demo = lotse(lotse_env(tmp_path, LOTSE_DEMO="true"), "check")
    assert demo.returncode == 0, demo.stderr
    real = lotse(
        lotse_env(
            tmp_path,
            LOTSE_SECRET_KEY=SECRET,
            LOTSE_ENCRYPTION_KEYS=new_key_spec("k1"),
            LOTSE_BASE_URL="https://lotse.example.org",
        ),
        "check",
    )
    assert real.returncode == 0, real.stderr


def test_without_the_variable_a_real_installation_never_signs_with_the_published_key(
    tmp_path: Path,
) -> None:
    published = "insecure-lotse-development-key-change-me"
    assert settings_of(lotse_env(tmp_path, LOTSE_DEMO="true"), "SECRET_KEY") == {
        "SECRET_KEY": published
    }
    first = settings_of(lotse_env(tmp_path), "SECRET_KEY")["SECRET_KEY"]
    second = settings_of(lotse_env(tmp_path), "SECRET_KEY")["SECRET_KEY"]
    assert published not in {first, second}
    assert first != second  # random per process: nothing signed with it outlives the process


# --- the public address in links ----------------------------------------------------------


@pytest.mark.parametrize("command", [["serve"], ["worker", "--once"]])
def test_a_real_installation_without_its_public_address_refuses_to_start(
    tmp_path: Path, command: list[str]
) -> None:
    """Otherwise every link in its mails and calendar files would lead to 127.0.0.1."""
    env = lotse_env(tmp_path, LOTSE_SECRET_KEY=SECRET, LOTSE_ENCRYPTION_KEYS=new_key_spec("k1"))
    result = lotse(env, *command)
    assert result.returncode != 0
    assert "lotse.E006" in result.stderr
    assert "LOTSE_BASE_URL is not set" in result.stderr
    assert "Lotse läuft" not in result.stdout


def test_a_public_address_without_scheme_is_refused(tmp_path: Path) -> None:
    env = lotse_env(
        tmp_path,
        LOTSE_SECRET_KEY=SECRET,
        LOTSE_ENCRYPTION_KEYS=new_key_spec("k1"),
        LOTSE_BASE_URL="lotse.example.org",
    )
    result = lotse(env, "check")
    assert result.returncode != 0
    assert "lotse.E006" in result.stderr


@pytest.mark.parametrize(
    ("bind", "base_url"),
    [
        ("127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("0.0.0.0:8080", "http://127.0.0.1:8080"),
        ("localhost:9000", "http://localhost:9000"),
        ("[::1]:8124", "http://[::1]:8124"),
    ],
)
def test_the_demo_links_to_the_address_the_server_binds_to(
    tmp_path: Path, bind: str, base_url: str
) -> None:
    env = lotse_env(tmp_path, LOTSE_DEMO="true", LOTSE_BIND=bind)
    assert settings_of(env, "BASE_URL") == {"BASE_URL": base_url}
    given = lotse_env(
        tmp_path, LOTSE_DEMO="true", LOTSE_BIND=bind, LOTSE_BASE_URL="https://demo.example/"
    )
    assert settings_of(given, "BASE_URL") == {"BASE_URL": "https://demo.example"}


def test_serve_passes_its_bind_address_on_to_the_server_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """gunicorn's processes read the settings anew: they must see `--bind`, not port 8000."""
    started: list[list[str]] = []
    monkeypatch.delenv("LOTSE_BASE_URL", raising=False)
    monkeypatch.setenv("LOTSE_BIND", "127.0.0.1:8000")
    monkeypatch.setattr(os, "execv", lambda _path, argv: started.append(argv))
    out = io.StringIO()

    call_command("serve", bind="127.0.0.1:8123", stdout=out)

    assert started
    assert "127.0.0.1:8123" in started[0]
    assert os.environ["LOTSE_BIND"] == "127.0.0.1:8123"
    assert "Links in Mails: http://127.0.0.1:8123/" in out.getvalue()


def test_make_run_gives_server_and_worker_the_same_bind_address() -> None:
    result = subprocess.run(
        ["make", "-n", "run", "BIND=127.0.0.1:8123"],  # noqa: S607 - make from PATH
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    recipe = result.stdout
    exported = recipe.index('export LOTSE_BIND="127.0.0.1:8123"')
    assert exported < recipe.index("lotse worker") < recipe.index("serve --bind 127.0.0.1:8123")


# --- the encryption keys -------------------------------------------------------------------


def test_a_real_installation_refuses_to_start_with_the_generated_key_beside_the_data(
    tmp_path: Path,
) -> None:
    env = lotse_env(tmp_path, LOTSE_SECRET_KEY=SECRET)
    generated = tmp_path / "data" / "encryption.key"
    generated.write_text(new_key_spec("local1") + "\n")
    for command in (["serve"], ["worker", "--once"], ["migrate", "--no-input"]):
        result = lotse(env, *command)
        assert result.returncode != 0, command
        assert "lotse.E002" in result.stderr, command
        assert f"The only encryption key is the generated file {generated}" in result.stderr
        assert "LOTSE_ENCRYPTION_KEYS" in result.stderr  # how to move it


def encryption_errors(settings: Any, data_dir: Path, **values: str) -> list[str]:
    settings.LOTSE_DEMO = False
    settings.DATA_DIR = data_dir
    settings.LOTSE_ENCRYPTION_KEYS = values.get("keys", "")
    settings.LOTSE_ENCRYPTION_KEY_FILE = values.get("key_file", "")
    return [f"{message.id}: {message.msg}" for message in checks.encryption_keys()]


def test_a_real_installation_needs_keys_outside_the_data_folder(
    settings: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (errors,) = encryption_errors(settings, data)
    assert errors.startswith("lotse.E002: No encryption keys")
    # Nothing was generated for it.
    assert not (data / "encryption.key").exists()

    inside = data / "keys"
    inside.write_text(new_key_spec("k1"))
    (errors,) = encryption_errors(settings, data, key_file=str(inside))
    assert errors.startswith("lotse.E003: LOTSE_ENCRYPTION_KEY_FILE")

    outside = tmp_path / "etc-lotse-keys"
    outside.write_text(new_key_spec("k1") + "\n")
    assert encryption_errors(settings, data, key_file=str(outside)) == []
    assert encryption_errors(settings, data, keys=new_key_spec("k1")) == []

    (errors,) = encryption_errors(settings, data, key_file=str(tmp_path / "missing"))
    assert errors.startswith("lotse.E004: LOTSE_ENCRYPTION_KEY_FILE: cannot read")
    (errors,) = encryption_errors(settings, data, keys="k1:c2hvcnQ")
    assert errors.startswith("lotse.E004: LOTSE_ENCRYPTION_KEYS: key 'k1' must be 32 bytes")


def test_a_generated_key_left_beside_the_data_stops_the_start_until_it_is_moved(
    settings: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    generated_spec = new_key_spec("local1")
    (data / "encryption.key").write_text(generated_spec + "\n")
    # Configured without the generated key: what it sealed could not be read any more.
    (errors,) = encryption_errors(settings, data, keys=new_key_spec("k2"))
    assert errors.startswith("lotse.E005: ")
    assert "local1 is not in the configured ring" in errors
    # Moved into the ring, as docs/operations.md says: only the file remains to delete.
    (errors,) = encryption_errors(settings, data, keys=f"{new_key_spec('k2')},{generated_spec}")
    assert errors.startswith("lotse.E005: The generated key file")
    assert "not in the configured ring" not in errors
    (data / "encryption.key").unlink()
    assert encryption_errors(settings, data, keys=f"{new_key_spec('k2')},{generated_spec}") == []


def test_the_demo_keeps_its_generated_key_beside_its_data(settings: Any, tmp_path: Path) -> None:
    settings.LOTSE_DEMO = True
    settings.DATA_DIR = tmp_path
    settings.LOTSE_ENCRYPTION_KEYS = ""
    (tmp_path / "encryption.key").write_text(new_key_spec("local1") + "\n")
    assert checks.encryption_keys() == []
    assert checks.secret_key() == []


def test_the_key_ring_reads_a_key_file(settings: Any, tmp_path: Path) -> None:
    from lotse.lib.crypto import key_ring, seal, unseal

    key_file = tmp_path / "lotse.keys"
    key_file.write_text(f"{new_key_spec('k9')},{new_key_spec('k8')}\n")
    settings.LOTSE_ENCRYPTION_KEYS = ""
    settings.LOTSE_ENCRYPTION_KEY_FILE = str(key_file)
    assert key_ring().current == "k9"
    assert set(key_ring().keys) == {"k9", "k8"}
    assert unseal(seal(b"geheim", aad=b"x"), aad=b"x") == b"geheim"


# --- demo data -----------------------------------------------------------------------------


@pytest.mark.parametrize("options", [[], ["--if-empty"]])
@pytest.mark.usefixtures("empty_database")
def test_seed_demo_refuses_a_real_installation_even_an_empty_one(
    settings: Any, options: list[str]
) -> None:
    settings.LOTSE_DEMO = False
    assert not Person.objects.exists()
    with pytest.raises(CommandError, match="LOTSE_DEMO is not true"):
        call_command("seed_demo", *options, stdout=io.StringIO())
    assert not Person.objects.exists()


def test_seed_demo_writes_the_demo_accounts_in_the_demo(settings: Any, db: None) -> None:
    settings.LOTSE_DEMO = True
    call_command("seed_demo", "--without-requests", stdout=io.StringIO())
    assert Person.objects.filter(email="koordination.dresden@lasub.example").exists()


# --- Content-Security-Policy and HSTS ------------------------------------------------------


@pytest.mark.parametrize("path", ["/konto/login/", "/katalog/", "/gibt-es-nicht/", "/ping/"])
def test_every_page_has_a_content_security_policy_without_inline_code(
    client: Client, db: None, path: str
) -> None:
    policy = client.get(path)["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_the_admin_is_under_the_same_policy(client: Client, db: None) -> None:
    admin = Person.objects.create_superuser("root@example.org", "pw")
    client.force_login(admin)
    response = client.get("/verwaltung/", follow=True)
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_hsts_is_a_year_over_https_without_subdomains_or_preload_unless_set(
    tmp_path: Path,
) -> None:
    names = ("SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD")
    assert settings_of(lotse_env(tmp_path, LOTSE_HTTPS="true"), *names) == {
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
    }
    assert settings_of(lotse_env(tmp_path, LOTSE_DEMO="true"), *names)["SECURE_HSTS_SECONDS"] == 0
    chosen = lotse_env(
        tmp_path,
        LOTSE_HTTPS="true",
        LOTSE_HSTS_SECONDS="600",
        LOTSE_HSTS_INCLUDE_SUBDOMAINS="true",
        LOTSE_HSTS_PRELOAD="true",
    )
    assert settings_of(chosen, *names) == {
        "SECURE_HSTS_SECONDS": 600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
    }


def test_the_hsts_header_says_what_is_set(settings: Any, db: None) -> None:
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = False
    settings.SECURE_HSTS_PRELOAD = False
    assert Client().get("/ping/", secure=True)["Strict-Transport-Security"] == "max-age=31536000"
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    assert (
        Client().get("/ping/", secure=True)["Strict-Transport-Security"]
        == "max-age=31536000; includeSubDomains"
    )


def test_the_replaced_proxy_variable_stops_the_start_with_its_successor(tmp_path: Path) -> None:
    result = lotse(lotse_env(tmp_path, LOTSE_DEMO="true", LOTSE_BEHIND_PROXY="true"), "check")
    assert result.returncode != 0
    assert "LOTSE_TRUSTED_PROXY_HOPS" in result.stderr


# --- the client's address ------------------------------------------------------------------


def request_from(remote: str, forwarded: str | None = None) -> Any:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().post("/konto/login/", REMOTE_ADDR=remote, **extra)


def test_without_proxies_the_client_is_the_connection_and_the_header_is_ignored(
    settings: Any,
) -> None:
    settings.LOTSE_TRUSTED_PROXY_HOPS = 0
    assert security.client_ip(request_from("198.51.100.7")) == "198.51.100.7"
    assert security.client_ip(request_from("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_behind_one_proxy_the_client_is_the_last_forwarded_address(settings: Any) -> None:
    settings.LOTSE_TRUSTED_PROXY_HOPS = 1
    assert security.client_ip(request_from("127.0.0.1", "198.51.100.7")) == "198.51.100.7"
    # A header the client sent itself stays to the left of what the proxy appended.
    spoofed = request_from("127.0.0.1", "203.0.113.1, 10.0.0.1, 198.51.100.7")
    assert security.client_ip(spoofed) == "198.51.100.7"


def test_behind_two_proxies_the_client_is_the_second_address_from_the_right(
    settings: Any,
) -> None:
    settings.LOTSE_TRUSTED_PROXY_HOPS = 2
    # The client forged 203.0.113.1; the outer proxy appended the client, the inner one the
    # outer proxy.
    request = request_from("10.0.0.2", "203.0.113.1, 198.51.100.7, 10.0.0.1")
    assert security.client_ip(request) == "198.51.100.7"
    assert security.client_ip(request_from("10.0.0.2", "198.51.100.7 , 10.0.0.1")) == (
        "198.51.100.7"
    )


def test_a_header_that_cannot_be_from_the_proxies_gives_the_connection(settings: Any) -> None:
    settings.LOTSE_TRUSTED_PROXY_HOPS = 2
    # Shorter than the hops: it did not pass both proxies.
    assert security.client_ip(request_from("10.0.0.2", "198.51.100.7")) == "10.0.0.2"
    assert security.client_ip(request_from("10.0.0.2")) == "10.0.0.2"
    settings.LOTSE_TRUSTED_PROXY_HOPS = 1
    assert security.client_ip(request_from("127.0.0.1", "not-an-address")) == "127.0.0.1"
    assert security.client_ip(request_from("")) == "0.0.0.0"  # noqa: S104


def test_allauth_counts_by_the_same_address(settings: Any) -> None:
    settings.LOTSE_TRUSTED_PROXY_HOPS = 1
    request = request_from("127.0.0.1", "203.0.113.1, 198.51.100.7")
    assert get_adapter(request).get_client_ip(request) == "198.51.100.7"


def test_the_login_limit_behind_a_proxy_counts_each_client_not_the_proxy(
    settings: Any, db: None
) -> None:
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    settings.LOTSE_TRUSTED_PROXY_HOPS = 1
    Person.objects.create_user("someone@example.org", "right-password")
    with translation.override("de"):
        too_many = translation.gettext(
            "Too many failed login attempts from this device or network. Logging in from here "
            "is paused for up to five minutes; please wait and try again. Your account itself "
            "is not locked: logging in from another device or network still works."
        )

    def log_in(client_address: str, forged: str, password: str) -> Any:
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{forged}, {client_address}")
        return client.post("/konto/login/", {"login": "someone@example.org", "password": password})

    # Ten failures a minute per address (and five per account, so five accounts' worth of
    # guesses here); forging a new address each time does not help.
    for n in range(10):
        Person.objects.get_or_create(email=f"guess{n}@example.org")
        client = Client(
            REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7"
        )
        client.post("/konto/login/", {"login": f"guess{n}@example.org", "password": "wrong"})
    refused = log_in("198.51.100.7", "203.0.113.99", "right-password")
    assert refused.status_code == 200
    assert too_many in " ".join(refused.content.decode().split())
    # Another client behind the same proxy logs in.
    assert log_in("198.51.100.8", "203.0.113.1", "right-password").status_code == 302


# --- logging -------------------------------------------------------------------------------


def test_json_logs_are_one_object_a_line_with_the_path_but_not_the_query() -> None:
    request = RequestFactory().get("/anfragen/7/?q=Schulz")
    try:
        raise RuntimeError("kaputt")
    except RuntimeError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            ("/anfragen/7/",),
            sys.exc_info(),
            extra={"request": request, "status_code": 500},
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "django.request"
    assert entry["message"] == "Internal Server Error: /anfragen/7/"
    assert entry["status"] == 500
    assert entry["path"] == "/anfragen/7/"
    assert "RuntimeError: kaputt" in entry["exception"]
    assert "Schulz" not in line


def test_the_log_format_and_the_admins_come_from_the_environment(tmp_path: Path) -> None:
    env = lotse_env(
        tmp_path,
        LOTSE_DEMO="true",
        LOTSE_LOG_FORMAT="json",
        LOTSE_ADMINS='"Koch, Karla" <karla@example.org>, ops@example.org',
    )
    script = (
        "import json, logging, django; django.setup(); from django.conf import settings; "
        "root = logging.getLogger(); "
        "print(json.dumps([settings.ADMINS, [type(h).__name__ for h in root.handlers], "
        "type(root.handlers[0].formatter).__name__]))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, a fixed script
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    admins, handlers, formatter = json.loads(result.stdout.strip().splitlines()[-1])
    assert admins == ['"Koch, Karla" <karla@example.org>', "ops@example.org"]
    assert handlers == ["StreamHandler", "AdminEmailHandler"]
    assert formatter == "JsonFormatter"
    # Without LOTSE_ADMINS nobody is mailed; a wrong value stops the start.
    assert settings_of(lotse_env(tmp_path, LOTSE_DEMO="true"), "ADMINS") == {"ADMINS": []}
    wrong = lotse(lotse_env(tmp_path, LOTSE_DEMO="true", LOTSE_ADMINS="Karla Koch"), "check")
    assert wrong.returncode != 0
    assert "LOTSE_ADMINS" in wrong.stderr


def test_the_error_mail_to_the_admins_holds_no_form_data_and_no_variables(
    settings: Any,
) -> None:
    settings.ADMINS = ["Karla Koch <karla@example.org>"]
    settings.DEBUG = False
    request = RequestFactory().post("/anfragen/neu/", {"text": "Vertraulich-Sentinel"})
    handler = AdminEmailHandler()
    logger = logging.getLogger("lotse.test.errors")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        confidential = "Vertraulich-Sentinel"  # noqa: F841 - a local variable in the frame
        raise RuntimeError("kaputt")
    except RuntimeError:
        logger.exception(
            "Internal Server Error: %s",
            request.path,
            extra={"request": request, "status_code": 500},
        )
    finally:
        logger.removeHandler(handler)
    (sent,) = mail.outbox
    assert sent.to == ["Karla Koch <karla@example.org>"]
    assert "RuntimeError at /anfragen/neu/" in sent.body
    assert 'raise RuntimeError("kaputt")' in sent.body  # the traceback is there
    assert "text" in sent.body  # the form's field names stay, their values go
    assert "Vertraulich-Sentinel" not in sent.body
