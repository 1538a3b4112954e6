#!/usr/bin/env bash
# A private Dovecot (IMAP + LMTP) on loopback for the mail tests; not the system service.
#
#   scripts/dovecot.sh start     install what is missing, (re)start if needed, wait for IMAP
#   scripts/dovecot.sh stop      stop it
#   scripts/dovecot.sh status    print whether it runs (exit 0) or not (exit 3)
#   scripts/dovecot.sh destroy   stop it and delete its folder
#
# Everything lives in $LOTSE_DOVECOT_DIR (default /tmp/lotse-dovecot): its own dovecot.conf, a
# self-signed certificate (tls/cert.pem, for 127.0.0.1 and localhost), the mail (mail/<user>,
# Maildir), the sockets (run/) and the log (dovecot.log). /etc/dovecot is not read or touched.
#
#   IMAP   127.0.0.1:10143   plaintext login allowed, STARTTLS offered
#   IMAPS  127.0.0.1:10993   implicit TLS with the self-signed certificate
#   LMTP   127.0.0.1:10024   delivery: RCPT TO:<user name>
#
# The ports come from LOTSE_DOVECOT_IMAP_PORT, LOTSE_DOVECOT_IMAPS_PORT and
# LOTSE_DOVECOT_LMTP_PORT (defaults above), so two test runs on one machine can each have their
# own Dovecot (with their own LOTSE_DOVECOT_DIR).
#
# Any user name logs in with the password `lotse-test`; a new name is a new, empty mailbox with
# INBOX and Lotse/Verarbeitet. Mail files belong to the system user `lotse-mail` (created if
# missing). `start` is idempotent: a no-op while the same config runs and answers, a restart when
# the config changed or the server is dead. Needs root. Progress goes to stderr.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DIR="${LOTSE_DOVECOT_DIR:-/tmp/lotse-dovecot}"
HOST=127.0.0.1
IMAP_PORT="${LOTSE_DOVECOT_IMAP_PORT:-10143}"
IMAPS_PORT="${LOTSE_DOVECOT_IMAPS_PORT:-10993}"
LMTP_PORT="${LOTSE_DOVECOT_LMTP_PORT:-10024}"
PASSWORD=lotse-test
MAIL_USER=lotse-mail
CONF="$DIR/dovecot.conf"
PIDFILE="$DIR/run/master.pid"
LOG="$DIR/dovecot.log"
action="${1:-start}"

export PATH="$PATH:/usr/sbin:/sbin"

log() { echo "==> $*" >&2; }
die() {
    echo "error: $*" >&2
    exit 1
}

# The master's pid if our instance runs, else nothing.
master_pid() {
    local pid
    [[ -f "$PIDFILE" ]] || return 0
    pid="$(tr -dc '0-9' <"$PIDFILE")"
    # A killed master may stay a zombie where PID 1 does not reap (containers): that is dead too.
    if [[ -n "$pid" ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dovecot ]] \
        && [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]]; then
        echo "$pid"
    fi
}

# True when the IMAP port greets with "* OK".
imap_answers() {
    local greeting
    greeting="$(timeout 3 bash -c "exec 3<>/dev/tcp/$HOST/$IMAP_PORT && head -c 4 <&3" \
        2>/dev/null || true)"
    [[ "$greeting" == "* OK" ]]
}

stop_server() {
    local pid
    pid="$(master_pid)"
    [[ -n "$pid" ]] || return 0
    log "stopping Dovecot in $DIR (pid $pid)"
    if command -v doveadm >/dev/null 2>&1 && [[ -f "$CONF" ]]; then
        doveadm -c "$CONF" stop >/dev/null 2>&1 9>&- || true
    else
        kill "$pid" 2>/dev/null || true
    fi
    for _ in $(seq 1 50); do
        [[ -n "$(master_pid)" ]] || return 0
        sleep 0.1
    done
    log "Dovecot (pid $pid) did not stop: killing it"
    kill -9 "$pid" 2>/dev/null || true
    pkill -9 -P "$pid" 2>/dev/null || true
    rm -f "$PIDFILE"
}

