#!/usr/bin/env bash
# System packages and services the test suite needs; safe to run any number of times.
#
#   scripts/test-services.sh          install what is missing, start PostgreSQL and Dovecot,
#                                     print DATABASE_URL
#   scripts/test-services.sh stop     stop the throwaway PostgreSQL and Dovecot
#   scripts/test-services.sh destroy  stop them and delete their data directories
#
# Packages (installed only if missing): PostgreSQL, Chromium (browser tests), Dovecot IMAP and
# LMTP plus openssl (mail tests), gettext (compilemessages), and WeasyPrint's system libraries.
#
# Dovecot: a private instance on 127.0.0.1 (IMAP 10143, IMAPS 10993, LMTP 10024, or the ports in
# LOTSE_DOVECOT_*_PORT) in $LOTSE_DOVECOT_DIR (default /tmp/lotse-dovecot); see scripts/dovecot.sh.
#
# PostgreSQL: a throwaway cluster in $LOTSE_PG_DIR (default /tmp/lotse-postgres-<port>), owned by
# the `postgres` user, listening only on 127.0.0.1:$LOTSE_PG_PORT (default 54329), with role and
# database `lotse` (password `lotse`, CREATEDB so pytest-django can create test_lotse). fsync is
# off: the data is disposable. Progress goes to stderr; stdout is only the DATABASE_URL.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PORT="${LOTSE_PG_PORT:-54329}"
PGDIR="${LOTSE_PG_DIR:-/tmp/lotse-postgres-$PORT}"
URL="postgres://lotse:lotse@127.0.0.1:$PORT/lotse"
action="${1:-start}"

log() { echo "==> $*" >&2; }

# The newest installed server binaries: Debian's /usr/lib/postgresql/<major>/bin, else PATH.
find_pg_bindir() {
    local dir
    dir="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null \
        | sort -V | tail -n 1 || true)"
    if [[ -n "$dir" ]]; then
        dirname "$dir"
    elif command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
    fi
}

# Run a command as the cluster owner: `postgres` when we are root (the server refuses root).
as_owner() {
    if [[ "$(id -u)" -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

case "$action" in
start) ;;
stop | destroy)
    scripts/dovecot.sh "$action" >&2 || log "scripts/dovecot.sh $action failed (see above)"
    bindir="$(find_pg_bindir)"
    if [[ -n "$bindir" && -f "$PGDIR/PG_VERSION" ]] \
        && as_owner "$bindir/pg_ctl" -D "$PGDIR" status >/dev/null 2>&1; then
        log "stopping PostgreSQL in $PGDIR"
        as_owner "$bindir/pg_ctl" -D "$PGDIR" -m fast -w -t 30 stop >&2 \
            || as_owner "$bindir/pg_ctl" -D "$PGDIR" -m immediate -w -t 10 stop >&2 || true
    fi
    if [[ "$action" == destroy && -d "$PGDIR" ]]; then
        log "removing $PGDIR"
        rm -rf "$PGDIR"
    fi
    exit 0
    ;;
*)
    echo "usage: $0 [start|stop|destroy]" >&2
    exit 2
    ;;
esac

# --- system packages ---------------------------------------------------------------------------
packages=(chromium dovecot-imapd dovecot-lmtpd openssl gettext)
packages+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
# Any installed PostgreSQL server will do (e.g. postgresql-15 without the meta package).
if [[ -z "$(find_pg_bindir)" ]]; then
    packages+=(postgresql)
fi
scripts/apt-ensure.sh "${packages[@]}"

bindir="$(find_pg_bindir)"
if [[ -z "$bindir" ]]; then
    echo "error: no PostgreSQL server binaries (initdb, pg_ctl) found after installing" >&2
    exit 1
fi
major="$("$bindir/pg_ctl" --version | grep -oE '[0-9]+' | head -n 1)"

# --- the throwaway cluster ---------------------------------------------------------------------
if [[ "$(id -u)" -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    echo "error: running as root needs a 'postgres' user to own the cluster" >&2
    exit 1
fi

if [[ -f "$PGDIR/PG_VERSION" && "$(cat "$PGDIR/PG_VERSION")" != "$major" ]]; then
    log "$PGDIR holds PostgreSQL $(cat "$PGDIR/PG_VERSION"), server is $major: recreating"
    as_owner "$bindir/pg_ctl" -D "$PGDIR" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PGDIR"
fi

if [[ ! -f "$PGDIR/PG_VERSION" ]]; then
    log "creating PostgreSQL $major cluster in $PGDIR"
    rm -rf "$PGDIR"
    mkdir -p "$PGDIR"
    chmod 700 "$PGDIR"
    if [[ "$(id -u)" -eq 0 ]]; then
        chown postgres: "$PGDIR"
    fi
    locale_args=(--no-locale)
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
        # Unicode-aware upper/lower (case-insensitive lookups on umlauts), stable sort order.
        locale_args=(--locale=C.UTF-8)
    fi
    as_owner "$bindir/initdb" -D "$PGDIR" -U postgres --encoding=UTF8 "${locale_args[@]}" \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    cat <<CONF | as_owner tee -a "$PGDIR/postgresql.conf" >/dev/null

# Lotse test cluster (scripts/test-services.sh): loopback only, disposable data.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$PGDIR'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
fi

ready() { "$bindir/pg_isready" -q -h "$PGDIR" -p "$PORT" >/dev/null 2>&1; }

if as_owner "$bindir/pg_ctl" -D "$PGDIR" status >/dev/null 2>&1; then
    # pg_ctl only checks the pid file; make sure the server also answers (it may be starting).
    for _ in $(seq 1 20); do
        ready && break
        sleep 0.5
    done
    if ! ready; then
        log "PostgreSQL in $PGDIR does not answer: restarting it"
        as_owner "$bindir/pg_ctl" -D "$PGDIR" -m immediate -w -t 10 stop >/dev/null 2>&1 \
            || rm -f "$PGDIR/postmaster.pid"
    fi
fi
if ready; then
    log "PostgreSQL already running in $PGDIR"
else
    log "starting PostgreSQL $major on 127.0.0.1:$PORT"
    if ! as_owner "$bindir/pg_ctl" -D "$PGDIR" -l "$PGDIR/server.log" -w -t 60 start >/dev/null; then
        echo "error: PostgreSQL did not start; its log ($PGDIR/server.log) ends with:" >&2
        tail -n 20 "$PGDIR/server.log" >&2 || true
        exit 1
    fi
fi

# --- the private Dovecot (IMAP/LMTP for the mail tests) ----------------------------------------
# It runs as its own master and needs root; without root the mail tests say so when they run.
if [[ "$(id -u)" -eq 0 ]]; then
    scripts/dovecot.sh start >&2
else
    log "not root: not starting Dovecot (the mail tests need: sudo scripts/dovecot.sh start)"
fi

log "ensuring role and database lotse"
as_owner "$bindir/psql" -h "$PGDIR" -p "$PORT" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
    >/dev/null <<'SQL'
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lotse') THEN
        CREATE ROLE lotse LOGIN CREATEDB PASSWORD 'lotse';
    ELSE
        ALTER ROLE lotse LOGIN CREATEDB PASSWORD 'lotse';
    END IF;
END
$$;
-- DROP DATABASE ... WITH (FORCE) in the fault test ends backends that outlive a killed process
GRANT pg_signal_backend TO lotse;
SELECT 'CREATE DATABASE lotse OWNER lotse'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'lotse') \gexec
SQL

echo "$URL"