# One `start`/`stop`/`destroy` at a time (parallel test runs may all call `start`).
lock() {
    mkdir -p "$DIR"
    exec 9>"$DIR/.lock"
    flock -w 60 9 || die "another scripts/dovecot.sh holds $DIR/.lock"
}

case "$action" in
start) ;;
stop)
    [[ -d "$DIR" ]] || exit 0
    lock
    stop_server
    exit 0
    ;;
destroy)
    if [[ -d "$DIR" ]]; then
        lock
        stop_server
        log "removing $DIR"
        rm -rf "$DIR"
    fi
    exit 0
    ;;
status)
    pid="$(master_pid)"
    if [[ -n "$pid" ]] && imap_answers; then
        echo "Dovecot running (pid $pid) in $DIR: IMAP $HOST:$IMAP_PORT, IMAPS $HOST:$IMAPS_PORT," \
            "LMTP $HOST:$LMTP_PORT, password $PASSWORD"
        exit 0
    elif [[ -n "$pid" ]]; then
        echo "Dovecot running (pid $pid) in $DIR, but IMAP $HOST:$IMAP_PORT does not answer"
        exit 1
    fi
    echo "Dovecot not running ($DIR; IMAP $HOST:$IMAP_PORT, IMAPS $HOST:$IMAPS_PORT," \
        "LMTP $HOST:$LMTP_PORT)"
    exit 3
    ;;
*)
    echo "usage: $0 [start|stop|status|destroy]" >&2
    exit 2
    ;;
esac

# --- start -------------------------------------------------------------------------------------
scripts/apt-ensure.sh dovecot-imapd dovecot-lmtpd openssl

[[ "$(id -u)" -eq 0 ]] || die "scripts/dovecot.sh start needs root (it runs Dovecot as its master)"
command -v dovecot >/dev/null 2>&1 || die "no dovecot binary after installing dovecot-imapd"
version="$(dovecot --version | awk '{print $1}')"
[[ "$version" == 2.3.* ]] || die "Dovecot $version: this script writes a Dovecot 2.3 config"
[[ -x /usr/lib/dovecot/lmtp ]] \
    || die "no LMTP server (/usr/lib/dovecot/lmtp) after installing dovecot-lmtpd"

lock

if ! id "$MAIL_USER" >/dev/null 2>&1; then
    log "creating system user $MAIL_USER (owns the test mail)"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$MAIL_USER"
fi
uid="$(id -u "$MAIL_USER")"
gid="$(id -g "$MAIL_USER")"

mkdir -p "$DIR/run" "$DIR/state" "$DIR/tls" "$DIR/mail" "$DIR/home"
chmod 755 "$DIR" "$DIR/run"
chmod 700 "$DIR/state" "$DIR/tls"
chown "$uid:$gid" "$DIR/mail" "$DIR/home"
chmod 700 "$DIR/mail" "$DIR/home"
# Dovecot reads and writes the mail as $MAIL_USER: a folder below a directory that user may not
# enter (e.g. a home directory with mode 700) gives errors only at the first login.
if ! runuser -u "$MAIL_USER" -- test -w "$DIR/mail" 2>/dev/null; then
    echo "warning: $DIR/mail is not reachable for Dovecot's user $MAIL_USER;" \
        "choose a LOTSE_DOVECOT_DIR whose parent directories it may enter (e.g. below /tmp)" >&2
fi

# Self-signed certificate, renewed a day before it expires (the tests may trust tls/cert.pem).
cert_changed=no
if ! openssl x509 -in "$DIR/tls/cert.pem" -noout -checkend 86400 >/dev/null 2>&1 \
    || [[ ! -s "$DIR/tls/key.pem" ]]; then
    log "making a self-signed certificate in $DIR/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=localhost" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$DIR/tls/key.pem" -out "$DIR/tls/cert.pem" >/dev/null 2>&1 \
        || die "openssl could not make the certificate"
    chmod 600 "$DIR/tls/key.pem"
    chmod 644 "$DIR/tls/cert.pem"
    cert_changed=yes
fi

cat >"$CONF.new" <<CONF
# Lotse test Dovecot (scripts/dovecot.sh): loopback only, any user, password $PASSWORD.
# Written by scripts/dovecot.sh start; edits are overwritten.
instance_name = lotse-dovecot
base_dir = $DIR/run
state_dir = $DIR/state
log_path = $LOG
info_log_path = $LOG
debug_log_path = $LOG

protocols = imap lmtp
listen = $HOST
shutdown_clients = yes

ssl = yes
ssl_cert = <$DIR/tls/cert.pem
ssl_key = <$DIR/tls/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests of wrong passwords should not wait the default 2 s, nor slow the logins after them:
# anvil's auth penalty delays every login from an address that failed (127.0.0.1 here). The auth
# process finds no anvil-auth-penalty socket (see service anvil below) and so skips the penalty.
auth_failure_delay = 0

passdb {
  driver = static
  args = password=$PASSWORD
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$DIR/home/%u allow_all_users=yes
}
first_valid_uid = $uid
last_valid_uid = $uid
first_valid_gid = $gid
last_valid_gid = $gid

mail_location = maildir:$DIR/mail/%u
namespace inbox {
  inbox = yes
  separator = /
  mailbox "Lotse/Verarbeitet" {
    auto = create
  }
}

service imap-login {
  inet_listener imap {
    address = $HOST
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = $HOST
    port = $IMAPS_PORT
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = $HOST
    port = $LMTP_PORT
  }
}
lmtp_save_to_detail_mailbox = no
# Renamed, so nothing answers at anvil-auth-penalty: no auth penalty (see auth_failure_delay).
service anvil {
  unix_listener anvil-auth-penalty {
    path = anvil-auth-penalty-off
  }
}
CONF

config_changed=no
if ! cmp -s "$CONF.new" "$CONF"; then
    config_changed=yes
fi
mv "$CONF.new" "$CONF"

pid="$(master_pid)"
if [[ -n "$pid" ]]; then
    if [[ "$config_changed" == yes || "$cert_changed" == yes ]]; then
        log "Dovecot config in $DIR changed: restarting"
        stop_server
    else
        for _ in $(seq 1 20); do
            imap_answers && break
            sleep 0.25
        done
        if imap_answers; then
            log "Dovecot already running in $DIR (pid $pid)"
            exit 0
        fi
        log "Dovecot in $DIR (pid $pid) does not answer on $HOST:$IMAP_PORT: restarting"
        stop_server
    fi
fi

log "starting Dovecot on $HOST: IMAP $IMAP_PORT, IMAPS $IMAPS_PORT, LMTP $LMTP_PORT ($DIR)"
# Fresh sockets: a stale one (anvil-auth-penalty from an older config) would make auth wait on it.
rm -rf "$DIR/run"
mkdir -m 755 "$DIR/run"
if [[ -f "$LOG" && "$(stat -c %s "$LOG")" -gt 10000000 ]]; then
    mv -f "$LOG" "$LOG.old"
fi
# 9>&-: the daemon must not inherit (and so keep holding) the lock. Its output goes to a file,
# not to ours: the daemon keeps what it inherits open, and a caller reading our output through a
# pipe (a test fixture, `… | cat`) would wait for it to end, i.e. for ever.
if ! dovecot -c "$CONF" >"$DIR/start.out" 2>&1 9>&-; then
    echo "error: Dovecot did not start:" >&2
    cat "$DIR/start.out" >&2 2>/dev/null || true
    echo "its log ($LOG) ends with:" >&2
    tail -n 20 "$LOG" >&2 2>/dev/null || true
    exit 1
fi
cat "$DIR/start.out" >&2 2>/dev/null || true
for _ in $(seq 1 100); do
    imap_answers && exit 0
    sleep 0.1
done
echo "error: Dovecot started, but IMAP $HOST:$IMAP_PORT does not answer;" \
    "its log ($LOG) ends with:" >&2
tail -n 20 "$LOG" >&2 2>/dev/null || true
exit 1
